"""Data modeling against `dev` on the reference modeling schema (tests/deploy/modeling_resource.py):
the real aws-amplify client runs every call of client-requests/modeling.md (index queries, custom
and composite identifier CRUD, lazy loading, nested selection sets) on data spanning several pages;
the Python `gql` client runs nested queries whose relationship fields cost one Lambda call per
field and level (counted from the dev log), and sees a field the caller may not read refused while
its parent resolves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import Credentials
from e2e_helpers import DevServerProcess, npm_ready, run_amplify_client
from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import (
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.exceptions import TransportQueryError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MODELING_SCHEMA = Path(__file__).resolve().parents[1] / "deploy" / "modeling_resource.py"
NESTED = """
query Nested {
  listBlogs {
    items { name posts { items { title comments { items { id postId } } } } }
  }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    workdir = tmp_path_factory.mktemp("modeling")
    dev = DevServerProcess(schema=MODELING_SCHEMA, workdir=workdir).start()
    try:
        yield dev
    finally:
        dev.stop()


@pytest.fixture(scope="module")
def amplify(server: DevServerProcess) -> dict[str, Any]:
    """What modeling.mjs printed: it seeds the data and runs every call of modeling.md."""
    npm_ready()
    return run_amplify_client(
        server.outputs_path,
        "userPool",
        "all",
        token=server.token("alice"),
        script="modeling.mjs",
        timeout=240,
    )


def _client(server: DevServerProcess, auth: AppSyncAuthentication) -> Client:
    transport = AIOHTTPTransport(url=server.graphql_url, auth=auth, ssl=False)
    return Client(transport=transport, fetch_schema_from_transport=False, execute_timeout=30)


def _host(server: DevServerProcess) -> str:
    return server.url.split("//")[1]


def lambda_calls(server: DevServerProcess, operation: str) -> list[int]:
    """The Lambda invocations of each logged request of `operation` (`query listBlogs`)."""
    pattern = re.compile(rf"{re.escape(operation)} \|.*\| (\d+) Lambda calls?$")
    return [
        int(match.group(1))
        for line in server.output().splitlines()
        if (match := pattern.search(line.strip()))
    ]


def test_every_call_succeeds(amplify: dict[str, Any]) -> None:
    assert amplify["errors"] == {}


def test_index_queries_follow_next_token(amplify: dict[str, Any]) -> None:
    results = amplify["results"]
    by_category = results["listPostsByCategory"]
    # 30 news posts rated 1..5: 12 rated above 3, in pages of 10, highest first.
    assert len(by_category["ids"]) == len(set(by_category["ids"])) == 12
    assert by_category["ratings"] == sorted(by_category["ratings"], reverse=True)
    assert set(by_category["ratings"]) == {4, 5}
    assert by_category["categories"] == ["news"]
    assert by_category["pages"] >= 2
    by_rep = results["listCustomerByAccountRepresentativeId"]
    assert by_rep["ids"] == [f"c-{n:02d}" for n in range(12)]
    assert by_rep["pages"] >= 3


def test_custom_identifier_crud(amplify: dict[str, Any]) -> None:
    results = amplify["results"]
    assert results["getCustomer"]["customerId"] == "c-01"
    assert results["getCustomer"]["name"] == "customer 1"
    assert results["getCustomer"]["accountRepresentativeId"] == "r-1"
    assert results["createCustomer"]["customerId"] == "c-x"
    assert results["updateCustomer"]["name"] == "y"
    assert results["deleteCustomer"]["customerId"] == "c-x"
    assert results["getDeletedCustomer"] is None
    assert results["listCustomers"] == ["c-01"]
    # With sortDirection the reference call is refused as Amplify's listCustomers resolver does.
    (refusal,) = results["listCustomersSorted"]
    assert refusal["errorType"] == "InvalidArgumentsError"
    assert refusal["message"] == (
        "sortDirection is not supported for List operations without a Sort key defined."
    )


def test_composite_identifier_crud_and_sort_key_conditions(amplify: dict[str, Any]) -> None:
    results = amplify["results"]
    listed = results["listInventories"]
    assert listed["keys"] == [f"w-1/p-{n:02d}" for n in range(12)]  # not q-1, not w-2
    assert listed["pages"] >= 3
    assert results["listInventoriesDesc"] == ["q-1", "p-11"]
    assert results["getInventory"]["quantity"] == 1
    assert results["updateInventory"]["quantity"] == 3
    assert results["deleteInventory"]["productId"] == "p-01"
    assert results["getDeletedInventory"] is None


def test_lazy_loading(amplify: dict[str, Any]) -> None:
    results = amplify["results"]
    seeded = results["seeded"]
    comments = results["postComments"]
    assert comments["count"] == comments["distinct"] == 130  # more than one page of 100
    assert comments["pages"] >= 2
    assert comments["postIds"] == [seeded["post"]]
    assert results["secondPostComments"] == ["d0", "d1", "d2"]
    assert results["postBlog"]["id"] == seeded["blog"]
    assert results["postBlog"]["name"] == "first"
    assert results["userProfile"]["bio"] == "hi"
    assert results["userProfile"]["userId"] == seeded["user"]
    assert results["profileUser"]["name"] == "alice"


def test_nested_selection_sets(amplify: dict[str, Any]) -> None:
    results = amplify["results"]
    nested = results["getBlogNested"]
    assert nested["name"] == "first" and nested["posts"] == 20
    counts = sorted(nested["comments"].values(), reverse=True)
    assert counts[:2] == [100, 3]  # a nested connection's first page (limit 100)
    assert set(counts[2:]) == {0}
    assert results["listBlogsNested"] == {
        "first": [f"post {n:02d}" for n in range(20)],
        "second": [f"post {n:02d}" for n in range(20, 33)],
    }


def test_nested_query_costs_one_lambda_call_per_field_and_level(
    server: DevServerProcess, amplify: dict[str, Any]
) -> None:
    client = _client(server, AppSyncJWTAuthentication(host=_host(server), jwt=server.token("bob")))
    before = len(lambda_calls(server, "query listBlogs"))
    result: dict[str, Any] = client.execute(gql(NESTED))
    blogs = {b["name"]: b["posts"]["items"] for b in result["listBlogs"]["items"]}
    assert len(blogs["first"]) == 20 and len(blogs["second"]) == 13
    counts = sorted(len(p["comments"]["items"]) for p in blogs["first"])
    assert counts[-2:] == [3, 100]
    # listBlogs, Blog.posts for both blogs, Post.comments for all 33 posts: 3, not 1 + 2 + 33.
    assert lambda_calls(server, "query listBlogs")[before:] == [3]


def test_relationship_fields_of_a_mutation_result_are_not_resolved(
    server: DevServerProcess, amplify: dict[str, Any]
) -> None:
    client = _client(server, AppSyncJWTAuthentication(host=_host(server), jwt=server.token("bob")))
    request = gql(
        """
        mutation Make($input: CreatePostInput!) {
          createPost(input: $input) { title blog { name } comments { items { id } } }
        }"""
    )
    request.variable_values = {
        "input": {"title": "new", "blogId": amplify["results"]["seeded"]["blog"]}
    }
    created = client.execute(request)["createPost"]
    assert created["title"] == "new"
    assert created["blog"] is None
    assert created["comments"] in (None, {"items": []})


def test_a_related_model_the_caller_may_not_read_is_refused_alone(
    server: DevServerProcess, amplify: dict[str, Any]
) -> None:
    """Comment is readable by identity-pool users, Post is not: `comment.post` is refused with
    its own Unauthorized error while the comments resolve."""
    dev = server.credentials("--user", "carol")
    credentials = Credentials(dev["accessKeyId"], dev["secretAccessKey"], dev["sessionToken"])
    auth = AppSyncIAMAuthentication(
        host=_host(server), credentials=credentials, region_name="us-east-1"
    )
    client = _client(server, auth)
    with pytest.raises(TransportQueryError) as refused:
        client.execute(gql("query { listComments(limit: 2) { items { content post { title } } } }"))
    data, errors = refused.value.data, refused.value.errors or []
    assert data is not None
    items = data["listComments"]["items"]
    assert len(items) == 2 and all(i["content"] and i["post"] is None for i in items)
    assert {e["message"] for e in errors} == {"Not Authorized to access post on type Comment"}
    assert {e["errorType"] for e in errors} == {"Unauthorized"}
    assert [e["path"] for e in errors] == [
        ["listComments", "items", 0, "post"],
        ["listComments", "items", 1, "post"],
    ]

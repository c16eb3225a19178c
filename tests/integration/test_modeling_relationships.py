"""Relationship fields in batches (AppSync BatchInvoke), their authorization, and the list whose
equality filter runs as an index Query (beyond Amplify), against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from backend import Backend, lambda_context, unmarked
from deploy.modeling_resource import schema as modeling_schema
from identities import identity
from modeling_helpers import call_batch, field_events, meter


@pytest.fixture
def modeling(backend_for: Callable[..., Backend]) -> Backend:
    return backend_for(modeling_schema)


def create(backend: Backend, model: str, **values: Any) -> dict[str, Any]:
    result = backend.call(f"create{model}", {"input": values})
    assert "data" in result, result
    return unmarked(result["data"])


def test_has_many_queries_the_relationship_index_per_parent_in_one_call(
    modeling: Backend,
) -> None:
    posts = [create(modeling, "Post", id=f"p{n}", title=f"t{n}") for n in range(3)]
    for n in range(5):
        create(modeling, "Comment", id=f"c{n}", content=f"c{n}", postId="p0")
    create(modeling, "Comment", id="c9", content="other", postId="p1")
    counted = meter(modeling.api)

    results = call_batch(modeling.api, field_events("Post", "comments", posts))

    assert [sorted(i["id"] for i in r["data"]["items"]) for r in results] == [
        ["c0", "c1", "c2", "c3", "c4"],
        ["c9"],
        [],
    ]
    assert results[0]["data"]["__typename"] == "ModelCommentConnection"
    assert counted.operations == ["Query"] * 3 and counted.items_read == 6


def test_has_many_filter_limit_direction_and_pages(modeling: Backend) -> None:
    post = create(modeling, "Post", id="p", title="t")
    for n in range(7):
        create(modeling, "Comment", id=f"c{n}", content="keep" if n % 2 else "drop", postId="p")

    def page(arguments: dict[str, Any]) -> dict[str, Any]:
        (result,) = call_batch(modeling.api, field_events("Post", "comments", [post], arguments))
        return result["data"]  # type: ignore[no-any-return]

    kept = page({"filter": {"content": {"eq": "keep"}}})
    assert sorted(i["id"] for i in kept["items"]) == ["c1", "c3", "c5"]
    seen: list[str] = []
    token = None
    while True:
        result = page({"limit": 2, "nextToken": token})
        seen += [i["id"] for i in result["items"]]
        token = result["nextToken"]
        if token is None:
            break
    assert sorted(seen) == [f"c{n}" for n in range(7)] and len(seen) == 7
    forward = [i["id"] for i in page({})["items"]]
    assert [i["id"] for i in page({"sortDirection": "DESC"})["items"]] == forward[::-1]


def test_belongs_to_is_one_batch_get_for_the_batch(modeling: Backend) -> None:
    blogs = [create(modeling, "Blog", id=f"b{n}", name=f"n{n}") for n in range(3)]
    posts = [
        create(modeling, "Post", id=f"p{n}", title="t", blogId=blogs[n % 3]["id"]) for n in range(7)
    ]
    orphan = create(modeling, "Post", id="orphan", title="t")
    dangling = create(modeling, "Post", id="dangling", title="t", blogId="gone")
    counted = meter(modeling.api)

    results = call_batch(modeling.api, field_events("Post", "blog", [*posts, orphan, dangling]))

    assert [r["data"]["id"] if r["data"] else None for r in results] == [
        "b0", "b1", "b2", "b0", "b1", "b2", "b0", None, None
    ]  # fmt: skip
    assert results[0]["data"] == blogs[0]
    # Duplicates fetched once, a post without a blog costs nothing.
    assert counted.operations == ["BatchGetItem"] and counted.items_read == 3


def test_belongs_to_chunks_at_100_keys_and_retries_unprocessed_keys(modeling: Backend) -> None:
    client = modeling.api.connection.client
    table = modeling.api.stores["Post"].table_name
    for n in range(150):
        client.put_item(TableName=table, Item={"id": {"S": f"p{n}"}, "title": {"S": "t"}})
    comments = [{"id": f"c{n}", "postId": f"p{n}"} for n in range(150)]
    calls: list[int] = []
    held_back = {"done": False}

    def unprocess_once(parsed: Any, model: Any, **_: Any) -> None:
        if model.name != "BatchGetItem":
            return
        calls.append(len(parsed["Responses"][table]))
        if not held_back["done"]:  # DynamoDB may leave keys unprocessed: give one back
            held_back["done"] = True
            item = parsed["Responses"][table].pop()
            parsed["UnprocessedKeys"] = {table: {"Keys": [{"id": item["id"]}]}}

    client.meta.events.register("after-call.dynamodb.BatchGetItem", unprocess_once)
    results = call_batch(modeling.api, field_events("Comment", "post", comments))
    assert [r["data"]["id"] for r in results] == [f"p{n}" for n in range(150)]
    assert calls == [100, 1, 50]


def test_has_one_is_a_query_of_one(modeling: Backend) -> None:
    users = [create(modeling, "User", id=f"u{n}", name="n") for n in range(2)]
    create(modeling, "Profile", id="pr", bio="b", userId="u0")
    counted = meter(modeling.api)
    results = call_batch(modeling.api, field_events("User", "profile", users))
    assert [r["data"]["id"] if r["data"] else None for r in results] == ["pr", None]
    assert counted.operations == ["Query", "Query"]


def test_fields_under_a_mutation_result_resolve_to_nothing_without_a_request(
    modeling: Backend,
) -> None:
    blog = create(modeling, "Blog", id="b", name="n")
    created = modeling.call("createPost", {"input": {"id": "p", "title": "t", "blogId": "b"}})
    source = created["data"]
    assert source["__operation"] == "Mutation"  # as Amplify's mutation resolvers mark it
    create(modeling, "Comment", id="c", content="x", postId="p")
    counted = meter(modeling.api)
    (blog_of,) = call_batch(modeling.api, field_events("Post", "blog", [source]))
    (comments_of,) = call_batch(modeling.api, field_events("Post", "comments", [source]))
    assert blog_of == {"data": None} and comments_of["data"]["items"] == []
    assert counted.operations == []
    assert blog["id"] == "b"


def test_each_field_is_decided_under_the_related_models_rules(modeling: Backend) -> None:
    # Comment is readable by identity-pool users, Post and Blog are not.
    post = create(modeling, "Post", id="p", title="t", blogId="b")
    create(modeling, "Blog", id="b", name="n")
    create(modeling, "Comment", id="c", content="x", postId="p")
    pool_user = identity("iam_identity_pool_authenticated")
    counted = meter(modeling.api)

    (comments,) = call_batch(
        modeling.api, field_events("Post", "comments", [post], identity=pool_user)
    )
    refused = call_batch(
        modeling.api, field_events("Post", "blog", [post, post], identity=pool_user)
    )

    assert [i["id"] for i in comments["data"]["items"]] == ["c"]
    assert (
        refused
        == [
            {
                "error": {
                    "type": "Unauthorized",
                    "message": "Not Authorized to access blog on type Post",
                }
            }
        ]
        * 2
    )
    assert counted.operations == ["Query"]  # the refusal made no request
    guest = identity("iam_identity_pool_guest")
    (denied,) = call_batch(modeling.api, field_events("Post", "comments", [post], identity=guest))
    assert denied["error"]["message"] == "Not Authorized to access comments on type Post"
    assert counted.operations == ["Query"]


def test_a_relationship_field_sent_alone_is_a_batch_of_one(modeling: Backend) -> None:
    post = create(modeling, "Post", id="p", title="t")
    create(modeling, "Comment", id="c", content="x", postId="p")
    (event,) = field_events("Post", "comments", [post])
    result = modeling.api.handle(event, lambda_context())
    assert [i["id"] for i in result["data"]["items"]] == ["c"]


def test_lazy_load_filter_runs_as_a_query_of_the_relationship_index(modeling: Backend) -> None:
    client = modeling.api.connection.client
    table = modeling.api.stores["Comment"].table_name
    for n in range(300):  # many comments of other posts
        client.put_item(
            TableName=table,
            Item={"id": {"S": f"x{n}"}, "content": {"S": "o"}, "postId": {"S": f"other{n % 7}"}},
        )
    for n in range(5):
        create(modeling, "Comment", id=f"c{n}", content="mine" if n < 3 else "x", postId="p")
    counted = meter(modeling.api)

    # What the aws-amplify client sends for post.comments() (client-requests/modeling.md).
    lazy = modeling.call("listComments", {"filter": {"and": [{"postId": {"eq": "p"}}]}})
    assert sorted(i["id"] for i in lazy["data"]["items"]) == [f"c{n}" for n in range(5)]
    assert counted.operations == ["Query"] and counted.items_read == 5

    counted.reset()
    narrowed = modeling.call(
        "listComments",
        {"filter": {"postId": {"eq": "p"}, "content": {"eq": "mine"}}, "limit": 2},
    )["data"]
    rest = modeling.call(
        "listComments",
        {
            "filter": {"postId": {"eq": "p"}, "content": {"eq": "mine"}},
            "limit": 2,
            "nextToken": narrowed["nextToken"],
        },
    )["data"]
    found = [i["id"] for i in narrowed["items"] + rest["items"]]
    assert sorted(found) == ["c0", "c1", "c2"] and rest["nextToken"] is None
    assert counted.items_read <= 5 * 2  # O(matches), never the 305 items of the table

    # The same filter by Scan (an `or` cannot be a key condition) gives the same items.
    scanned = modeling.call(
        "listComments", {"filter": {"or": [{"postId": {"eq": "p"}}]}, "limit": 1000}
    )
    assert sorted(i["id"] for i in scanned["data"]["items"]) == [f"c{n}" for n in range(5)]


def test_equality_on_an_index_with_an_optional_sort_key_still_scans(modeling: Backend) -> None:
    # postsByCategoryAndRating leaves out posts without a rating: querying it would lose them.
    create(modeling, "Post", id="p1", title="t", category="news")
    create(modeling, "Post", id="p2", title="t", category="news", rating=3)
    counted = meter(modeling.api)
    listed = modeling.call("listPosts", {"filter": {"category": {"eq": "news"}}})
    assert sorted(i["id"] for i in listed["data"]["items"]) == ["p1", "p2"]
    assert counted.operations == ["Scan"]


def test_a_batch_with_two_callers_is_decided_per_caller(modeling: Backend) -> None:
    post = create(modeling, "Post", id="p", title="t", blogId="b")
    create(modeling, "Blog", id="b", name="n")
    allowed = field_events("Post", "blog", [post])
    refused = field_events("Post", "blog", [post], identity=identity("iam_identity_pool_guest"))
    counted = meter(modeling.api)
    results = call_batch(modeling.api, [refused[0], allowed[0], refused[0]])
    assert [("error" in r) for r in results] == [True, False, True]
    assert results[1]["data"]["id"] == "b"
    assert counted.operations == ["BatchGetItem"]


def test_a_bad_source_or_argument_fails_that_parent_only(modeling: Backend) -> None:
    post = create(modeling, "Post", id="p", title="t")
    create(modeling, "Comment", id="c", content="x", postId="p")
    good, bad = field_events("Post", "comments", [post, post])
    bad["arguments"] = {"limit": 0}
    no_source = dict(good, source=None)
    results = call_batch(modeling.api, [good, bad, no_source])
    assert [i["id"] for i in results[0]["data"]["items"]] == ["c"]
    assert results[1]["error"]["type"] == "InvalidArgumentsError"
    assert results[2]["error"]["type"] == "InvalidArgumentsError"


def test_relationships_of_a_composite_identifier(backend_for: Callable[..., Backend]) -> None:
    from appsync_data import a

    schema = a.schema(
        {
            "Bin": a.model(
                {
                    "site": a.id().required(),
                    "slot": a.integer().required(),
                    "parts": a.has_many("Part", ["binSite", "binSlot"]),
                }
            )
            .identifier(["site", "slot"])
            .authorization(lambda allow: [allow.authenticated()]),
            "Part": a.model(
                {
                    "name": a.string(),
                    "binSite": a.id(),
                    "binSlot": a.integer(),
                    "bin": a.belongs_to("Bin", ["binSite", "binSlot"]),
                }
            ).authorization(lambda allow: [allow.authenticated()]),
        }
    )
    backend = backend_for(schema)
    bins = [create(backend, "Bin", site="s", slot=n) for n in (1, 2)]
    parts = [
        create(backend, "Part", id=f"p{n}", name="x", binSite="s", binSlot=1 + n % 2)
        for n in range(5)
    ]
    counted = meter(backend.api)
    children = call_batch(backend.api, field_events("Bin", "parts", bins))
    assert [sorted(i["id"] for i in r["data"]["items"]) for r in children] == [
        ["p0", "p2", "p4"],
        ["p1", "p3"],
    ]
    owners = call_batch(backend.api, field_events("Part", "bin", parts))
    assert [r["data"]["slot"] for r in owners] == [1, 2, 1, 2, 1]
    assert counted.operations == ["Query", "Query", "BatchGetItem"]

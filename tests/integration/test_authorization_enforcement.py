"""The caller's scope in the DynamoDB request, over moto: full pages for owners sharing a table,
the owner-index Query, update/delete of another's item (one conditional write, one GetItem to
tell why it failed), and field-level redaction on get, list and a relationship field. Each path
for an allowed and a refused caller; each refusal leaves the table as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import a
from appsync_data.schema import Schema
from backend import Backend, unmarked
from identities import USER_SUB, oidc_identity, user_pool_identity
from modeling_helpers import call_batch, field_events, meter

BOB_SUB = "b0b0b0b0-0000-4000-8000-0000000000b0"
ALICE = user_pool_identity()  # sub USER_SUB, username alice
BOB = user_pool_identity(sub=BOB_SUB, username="bob")
ALICE_OWNER = f"{USER_SUB}::alice"
BOB_OWNER = f"{BOB_SUB}::bob"


def enforcement_schema() -> Schema:
    return a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(lambda allow: [allow.owner()]),
            # An owner index: a scoped list Queries it (beyond Amplify, which scans).
            "Task": a.model({"title": a.string(), "owner": a.string()})
            .secondary_indexes(lambda index: [index("owner")])
            .authorization(lambda allow: [allow.owner()]),
            "Post": a.model(
                {"title": a.string(), "comments": a.has_many("Comment", "postId")}
            ).authorization(lambda allow: [allow.authenticated()]),
            "Comment": a.model(
                {
                    "postId": a.id(),
                    "body": a.string(),
                    "secret": a.string().authorization(lambda allow: [allow.owner()]),
                    "post": a.belongs_to("Post", "postId"),
                }
            ).authorization(lambda allow: [allow.owner(), allow.authenticated().to(["read"])]),
        }
    )


@pytest.fixture
def backend(backend_for: Callable[..., Backend]) -> Backend:
    return backend_for(enforcement_schema())


def put(backend: Backend, model: str, **values: Any) -> None:
    """An item straight into the table (no caller needed)."""
    store = backend.api.stores[model]
    item = {**store._encode(values), "__typename": {"S": model}}
    backend.api.connection.client.put_item(TableName=store.table_name, Item=item)


def unauthorized(field: str, type_name: str) -> dict[str, Any]:
    message = f"Not Authorized to access {field} on type {type_name}"
    return {"error": {"type": "Unauthorized", "message": message}}


def all_pages(
    backend: Backend, field: str, identity: Any, limit: int, **arguments: Any
) -> list[list[str]]:
    pages: list[list[str]] = []
    token = None
    while True:
        response = backend.call(
            field, {**arguments, "limit": limit, "nextToken": token}, identity=identity
        )
        assert "data" in response, response
        pages.append([item["id"] for item in response["data"]["items"]])
        token = response["data"]["nextToken"]
        if token is None:
            return pages


# --- list: two owners in one table ----------------------------------------------------------


def test_two_owners_list_their_own_todos_in_full_pages(backend: Backend) -> None:
    for n in range(9):  # interleaved: most Scan pages hold both owners' items
        put(backend, "Todo", id=f"a{n}", owner=ALICE_OWNER if n % 3 else "alice", content="x")
        put(backend, "Todo", id=f"b{n}", owner=BOB_OWNER, content="y")
    put(backend, "Todo", id="nobody", content="no owner")
    counted = meter(backend.api)

    alice_pages = all_pages(backend, "listTodos", ALICE, limit=2)
    bob_pages = all_pages(backend, "listTodos", BOB, limit=2)

    # Every page but the last is full, and each owner sees exactly their items (both the
    # `<sub>::<username>` and the legacy `<username>` owner values).
    for pages, prefix in ((alice_pages, "a"), (bob_pages, "b")):
        assert all(len(page) == 2 for page in pages[:-1]), pages
        seen = [i for page in pages for i in page]
        assert sorted(seen) == sorted(f"{prefix}{n}" for n in range(9)), seen
    assert set(counted.operations) == {"Scan"}


def test_a_refused_list_sends_no_request(backend: Backend) -> None:
    put(backend, "Todo", id="a0", owner=ALICE_OWNER)
    counted = meter(backend.api)

    response = backend.call("listTodos", {}, identity=oidc_identity())  # no oidc rule

    assert response == unauthorized("listTodos", "Query")
    assert counted.operations == []


def test_a_filter_and_the_scope_together_still_fill_pages(backend: Backend) -> None:
    for n in range(12):
        put(backend, "Todo", id=f"a{n:02}", owner=ALICE_OWNER, content="keep" if n % 2 else "drop")
        put(backend, "Todo", id=f"b{n:02}", owner=BOB_OWNER, content="keep")

    pages = all_pages(backend, "listTodos", ALICE, limit=2, filter={"content": {"eq": "keep"}})

    assert all(len(page) == 2 for page in pages[:-1]), pages
    assert sorted(i for page in pages for i in page) == [f"a{n:02}" for n in range(1, 12, 2)]


# --- the owner index ----------------------------------------------------------------------------


def test_a_scoped_list_queries_the_owner_index_value_after_value(backend: Backend) -> None:
    for n in range(3):
        put(backend, "Task", id=f"full{n}", owner=ALICE_OWNER, title="t")
        put(backend, "Task", id=f"sub{n}", owner=USER_SUB, title="t")
        put(backend, "Task", id=f"name{n}", owner="alice", title="t")
    for n in range(20):
        put(backend, "Task", id=f"bob{n:02}", owner=BOB_OWNER, title="t")
    counted = meter(backend.api)

    pages = all_pages(backend, "listTasks", ALICE, limit=2)

    assert all(len(page) == 2 for page in pages[:-1]), pages
    seen = sorted(i for page in pages for i in page)
    assert seen == sorted(f"{kind}{n}" for kind in ("full", "sub", "name") for n in range(3))
    assert set(counted.operations) == {"Query"}
    # O(her items): bob's twenty are never read.
    assert counted.items_read <= 9 + len(pages)


def test_an_owner_index_page_token_is_the_callers_own(backend: Backend) -> None:
    for n in range(3):
        put(backend, "Task", id=f"a{n}", owner=ALICE_OWNER)
        put(backend, "Task", id=f"b{n}", owner=BOB_OWNER)
    first = backend.call("listTasks", {"limit": 1}, identity=ALICE)
    token = first["data"]["nextToken"]
    assert token is not None

    # Bob cannot continue alice's listing (the token names her owner value).
    response = backend.call("listTasks", {"limit": 1, "nextToken": token}, identity=BOB)
    assert response["error"]["type"] == "InvalidNextTokenError"
    # A caller whose list is a Scan cannot use an index token either.
    admin = plain_list_token_refused(backend, token)
    assert admin["error"]["type"] == "InvalidNextTokenError"


def plain_list_token_refused(backend: Backend, token: str) -> dict[str, Any]:
    """The Todo list's token scope differs: a Task index token is foreign there too."""
    return backend.call("listTodos", {"limit": 1, "nextToken": token}, identity=ALICE)


def test_a_refused_caller_reads_no_index(backend: Backend) -> None:
    put(backend, "Task", id="a0", owner=ALICE_OWNER)
    counted = meter(backend.api)

    response = backend.call("listTasks", {}, identity=None)  # an API key: no rule

    assert response == unauthorized("listTasks", "Query")
    assert counted.operations == []


# --- update / delete of another's item -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "arguments"),
    [
        ("updateTodo", {"input": {"id": "t", "content": "changed"}}),
        ("deleteTodo", {"input": {"id": "t"}}),
    ],
)
def test_another_owners_item_is_refused_by_the_write_condition(
    backend: Backend, field: str, arguments: dict[str, Any]
) -> None:
    put(backend, "Todo", id="t", owner=ALICE_OWNER, content="original")
    before = backend.scan()
    counted = meter(backend.api)

    refused = backend.call(field, arguments, identity=BOB)
    sent = list(counted.operations)

    assert refused == unauthorized(field, "Mutation")
    assert backend.scan() == before
    # One conditional write (refused by DynamoDB), one GetItem telling why.
    write = "UpdateItem" if field.startswith("update") else "DeleteItem"
    assert sent == [write, "GetItem"]

    counted.reset()
    allowed = backend.call(field, arguments, identity=ALICE)

    assert unmarked(allowed["data"])["id"] == "t"
    assert counted.operations == [write]


def test_the_owners_failed_condition_and_a_missing_item_answer_as_amplify(
    backend: Backend,
) -> None:
    put(backend, "Todo", id="t", owner=ALICE_OWNER, content="original")
    before = backend.scan()

    failed = backend.call(
        "updateTodo",
        {"input": {"id": "t", "content": "x"}, "condition": {"content": {"eq": "other"}}},
        identity=ALICE,
    )
    missing = backend.call("deleteTodo", {"input": {"id": "nope"}}, identity=ALICE)

    # The owner's own condition: DynamoDB's answer. No item, under an owner rule: Amplify's
    # resolver finds no owner to match, Unauthorized.
    assert failed["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    assert missing == unauthorized("deleteTodo", "Mutation")
    assert backend.scan() == before


def test_create_stores_the_owner_and_refuses_naming_someone_else(backend: Backend) -> None:
    created = backend.call("createTodo", {"input": {"id": "n", "content": "c"}}, identity=ALICE)
    assert created["data"]["owner"] == ALICE_OWNER
    before = backend.scan()

    refused = backend.call("createTodo", {"input": {"id": "m", "owner": BOB_OWNER}}, identity=ALICE)

    assert refused == unauthorized("createTodo", "Mutation")
    assert backend.scan() == before


# --- field-level rules --------------------------------------------------------------------------


def seed_comments(backend: Backend) -> None:
    put(backend, "Post", id="p", title="post")
    put(backend, "Comment", id="c-alice", postId="p", owner=ALICE_OWNER, secret="alice's")
    put(backend, "Comment", id="c-bob", postId="p", owner=BOB_OWNER, secret="bob's")


def secret_error(path: list[Any]) -> dict[str, Any]:
    return {
        "path": path,
        "type": "Unauthorized",
        "message": "Not Authorized to access secret on type Comment",
    }


def test_get_redacts_a_field_the_caller_may_not_read(backend: Backend) -> None:
    seed_comments(backend)

    own = backend.call("getComment", {"id": "c-alice"}, identity=ALICE)
    other = backend.call("getComment", {"id": "c-bob"}, identity=ALICE)

    assert own == {"data": own["data"]} and own["data"]["secret"] == "alice's"
    assert other["data"]["secret"] is None and other["data"]["id"] == "c-bob"
    assert other["fieldErrors"] == [secret_error(["getComment", "secret"])]


def test_list_redacts_per_item(backend: Backend) -> None:
    seed_comments(backend)

    response = backend.call("listComments", {}, identity=ALICE)

    items = {item["id"]: item for item in response["data"]["items"]}
    assert items["c-alice"]["secret"] == "alice's" and items["c-bob"]["secret"] is None
    position = [item["id"] for item in response["data"]["items"]].index("c-bob")
    assert response["fieldErrors"] == [secret_error(["listComments", "items", position, "secret"])]


def test_a_relationship_field_redacts_and_refuses(backend: Backend) -> None:
    seed_comments(backend)
    post = {"id": "p", "title": "post", "__typename": "Post"}

    (envelope,) = call_batch(backend.api, field_events("Post", "comments", [post], identity=BOB))
    (refused,) = call_batch(
        backend.api, field_events("Post", "comments", [post], identity=oidc_identity())
    )

    items = envelope["data"]["items"]
    shown = {item["id"]: item["secret"] for item in items}
    assert shown == {"c-alice": None, "c-bob": "bob's"}
    position = [item["id"] for item in items].index("c-alice")
    assert envelope["fieldErrors"] == [secret_error(["comments", "items", position, "secret"])]
    assert refused == unauthorized("comments", "Post")


def test_a_field_the_caller_may_not_write_refuses_the_mutation(backend: Backend) -> None:
    seed_comments(backend)
    before = backend.scan("Comment")

    # Bob may read alice's comment (authenticated read) but not write it, nor its secret.
    refused = backend.call(
        "updateComment", {"input": {"id": "c-alice", "secret": "mine"}}, identity=BOB
    )
    allowed = backend.call(
        "updateComment", {"input": {"id": "c-alice", "secret": "new"}}, identity=ALICE
    )

    assert refused == unauthorized("updateComment", "Mutation")
    assert unmarked(allowed["data"])["secret"] == "new"
    after = backend.scan("Comment")
    assert [i for i in after if i["id"]["S"] == "c-bob"] == [
        i for i in before if i["id"]["S"] == "c-bob"
    ]

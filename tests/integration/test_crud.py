"""The CRUD contracts of DESIGN.md, through the Lambda handler, against moto's DynamoDB."""

from __future__ import annotations

import re
import uuid

import pytest
from appsync_data import a
from backend import Backend, unmarked

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CONDITION_FAILED = "DynamoDB:ConditionalCheckFailedException"


def test_create_generates_id_timestamps_and_typename(todo: Backend) -> None:
    response = todo.call("createTodo", {"input": {"content": "My new todo"}})

    item = response["data"]
    assert uuid.UUID(item["id"]).version == 4
    assert item["content"] == "My new todo"
    assert ISO_MS_Z.match(item["createdAt"]) and item["createdAt"] == item["updatedAt"]
    assert item["__typename"] == "Todo"
    [stored] = todo.scan()
    assert stored["__typename"] == {"S": "Todo"}
    assert stored["content"] == {"S": "My new todo"}


def test_create_keeps_a_given_id_and_never_overwrites(todo: Backend) -> None:
    todo.call("createTodo", {"input": {"id": "fixed", "content": "first"}})
    before = todo.scan()

    again = todo.call("createTodo", {"input": {"id": "fixed", "content": "second"}})

    assert again["error"]["type"] == CONDITION_FAILED
    assert again["error"]["message"].startswith(
        "The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: "
    )
    # DynamoDB's own request id, as AppSync shows it.
    assert re.search(r"Request ID: [A-Za-z0-9]{20,}\)$", again["error"]["message"])
    assert todo.scan() == before


def test_create_with_caller_condition(todo: Backend) -> None:
    # A condition on a new item sees no attributes: attributeExists fails, not-exists passes.
    refused = todo.call(
        "createTodo",
        {"input": {"content": "x"}, "condition": {"content": {"attributeExists": True}}},
    )
    allowed = todo.call(
        "createTodo",
        {"input": {"content": "y"}, "condition": {"content": {"attributeExists": False}}},
    )
    assert refused["error"]["type"] == CONDITION_FAILED
    assert allowed["data"]["content"] == "y"
    assert [i["content"]["S"] for i in todo.scan()] == ["y"]


def test_get_returns_the_item_or_null(todo: Backend) -> None:
    created = unmarked(todo.call("createTodo", {"input": {"content": "a"}})["data"])

    assert todo.call("getTodo", {"id": created["id"]}) == {"data": created}
    assert todo.call("getTodo", {"id": "missing"}) == {"data": None}


def test_update_is_partial_bumps_updated_at_and_null_removes(todo: Backend) -> None:
    created = todo.call("createTodo", {"input": {"content": "a"}})["data"]

    updated = todo.call("updateTodo", {"input": {"id": created["id"]}})["data"]
    assert updated["content"] == "a"
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] >= created["updatedAt"]

    cleared = todo.call("updateTodo", {"input": {"id": created["id"], "content": None}})["data"]
    assert cleared["content"] is None
    [stored] = todo.scan()
    assert "content" not in stored


def test_update_of_a_missing_item_is_an_error_never_an_upsert(todo: Backend) -> None:
    response = todo.call("updateTodo", {"input": {"id": "missing", "content": "x"}})

    assert response["error"]["type"] == CONDITION_FAILED
    assert todo.scan() == []


def test_update_with_caller_condition(todo: Backend) -> None:
    created = todo.call("createTodo", {"input": {"content": "a"}})["data"]
    before = todo.scan()

    refused = todo.call(
        "updateTodo",
        {"input": {"id": created["id"], "content": "b"}, "condition": {"content": {"eq": "zzz"}}},
    )
    assert refused["error"]["type"] == CONDITION_FAILED
    assert todo.scan() == before

    allowed = todo.call(
        "updateTodo",
        {"input": {"id": created["id"], "content": "b"}, "condition": {"content": {"eq": "a"}}},
    )
    assert allowed["data"]["content"] == "b"


def test_delete_returns_the_deleted_item(todo: Backend) -> None:
    created = todo.call("createTodo", {"input": {"content": "a"}})["data"]

    deleted = todo.call("deleteTodo", {"input": {"id": created["id"]}})

    assert deleted == {"data": created}
    assert todo.scan() == []


def test_delete_of_a_missing_item_or_failed_condition_is_an_error(todo: Backend) -> None:
    created = todo.call("createTodo", {"input": {"content": "a"}})["data"]
    before = todo.scan()

    missing = todo.call("deleteTodo", {"input": {"id": "missing"}})
    refused = todo.call(
        "deleteTodo", {"input": {"id": created["id"]}, "condition": {"content": {"ne": "a"}}}
    )

    assert missing["error"]["type"] == CONDITION_FAILED
    assert refused["error"]["type"] == CONDITION_FAILED
    assert todo.scan() == before


@pytest.mark.parametrize(
    ("field", "arguments", "operation"),
    [
        ("createTodo", {"input": {"content": "a"}}, "PutItem"),
        ("getTodo", {"id": "x"}, "GetItem"),
        ("updateTodo", {"input": {"id": "x", "content": "b"}}, "UpdateItem"),
        ("deleteTodo", {"input": {"id": "x"}}, "DeleteItem"),
        ("listTodos", {}, "Scan"),
    ],
)
def test_one_dynamodb_request_per_operation(
    todo: Backend, field: str, arguments: dict[str, object], operation: str
) -> None:
    todo.call("createTodo", {"input": {"id": "x", "content": "a"}})
    sent = todo.count_requests()

    todo.call(field, arguments)

    assert sent == [operation]


def test_required_fields_and_defaults(backend_for: object) -> None:
    schema = a.schema(
        {
            "Task": a.model(
                {
                    "title": a.string().required(),
                    "priority": a.integer().default(3),
                    "status": a.enum(["OPEN", "DONE"]).default("OPEN"),
                }
            ).authorization(lambda allow: [allow.authenticated()])
        }
    )
    backend = backend_for(schema)  # type: ignore[operator]

    missing = backend.call("createTask", {"input": {"priority": 1}})
    assert missing["error"] == {
        "type": "InvalidArgumentsError",
        "message": "input.title: Task.title is required",
    }
    created = backend.call("createTask", {"input": {"title": "t"}})["data"]
    assert (created["priority"], created["status"]) == (3, "OPEN")
    cleared = backend.call("updateTask", {"input": {"id": created["id"], "title": None}})
    assert cleared["error"]["type"] == "InvalidArgumentsError"
    assert "required" in cleared["error"]["message"]
    assert backend.scan("Task")[0]["title"] == {"S": "t"}


def test_every_field_type_round_trips(backend_for: object) -> None:
    schema = a.schema(
        {
            "Thing": a.model(
                {
                    "name": a.string(),
                    "count": a.integer(),
                    "ratio": a.float(),
                    "done": a.boolean(),
                    "ref": a.id(),
                    "day": a.date(),
                    "at": a.time(),
                    "when": a.datetime(),
                    "stamp": a.timestamp(),
                    "mail": a.email(),
                    "meta": a.json(),
                    "phone": a.phone(),
                    "site": a.url(),
                    "ip": a.ip_address(),
                    "tags": a.string().array(),
                    "kind": a.enum(["A", "B"]),
                }
            ).authorization(lambda allow: [allow.authenticated()])
        }
    )
    backend = backend_for(schema)  # type: ignore[operator]
    values = {
        "name": "n",
        "count": 7,
        "ratio": 0.5,
        "done": True,
        "ref": "r-1",
        "day": "2026-11-26",
        "at": "12:30:00.000Z",
        "when": "2026-11-26T12:30:00.000Z",
        "stamp": 1795734609,
        "mail": "a@example.com",
        "meta": {"a": [1, 2.5, None], "b": {"c": True}},  # AppSync hands AWSJSON over parsed
        "phone": "+15555550100",
        "site": "https://example.com/x",
        "ip": "192.0.2.1",
        "tags": ["x", "y"],
        "kind": "B",
    }

    created = unmarked(backend.call("createThing", {"input": values})["data"])
    fetched = backend.call("getThing", {"id": created["id"]})["data"]

    assert fetched == created
    assert {k: fetched[k] for k in values} == values
    # Every operation gives the item back in the same form (list, update and delete read it from
    # DynamoDB's answer, create from what it wrote).
    assert backend.call("listThings", {})["data"]["items"] == [created]
    updated = unmarked(
        backend.call("updateThing", {"input": {"id": created["id"], "count": 8}})["data"]
    )
    assert updated == {**created, "count": 8, "updatedAt": updated["updatedAt"]}
    deleted = backend.call("deleteThing", {"input": {"id": created["id"]}})["data"]
    assert unmarked(deleted) == updated
    sparse = unmarked(backend.call("createThing", {"input": {"tags": ["x", None]}})["data"])
    assert sparse["tags"] == ["x", None] and sparse["name"] is None and sparse["count"] is None
    assert backend.call("getThing", {"id": sparse["id"]})["data"] == sparse
    assert backend.call("listThings", {})["data"]["items"] == [sparse]
    # Items other writers stored with explicit NULLs read as nulls too.
    client = backend.api.connection.client
    client.put_item(
        TableName=backend.api.settings.table_name("Thing"),
        Item={"id": {"S": "w"}, "name": {"NULL": True}, "tags": {"L": [{"NULL": True}]}},
    )
    written = backend.call("getThing", {"id": "w"})["data"]
    assert written["name"] is None and written["tags"] == [None] and written["count"] is None


@pytest.mark.parametrize(
    ("field", "arguments", "message"),
    [
        ("getTodo", {}, "id: expected a non-empty ID string"),
        ("getTodo", {"id": ""}, "id: expected a non-empty ID string"),
        ("getTodo", {"id": 5}, "id: expected a non-empty ID string"),
        ("getTodo", {"id": "x" * 1025}, "id: an ID is at most 1024 bytes"),
        ("createTodo", {}, "input: expected an object"),
        ("createTodo", {"input": "content=x"}, "input: expected an object"),
        ("createTodo", {"input": {"content": 5}}, "input.content: not a valid String"),
        ("createTodo", {"input": {"owner": "me"}}, "input: Todo has no input field 'owner'"),
        ("createTodo", {"input": {"createdAt": "2020"}}, "input: Todo has no input field"),
        (
            "createTodo",
            {"input": {}, "condition": {"id": {"eq": "x"}}},
            "condition.id: Todo has no field 'id'",
        ),
        ("createTodo", {"input": {}, "extra": 1}, "createX: unknown argument 'extra'"),
        (
            "updateTodo",
            {"input": {"content": "x"}},
            "input.id: the id of the item to update is required",
        ),
        ("updateTodo", {"input": {"id": None}}, "input.id: expected a non-empty ID string"),
        ("deleteTodo", {"input": {"id": "x", "content": "y"}}, "input: unknown argument 'content'"),
        ("deleteTodo", {"input": None}, "input: expected an object with the id to delete"),
    ],
)
def test_bad_arguments_give_clear_errors_and_write_nothing(
    todo: Backend, field: str, arguments: dict[str, object], message: str
) -> None:
    todo.call("createTodo", {"input": {"id": "x", "content": "a"}})
    before = todo.scan()
    sent = todo.count_requests()

    response = todo.call(field, arguments)

    assert response["error"]["type"] == "InvalidArgumentsError"
    assert response["error"]["message"].startswith(message)
    assert sent == []
    assert todo.scan() == before

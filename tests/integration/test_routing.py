"""Events for fields the API does not serve are refused by name, before any DynamoDB request."""

from __future__ import annotations

from typing import Any

import pytest
from backend import Backend, appsync_event, lambda_context
from identities import user_pool_identity


def handle(backend: Backend, event: dict[str, Any]) -> dict[str, Any]:
    return backend.api.handle(event, lambda_context())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parent", "field"),
    [("Query", "getFoo"), ("Mutation", "getTodo"), ("Subscription", "onCreateFoo")],
)
def test_a_field_the_api_does_not_serve_is_named(todo: Backend, parent: str, field: str) -> None:
    sent = todo.count_requests()
    event = appsync_event(field, {"id": "x"}, user_pool_identity(), parent=parent)

    response = handle(todo, event)

    assert response == {
        "error": {
            "type": "InvalidArgumentsError",
            "message": f"{parent}.{field} is not a field this API serves",
        }
    }
    assert sent == []


@pytest.mark.parametrize("info", [None, {}, {"fieldName": "getTodo"}, "Query.getTodo"])
def test_an_event_without_a_field_is_refused(todo: Backend, info: Any) -> None:
    event = appsync_event("getTodo", {"id": "x"}, user_pool_identity())
    event["info"] = info
    if info is None:
        del event["info"]

    response = handle(todo, event)

    assert response["error"]["type"] == "InvalidArgumentsError"
    assert "info.parentTypeName and info.fieldName" in response["error"]["message"]


def test_the_router_is_powertools_and_takes_the_users_resolvers(todo: Backend) -> None:
    from aws_lambda_powertools.event_handler import AppSyncResolver

    router = todo.api.resolver
    assert isinstance(router, AppSyncResolver)

    @router.resolver(type_name="Query", field_name="hello")
    def hello(name: str) -> str:
        event = router.current_event
        assert event is not None and event.identity is not None
        return f"hello {name}"

    @router.batch_resolver(type_name="Todo", field_name="shout")
    def shout(event: list[Any]) -> list[str]:
        return [e.source["content"].upper() for e in event]

    @router.resolver(type_name="Query", field_name="broken")
    def broken() -> str:
        raise RuntimeError("a secret detail")

    event = appsync_event("hello", {"name": "you"}, user_pool_identity(), parent="Query")
    assert handle(todo, event) == {"data": "hello you"}
    batch = []
    for content in ("a", "b"):
        one = appsync_event("shout", {}, user_pool_identity(), parent="Todo")
        one["source"] = {"content": content}
        batch.append(one)
    assert todo.api.handle(batch, lambda_context()) == [{"data": "A"}, {"data": "B"}]
    failed = handle(todo, appsync_event("broken", {}, user_pool_identity(), parent="Query"))
    assert failed["error"]["type"] == "InternalFailure"
    assert "secret" not in failed["error"]["message"]


def test_a_batch_of_an_unknown_field_is_named_for_each_event(todo: Backend) -> None:
    batch = [appsync_event("nope", {}, user_pool_identity(), parent="Todo") for _ in range(2)]
    assert (
        todo.api.handle(batch, lambda_context())
        == [
            {
                "error": {
                    "type": "InvalidArgumentsError",
                    "message": "Todo.nope is not a field this API serves",
                }
            }
        ]
        * 2
    )
    assert todo.api.handle([], lambda_context()) == []
    mixed = [
        appsync_event("getTodo", {"id": "x"}, user_pool_identity()),
        appsync_event("nope", {}, user_pool_identity(), parent="Todo"),
    ]
    results = todo.api.handle(mixed, lambda_context())
    assert [r["error"]["message"] for r in results] == ["A batch must hold events of one field"] * 2

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
    [("Query", "getFoo"), ("Mutation", "getTodo"), ("Subscription", "onCreateTodo")],
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

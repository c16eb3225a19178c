"""Every provider x caller x operation through the Lambda handler: the decision of DESIGN.md's
table, and every refusal made before any DynamoDB request, with the table unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import a
from appsync_data.schema import Schema
from backend import Backend, seed, unmarked
from identities import CALLER_NAMES, EXPECTED_ALLOWED, PROVIDERS, identity

OPERATIONS: dict[str, Callable[[str], tuple[str, dict[str, Any]]]] = {
    "get": lambda item_id: ("getTodo", {"id": item_id}),
    "list": lambda item_id: ("listTodos", {"limit": 10}),
    "create": lambda item_id: ("createTodo", {"input": {"content": "new"}}),
    "update": lambda item_id: ("updateTodo", {"input": {"id": item_id, "content": "changed"}}),
    "delete": lambda item_id: ("deleteTodo", {"input": {"id": item_id}}),
}
PLAIN_IAM = "iam_plain_role"


def seed_schema(provider: str) -> Schema:
    return a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated(provider)]
            )
        }
    )


def seeded(backend_for: Callable[..., Backend], provider: str) -> tuple[Backend, str]:
    backend = backend_for(seed_schema(provider))
    # Seed through the table itself, so the seeding needs no allowed caller.
    seed(backend.api, "Todo", "seed-1", content="original")
    return backend, "seed-1"


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("caller", CALLER_NAMES)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_decision_and_refusal_leaves_no_trace(
    backend_for: Callable[..., Backend], provider: str, caller: str, operation: str
) -> None:
    backend, item_id = seeded(backend_for, provider)
    field, arguments = OPERATIONS[operation](item_id)
    before = backend.scan()
    sent = backend.count_requests()

    response = backend.call(field, arguments, identity=identity(caller))

    if EXPECTED_ALLOWED[caller][provider]:
        assert "data" in response, response
        assert len(sent) == 1
    else:
        type_name = "Query" if operation in ("get", "list") else "Mutation"
        assert response == {
            "error": {
                "type": "Unauthorized",
                "message": f"Not Authorized to access {field} on type {type_name}",
            }
        }
        assert sent == []
        assert backend.scan() == before


@pytest.mark.parametrize("iam_access", ["roles", "none"])
def test_plain_iam_can_be_narrowed(backend_for: Callable[..., Backend], iam_access: str) -> None:
    from dataclasses import replace

    from backend import SETTINGS

    backend = backend_for(seed_schema("userPools"), replace(SETTINGS, iam_access=iam_access))
    before = backend.scan()

    response = backend.call("createTodo", {"input": {"content": "x"}}, identity=identity(PLAIN_IAM))

    assert response["error"]["type"] == "Unauthorized"
    assert backend.scan() == before


def test_rules_are_alternatives_and_to_narrows(backend_for: Callable[..., Backend]) -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [
                    allow.authenticated(),
                    allow.authenticated("identityPool").to(["read"]),
                ]
            )
        }
    )
    backend = backend_for(schema)
    user = identity("user_pool_access_token")
    guest_iam = identity("iam_identity_pool_authenticated")

    created = unmarked(
        backend.call("createTodo", {"input": {"content": "x"}}, identity=user)["data"]
    )
    assert backend.call("getTodo", {"id": created["id"]}, identity=guest_iam)["data"] == created
    before = backend.scan()
    refused = backend.call("deleteTodo", {"input": {"id": created["id"]}}, identity=guest_iam)
    assert refused["error"]["type"] == "Unauthorized"
    assert backend.scan() == before


def test_an_operation_no_rule_covers_is_refused_to_everyone(
    backend_for: Callable[..., Backend],
) -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated().to(["read"])]
            )
        }
    )
    backend = backend_for(schema)
    for caller in ("user_pool_access_token", PLAIN_IAM):
        response = backend.call(
            "createTodo", {"input": {"content": "x"}}, identity=identity(caller)
        )
        assert response["error"]["type"] == "Unauthorized"
    assert backend.scan() == []

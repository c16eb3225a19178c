"""The subscribe-time decision (`listen`) through the Lambda handler: Subscription.onCreateX,
onUpdateX and onDeleteX decide with the model's rules, as queries do, return null data when
allowed (as Amplify's subscription resolvers) and never send a DynamoDB request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from backend import Backend, LambdaContextStub, appsync_event
from identities import CALLER_NAMES, EXPECTED_ALLOWED, PROVIDERS, identity
from test_authorization import seed_schema

FIELDS = ("onCreateTodo", "onUpdateTodo", "onDeleteTodo")


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("caller", CALLER_NAMES)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_listen_decision(
    backend_for: Callable[..., Backend], provider: str, caller: str, field: str
) -> None:
    backend = backend_for(seed_schema(provider))
    sent = backend.count_requests()
    event = appsync_event(
        field, {"filter": {"content": {"eq": "x"}}}, identity(caller), parent="Subscription"
    )

    response = backend.api.handle(event, LambdaContextStub())  # type: ignore[arg-type]

    if EXPECTED_ALLOWED[caller][provider]:
        assert response == {"data": None}
    else:
        assert response == {
            "error": {
                "type": "Unauthorized",
                "message": f"Not Authorized to access {field} on type Subscription",
            }
        }
    assert sent == []

"""The real `aws-amplify` client (npm, pinned in js/package-lock.json) against `dev`.

Configured only with `Amplify.configure(outputs)` from the amplify_outputs.json the server wrote,
plus a token or credentials provider fed by `python -m appsync_data token|credentials`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import DevServerProcess, npm_ready, run_amplify_client, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

API_REFUSAL = [
    {
        "message": "Unauthorized",
        "recoverySuggestion": (
            'If you\'re calling an Amplify-generated API, make sure to set the "authMode" in '
            "generateClient({ authMode: '...' }) to the backend authorization rule's auth "
            "provider ('apiKey', 'userPool', 'iam', 'oidc', 'lambda')"
        ),
    }
]


@pytest.fixture(scope="session", autouse=True)
def amplify_installed() -> None:
    npm_ready()


def assert_crud(results: dict[str, Any]) -> None:
    for step, result in results.items():
        assert "errors" not in result, (step, result)
    created = results["create"]["data"]
    assert created["content"] == "My new todo"
    assert created["createdAt"] == created["updatedAt"]
    todo_id = created["id"]
    assert results["get"]["data"]["id"] == todo_id
    assert todo_id in [item["id"] for item in results["list"]["data"]]
    assert todo_id in [item["id"] for item in results["listFiltered"]["data"]]
    assert results["update"]["data"] == {
        **results["update"]["data"],
        "id": todo_id,
        "content": "Updated content",
    }
    assert results["delete"]["data"]["id"] == todo_id
    assert results["getAfterDelete"]["data"] is None


def unauthorized_field(field: str) -> dict[str, Any]:
    return {
        "errorType": "Unauthorized",
        "message": f"Not Authorized to access {field} on type Query",
        "path": [field],
        "data": None,
        "errorInfo": None,
        "locations": [{"line": 2, "column": 3, "sourceName": None}],
    }


# --- allowed callers ----------------------------------------------------------------------------


def test_user_pool_mode_crud(userpool_server: DevServerProcess) -> None:
    token = userpool_server.token("alice")
    assert_crud(run_amplify_client(userpool_server.outputs_path, "userPool", "crud", token=token))


def test_iam_mode_crud_with_identity_pool_credentials(
    identitypool_server: DevServerProcess,
) -> None:
    credentials = identitypool_server.credentials("--user", "alice")
    results = run_amplify_client(
        identitypool_server.outputs_path, "iam", "crud", credentials=credentials
    )
    assert_crud(results)


def test_oidc_mode_crud(oidc_server: DevServerProcess) -> None:
    token = oidc_server.token("alice", "--oidc")
    assert_crud(run_amplify_client(oidc_server.outputs_path, "oidc", "crud", token=token))


# --- refused callers ----------------------------------------------------------------------------


def test_expired_token_is_refused(userpool_server: DevServerProcess) -> None:
    token = userpool_server.token("alice", "--expires-in", "-30")
    result = run_amplify_client(userpool_server.outputs_path, "userPool", "list", token=token)
    assert result["list"] == {"data": [], "errors": API_REFUSAL}


def test_token_of_another_issuer_key_is_refused(
    userpool_server: DevServerProcess, tmp_path: Path
) -> None:
    # Same issuer name, but signed by another local folder's keys: a forged token.
    token = run_cli("token", "--user", "alice", local_dir=tmp_path / "elsewhere")
    result = run_amplify_client(userpool_server.outputs_path, "userPool", "list", token=token)
    assert result["list"] == {"data": [], "errors": API_REFUSAL}


def test_guest_credentials_are_refused(identitypool_server: DevServerProcess) -> None:
    guest = identitypool_server.credentials("--user", "visitor", "--guest")
    result = run_amplify_client(identitypool_server.outputs_path, "iam", "list", credentials=guest)
    assert result["list"]["data"] == []
    assert result["list"]["errors"] == [unauthorized_field("listTodos")]


def test_wrong_mode_is_refused(identitypool_server: DevServerProcess) -> None:
    # A signed-in user-pool user calling the identity-pool-only API in userPool mode.
    token = identitypool_server.token("alice")
    result = run_amplify_client(identitypool_server.outputs_path, "userPool", "list", token=token)
    assert result["list"]["errors"] == [unauthorized_field("listTodos")]

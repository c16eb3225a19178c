"""nextToken cannot be forged: it is signed with NEXT_TOKEN_SECRET and bound to its table, so a
modified, foreign or home-made token is refused before any DynamoDB request, and never makes
the list read from a key of the caller's choosing."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import a
from appsync_data.api import DataApi
from appsync_data.config import Settings
from appsync_data.tokens import MAX_TOKEN_LENGTH
from backend import Backend, appsync_event, lambda_context
from identities import our_settings, user_pool_identity

SCHEMA = a.schema(
    {
        model: a.model({"content": a.string()}).authorization(lambda allow: [allow.authenticated()])
        for model in ("Todo", "Note")
    }
)
SECRET = b"configured-secret-0123456789abcdef"
REFUSED = {
    "error": {
        "type": "InvalidNextTokenError",
        "message": "Invalid nextToken: it was not issued by this list or was altered",
    }
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(start_key: dict[str, Any], secret: bytes, scope: str) -> str:
    """A token made outside the code under test, by the documented format (tokens.py)."""
    payload = json.dumps({"v": 1, "k": start_key}, separators=(",", ":")).encode()
    signature = hmac.new(secret, scope.encode() + b"\0" + payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


@pytest.fixture
def seeded(backend_for: Callable[..., Backend]) -> Backend:
    backend = backend_for(SCHEMA, our_settings(next_token_secret=SECRET))
    for model in ("Todo", "Note"):
        for i in range(5):
            backend.call(f"create{model}", {"input": {"id": f"{model}-{i}", "content": str(i)}})
    return backend


def page(backend: Backend, token: Any, model: str = "Todo") -> dict[str, Any]:
    return backend.call(f"list{model}s", {"limit": 2, "nextToken": token})


def other_api(settings: Settings) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """A second Lambda instance (its own DataApi) over the same tables."""
    api = DataApi(SCHEMA, settings)

    def call(field_name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        event = appsync_event(field_name, arguments, user_pool_identity())
        return api.handle(event, lambda_context())  # type: ignore[arg-type]

    return call


def test_a_genuine_token_continues_the_list(seeded: Backend) -> None:
    first = page(seeded, None)["data"]
    second = page(seeded, first["nextToken"])["data"]
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 4


def test_every_single_character_change_is_refused_or_harmless(seeded: Backend) -> None:
    token = page(seeded, None)["data"]["nextToken"]
    genuine = page(seeded, token)
    sent = seeded.count_requests()
    outcomes = {"refused": 0, "same page": 0}
    for position in range(len(token)):
        for replacement in {"A", "_", "-", "=", "."} - {token[position]}:
            altered = token[:position] + replacement + token[position + 1 :]
            sent.clear()
            response = page(seeded, altered)
            if response == REFUSED:
                assert sent == [], altered  # refused before DynamoDB
                outcomes["refused"] += 1
            else:
                # base64 decoding may ignore a stray padding/alphabet change; then the signed
                # bytes are the genuine ones, and so is the page.
                assert response == genuine, altered
                outcomes["same page"] += 1
    assert outcomes["refused"] > 10 * outcomes["same page"], outcomes


@pytest.mark.parametrize(
    "token",
    [
        "",
        ".",
        "abc",
        "abc.def",
        "eyJ2IjoxLCJrIjp7ImlkIjp7IlMiOiJ4In19fQ",  # a payload with no signature
        "x" * (MAX_TOKEN_LENGTH + 1),
        "\ud800.\ud800",
        "ü.ü",
        12345,
        ["token"],
        {"id": {"S": "Todo-1"}},
    ],
    ids=repr,
)
def test_garbage_is_refused(seeded: Backend, token: Any) -> None:
    sent = seeded.count_requests()
    assert page(seeded, token) == REFUSED
    assert sent == []


def test_a_home_made_token_is_refused(seeded: Backend) -> None:
    scope = "Todo:Todo"
    for secret in (b"", b"guess", SECRET + b"x", SECRET[:-1]):
        assert page(seeded, forge({"id": {"S": "Todo-3"}}, secret, scope)) == REFUSED
    # The right secret but another scope (table) is refused too.
    assert page(seeded, forge({"id": {"S": "Todo-3"}}, SECRET, "Todo:OtherTable")) == REFUSED
    # Unsigned payload, or the signature of a different payload.
    genuine = page(seeded, None)["data"]["nextToken"]
    other_payload = _b64(json.dumps({"v": 1, "k": {"id": {"S": "Todo-4"}}}).encode())
    assert page(seeded, f"{other_payload}.{genuine.split('.')[1]}") == REFUSED


def test_the_documented_format_with_the_real_secret_is_accepted(seeded: Backend) -> None:
    """The control for the test above: the same forge() with the configured secret works, so the
    refusals there are the signature's doing, not a format mismatch."""
    first = page(seeded, None)["data"]
    resumed = page(
        seeded, forge(json.loads(_payload(first["nextToken"]))["k"], SECRET, "Todo:Todo")
    )
    assert resumed == page(seeded, first["nextToken"])


def _payload(token: str) -> str:
    text = token.split(".")[0]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def test_a_signed_key_of_another_shape_is_still_refused(seeded: Backend) -> None:
    """Even with the secret leaked, a token cannot carry a key outside the table's key schema."""
    for key in (
        {"id": {"S": "Todo-1"}, "content": {"S": "x"}},
        {"id": {"N": "1"}},
        {"content": {"S": "x"}},
        {"id": "Todo-1"},
    ):
        response = page(seeded, forge(key, SECRET, "Todo:Todo"))
        assert response["error"]["type"] in ("InvalidArgumentsError", "InvalidNextTokenError")
    for version in (0, 2, "1", None):
        payload = json.dumps({"v": version, "k": {"id": {"S": "Todo-1"}}}).encode()
        signature = hmac.new(SECRET, b"Todo:Todo\0" + payload, hashlib.sha256).digest()
        assert page(seeded, f"{_b64(payload)}.{_b64(signature)}") == REFUSED


def test_a_token_of_another_model_is_refused(seeded: Backend) -> None:
    note_token = page(seeded, None, model="Note")["data"]["nextToken"]
    assert page(seeded, note_token, model="Todo") == REFUSED


def test_the_key_comes_from_configuration(seeded: Backend) -> None:
    """Two Lambda instances with the same NEXT_TOKEN_SECRET share tokens; another secret, or no
    secret (a random key per process), refuses them."""
    token = page(seeded, None)["data"]["nextToken"]
    expected = page(seeded, token)
    env = {"NEXT_TOKEN_SECRET": SECRET.decode(), "USER_POOL_ID": our_settings().user_pool_id or ""}
    same = other_api(Settings.from_env(("Todo", "Note"), env))
    assert same("listTodos", {"limit": 2, "nextToken": token}) == expected
    rotated = other_api(Settings.from_env(("Todo", "Note"), {**env, "NEXT_TOKEN_SECRET": "new"}))
    assert rotated("listTodos", {"limit": 2, "nextToken": token}) == REFUSED
    unset = other_api(dataclasses.replace(our_settings(), next_token_secret=b""))
    assert unset("listTodos", {"limit": 2, "nextToken": token}) == REFUSED
    table_renamed = other_api(
        dataclasses.replace(our_settings(next_token_secret=SECRET), tables={"Todo": "Todo-v2"})
    )
    assert table_renamed("listTodos", {"limit": 2, "nextToken": token}) == REFUSED

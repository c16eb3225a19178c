"""The console's routes (local/console.py): minting dev tokens only for loopback callers of a
loopback server, JSON 400s for bad input, no token in the log, the page and its assets."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import IAM, OIDC, USER_POOLS
from appsync_data.local.console import (
    Console,
    console_models,
    console_modes,
    is_loopback_host,
)
from appsync_data.local.credentials import resolve_credentials
from appsync_data.local.state import LocalState
from appsync_data.local.tokens import JwtVerifier, LocalIssuer, LocalKeys
from appsync_data.schema_file import load_schema
from starlette.requests import Request
from starlette.responses import Response

REPO = Path(__file__).resolve().parents[2]
OIDC_ISSUER = "https://127.0.0.1:20002/oidc"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.load(tmp_path_factory.mktemp("console") / ".local")


def make_console(
    state: LocalState,
    *,
    bind_host: str = "127.0.0.1",
    api_modes: tuple[str, ...] = (USER_POOLS, IAM),
    assets: Path | None = None,
) -> Console:
    return Console(
        bind_host=bind_host,
        state=state,
        modes=console_modes(api_modes, local_user_pool=True, local_oidc=True),
        models=console_models(
            model_introspection(load_schema(REPO / "functions/data/resource.py"))
        ),
        user_pool=LocalIssuer(
            state.user_pool_issuer, state.user_pool_client_id, state.user_pool_key
        ),
        oidc=LocalIssuer(OIDC_ISSUER, state.oidc_client_id, state.oidc_key, cognito=False),
        assets=assets or Path("/nonexistent/console/dist"),
    )


def call(
    console: Console,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    client: str = "127.0.0.1",
) -> Response | None:
    all_headers = {"host": "127.0.0.1:20002", **(headers or {})}
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in all_headers.items()],
        "client": (client, 50000),
        "server": ("127.0.0.1", 20002),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(console.handle(Request(scope, receive), "request-1"))


def mint(console: Console, payload: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    response = call(
        console, "POST", "/console/token", json.dumps(payload).encode(), headers=headers, **kwargs
    )
    assert response is not None
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in response.headers  # for its own page only
    return response.status_code, json.loads(bytes(response.body))


# --- minting ----------------------------------------------------------------------------------


def test_user_pool_token_is_a_valid_token_of_the_local_pool_for_that_user(
    state: LocalState,
) -> None:
    status, answer = mint(make_console(state), {"mode": "userPool", "user": "alice"})
    assert status == 200 and answer["mode"] == "userPool" and answer["user"] == "alice"
    verifier = JwtVerifier(
        issuer=state.user_pool_issuer,
        keys=LocalKeys.of(state.user_pool_key),
        client_ids=(state.user_pool_client_id,),
    )
    claims = verifier.verify(answer["authorization"])
    assert claims["username"] == "alice" and claims["token_use"] == "access"


def test_oidc_token_is_offered_only_when_the_api_has_oidc(state: LocalState) -> None:
    with_oidc = make_console(state, api_modes=(OIDC, USER_POOLS, IAM))
    status, answer = mint(with_oidc, {"mode": "oidc", "user": "carol"})
    assert status == 200
    verifier = JwtVerifier(
        issuer=OIDC_ISSUER,
        keys=LocalKeys.of(state.oidc_key),
        client_ids=(state.oidc_client_id,),
        cognito=False,
    )
    assert verifier.verify(answer["authorization"])["iss"] == OIDC_ISSUER
    status, answer = mint(make_console(state), {"mode": "oidc", "user": "carol"})
    assert status == 400 and "userPool, identityPool, guest" in answer["errors"][0]["message"]


@pytest.mark.parametrize(
    ("mode", "payload_user", "kind", "name"),
    [
        ("identityPool", "alice", "authenticated", "alice"),
        ("guest", None, "unauthenticated", "guest"),
    ],
)
def test_identity_pool_credentials_resolve_to_that_identity(
    state: LocalState, mode: str, payload_user: str | None, kind: str, name: str
) -> None:
    payload = {"mode": mode} if payload_user is None else {"mode": mode, "user": payload_user}
    status, answer = mint(make_console(state), payload)
    assert status == 200 and answer["region"] == state.region
    credentials = answer["credentials"]
    secret, identity = resolve_credentials(
        state, credentials["accessKeyId"], credentials["sessionToken"]
    )
    assert secret == credentials["secretAccessKey"]
    assert (identity.kind, identity.name) == (kind, name)


# --- who may mint -----------------------------------------------------------------------------


@pytest.mark.parametrize("bind_host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_a_server_bound_beyond_loopback_mints_nothing(state: LocalState, bind_host: str) -> None:
    console = make_console(state, bind_host=bind_host)
    status, answer = mint(console, {"mode": "userPool", "user": "alice"})
    assert status == 403
    assert answer["errors"][0]["errorType"] == "AccessDeniedException"
    assert "loopback" in answer["errors"][0]["message"]
    assert "authorization" not in answer and "credentials" not in answer
    assert console.config()["minting"] is False


@pytest.mark.parametrize(
    ("headers", "client"),
    [
        ({}, "192.168.1.7"),  # a caller from another machine
        ({"host": "attacker.example:20002"}, "127.0.0.1"),  # DNS rebinding
        ({"origin": "https://attacker.example"}, "127.0.0.1"),  # another site's page
        ({"origin": "https://127.0.0.1:20003"}, "127.0.0.1"),  # another local origin
        ({"origin": "null"}, "127.0.0.1"),
    ],
)
def test_only_the_console_page_on_this_machine_gets_tokens(
    state: LocalState, headers: dict[str, str], client: str
) -> None:
    status, answer = mint(
        make_console(state), {"mode": "userPool", "user": "alice"}, headers=headers, client=client
    )
    assert status == 403 and "authorization" not in answer


@pytest.mark.parametrize("bind_host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_the_console_page_of_a_loopback_server_gets_tokens(
    state: LocalState, bind_host: str
) -> None:
    headers = {"origin": "https://127.0.0.1:20002"}
    status, _ = mint(make_console(state, bind_host=bind_host), {"mode": "guest"}, headers=headers)
    assert status == 200


def test_a_cross_origin_preflight_gets_no_permission(state: LocalState) -> None:
    response = call(
        make_console(state),
        "OPTIONS",
        "/console/token",
        headers={"origin": "https://attacker.example", "access-control-request-method": "POST"},
    )
    assert response is not None and response.status_code == 204
    assert not any(name.startswith("access-control-") for name in response.headers)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "alice",
        {"user": "alice"},
        {"mode": "apiKey", "user": "alice"},
        {"mode": ["userPool"], "user": "alice"},
        {"mode": "userPool"},
        {"mode": "userPool", "user": ""},
        {"mode": "userPool", "user": "a b"},
        {"mode": "userPool", "user": "<script>"},
        {"mode": "userPool", "user": "x" * 129},
        {"mode": "userPool", "user": 7},
        {"mode": "identityPool", "user": None},
    ],
)
def test_bad_requests_are_json_400s(state: LocalState, payload: Any) -> None:
    status, answer = mint(make_console(state), payload)
    assert status == 400
    assert answer["errors"][0]["errorType"] == "BadRequestException"
    assert set(answer) == {"errors"}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"mode": "guest"}', "text/plain"),  # a simple (preflight-free) cross-site request
        (b'{"mode": "guest"}', ""),
        (b'{"mode": "guest", "pad": "' + b"x" * 5000 + b'"}', "application/json"),
        (b"[" * 10000, "application/json"),
    ],
)
def test_bodies_that_are_not_small_json_are_400s(
    state: LocalState, body: bytes, content_type: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = call(make_console(state), "POST", "/console/token", body, headers=headers)
    assert response is not None and response.status_code == 400
    assert json.loads(bytes(response.body))["errors"][0]["errorType"] == "BadRequestException"


def test_other_methods_on_the_token_path_are_json_405s(state: LocalState) -> None:
    response = call(make_console(state), "GET", "/console/token")
    assert response is not None and response.status_code == 405
    assert json.loads(bytes(response.body))["errors"][0]["message"] == "Method not allowed"


def test_the_log_names_the_user_and_never_the_token(
    state: LocalState, caplog: pytest.LogCaptureFixture
) -> None:
    console = make_console(state)
    with caplog.at_level(logging.DEBUG):
        _, jwt_answer = mint(console, {"mode": "userPool", "user": "dana"})
        _, iam_answer = mint(console, {"mode": "identityPool", "user": "dana"})
    secrets = [
        jwt_answer["authorization"],
        iam_answer["credentials"]["secretAccessKey"],
        iam_answer["credentials"]["sessionToken"],
    ]
    assert "dana" in caplog.text
    for secret in secrets:
        assert secret not in caplog.text
        assert secret[:24] not in caplog.text


# --- modes and models the page offers -----------------------------------------------------------


def test_modes_are_the_apis_own_plus_a_guest() -> None:
    def names(*api: str, local_user_pool: bool = True) -> list[str]:
        offered = console_modes(api, local_user_pool=local_user_pool, local_oidc=True)
        return [f"{m.name}:{m.kind}" for m in offered]

    assert names(USER_POOLS, IAM) == ["userPool:jwt", "identityPool:iam", "guest:iam"]
    assert names(OIDC, USER_POOLS, IAM) == [
        "userPool:jwt",
        "oidc:jwt",
        "identityPool:iam",
        "guest:iam",
    ]
    # A real user pool checks the tokens: this server cannot mint them.
    assert names(USER_POOLS, IAM, local_user_pool=False) == ["identityPool:iam", "guest:iam"]
    assert names(USER_POOLS) == ["userPool:jwt", "guest:none"]  # a guest with no credentials


def test_models_list_their_plain_fields_not_their_relationships() -> None:
    introspection = {
        "models": {
            "Post": {
                "pluralName": "Posts",
                "fields": {
                    "id": {"name": "id", "type": "ID"},
                    "title": {"name": "title", "type": "String"},
                    "status": {"name": "status", "type": {"enum": "Status"}},
                    "comments": {"name": "comments", "type": {"model": "Comment"}},
                    "location": {"name": "location", "type": {"nonModel": "Location"}},
                },
            }
        }
    }
    (post,) = console_models(introspection)
    assert (post.name, post.list_field, post.fields) == (
        "Post",
        "listPosts",
        ("id", "title", "status"),
    )


def test_loopback_hosts() -> None:
    assert all(is_loopback_host(h) for h in ("127.0.0.1", "127.9.9.9", "::1", "[::1]", "LOCALHOST"))
    assert not any(is_loopback_host(h) for h in ("0.0.0.0", "::", "10.0.0.1", "localhost.evil", ""))


# --- the page and its assets --------------------------------------------------------------------


def test_without_built_assets_the_root_says_how_to_build_them(state: LocalState) -> None:
    for path in ("/", "/graphiql"):
        response = call(make_console(state), "GET", path)
        assert response is not None and response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        page = bytes(response.body).decode()
        assert "make console" in page and "/console/assets/console.js" not in page


def test_the_page_loads_the_bundle_under_a_strict_policy(state: LocalState, tmp_path: Path) -> None:
    (tmp_path / "console.js").write_text("console.log(1)")
    (tmp_path / "console.css").write_text("body{}")
    response = call(make_console(state, assets=tmp_path), "GET", "/")
    assert response is not None and response.status_code == 200
    page = bytes(response.body).decode()
    assert '<script src="/console/assets/console.js?v=' in page
    assert 'href="/console/assets/console.css?v=' in page
    assert "<script>" not in page  # no inline script: the policy allows 'self' only
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


def test_assets_have_their_type_an_etag_and_revalidate(state: LocalState, tmp_path: Path) -> None:
    (tmp_path / "console.js").write_text("console.log(1)")
    console = make_console(state, assets=tmp_path)
    response = call(console, "GET", "/console/assets/console.js")
    assert response is not None and response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert bytes(response.body) == b"console.log(1)"
    etag = response.headers["etag"]
    again = call(console, "GET", "/console/assets/console.js", headers={"if-none-match": etag})
    assert again is not None and again.status_code == 304 and bytes(again.body) == b""


@pytest.mark.parametrize(
    "path",
    [
        "/console/assets/missing.js",
        "/console/assets/../console.py",
        "/console/assets/%2e%2e/secret.js",
        "/console/assets/sub/console.js",
        "/console/assets/console.py",
        "/console/assets/",
    ],
)
def test_anything_else_under_assets_is_a_json_404(
    state: LocalState, tmp_path: Path, path: str
) -> None:
    (tmp_path / "console.py").write_text("secret")
    response = call(make_console(state, assets=tmp_path), "GET", path)
    assert response is not None and response.status_code == 404
    assert json.loads(bytes(response.body))["errors"][0]["errorType"] == "NotFoundException"


def test_other_paths_are_not_the_consoles(state: LocalState) -> None:
    console = make_console(state)
    assert call(console, "GET", "/graphql") is None
    assert call(console, "GET", "/console") is None
    assert call(console, "GET", "/oidc/.well-known/jwks.json") is None

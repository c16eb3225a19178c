"""Nothing secret is ever logged: a run of every operation and failure, with callers carrying
real-looking JWTs, SigV4 signatures and session tokens in their headers and claims, leaves no
token, signature, key or secret in any log record, stdout or stderr line."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from appsync_data import a
from appsync_data import api as api_module
from backend import Backend, appsync_event, lambda_context
from identities import our_settings, user_pool_identity

REPO = Path(__file__).resolve().parents[2]
SCHEMA = a.schema(
    {"Todo": a.model({"content": a.string()}).authorization(lambda allow: [allow.authenticated()])}
)
NEXT_TOKEN_SECRET = "next-token-secret-" + secrets.token_hex(16)
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + secrets.token_hex(12)
JWT_KEY = secrets.token_bytes(32)
ACCESS_TOKEN = jwt.encode(
    {"sub": "a1b2", "token_use": "access", "jti": secrets.token_hex(8)}, JWT_KEY, "HS256"
)
ID_TOKEN = jwt.encode({"sub": "a1b2", "token_use": "id", "email": "a@example.com"}, JWT_KEY)
SIGNATURE = secrets.token_hex(32)
SESSION_TOKEN = "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(120)
SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20250101/us-east-1/appsync/aws4_request, "
    f"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={SIGNATURE}"
)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(repr(record.__dict__))
        self.lines.append(record.getMessage())


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> Iterator[Records]:
    """Every record of every logger, at DEBUG for our service logger (POWERTOOLS_LOG_LEVEL's
    most verbose setting); other libraries at their defaults, as on Lambda."""
    handler = Records()
    service = logging.getLogger(api_module.logger.name)
    level = service.level
    service.setLevel(logging.DEBUG)
    service.addHandler(handler)
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        service.removeHandler(handler)
        service.setLevel(level)


def secrets_in(text: str, extra: list[str]) -> list[str]:
    candidates = [
        ACCESS_TOKEN,
        ID_TOKEN,
        *ACCESS_TOKEN.split("."),
        *ID_TOKEN.split(".")[1:],
        SIGNATURE,
        SESSION_TOKEN,
        NEXT_TOKEN_SECRET,
        AWS_SECRET,
        *extra,
    ]
    return [secret for secret in candidates if secret and secret in text]


def test_no_secret_reaches_the_logs(
    backend_for: Callable[..., Backend],
    records: Records,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    backend = backend_for(SCHEMA, our_settings(next_token_secret=NEXT_TOKEN_SECRET.encode()))
    api = backend.api

    def call(field: str, arguments: dict[str, Any], identity: Any = "user") -> dict[str, Any]:
        caller = user_pool_identity() if identity == "user" else identity
        if isinstance(caller, dict) and "claims" in caller:
            caller["claims"]["origin_jti"] = ACCESS_TOKEN  # a token where a claim would be
        event = appsync_event(field, arguments, caller)
        event["request"]["headers"].update(
            {
                "authorization": ACCESS_TOKEN,
                "x-amz-security-token": SESSION_TOKEN,
                "x-amz-date": "20250101T000000Z",
                "x-amzn-appsync-is-vpce-request": "false",
                "cookie": f"idToken={ID_TOKEN}",
            }
        )
        event["info"]["variables"] = {"authToken": ID_TOKEN}
        return api.handle(event, lambda_context())  # type: ignore[arg-type]

    created = call("createTodo", {"input": {"content": "a"}})["data"]
    call("createTodo", {"input": {"content": "b"}})
    page = call("listTodos", {"limit": 1})["data"]
    issued_signature = page["nextToken"].split(".")[1]
    call("listTodos", {"limit": 1, "nextToken": page["nextToken"]})
    call("getTodo", {"id": created["id"]})
    call("updateTodo", {"input": {"id": created["id"], "content": "c"}})
    call("updateTodo", {"input": {"id": "missing", "content": "c"}})  # condition fails
    call("createTodo", {"input": {"content": 5}})  # invalid input
    call("listTodos", {"nextToken": ACCESS_TOKEN})  # a JWT as a token: refused
    call("listTodos", {"nextToken": f"{page['nextToken']}x"})  # altered token
    call("createTodo", {"input": {"content": "x"}}, identity=None)  # API key: refused
    call("createTodo", {"input": {"content": "x"}}, identity={"resolverContext": {"t": SIGV4}})
    sigv4_caller = {
        "accountId": "123456789012",
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["203.0.113.10"],
        "username": "AROAEXAMPLE:backend",
        "userArn": "arn:aws:sts::123456789012:assumed-role/BackendRole/backend",
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }
    call("deleteTodo", {"input": {"id": created["id"]}}, identity=sigv4_caller)
    # An unexpected failure: its stack trace is logged, still without secrets.
    monkeypatch.setattr(
        api.connection, "get_item", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    failed = call("getTodo", {"id": "x"})
    assert failed["error"]["type"] == "InternalFailure"

    captured = capfd.readouterr()
    logged = "\n".join([*records.lines, captured.out, captured.err])
    assert "refused" in logged and "unexpected error" in logged  # the run was logged
    assert "boom" in logged
    assert secrets_in(logged, [issued_signature, page["nextToken"]]) == []


def test_the_template_does_not_log_events() -> None:
    """POWERTOOLS_LOGGER_LOG_EVENT would log whole events, headers with tokens included."""
    template = (REPO / "template.yaml").read_text()
    assert not re.search(r"POWERTOOLS_LOGGER_LOG_EVENT\s*:\s*['\"]?true", template, re.I)


@pytest.mark.e2e
@pytest.mark.slow
def test_the_dev_servers_log_carries_no_credential(tmp_path: Path) -> None:
    """`make dev`'s terminal: request lines and 401 reasons for JWTs (valid, forged, expired, of
    another issuer) and SigV4 (valid, wrong signature), with none of their secrets."""
    import requests
    from appsync_data.local.credentials import identity_for, mint_credentials
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from local_server import local_api

    query = b'{"query": "{ listTodos { items { id } } }"}'
    json_headers = {"content-type": "application/json"}
    with local_api(tmp_path) as api:
        user_pool = api.user_pool_issuer()
        valid = user_pool.mint("alice")
        expired = user_pool.mint("alice", expires_in=-60)
        oidc = api.oidc_issuer_of_server().mint("bob")
        header, payload, signature = valid.split(".")
        forged = f"{header}.{payload}.{signature[::-1]}"
        jwts = (valid, expired, oidc, forged, ACCESS_TOKEN)
        for token in jwts:
            api.post(query, {**json_headers, "authorization": token})
        dev = mint_credentials(api.state, identity_for(api.state, "carol", "authenticated"))
        sent_signatures = []
        for secret in (dev.secret_access_key, AWS_SECRET):  # the right key, then a wrong one
            request = AWSRequest(method="POST", url=api.url, data=query, headers=json_headers)
            SigV4Auth(
                Credentials(dev.access_key_id, secret, dev.session_token),
                "appsync",
                api.state.region,
            ).add_auth(request)
            sent_signatures.append(request.headers["authorization"].split("Signature=")[1])
            requests.post(api.url, data=query, headers=dict(request.headers.items()), timeout=30)
        log = api.server.output()
    assert "refused" in log and "POST /graphql" in log  # the run was logged
    for secret in (
        *jwts,
        *(part for token in jwts for part in token.split(".")[1:]),
        *sent_signatures,
        dev.secret_access_key,
        dev.session_token,
        AWS_SECRET,
    ):
        assert secret not in log

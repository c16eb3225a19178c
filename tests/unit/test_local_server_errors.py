"""The local server's own answers: AppSync-shaped JSON for every error, never a traceback; and a
real-time client that does not keep up is dropped instead of holding up mutations."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any
from unittest.mock import MagicMock

import pytest
from appsync_data.local.authn import AuthContext
from appsync_data.local.realtime import Connection, RealtimeLimits, RealtimeServer, Subscription
from appsync_data.local.server import LocalAppSync, valid_host_header
from starlette.websockets import WebSocket


def _app(executor: Any) -> LocalAppSync:
    authenticator = MagicMock()
    authenticator.authenticate.return_value = AuthContext("AMAZON_COGNITO_USER_POOLS", {})
    return LocalAppSync(
        executor=executor,
        authenticator=authenticator,
        user_pool_id="pool",
        user_pool_jwks=None,
        oidc_issuer=None,
        oidc_jwks=None,
    )


async def _call(app: LocalAppSync, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
    }
    sent: list[dict[str, Any]] = []
    body_messages = [{"type": "http.request", "body": b'{"query": "{ x }"}', "more_body": False}]

    async def receive() -> dict[str, Any]:
        return body_messages.pop(0) if body_messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body


def test_an_unexpected_exception_is_a_json_500_with_a_request_id_and_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    executor = MagicMock()
    executor.run.side_effect = RuntimeError("secret internals")
    with caplog.at_level(logging.ERROR):
        status, body = asyncio.run(_call(_app(executor), [(b"host", b"127.0.0.1:1")]))
    assert status == 500
    error = json.loads(body)["errors"][0]
    assert error["errorType"] == "InternalFailureException"
    assert "request id" in error["message"]
    assert "secret internals" not in body.decode() and "Traceback" not in body.decode()
    request_id = error["message"].rsplit(" ", 1)[1].rstrip(")")
    assert any(request_id in r.getMessage() for r in caplog.records)  # the log has the details


@pytest.mark.parametrize("host", [None, "[bad", "a b", "x:99999999", "évil"])
def test_a_bad_host_header_is_a_json_400(host: str | None) -> None:
    executor = MagicMock()
    headers = [] if host is None else [(b"host", host.encode())]
    status, body = asyncio.run(_call(_app(executor), headers))
    assert status == 400
    assert json.loads(body)["errors"][0]["errorType"] == "BadRequestException"
    executor.run.assert_not_called()


@pytest.mark.parametrize("host", ["127.0.0.1:20002", "localhost", "[::1]:443", "example.com"])
def test_good_host_headers(host: str) -> None:
    assert valid_host_header(host)


def test_a_client_that_does_not_keep_up_is_dropped_and_publishing_goes_on() -> None:
    async def scenario() -> None:
        executor = MagicMock()
        executor.executable.schema.subscription_type = None
        server = RealtimeServer(executor, MagicMock(), RealtimeLimits(send_queue=3))
        server.attach(asyncio.get_running_loop())
        auth = AuthContext("AMAZON_COGNITO_USER_POOLS", {})

        def subscriber() -> Connection:
            connection = Connection(MagicMock(), auth, server.limits)
            connection.subscriptions["s"] = Subscription(
                "s", "onCreateTodo", frozenset({"createTodo"}), None, None, {}, None, auth, {}
            )
            server.connections.add(connection)
            return connection

        slow, fast = subscriber(), subscriber()
        for index in range(5):
            server._fan_out("createTodo", {"id": str(index)})
            if index < 4:  # the fast one drains its queue
                while not fast.queue.empty():
                    fast.queue.get_nowait()
        assert slow.closing and slow not in server.connections
        assert slow.queue.get_nowait() is None  # its sender is told to close the socket
        assert fast in server.connections and not fast.closing
        assert fast.queue.qsize() == 1

    asyncio.run(scenario())


def test_connections_over_the_limit_get_a_clear_connection_error() -> None:
    async def scenario() -> list[dict[str, Any]]:
        executor = MagicMock()
        executor.executable.schema.subscription_type = None
        authenticator = MagicMock()
        authenticator.authenticate.return_value = AuthContext("AMAZON_COGNITO_USER_POOLS", {})
        server = RealtimeServer(executor, authenticator, RealtimeLimits(max_connections=0))
        header = base64.urlsafe_b64encode(b'{"Authorization": "t"}').decode().rstrip("=")
        scope = {
            "type": "websocket",
            "path": "/graphql/realtime",
            "subprotocols": ["graphql-ws", f"header-{header}"],
            "headers": [],
            "client": ("127.0.0.1", 1),
        }
        incoming = [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": '{"type": "connection_init"}'},
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "websocket.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await server.serve(WebSocket(scope, receive, send))
        return sent

    sent = asyncio.run(scenario())
    assert sent[0] == {"type": "websocket.accept", "subprotocol": "graphql-ws", "headers": []}
    refusal = json.loads(sent[1]["text"])
    assert refusal["type"] == "connection_error"
    assert refusal["payload"]["errors"][0]["errorType"] == "LimitExceededError"
    assert sent[-1]["type"] == "websocket.close"

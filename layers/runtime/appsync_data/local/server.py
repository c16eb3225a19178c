"""The HTTP side of the local AppSync endpoint: an ASGI app (Starlette's request and response
types) served by uvicorn over TLS, HTTP/1.1 keep-alive and WebSockets on one port.

Routes:
    POST /graphql                                   the GraphQL API, as AppSync serves it
    WSS  /graphql/realtime                          AppSync's real-time protocol (realtime.py)
    GET  /<user-pool-id>/.well-known/jwks.json      the local user pool's public keys
    GET  /oidc/.well-known/openid-configuration     the local OIDC issuer's discovery document
    GET  /oidc/.well-known/jwks.json                the local OIDC issuer's public keys
    GET  /, /graphiql, /console/...                 the browser console (console.py), when set

Every answer, errors included, is AppSync-shaped JSON: a bad Host header, oversized headers, a
request that is not HTTP, plain HTTP on the TLS port and unexpected exceptions (logged with a
request id; never a traceback to the client).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import ssl
import threading
import uuid
from asyncio.sslproto import SSLProtocol
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from uvicorn import Config, Server
from uvicorn.protocols.http.h11_impl import H11Protocol

from appsync_data.local.authn import Authenticator, Unauthenticated
from appsync_data.local.execution import GraphQLExecutor, GraphQLResponse, bad_request
from appsync_data.local.sigv4 import SignedRequest

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 << 20  # AppSync refuses larger requests too
MAX_HEADER_BYTES = 16 * 1024  # request line and headers; more is HTTP 431
REALTIME_PATH = "/graphql/realtime"
UNAUTHORIZED_BODY = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "Valid authorization header not provided.",
        }
    ]
}
_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType",
    "Access-Control-Max-Age": "86400",
}
# host, IPv4 or [IPv6], optional port: what a Host header may hold (RFC 9110 uri-host)
_HOST_HEADER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(:[0-9]{1,5})?$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def error_body(error_type: str, message: str) -> dict[str, Any]:
    return {"errors": [{"errorType": error_type, "message": message}]}


def json_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def json_response(
    status: int,
    body: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
) -> Response:
    all_headers = {
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        **_CORS_HEADERS,
        **(headers or {}),
    }
    error_type = _first_error_type(body)
    if error_type and status >= 400:
        all_headers.setdefault("x-amzn-ErrorType", error_type)
    return Response(
        json_bytes(body),
        status_code=status,
        media_type="application/json; charset=UTF-8",
        headers=all_headers,
    )


def _first_error_type(body: Mapping[str, Any]) -> str | None:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        value = errors[0].get("errorType")
        return value if isinstance(value, str) else None
    return None


def valid_host_header(value: str | None) -> bool:
    return value is not None and _HOST_HEADER.match(value) is not None


class RealtimeEndpoint:
    """What serves `/graphql/realtime` (realtime.RealtimeServer); None: no real-time here."""

    async def serve(self, websocket: WebSocket) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleEndpoint:
    """What serves the browser console (console.Console); None from `handle`: not its path."""

    async def handle(self, request: Request, request_id: str) -> Response | None:
        raise NotImplementedError  # pragma: no cover - interface


@dataclass
class LocalAppSync:
    """The ASGI application: one GraphQL endpoint plus the local issuers' public documents."""

    executor: GraphQLExecutor
    authenticator: Authenticator
    user_pool_id: str
    user_pool_jwks: Mapping[str, Any] | None
    oidc_issuer: str | None
    oidc_jwks: Mapping[str, Any] | None
    on_mutation: Callable[[], None] | None = None  # told after each mutation (to save the tables)
    realtime: RealtimeEndpoint | None = None
    console: ConsoleEndpoint | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            if scope.get("path") == REALTIME_PATH and self.realtime is not None:
                await self.realtime.serve(websocket)
            else:
                await websocket.close(code=4404, reason="Not found")
            return
        if scope["type"] != "http":
            return
        request_id = str(uuid.uuid4())
        try:
            response = await self.dispatch(Request(scope, receive), request_id)
        except ClientDisconnect:
            return
        except Exception:
            log.exception("request %s failed", request_id)
            response = json_response(
                500,
                error_body(
                    "InternalFailureException",
                    f"An internal error occurred (request id {request_id})",
                ),
                request_id=request_id,
            )
        await response(scope, receive, send)

    async def dispatch(self, request: Request, request_id: str) -> Response:
        # h11 enforces the limit only on headers still arriving; headers that came in one read
        # are measured here, so the answer does not depend on how the bytes were split.
        header_bytes = sum(len(k) + len(v) + 4 for k, v in request.scope.get("headers", ()))
        if header_bytes > MAX_HEADER_BYTES:
            return json_response(
                431,
                error_body(
                    "BadRequestException",
                    f"The request line and headers exceed {MAX_HEADER_BYTES} bytes",
                ),
                request_id=request_id,
            )
        if not valid_host_header(request.headers.get("host")):
            return json_response(
                400,
                error_body("BadRequestException", "The Host header is missing or not valid"),
                request_id=request_id,
            )
        path = request.scope.get("path", "")
        if self.console is not None and path != "/graphql":
            answer = await self.console.handle(request, request_id)
            if answer is not None:
                return answer
        if request.method == "OPTIONS":
            return json_response(200, {}, request_id=request_id)
        if path == "/graphql":
            if request.method != "POST":
                return json_response(
                    405,
                    error_body("BadRequestException", "Use POST for GraphQL"),
                    request_id=request_id,
                )
            return await self.graphql(request, request_id)
        if request.method == "GET":
            document = self._public_document(path)
            if document is not None:
                return json_response(200, document, request_id=request_id)
        return json_response(
            404, error_body("NotFoundException", "Not found"), request_id=request_id
        )

    def _public_document(self, path: str) -> Mapping[str, Any] | None:
        if path == f"/{self.user_pool_id}/.well-known/jwks.json":
            return self.user_pool_jwks
        if self.oidc_issuer is None or self.oidc_jwks is None:
            return None
        if path == "/oidc/.well-known/jwks.json":
            return self.oidc_jwks
        if path == "/oidc/.well-known/openid-configuration":
            return {
                "issuer": self.oidc_issuer,
                "jwks_uri": f"{self.oidc_issuer}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["token", "id_token"],
            }
        return None

    async def graphql(self, request: Request, request_id: str) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return self._too_large(request_id)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                return self._too_large(request_id)
            chunks.append(chunk)
        body = b"".join(chunks)
        headers = {name.lower(): value for name, value in request.headers.items()}
        raw_path = request.scope.get("raw_path") or b"/graphql"
        signed = SignedRequest(
            method=request.method,
            path=raw_path.decode("latin-1").split("?", 1)[0],
            query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
        )
        client = request.client
        source_ip = client.host if client is not None else "127.0.0.1"
        status, answer_body = await run_in_threadpool(self._graphql, signed, body, source_ip)
        extra = {"x-amzn-ErrorType": "UnauthorizedException"} if status == 401 else None
        return json_response(status, answer_body, extra, request_id=request_id)

    def _graphql(
        self, signed: SignedRequest, body: bytes, source_ip: str
    ) -> tuple[int, dict[str, Any]]:
        """Authenticate and run one request (on a worker thread: JWKS fetches, the Lambda)."""
        try:
            auth = self.authenticator.authenticate(signed, source_ip)
        except Unauthenticated:
            return 401, UNAUTHORIZED_BODY
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return _pair(bad_request("The request body is not valid JSON"))
        answer = self.executor.run(payload, auth, signed.headers)
        if answer.mutation and self.on_mutation is not None:
            self.on_mutation()
        return _pair(answer)

    @staticmethod
    def _too_large(request_id: str) -> Response:
        return json_response(
            413,
            error_body(
                "PayloadTooLargeException", f"The request body exceeds {MAX_BODY_BYTES} bytes"
            ),
            request_id=request_id,
        )


def _pair(result: GraphQLResponse) -> tuple[int, dict[str, Any]]:
    return result.status, result.body


class DeferredApp:
    """Lets the socket be bound (and a free port learnt) before the app that needs the port."""

    def __init__(self) -> None:
        self.app: AsgiApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await json_response(503, error_body("ServiceUnavailableException", "starting"))(
                scope, receive, send
            )


# --- uvicorn: JSON errors before the app runs, and plain HTTP on the TLS port ---------------------


def raw_json_response(status: int, reason: str, body: Mapping[str, Any]) -> bytes:
    """A whole HTTP/1.1 response, for answers written before (or instead of) the ASGI app."""
    content = json_bytes(body)
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/json; charset=UTF-8\r\n"
        f"content-length: {len(content)}\r\n"
        f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
        f"x-amzn-ErrorType: {_first_error_type(body) or 'BadRequestException'}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + content


class JsonErrorsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, but the errors it answers itself are AppSync JSON: 431 for a
    request line and headers over MAX_HEADER_BYTES, 400 for anything that is not HTTP/1.1."""

    def send_400_response(self, msg: str) -> None:
        # h11 stops buffering at max_incomplete_event_size: that is the header limit.
        too_long = len(self.conn.trailing_data[0]) >= MAX_HEADER_BYTES or "too long" in str(msg)
        if too_long:
            data = raw_json_response(
                431,
                "Request Header Fields Too Large",
                error_body(
                    "BadRequestException",
                    f"The request line and headers exceed {MAX_HEADER_BYTES} bytes",
                ),
            )
        else:
            data = raw_json_response(
                400, "Bad Request", error_body("BadRequestException", "Invalid HTTP request")
            )
        self.transport.write(data)
        self.transport.close()


PLAIN_HTTP_ANSWER = raw_json_response(
    400,
    "Bad Request",
    error_body(
        "BadRequestException",
        "This port serves HTTPS only: use https:// (and wss:// for subscriptions); "
        "the local CA is in .local/tls/ca.pem",
    ),
)
TLS_HANDSHAKE_RECORD = 0x16
TLS_HANDSHAKE_TIMEOUT_SECONDS = 10


class TlsOrPlainHttp(asyncio.Protocol):
    """Looks at a connection's first byte: a TLS handshake goes on through asyncio's own TLS
    protocol (what `create_server(ssl=...)` uses) to uvicorn's HTTP protocol; anything else (plain
    HTTP) gets a JSON 400 saying to use https, never a hang or a reset."""

    def __init__(self, context: ssl.SSLContext, inner: asyncio.Protocol) -> None:
        self.context = context
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self._timeout: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        loop = asyncio.get_running_loop()
        self._timeout = loop.call_later(TLS_HANDSHAKE_TIMEOUT_SECONDS, transport.close)

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or not data or transport.is_closing():
            return
        if self._timeout is not None:
            self._timeout.cancel()
        if data[0] != TLS_HANDSHAKE_RECORD:
            transport.write(PLAIN_HTTP_ANSWER)
            transport.close()
            return
        loop = asyncio.get_running_loop()
        handshake: asyncio.Future[Any] = loop.create_future()
        handshake.add_done_callback(_ignore_failure)  # a failed handshake just closes
        tls = SSLProtocol(
            loop,
            self.inner,
            self.context,
            handshake,
            server_side=True,
            ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT_SECONDS,
        )
        transport.set_protocol(tls)
        tls.connection_made(transport)
        view = memoryview(data)
        while view:  # the bytes already read are the start of the handshake: hand them over
            buffer = tls.get_buffer(len(view))
            size = min(len(buffer), len(view))
            buffer[:size] = view[:size]
            tls.buffer_updated(size)
            view = view[size:]

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timeout is not None:
            self._timeout.cancel()


def _ignore_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def tls_protocol_factory(context: ssl.SSLContext) -> Callable[..., asyncio.Protocol]:
    """uvicorn's `http` protocol class, wrapped so that each connection goes through TLS."""

    def make(**kwargs: Any) -> asyncio.Protocol:
        return TlsOrPlainHttp(context, JsonErrorsH11Protocol(**kwargs))

    return make


class HttpServer:
    """uvicorn on a background thread with its own event loop; HTTPS and WSS when `tls` is set."""

    def __init__(
        self, host: str, port: int, app: AsgiApp, tls: ssl.SSLContext | None = None
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
        # without it each response's second segment waits for the client's delayed ACK (~40 ms).
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(1024)
        self.tls = tls
        http: Any = tls_protocol_factory(tls) if tls is not None else JsonErrorsH11Protocol
        config = Config(
            app,
            http=http,
            ws="websockets-sansio",  # the `websockets` library, sans-I/O
            lifespan="off",
            log_level="warning",
            access_log=False,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            ws_max_size=1 << 20,
            ws_ping_interval=None,  # AppSync's protocol has its own keep-alive ("ka")
            timeout_keep_alive=60,
            timeout_graceful_shutdown=2,
            proxy_headers=False,  # the client address is the socket's, never a header's
        )
        self._server = Server(config)
        self._started = threading.Event()
        self._error: BaseException | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="local-appsync", daemon=True)

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start()'s caller
            self._error = exc
        finally:
            self._started.set()
            loop.close()

    async def _serve(self) -> None:
        config = self._server.config
        if not config.loaded:
            config.load()
        self._server.lifespan = config.lifespan_class(config)
        await self._server.startup(sockets=[self._socket])
        self._started.set()
        await self._server.main_loop()
        await self._server.shutdown(sockets=[self._socket])

    def start(self) -> None:
        self._thread.start()
        self._started.wait(30)
        if self._error is not None:
            raise RuntimeError(f"the HTTP server did not start: {self._error}") from self._error

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

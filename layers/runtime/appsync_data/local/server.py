"""The HTTP side of the local AppSync endpoint (werkzeug, threaded).

Routes:
    POST /graphql                                   the GraphQL API, as AppSync serves it
    GET  /<user-pool-id>/.well-known/jwks.json      the local user pool's public keys
    GET  /oidc/.well-known/openid-configuration     the local OIDC issuer's discovery document
    GET  /oidc/.well-known/jwks.json                the local OIDC issuer's public keys
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from appsync_data.local.authn import Authenticator, Unauthenticated
from appsync_data.local.execution import GraphQLExecutor, GraphQLResponse, bad_request
from appsync_data.local.sigv4 import SignedRequest

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 << 20  # AppSync refuses larger requests too
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

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def json_response(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response:
    response = Response(
        json.dumps(body, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=UTF-8",
    )
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    for name, value in {**_CORS_HEADERS, **(headers or {})}.items():
        response.headers[name] = value
    return response


@dataclass
class LocalAppSync:
    """The WSGI application: one GraphQL endpoint plus the local issuers' public documents."""

    executor: GraphQLExecutor
    authenticator: Authenticator
    user_pool_id: str
    user_pool_jwks: Mapping[str, Any] | None
    oidc_issuer: str | None
    oidc_jwks: Mapping[str, Any] | None
    on_mutation: Callable[[], None] | None = None  # told after each mutation (to save the tables)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return json_response(200, {})
        if request.path == "/graphql":
            if request.method != "POST":
                return json_response(405, {"errors": [{"message": "Use POST for GraphQL"}]})
            return self.graphql(request)
        if request.method == "GET":
            document = self._public_document(request.path)
            if document is not None:
                return json_response(200, document)
        return json_response(404, {"errors": [{"message": "Not found"}]})

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

    def graphql(self, request: Request) -> Response:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return self._too_large()
        body = request.stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return self._too_large()
        headers = {name.lower(): value for name, value in request.headers.items()}
        environ = request.environ
        raw_path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/graphql"
        signed = SignedRequest(
            method=request.method,
            path=str(raw_path).split("?", 1)[0],
            query=request.query_string.decode("latin-1"),
            headers=headers,
            body=body,
        )
        try:
            auth = self.authenticator.authenticate(signed, request.remote_addr or "127.0.0.1")
        except Unauthenticated:
            return json_response(
                401, UNAUTHORIZED_BODY, {"x-amzn-ErrorType": "UnauthorizedException"}
            )
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return self._answer(bad_request("The request body is not valid JSON"))
        answer = self.executor.run(payload, auth, headers)
        if answer.mutation and self.on_mutation is not None:
            self.on_mutation()
        return self._answer(answer)

    @staticmethod
    def _answer(result: GraphQLResponse) -> Response:
        return json_response(result.status, result.body)

    @staticmethod
    def _too_large() -> Response:
        return json_response(
            413, {"errors": [{"message": f"The request body exceeds {MAX_BODY_BYTES} bytes"}]}
        )


class DeferredApp:
    """Lets the socket be bound (and a free port learnt) before the app that needs the port."""

    def __init__(self) -> None:
        self.app: WsgiApp | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.app is None:
            return json_response(503, {"errors": [{"message": "starting"}]})(
                environ, start_response
            )
        return self.app(environ, start_response)


class HttpServer:
    """werkzeug's threaded server on a background thread: each request on its own thread."""

    def __init__(self, host: str, port: int, app: WsgiApp) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-appsync", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

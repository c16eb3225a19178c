"""The browser console at the local server's root (dev only): GraphiQL against the local API, acting
as a named dev user in each of the API's auth modes, and a per-model view of the items.

Routes (everything else falls through to the server's JSON 404):
    GET  /, /graphiql                 the console page (or, without built assets, how to build them)
    GET  /console/assets/<file>       the bundle esbuild wrote to console/dist/ (`make console`)
    GET  /console/config              the auth modes the page may offer and the models it may list
    POST /console/token               {"mode", "user"} -> a dev JWT or dev identity-pool credentials

The page runs every query through POST /graphql like any client, so the items view obeys the rules.
Minting is served only when the server binds a loopback address and the request comes from a
loopback client, names a loopback Host and, if it carries an Origin, comes from this very origin:
anyone who can reach the port, or any web page open in the developer's browser, could otherwise
mint tokens (SECURITY.md, "Local development").
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from appsync_data.generate.sdl import IAM, OIDC, USER_POOLS
from appsync_data.local.credentials import IdentityKind, identity_for, mint_credentials
from appsync_data.local.server import ConsoleEndpoint
from appsync_data.local.state import LocalState
from appsync_data.local.tokens import DEFAULT_EXPIRES_IN, LocalIssuer

log = logging.getLogger(__name__)

# The repository's console/ folder (package.json, lock, src/; dist/ is built and git-ignored).
CONSOLE_SOURCE = Path(__file__).resolve().parents[4] / "console"
DEFAULT_ASSETS = CONSOLE_SOURCE / "dist"
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
}
MAX_TOKEN_REQUEST_BYTES = 4096
USER_NAME = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")  # what a Cognito user name may hold, simply
GUEST = "guest"
_LOOPBACK_NAMES = ("localhost",)
# No inline script: the page's only code is the bundle; styles may be inline (CodeMirror, React).
_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": _CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class ConsoleMode:
    """One way the page can call the API: a mode name as Amplify's client spells it."""

    name: str  # userPool, oidc, identityPool, guest
    label: str
    kind: str  # "jwt", "iam" (SigV4 with dev credentials) or "none" (no credentials at all)


@dataclass(frozen=True)
class ConsoleModel:
    name: str
    list_field: str  # listTodos
    fields: tuple[str, ...]  # scalar and enum fields, selected by the items view


def console_modes(
    api_modes: Sequence[str], *, local_user_pool: bool, local_oidc: bool
) -> tuple[ConsoleMode, ...]:
    """The modes the page offers: those the API has whose tokens this server can mint, then the
    guest (the identity pool's unauthenticated role, or no credentials when the API has no IAM)."""
    modes: list[ConsoleMode] = []
    if USER_POOLS in api_modes and local_user_pool:
        modes.append(ConsoleMode("userPool", "Cognito user pool", "jwt"))
    if OIDC in api_modes and local_oidc:
        modes.append(ConsoleMode("oidc", "OpenID Connect", "jwt"))
    if IAM in api_modes:
        modes.append(ConsoleMode("identityPool", "Identity pool (signed in)", "iam"))
        modes.append(ConsoleMode(GUEST, "Guest (identity pool, unauthenticated)", "iam"))
    else:
        modes.append(ConsoleMode(GUEST, "Guest (no credentials)", "none"))
    return tuple(modes)


def console_models(model_introspection: Mapping[str, Any]) -> tuple[ConsoleModel, ...]:
    """Each model's list query and plain fields, from amplify_outputs.json's introspection."""
    models = []
    for name, model in model_introspection.get("models", {}).items():
        fields = tuple(
            field_name
            for field_name, spec in model.get("fields", {}).items()
            if isinstance(spec.get("type"), str) or "enum" in (spec.get("type") or {})
        )
        models.append(ConsoleModel(name, "list" + str(model["pluralName"]), fields))
    return tuple(models)


def is_loopback_host(host: str) -> bool:
    """A host name or address that can only mean this machine."""
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ConsoleRequestError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type


@dataclass
class Console(ConsoleEndpoint):
    """The console's routes; `handle` answers them and returns None for any other path."""

    bind_host: str
    state: LocalState
    modes: tuple[ConsoleMode, ...]
    models: tuple[ConsoleModel, ...]
    user_pool: LocalIssuer | None  # the local issuers; None when a real one checks the tokens
    oidc: LocalIssuer | None
    assets: Path = DEFAULT_ASSETS
    _kinds: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self._kinds = {mode.name: mode.kind for mode in self.modes}

    @property
    def minting_allowed(self) -> bool:
        return is_loopback_host(self.bind_host)

    async def handle(self, request: Request, request_id: str) -> Response | None:
        path = request.url.path
        method = request.method
        if path in ("/", "/graphiql"):
            return self._page() if method in ("GET", "HEAD") else _method_not_allowed(request_id)
        if path.startswith("/console/assets/"):
            if method not in ("GET", "HEAD"):
                return _method_not_allowed(request_id)
            return self._asset(path.removeprefix("/console/assets/"), request, request_id)
        if path == "/console/config":
            if method != "GET":
                return _method_not_allowed(request_id)
            return _json(200, self.config(), request_id)
        if path == "/console/token":
            if method == "OPTIONS":  # no CORS here: a cross-origin preflight gets no permission
                return Response(status_code=204, headers={"Cache-Control": "no-store"})
            if method != "POST":
                return _method_not_allowed(request_id)
            try:
                return _json(200, await self._token(request), request_id)
            except ConsoleRequestError as exc:
                return _json(exc.status, _error(exc.error_type, str(exc)), request_id)
        return None

    def config(self) -> dict[str, Any]:
        return {
            "graphqlPath": "/graphql",
            "region": self.state.region,
            "minting": self.minting_allowed,
            "modes": [{"name": m.name, "label": m.label, "kind": m.kind} for m in self.modes],
            "models": [
                {"name": m.name, "listField": m.list_field, "fields": list(m.fields)}
                for m in self.models
            ],
        }

    # --- the page and its assets ----------------------------------------------------------------

    def _page(self) -> Response:
        script, style = self.assets / "console.js", self.assets / "console.css"
        if not script.is_file():
            return Response(
                _NOT_BUILT_PAGE.format(folder=html.escape(str(CONSOLE_SOURCE))),
                media_type="text/html; charset=utf-8",
                headers=_PAGE_HEADERS,
            )
        version = _version(script)
        style_link = (
            f'<link rel="stylesheet" href="/console/assets/console.css?v={_version(style)}">'
            if style.is_file()
            else ""
        )
        page = _PAGE.format(style=style_link, version=version)
        return Response(page, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    def _asset(self, name: str, request: Request, request_id: str) -> Response:
        suffix = Path(name).suffix
        path = self.assets / name
        # Only plain file names of the built folder: no "..", no sub-folders.
        if not re.fullmatch(r"[A-Za-z0-9_-]+\.[a-z]+", name) or suffix not in ASSET_TYPES:
            return _not_found(request_id)
        if not path.is_file():
            return _not_found(request_id)
        etag = f'"{_version(path)}"'
        headers = {
            "ETag": etag,
            # Revalidated on every load (cheap: a 304), so a rebuild shows at once.
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(path.read_bytes(), media_type=ASSET_TYPES[suffix], headers=headers)

    # --- acting as a dev user -------------------------------------------------------------------

    async def _token(self, request: Request) -> dict[str, Any]:
        self._check_minting_allowed(request)
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip()
        if content_type != "application/json":
            raise ConsoleRequestError(
                400, "BadRequestException", "Send JSON (Content-Type: application/json)"
            )
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_TOKEN_REQUEST_BYTES:
                raise ConsoleRequestError(400, "BadRequestException", "The request is too large")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            raise ConsoleRequestError(
                400, "BadRequestException", "The request body is not valid JSON"
            ) from None
        if not isinstance(payload, dict):
            raise ConsoleRequestError(400, "BadRequestException", 'Send {"mode": …, "user": …}')
        mode = payload.get("mode")
        if not isinstance(mode, str) or mode not in self._kinds:
            offered = ", ".join(self._kinds)
            raise ConsoleRequestError(
                400, "BadRequestException", f"mode must be one of this API's: {offered}"
            )
        user = payload.get("user", GUEST if mode == GUEST else None)
        if not isinstance(user, str) or not USER_NAME.match(user):
            raise ConsoleRequestError(
                400,
                "BadRequestException",
                "user must be 1 to 128 letters, digits or . _ @ + -",
            )
        log.info("console: acting as %s (%s)", user, mode)  # never the token itself
        return self.mint(mode, user)

    def mint(self, mode: str, user: str) -> dict[str, Any]:
        """What the page needs to call the API as `user` in `mode`."""
        answer: dict[str, Any] = {"mode": mode, "user": user}
        if mode in ("userPool", "oidc"):
            issuer = self.user_pool if mode == "userPool" else self.oidc
            assert issuer is not None  # the mode is offered only with its local issuer
            answer["authorization"] = issuer.mint(user, expires_in=DEFAULT_EXPIRES_IN)
            answer["expiresIn"] = DEFAULT_EXPIRES_IN
        elif self._kinds[mode] == "iam":
            kind: IdentityKind = "authenticated" if mode == "identityPool" else "unauthenticated"
            credentials = mint_credentials(self.state, identity_for(self.state, user, kind))
            answer["credentials"] = credentials.to_json()
            answer["region"] = self.state.region
        return answer  # the guest without IAM calls with no credentials at all

    def _check_minting_allowed(self, request: Request) -> None:
        if not self.minting_allowed:
            raise ConsoleRequestError(
                403,
                "AccessDeniedException",
                f"This server binds {self.bind_host}, not a loopback address, so it mints no "
                "dev tokens: anyone who can reach the port could act as any user. Start it with "
                "--host 127.0.0.1, or mint with `python -m appsync_data token` on the server.",
            )
        client = request.client
        if client is None or not is_loopback_host(client.host):
            raise ConsoleRequestError(
                403, "AccessDeniedException", "Dev tokens are minted for this machine only"
            )
        host = request.headers.get("host", "")
        host_name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not is_loopback_host(host_name):
            raise ConsoleRequestError(
                403, "AccessDeniedException", "Dev tokens are minted for loopback host names only"
            )
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{host}":
            raise ConsoleRequestError(
                403, "AccessDeniedException", "Dev tokens are minted for the console page only"
            )


def _version(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:16]


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"errors": [{"errorType": error_type, "message": message}]}


def _json(status: int, body: Mapping[str, Any], request_id: str) -> Response:
    """JSON without the API's CORS headers: the console's answers are for its own page only."""
    headers = {"x-amzn-RequestId": request_id, "Cache-Control": "no-store"}
    if status >= 400:
        headers["x-amzn-ErrorType"] = body["errors"][0]["errorType"]
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        media_type="application/json; charset=UTF-8",
        headers=headers,
    )


def _not_found(request_id: str) -> Response:
    return _json(404, _error("NotFoundException", "Not found"), request_id)


def _method_not_allowed(request_id: str) -> Response:
    return _json(405, _error("BadRequestException", "Method not allowed"), request_id)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>appsync-data console</title>
{style}
</head>
<body>
<div id="console">Loading the console …</div>
<script src="/console/assets/console.js?v={version}"></script>
</body>
</html>
"""

_NOT_BUILT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>appsync-data console: not built</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto">
<h1>The console is not built</h1>
<p>The browser console (GraphiQL, dev users, items per model) is built from
<code>{folder}</code> with Node&nbsp;20 and npm, once:</p>
<pre>make console</pre>
<p>(<code>make dev</code> builds it too when npm is on the PATH), then reload this page.</p>
<p>The API works without it: <code>POST /graphql</code>, with tokens from
<code>python -m appsync_data token --user alice</code>.</p>
</body>
</html>
"""

"""`make dev`: put the pieces together and run until Ctrl-C.

local folder -> DynamoDB (moto on loopback, tables, saved items) -> HTTP socket (port known)
-> Settings for the in-process DataApi -> JWT/SigV4 checks -> amplify_outputs.json -> serve.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from appsync_data.config import IamAccess, Settings
from appsync_data.generate.sdl import OIDC
from appsync_data.local.authn import Authenticator
from appsync_data.local.console import Console, console_models, console_modes, is_loopback_host
from appsync_data.local.dynamodb import (
    MotoServer,
    TableSnapshots,
    check_reachable,
    create_tables,
    delete_tables,
    dynamodb_client,
)
from appsync_data.local.execution import (
    DEFAULT_MAX_BATCH_SIZE,
    GraphQLExecutor,
    RequestLimits,
    relationship_fields,
)
from appsync_data.local.functions import configure_functions, import_functions
from appsync_data.local.graphql_schema import build_executable_schema
from appsync_data.local.realtime import RealtimeServer, wss_url
from appsync_data.local.server import DeferredApp, HttpServer, LocalAppSync
from appsync_data.local.state import LocalState, ServerInfo, base_url, local_oidc_issuer
from appsync_data.local.tls import TlsFiles, ensure_tls_files, server_context
from appsync_data.local.tokens import (
    JwtVerifier,
    LocalIssuer,
    LocalKeys,
    RemoteJwks,
    jwks_document,
)
from appsync_data.schema_file import load_schema
from appsync_data.tables import table_layouts

if TYPE_CHECKING:
    from appsync_data.functions import FunctionApi


@dataclass(frozen=True)
class _TokenSources:
    """Who issues the tokens the API accepts: the local pool and issuer, or the real ones given."""

    user_pool_id: str
    user_pool_client_id: str | None
    oidc_issuer: str
    oidc_client_id: str | None


def _one_or_none(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _use_local_aws_environment() -> None:
    """DynamoDB here is local: never look for AWS keys or ask the EC2 metadata service."""
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local")):
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


# Each write is journaled before its answer; snapshots only keep the journal short.
SNAPSHOT_INTERVAL_SECONDS = 10.0


@dataclass(frozen=True)
class DevOptions:
    schema_path: Path = Path("functions/data/resource.py")
    host: str = "127.0.0.1"
    port: int = 20002
    local_dir: Path = Path(".local")
    outputs_path: Path = Path("amplify_outputs.json")
    reset: bool = False
    dynamodb_endpoint: str | None = None
    user_pool_id: str | None = None  # a real Cognito pool instead of the local one
    user_pool_client_id: str | None = None
    oidc_issuer: str | None = None  # a real OIDC issuer instead of the local one
    oidc_client_id: str | None = None
    iam_access: IamAccess = "all"
    iam_admin_roles: tuple[str, ...] = ()
    limits: RequestLimits = field(default_factory=RequestLimits)
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE  # parents per relationship-field Lambda call


class DevServer:
    """The local API and everything it needs; `start()` returns once requests are served."""

    def __init__(self, options: DevOptions, say: Callable[[str], None] = print) -> None:
        self.options = options
        self.say = say
        self.state = LocalState.load(options.local_dir)
        self.schema = load_schema(options.schema_path)
        self.tables = {name: name for name in self.schema.models}  # model -> its table, locally
        self.moto: MotoServer | None = None
        self.http: HttpServer | None = None
        self.snapshots: TableSnapshots | None = None
        self._dirty = threading.Event()
        self.saved = False  # the last stop wrote every table's snapshot
        self.url = ""
        self.tls: TlsFiles | None = None

    # --- start ----------------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop(save=False)
            raise

    def _start(self) -> None:
        """Start-up, one named step a line, in the order it must happen."""
        from appsync_data.generate.sdl import api_auth_modes

        _use_local_aws_environment()
        # The custom operations' functions, imported first: a broken one stops the start here.
        function_apis = import_functions(self.schema, self.options.schema_path)
        endpoint, client = self._start_dynamodb()
        self._prepare_tables(client)
        deferred = self._open_socket()  # before settings: the local OIDC issuer names the port
        sources = self._token_sources()
        settings = self._settings(sources, endpoint)
        modes = api_auth_modes(self.schema)
        deferred.app = app = self._app(settings, sources, modes, function_apis)
        app.realtime = realtime = RealtimeServer(app.executor, app.authenticator)
        self._write_outputs(app, sources, modes)
        self._serve(realtime, modes)

    def _start_dynamodb(self) -> tuple[str, Any]:
        """moto's server on loopback, or the DynamoDB endpoint the user gave (checked)."""
        endpoint = self.options.dynamodb_endpoint
        if endpoint is None:
            # moto checks no credentials: it listens on loopback whatever --host the API has.
            self.moto = MotoServer("127.0.0.1", log_file=self.state.folder / "moto.log")
            self.say(f"Starting moto's DynamoDB server on {self.moto.endpoint} ...")
            endpoint = self.moto.start()
        else:
            self.say(f"Using the DynamoDB at {endpoint}")
        client = dynamodb_client(endpoint, self.state.region)
        if self.options.dynamodb_endpoint is not None:
            check_reachable(client, endpoint)
        return endpoint, client

    def _prepare_tables(self, client: Any) -> None:
        """One table per model; with moto, the saved items restored (or cleared by --reset)."""
        options, tables = self.options, self.tables
        if options.reset and options.dynamodb_endpoint is not None:
            delete_tables(client, tables.values())
        layouts = table_layouts(self.schema)
        created = create_tables(client, {tables[m]: layout for m, layout in layouts.items()})
        self.say(f"Tables: {', '.join(tables.values())} (created: {', '.join(created) or 'none'})")
        if self.moto is None:
            return
        self.snapshots = TableSnapshots(client, tables.values(), self.state.data_folder)
        if options.reset:
            self.snapshots.clear()
            self.say("--reset: starting with empty tables")
        else:
            restored, replayed = self.snapshots.restore()
            self.say(
                f"Restored {restored} item(s) and {replayed} journaled write(s)"
                f" from {self.state.data_folder}"
            )

    def _open_socket(self) -> DeferredApp:
        """The TLS socket, bound now so that its port is known; the app is handed in later."""
        self.tls = ensure_tls_files(self.state, self.options.host)
        deferred = DeferredApp()
        self.http = HttpServer(
            self.options.host, self.options.port, deferred, tls=server_context(self.tls)
        )
        self.url = base_url(self.options.host, self.http.port)
        return deferred

    def _token_sources(self) -> _TokenSources:
        """The local user pool and OIDC issuer of `.local/`, or the real ones the user gave."""
        options, state = self.options, self.state
        assert self.http is not None
        return _TokenSources(
            user_pool_id=options.user_pool_id or state.user_pool_id,
            user_pool_client_id=options.user_pool_client_id
            or (None if options.user_pool_id else state.user_pool_client_id),
            oidc_issuer=options.oidc_issuer or local_oidc_issuer(options.host, self.http.port),
            oidc_client_id=options.oidc_client_id
            or (None if options.oidc_issuer else state.oidc_client_id),
        )

    def _settings(self, sources: _TokenSources, endpoint: str) -> Settings:
        """The Settings the in-process DataApi runs with, as the Lambda's environment gives them."""
        options, state = self.options, self.state
        return Settings(
            region=state.region,
            user_pool_id=sources.user_pool_id,
            user_pool_client_ids=_one_or_none(sources.user_pool_client_id),
            identity_pool_id=state.identity_pool_id,
            auth_role_arn=state.auth_role_arn,
            unauth_role_arn=state.unauth_role_arn,
            oidc_issuer=sources.oidc_issuer,
            oidc_client_ids=_one_or_none(sources.oidc_client_id),
            iam_access=options.iam_access,
            iam_admin_roles=options.iam_admin_roles,
            tables=self.tables,
            dynamodb_endpoint=endpoint,
            next_token_secret=state.next_token_secret,
        )

    def _authenticator(
        self, settings: Settings, sources: _TokenSources, api_modes: tuple[str, ...]
    ) -> Authenticator:
        """The JWT checks of both token kinds (local keys, or the real issuers' JWKS)."""
        options, state = self.options, self.state
        user_pool_issuer = settings.user_pool_issuer or ""
        user_pool = JwtVerifier(
            issuer=user_pool_issuer,
            keys=(
                RemoteJwks.for_cognito(user_pool_issuer)
                if options.user_pool_id
                else LocalKeys.of(state.user_pool_key)
            ),
            client_ids=settings.user_pool_client_ids,
            cognito=True,
        )
        oidc = JwtVerifier(
            issuer=sources.oidc_issuer,
            keys=(
                RemoteJwks.discover(sources.oidc_issuer)
                if options.oidc_issuer
                else LocalKeys.of(state.oidc_key)
            ),
            client_ids=settings.oidc_client_ids,
            cognito=False,
        )
        return Authenticator(
            modes=frozenset(api_modes), state=state, user_pool=user_pool, oidc=oidc
        )

    def _app(
        self,
        settings: Settings,
        sources: _TokenSources,
        modes: tuple[str, tuple[str, ...]],
        function_apis: list[FunctionApi],
    ) -> LocalAppSync:
        """The GraphQL executor over the Lambda's own handlers, behind the auth checks."""
        from appsync_data.api import DataApi  # the Lambda's own code, imported only to serve
        from appsync_data.generate.sdl import render_sdl

        options, state = self.options, self.state
        default_mode, additional_modes = modes
        data_api = DataApi(self.schema, settings)
        functions = configure_functions(function_apis, settings)
        if self.snapshots is not None:
            for client in (data_api.connection.client, *functions.clients):
                self.snapshots.journal.attach(client)  # on disk before the answer
        local_user_pool, local_oidc = options.user_pool_id is None, options.oidc_issuer is None
        app = LocalAppSync(
            executor=GraphQLExecutor(
                build_executable_schema(render_sdl(self.schema), default_mode),
                data_api.handle,
                options.limits,
                functions.handlers,
                batched_fields=relationship_fields(self.schema),
                max_batch_size=options.max_batch_size,
            ),
            authenticator=self._authenticator(settings, sources, (default_mode, *additional_modes)),
            user_pool_id=sources.user_pool_id,
            user_pool_jwks=jwks_document(state.user_pool_key) if local_user_pool else None,
            oidc_issuer=sources.oidc_issuer if local_oidc else None,
            oidc_jwks=jwks_document(state.oidc_key) if local_oidc else None,
            on_mutation=self._dirty.set,
        )
        return app

    def _write_outputs(
        self, app: LocalAppSync, sources: _TokenSources, modes: tuple[str, tuple[str, ...]]
    ) -> None:
        """amplify_outputs.json for this endpoint, the console built from it, and the server file
        the token commands read."""
        from appsync_data.generate.outputs import amplify_outputs

        state = self.state
        outputs = amplify_outputs(
            self.schema,
            url=f"{self.url}/graphql",
            region=state.region,
            user_pool_id=sources.user_pool_id,
            user_pool_client_id=sources.user_pool_client_id,
            identity_pool_id=state.identity_pool_id,
            oidc_issuer=sources.oidc_issuer,
        )
        app.console = self._console(outputs, (modes[0], *modes[1]), sources.oidc_issuer)
        self.options.outputs_path.parent.mkdir(parents=True, exist_ok=True)
        self.options.outputs_path.write_text(json.dumps(outputs, indent=2) + "\n")
        ServerInfo(url=self.url, oidc_issuer=sources.oidc_issuer).save(state)

    def _serve(self, realtime: RealtimeServer, modes: tuple[str, tuple[str, ...]]) -> None:
        """Accept requests (HTTPS and WSS on the one port) and say how to use them."""
        assert self.http is not None
        self.http.start()
        assert self.http.loop is not None
        realtime.attach(self.http.loop)
        self._banner(*modes)

    def _console(
        self, outputs: dict[str, Any], api_modes: tuple[str, ...], oidc_issuer: str
    ) -> Console:
        options, state = self.options, self.state
        local_user_pool = options.user_pool_id is None
        local_oidc = options.oidc_issuer is None
        return Console(
            bind_host=options.host,
            state=state,
            modes=console_modes(api_modes, local_user_pool=local_user_pool, local_oidc=local_oidc),
            models=console_models(outputs["data"]["model_introspection"]),
            user_pool=(
                LocalIssuer(state.user_pool_issuer, state.user_pool_client_id, state.user_pool_key)
                if local_user_pool
                else None
            ),
            oidc=(
                LocalIssuer(oidc_issuer, state.oidc_client_id, state.oidc_key, cognito=False)
                if local_oidc
                else None
            ),
        )

    def _banner(self, default_mode: str, additional_modes: tuple[str, ...]) -> None:
        python = os.path.relpath(sys.executable) if sys.executable else "python"
        local = self.options.local_dir
        assert self.tls is not None
        loopback = is_loopback_host(self.options.host)
        console_note = "" if loopback else " (mints no dev tokens: not a loopback address)"
        lines = [
            f"Wrote {self.options.outputs_path} for this endpoint",
            f"Console (GraphiQL, dev users, items): {self.url}/{console_note}",
            f"GraphQL API: {self.url}/graphql",
            f"  subscriptions: {wss_url(self.url)}/graphql/realtime",
            f"  TLS: the local CA is {self.tls.ca_cert}; trust it once:",
            f"    Node:    NODE_EXTRA_CA_CERTS={self.tls.ca_cert.resolve()}",
            "    Browser: import it as a trusted authority (README, 'Local development')",
            f"  auth modes: {default_mode} (default) {' '.join(additional_modes)}",
            f"  user pool tokens:  {python} -m appsync_data token --user alice",
            f"  IAM credentials:   {python} -m appsync_data credentials --user alice [--guest]",
            f"  (keys, ids and data live in {local}/; `make dev ARGS=--reset` starts empty)",
            "One line per request below; `make dev ARGS=--verbose` adds the Lambda's JSON lines.",
            "Ctrl-C stops the server.",
        ]
        if OIDC in (default_mode, *additional_modes):
            after = next(i for i, line in enumerate(lines) if "user pool tokens" in line)
            lines.insert(
                after + 1,
                f"  OIDC tokens:       {python} -m appsync_data token --user alice --oidc",
            )
        for line in lines:
            self.say(line)

    # --- run and stop ---------------------------------------------------------------------------

    def save(self) -> None:
        """Compact the journal into fresh snapshots (the journal alone already keeps every
        acknowledged write)."""
        if self.snapshots is not None and (self._dirty.is_set() or self.snapshots.journal.appended):
            self._dirty.clear()
            try:
                self.snapshots.save()
            except Exception:
                self._dirty.set()  # not saved: try again next time, and on stop
                raise

    def _save_in_background(self) -> None:
        try:
            self.save()
        except Exception as exc:  # keep serving; the data is still in DynamoDB
            self.say(f"Could not save the tables (will retry): {exc}")

    def run_until(self, stop: threading.Event) -> None:
        while not stop.wait(SNAPSHOT_INTERVAL_SECONDS):
            self._save_in_background()

    def stop(self, *, save: bool = True) -> None:
        if self.http is not None:
            self.http.stop()
            self.http = None
        if save and self.snapshots is not None:
            try:
                self.save()
                self.saved = True
            except Exception as exc:  # keep stopping; the journal still holds every write
                journal = self.snapshots.journal.path("<table>")
                self.say(f"Could not save the tables ({exc}); the writes stay in {journal}")
        if self.snapshots is not None:
            self.snapshots.journal.close()
        if self.moto is not None:
            self.moto.stop()
            self.moto = None
        self.state.server_file.unlink(missing_ok=True)


def run_dev(options: DevOptions) -> int:
    server = DevServer(options, say=lambda line: print(line, flush=True))
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, on_signal)
    try:
        server.start()
        server.run_until(stop)
        print("Stopping ...", flush=True)
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if server.snapshots is None:
        print("Stopped.", flush=True)
    elif server.saved:
        print("Stopped; data saved.", flush=True)
    else:
        print("Stopped; the snapshot was not written, the journal keeps the writes.", flush=True)
    return 0

"""AppSync's real-time protocol at `wss://HOST:PORT/graphql/realtime`, as the real client uses it.

Connect: subprotocols `graphql-ws` + `header-<base64url(JSON of the auth headers)>` (or AppSync's
older `?header=<base64>` query), verified like an HTTP request (JWT, or SigV4 of a POST to
`/graphql/connect` with body `{}`). Then:

    client                         server
    connection_init           ->   connection_ack {connectionTimeoutMs}, then `ka` every KA_SECONDS
    start {id, payload}       ->   start_ack {id} | error {id, payload.errors}
    (a mutation succeeds)          data {id, payload.data.<field>} to every matching subscription
    stop {id}                 ->   complete {id}

Each `start` carries its own authorization (`payload.extensions.authorization`, SigV4 signed over
the `data` string), and the data Lambda decides `listen` for it, the same code path as queries.
Bounded: connections, subscriptions per connection and message sizes; every connection has a
bounded send queue, and a client too slow to drain it is closed: mutations never wait for one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from graphql import (
    FieldNode,
    GraphQLArgument,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    validate,
    value_from_ast,
)
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from appsync_data.local.authn import AuthContext, Authenticator, Unauthenticated
from appsync_data.local.execution import (
    MAX_QUERY_CHARS,
    GraphQLExecutor,
    RequestContext,
    field_error,
)
from appsync_data.local.server import RealtimeEndpoint
from appsync_data.local.sigv4 import SignedRequest
from appsync_data.local.validation_messages import appsync_message
from appsync_data.subscription_filter import (
    ERROR_TYPE,
    FilterError,
    Group,
    combined_groups,
    filter_groups,
    groups_match,
)

log = logging.getLogger(__name__)

SUBPROTOCOL = "graphql-ws"
CONNECTION_TIMEOUT_MS = 300_000  # what AppSync announces: no `ka` for this long means dead


@dataclass(frozen=True)
class RealtimeLimits:
    max_connections: int = 1000
    max_subscriptions_per_connection: int = 100  # AppSync: 100 per connection
    max_message_bytes: int = 240 * 1024  # AppSync: 240 kB per message
    send_queue: int = 1000  # undelivered messages one connection may hold before it is closed
    keep_alive_seconds: float = 60.0
    init_timeout_seconds: float = 10.0


def wss_url(https_url: str) -> str:
    """The client's rule: http:// and https:// become wss://."""
    return "wss://" + https_url.split("://", 1)[1]


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"errors": [{"errorType": error_type, "message": message}]}


def _b64_json(text: str) -> dict[str, Any] | None:
    try:
        padded = text + "=" * (-len(text) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_")))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def connect_headers(websocket: WebSocket) -> dict[str, Any] | None:
    """The auth headers of the upgrade: the `header-…` subprotocol, else `?header=`."""
    for protocol in websocket.scope.get("subprotocols") or []:
        if protocol.startswith("header-"):
            return _b64_json(protocol[len("header-") :])
    query = parse_qs(websocket.scope.get("query_string", b"").decode("latin-1"))
    if "header" in query:
        return _b64_json(query["header"][0])
    return None


def _signed(headers: Mapping[str, Any], path: str, body: bytes) -> SignedRequest:
    lowered = {str(k).lower(): str(v) for k, v in headers.items() if isinstance(v, (str, int))}
    return SignedRequest(method="POST", path=path, query="", headers=lowered, body=body)


@dataclass
class Subscription:
    id: str
    field_name: str  # onCreateTodo
    mutation_fields: frozenset[str]  # createTodo
    document: Any
    operation_name: str | None
    variables: Mapping[str, Any]
    filter_groups: list[Group] | None  # AppSync's filter groups of `filter`; None: every item
    auth: AuthContext
    headers: Mapping[str, str]


@dataclass(eq=False)
class Connection:
    websocket: WebSocket
    auth: AuthContext
    limits: RealtimeLimits
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    queue: asyncio.Queue[dict[str, Any] | tuple[Subscription, Any] | None] = field(init=False)
    closing: bool = False

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.limits.send_queue)

    def offer(self, message: dict[str, Any] | tuple[Subscription, Any] | None) -> bool:
        """Queue without waiting; False when the client is not keeping up."""
        if self.closing:
            return False
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            return False
        return True


class RealtimeServer(RealtimeEndpoint):
    def __init__(
        self,
        executor: GraphQLExecutor,
        authenticator: Authenticator,
        limits: RealtimeLimits | None = None,
    ) -> None:
        self.executor = executor
        self.authenticator = authenticator
        self.limits = limits or RealtimeLimits()
        self.connections: set[Connection] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._subscribe_fields = self._subscribed_mutations()
        executor.on_mutation_result = self.publish

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the WebSockets live on (mutations are published from worker threads)."""
        self.loop = loop

    def _subscribed_mutations(self) -> dict[str, frozenset[str]]:
        """`@aws_subscribe(mutations: [...])` of each Subscription field."""
        subscription = self.executor.executable.schema.subscription_type
        found: dict[str, frozenset[str]] = {}
        if subscription is None:
            return found
        for name, definition in subscription.fields.items():
            mutations: set[str] = set()
            node = definition.ast_node
            for directive in node.directives if node is not None else ():
                if directive.name.value != "aws_subscribe":
                    continue
                for argument in directive.arguments:
                    values = getattr(argument.value, "values", ())
                    mutations.update(getattr(v, "value", "") for v in values)
            found[name] = frozenset(mutations)
        return found

    # --- publishing -----------------------------------------------------------------------------

    def publish(self, mutation_field: str, result: Any) -> None:
        """A mutation succeeded (any thread, in the order the Lambda ran them)."""
        loop = self.loop
        if loop is None or result is None or not isinstance(result, Mapping):
            return
        loop.call_soon_threadsafe(self._fan_out, mutation_field, dict(result))

    def _fan_out(self, mutation_field: str, result: dict[str, Any]) -> None:
        for connection in list(self.connections):
            for subscription in list(connection.subscriptions.values()):
                if mutation_field not in subscription.mutation_fields:
                    continue
                if not groups_match(subscription.filter_groups, result):
                    continue
                if not connection.offer((subscription, result)):
                    self._drop_slow(connection)
                    break

    def _drop_slow(self, connection: Connection) -> None:
        if connection.closing:
            return
        log.warning("closing a real-time connection that does not keep up with its messages")
        connection.closing = True
        connection.subscriptions.clear()
        self.connections.discard(connection)
        # Wake the sender, which closes the socket (its queue may be full: drop the backlog).
        while not connection.queue.empty():
            connection.queue.get_nowait()
        connection.queue.put_nowait(None)

    # --- one connection -------------------------------------------------------------------------

    async def serve(self, websocket: WebSocket) -> None:
        offered = websocket.scope.get("subprotocols") or []
        if SUBPROTOCOL not in offered:
            await websocket.close(code=1002, reason="subprotocol graphql-ws is required")
            return
        await websocket.accept(subprotocol=SUBPROTOCOL)
        refusal, auth = await self._authenticate_connect(websocket)
        try:
            first = await asyncio.wait_for(
                self._receive(websocket), self.limits.init_timeout_seconds
            )
        except (TimeoutError, WebSocketDisconnect):
            await self._close(websocket, 1000, "no connection_init")
            return
        if first is None or first.get("type") != "connection_init":
            await self._send_close(
                websocket, "connection_error", _error("BadRequest", "Expected connection_init")
            )
            return
        if refusal is not None or auth is None:
            await self._send_close(
                websocket, "connection_error", refusal or _error("UnauthorizedException", "")
            )
            return
        if len(self.connections) >= self.limits.max_connections:
            await self._send_close(
                websocket,
                "connection_error",
                _error(
                    "LimitExceededError",
                    f"The server has {self.limits.max_connections} connections, its limit",
                ),
            )
            return
        connection = Connection(websocket, auth, self.limits)
        self.connections.add(connection)
        await websocket.send_json(
            {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}
        )
        sender = asyncio.create_task(self._sender(connection))
        keep_alive = asyncio.create_task(self._keep_alive(connection))
        try:
            await self._receiver(connection)
        finally:
            self.connections.discard(connection)
            connection.subscriptions.clear()
            keep_alive.cancel()
            connection.closing = True
            with contextlib.suppress(asyncio.QueueFull):
                connection.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await sender
            await self._close(websocket, 1000, "")

    async def _authenticate_connect(
        self, websocket: WebSocket
    ) -> tuple[dict[str, Any] | None, AuthContext | None]:
        headers = connect_headers(websocket)
        if headers is None:
            return _error("UnauthorizedException", "No authorization header in the request"), None
        client = websocket.client
        source_ip = client.host if client is not None else "127.0.0.1"
        try:
            auth = await run_in_threadpool(
                self.authenticator.authenticate,
                _signed(headers, "/graphql/connect", b"{}"),
                source_ip,
            )
        except Unauthenticated:
            return _error("UnauthorizedException", "Valid authorization header not provided."), None
        return None, auth

    async def _receive(self, websocket: WebSocket) -> dict[str, Any] | None:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None:  # a binary frame: the protocol is JSON text
            return None
        if len(text.encode()) > self.limits.max_message_bytes:
            return {"type": "__too_large__"}
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return message if isinstance(message, dict) else None

    async def _receiver(self, connection: Connection) -> None:
        websocket = connection.websocket
        while not connection.closing:
            try:
                message = await self._receive(websocket)
            except (WebSocketDisconnect, RuntimeError):
                return
            if message is None:
                self._queue_error(connection, None, "BadRequest", "Messages are JSON objects")
                continue
            kind = message.get("type")
            sub_id = message.get("id")
            if kind == "__too_large__":
                self._queue_error(
                    connection,
                    None,
                    "MaxMessageSizeExceeded",
                    f"Messages are at most {self.limits.max_message_bytes} bytes",
                )
            elif kind == "start":
                await self._start(connection, sub_id, message.get("payload"))
            elif kind == "stop":
                if isinstance(sub_id, str) and sub_id in connection.subscriptions:
                    del connection.subscriptions[sub_id]
                    connection.offer({"type": "complete", "id": sub_id})
            elif kind == "connection_init":
                connection.offer(
                    {
                        "type": "connection_ack",
                        "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS},
                    }
                )
            else:
                self._queue_error(
                    connection,
                    sub_id if isinstance(sub_id, str) else None,
                    "UnsupportedOperation",
                    f"Unknown message type {str(kind)[:40]!r}",
                )

    def _queue_error(
        self, connection: Connection, sub_id: str | None, error_type: str, message: str
    ) -> None:
        body: dict[str, Any] = {"type": "error", "payload": _error(error_type, message)}
        if sub_id is not None:
            body["id"] = sub_id
        if not connection.offer(body):
            self._drop_slow(connection)

    async def _start(self, connection: Connection, sub_id: Any, payload: Any) -> None:
        if not isinstance(sub_id, str) or not sub_id or len(sub_id) > 128:
            self._queue_error(connection, None, "BadRequest", "A start message needs an id")
            return
        if sub_id in connection.subscriptions:
            self._queue_error(connection, sub_id, "BadRequest", f"Duplicate subscription {sub_id}")
            return
        if len(connection.subscriptions) >= self.limits.max_subscriptions_per_connection:
            self._queue_error(
                connection,
                sub_id,
                "MaxSubscriptionsReachedError",
                f"A connection has at most {self.limits.max_subscriptions_per_connection} "
                "subscriptions",
            )
            return
        result = await self._subscribe(connection, sub_id, payload)
        if isinstance(result, Subscription):
            connection.subscriptions[sub_id] = result
            connection.offer({"type": "start_ack", "id": sub_id})
        else:
            body = {"type": "error", "id": sub_id, "payload": {"errors": result}}
            if not connection.offer(body):
                self._drop_slow(connection)

    async def _subscribe(
        self, connection: Connection, sub_id: str, payload: Any
    ) -> Subscription | list[dict[str, Any]]:
        """A start message -> a subscription, or AppSync's errors for it."""

        def bad(message: str, error_type: str = "BadRequestException") -> list[dict[str, Any]]:
            return [{"errorType": error_type, "message": message}]

        if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), str):
            return bad("The start payload needs a data string")
        data: str = payload["data"]
        extensions = payload.get("extensions")
        authorization = extensions.get("authorization") if isinstance(extensions, Mapping) else None
        if not isinstance(authorization, Mapping):
            return bad("No authorization in the start payload", "UnauthorizedException")
        client = connection.websocket.client
        source_ip = client.host if client is not None else "127.0.0.1"
        signed = _signed(authorization, "/graphql", data.encode())
        try:
            auth = await run_in_threadpool(self.authenticator.authenticate, signed, source_ip)
        except Unauthenticated:
            return bad("Valid authorization header not provided.", "UnauthorizedException")
        try:
            request = json.loads(data)
        except (ValueError, RecursionError):
            return bad("The data string is not JSON")
        if not isinstance(request, Mapping) or not isinstance(request.get("query"), str):
            return bad("The data string needs a query")
        query: str = request["query"]
        variables = request.get("variables") or {}
        operation_name = request.get("operationName")
        if len(query) > MAX_QUERY_CHARS or not isinstance(variables, Mapping):
            return bad("The query is too long or its variables are not an object")
        try:
            document = parse(query)
        except GraphQLError as error:
            return [{"errorType": "GraphQLError", "message": error.message}]
        schema = self.executor.executable.schema
        errors = validate(schema, document)
        if errors:
            return [
                {"errorType": "GraphQLError", "message": appsync_message(e, document)}
                for e in errors
            ]
        operation = get_operation_ast(
            document, operation_name if isinstance(operation_name, str) else None
        )
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            return bad("The start message must hold one subscription operation")
        root_field = _single_root_field(operation)
        if root_field is None:
            return bad("A subscription selects exactly one root field")
        field_name = root_field.name.value
        definition = (
            schema.subscription_type.fields[field_name] if schema.subscription_type else None
        )
        if definition is None:
            return bad(f"Unknown subscription field {field_name}")
        headers = {str(k).lower(): str(v) for k, v in authorization.items()}
        # The subscribe-time decision: the Lambda's handler for Subscription.<field> (`listen`).
        context = RequestContext(auth=auth, headers=headers, variables=variables)
        decision = await run_in_threadpool(
            self.executor.execute_operation,
            document,
            operation.name.value if operation.name else None,
            variables,
            auth,
            headers,
            None,
            context,
        )
        if decision.errors:
            return [
                {"errorType": e["errorType"] or "GraphQLError", "message": e["message"]}
                for e in map(field_error, decision.errors)
            ]
        filter_ = _filter_argument(root_field, definition.args.get("filter"), variables)
        try:
            # A scoped subscriber (the Lambda's authFilter): their scope AND the client's filter,
            # as subscription_filter.js sets them when deployed.
            auth_filter = context.results.auth_filter
            groups = (
                filter_groups(filter_)
                if auth_filter is None
                else combined_groups(filter_, auth_filter)
            )
        except FilterError as error:
            return bad(f"Invalid filter: {error}", ERROR_TYPE)
        return Subscription(
            id=sub_id,
            field_name=field_name,
            mutation_fields=self._subscribe_fields.get(field_name, frozenset()),
            document=document,
            operation_name=operation.name.value if operation.name else None,
            variables=dict(variables),
            filter_groups=groups,
            auth=auth,
            headers=headers,
        )

    # --- sending --------------------------------------------------------------------------------

    async def _sender(self, connection: Connection) -> None:
        websocket = connection.websocket
        while True:
            item = await connection.queue.get()
            if item is None:
                return
            if isinstance(item, tuple):
                subscription, result = item
                if subscription.id not in connection.subscriptions:
                    continue  # stopped meanwhile
                message = self._data_message(subscription, result)
            else:
                message = item
            try:
                await websocket.send_text(json.dumps(message, separators=(",", ":")))
            except (WebSocketDisconnect, RuntimeError, OSError):
                connection.closing = True
                return

    def _data_message(
        self, subscription: Subscription, result: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The mutation's result, shaped by the subscription's selection set (and its per-field
        auth-mode checks), as AppSync sends it."""
        shaped = self.executor.execute_operation(
            subscription.document,
            subscription.operation_name,
            subscription.variables,
            subscription.auth,
            subscription.headers,
            root_value={subscription.field_name: result},
        )
        payload: dict[str, Any] = {"data": shaped.data}
        if shaped.errors:
            payload["errors"] = [field_error(e) for e in shaped.errors]
        return {"type": "data", "id": subscription.id, "payload": payload}

    async def _keep_alive(self, connection: Connection) -> None:
        while not connection.closing:
            if not connection.offer({"type": "ka"}):
                self._drop_slow(connection)
                return
            await asyncio.sleep(self.limits.keep_alive_seconds)

    @staticmethod
    async def _send_close(websocket: WebSocket, kind: str, payload: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):
            await websocket.send_json({"type": kind, "payload": payload})
        await RealtimeServer._close(websocket, 1000, "")

    @staticmethod
    async def _close(websocket: WebSocket, code: int, reason: str) -> None:
        if websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close(code=code, reason=reason)


def _single_root_field(operation: OperationDefinitionNode) -> FieldNode | None:
    selections = operation.selection_set.selections
    fields = [s for s in selections if isinstance(s, FieldNode)]
    if len(fields) != 1 or len(selections) != 1:
        return None
    return fields[0]


def _filter_argument(
    root_field: FieldNode, argument: GraphQLArgument | None, variables: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The `filter` argument's value (variables were checked by the subscribe-time execution)."""
    if argument is None:
        return None
    for node in root_field.arguments or ():
        if node.name.value == "filter":
            value = value_from_ast(node.value, argument.type, dict(variables))
            return value if isinstance(value, Mapping) else None  # Undefined: not valid
    return None

"""One GraphQL request as AppSync runs it: parse, validate, check auth directives per field, call
the data Lambda's handler for each root field (a custom operation's: its function's handler, with
the event Amplify hands a function), and shape the answer and errors like AppSync.

- request errors (syntax, validation, variables): HTTP 400, `data: null`, `errors` without `path`;
- a field the caller's auth mode may not read: that field is null with an `Unauthorized` error;
- the handler's `{"error": {type, message}}` envelope: the field is null with that error, which is
  what the deployed API's APPSYNC_JS function makes of it with `util.error(message, type)`;
  its `fieldErrors` (fields the caller may not read, null in `data`) become errors beside the
  data at the field's path (`util.appendError`), and a subscriber's `authFilter` is kept for the
  real-time server, which ANDs it with the client's filter (subscription_filter.js's work);
- relationship fields (`Blog.posts`, `Post.blog`, `User.profile`) are resolved as AppSync resolves a
  `BatchInvoke` Lambda data source: every parent of one field at one level is gathered and the
  handler is called once per `max_batch_size` parents with the LIST of their events (`source` =
  the parent item); the list of envelopes it returns is mapped back parent by parent. Root fields
  keep one call each. The query runs in passes: each pass resolves what it can and records the
  relationship fields it reached; those are loaded in batches and the next pass goes one level
  deeper, reusing every result so far by its response path (no field is resolved twice);
- AppSync's limits (`RequestLimits`): past the request's time limit (30 s) the fields not yet
  resolved are null with an `ExecutionTimeout` error; a query deeper than the depth limit, or
  invoking more resolvers than the resolver count limit, is refused before any field runs.

Each request leaves one line in the dev log (logger `appsync_data.local.requests`), with the
number of Lambda invocations it cost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLResolveInfo,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    validate,
)

# Re-exported for devserver.py; its one home is events.py (template.yaml's MaxBatchSize too).
from appsync_data.events import DEFAULT_MAX_BATCH_SIZE as DEFAULT_MAX_BATCH_SIZE
from appsync_data.events import (
    DEFAULT_QUERY_DEPTH_LIMIT,
    DEFAULT_RESOLVER_COUNT_LIMIT,
    LambdaContextStub,
)
from appsync_data.local.authn import AuthContext
from appsync_data.local.events import build_event, build_function_event
from appsync_data.local.graphql_schema import ExecutableSchema
from appsync_data.local.limits import (
    effective_resolver_count_limit,
    query_depth,
    resolver_count,
    without_repeats,
)
from appsync_data.local.validation_messages import appsync_message
from appsync_data.schema import Schema

log = logging.getLogger(__name__)
request_log = logging.getLogger("appsync_data.local.requests")

# One event -> one envelope; a list of events (BatchInvoke) -> the list of their envelopes.
Handler = Callable[[Any, Any], Any]
ResponsePath = tuple[str | int, ...]  # a field's place in the response, aliases and indexes
MAX_QUERY_CHARS = 64 * 1024  # bounds parsing work (AppSync caps query depth and size as well)
APPSYNC_REQUEST_TIMEOUT_SECONDS = 30.0
TIMEOUT_ERROR_TYPE = "ExecutionTimeout"
TIMEOUT_MESSAGE = "Execution timed out."


@dataclass(frozen=True)
class RequestLimits:
    """AppSync's limits per request; 0 turns the time and depth limits off."""

    timeout_seconds: float = APPSYNC_REQUEST_TIMEOUT_SECONDS
    query_depth_limit: int = DEFAULT_QUERY_DEPTH_LIMIT  # AppSync's QueryDepthLimit: 0 = none
    # AppSync's ResolverCountLimit: 0 = its own default, 10000
    resolver_count_limit: int = DEFAULT_RESOLVER_COUNT_LIMIT


class ResolverError(Exception):
    """A field error with AppSync's `errorType`."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class PendingField:
    """A batched field a pass reached but could not resolve yet: its path and its event."""

    path: ResponsePath
    type_field: tuple[str, str]  # (parent type, field name): a batch holds one of them
    event: dict[str, Any]


@dataclass
class FieldResults:
    """One request's resolved fields by response path (a value, or the ResolverError to raise),
    the batched fields the current pass reached, and the Lambda invocations so far."""

    done: dict[ResponsePath, Any] = field(default_factory=dict)
    pending: list[PendingField] = field(default_factory=list)
    lambda_calls: int = 0
    # The envelope's `fieldErrors` by the field's path (appended to the response's errors).
    appended: dict[ResponsePath, list[Mapping[str, Any]]] = field(default_factory=dict)
    auth_filter: Any = None  # a scoped subscriber's `authFilter` (subscribe time)

    def record(self, path: ResponsePath, response: Any) -> Any:
        """The field value of an envelope, keeping its fieldErrors and authFilter."""
        value = envelope_value(response)
        field_errors = response.get("fieldErrors") if isinstance(response, Mapping) else None
        if isinstance(field_errors, list) and field_errors:
            self.appended[path] = [e for e in field_errors if isinstance(e, Mapping)]
        if isinstance(response, Mapping) and response.get("authFilter") is not None:
            self.auth_filter = response["authFilter"]
        return value

    def outcome(self, path: ResponsePath) -> Any:
        value = self.done[path]
        if isinstance(value, ResolverError):
            raise value
        return value


@dataclass(frozen=True)
class RequestContext:
    auth: AuthContext
    headers: Mapping[str, str]
    variables: Mapping[str, Any]
    deadline: float = float("inf")  # time.monotonic() past which no resolver starts
    results: FieldResults = field(default_factory=FieldResults)


@dataclass(frozen=True)
class GraphQLResponse:
    status: int
    body: dict[str, Any]
    mutation: bool = False  # a mutation ran: the tables may have changed


def _locations(error: GraphQLError) -> list[dict[str, Any]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations]


def field_error(error: GraphQLError) -> dict[str, Any]:
    """AppSync's entry for an error raised while resolving a field."""
    original = error.original_error
    if isinstance(original, ResolverError):
        error_type: str | None = original.error_type
        message = original.message
    else:
        error_type, message = None, error.message
    return {
        "path": error.path,
        "data": None,
        "errorType": error_type,
        "errorInfo": None,
        "locations": _locations(error),
        "message": message,
    }


def appended_errors(
    appended: Mapping[ResponsePath, Sequence[Mapping[str, Any]]],
) -> list[dict[str, Any]]:
    """`util.appendError(message, type)` entries: at the resolver's field, beside its data."""
    return [
        {
            "path": list(path),
            "data": None,
            "errorType": str(entry.get("type")),
            "errorInfo": None,
            "locations": None,
            "message": str(entry.get("message")),
        }
        for path, entries in appended.items()
        for entry in entries
    ]


def request_error(error: GraphQLError) -> dict[str, Any]:
    """AppSync's entry for an error found before execution (HTTP 400)."""
    return {"path": None, "locations": _locations(error), "message": error.message}


def bad_request(message: str) -> GraphQLResponse:
    return GraphQLResponse(
        400, {"data": None, "errors": [{"path": None, "locations": None, "message": message}]}
    )


def envelope_value(response: Any) -> Any:
    """The field value from the handler's envelope, or the error it carries."""
    if isinstance(response, Mapping):
        error = response.get("error")
        if isinstance(error, Mapping):
            raise ResolverError(str(error.get("type")), str(error.get("message")))
        if "data" in response:
            return response["data"]
    raise ResolverError("Lambda:Unhandled", "The Lambda returned no {data} or {error} envelope")


def _timed_out() -> ResolverError:
    return ResolverError(TIMEOUT_ERROR_TYPE, TIMEOUT_MESSAGE)


def caller(auth: AuthContext) -> str:
    """Who called, for the dev log: auth mode and user name (never a credential)."""
    identity = auth.identity or {}
    who = (
        identity.get("username")
        or identity.get("cognitoIdentityId")
        or identity.get("userArn")
        or identity.get("sub")
        or "-"
    )
    return f"{auth.mode} {who}"


def _operations(document: DocumentNode | None, operation_name: Any) -> str:
    """`query listTodos` / `mutation createTodo` / `query listTodos x1000` for the dev log."""
    operation = get_operation_ast(document, operation_name) if document else None
    if operation is None:
        return "-"
    fields = Counter(
        s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)
    )
    names = " ".join(f"{n} x{c}" if c > 1 else n for n, c in fields.items())
    return f"{operation.operation.value} {names}".strip()


def _decision(response: GraphQLResponse) -> str:
    errors = response.body.get("errors") or []
    if response.status != 200:
        return "invalid"
    if any(e.get("errorType") == "Unauthorized" for e in errors):
        return "refused"
    if any(e.get("errorType") == TIMEOUT_ERROR_TYPE for e in errors):
        return "timed out"
    return "allowed" if not errors else "allowed, with errors"


def relationship_fields(schema: Schema) -> frozenset[tuple[str, str]]:
    """(model, field) of every relationship field: the fields AppSync resolves with BatchInvoke."""
    return frozenset(
        (model.name, field_name)
        for model in schema.models.values()
        for field_name in model.relationships
    )


class AuthDirectiveCheck:
    """graphql-core middleware: AppSync's per-field auth-mode check, before the field resolves.

    An object with `resolve`: graphql-core 3.3 takes plain functions or such objects as
    middleware and silently ignores anything else (a bound method among them).
    """

    def __init__(self, executable: ExecutableSchema) -> None:
        self.executable = executable

    def resolve(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **arguments: Any
    ) -> Any:
        context: RequestContext = info.context
        if not self.executable.admits(info.parent_type.name, info.field_name, context.auth.mode):
            raise ResolverError(
                "Unauthorized",
                f"Not Authorized to access {info.field_name} on type {info.parent_type.name}",
            )
        return next_(root, info, **arguments)


class GraphQLExecutor:
    def __init__(
        self,
        executable: ExecutableSchema,
        handler: Handler,
        limits: RequestLimits | None = None,
        functions: Mapping[str, Handler] | None = None,
        *,
        batched_fields: frozenset[tuple[str, str]] = frozenset(),
        max_batch_size: int = DEFAULT_MAX_BATCH_SIZE,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError("max_batch_size must be at least 1")
        self.executable = executable
        self.handler = handler
        # "Query.todoStats" -> the handler of the custom operation's function (local/functions.py)
        self.functions = dict(functions or {})
        self.limits = limits or RequestLimits()
        self.max_batch_size = max_batch_size
        self._auth_check = AuthDirectiveCheck(executable)
        # One event at a time, as one Lambda instance runs them (Powertools keeps per-invocation
        # state in module globals); HTTP parsing and auth checks still run in parallel.
        self._invocation = threading.Lock()
        # Told each successful mutation field's full result, in the order the Lambda ran them
        # (under the invocation lock): what subscriptions are served from (realtime.py).
        self.on_mutation_result: Callable[[str, Any], None] | None = None
        schema = executable.schema
        for root in (schema.query_type, schema.mutation_type):
            if root is not None:
                for root_field in root.fields.values():
                    root_field.resolve = self._resolve_root
        if schema.subscription_type is not None:
            for root_field in schema.subscription_type.fields.values():
                root_field.resolve = self._resolve_subscription
        for type_name, field_name in batched_fields:
            object_type = schema.get_type(type_name)
            fields = getattr(object_type, "fields", {})
            if field_name not in fields:
                raise ValueError(f"{type_name}.{field_name} is not a field of the SDL")
            fields[field_name].resolve = self._resolve_batched

    def _event(
        self, info: GraphQLResolveInfo[Any], arguments: Mapping[str, Any], source: Any = None
    ) -> dict[str, Any]:
        context: RequestContext = info.context
        return build_event(
            info,
            arguments,
            identity=context.auth.identity,
            headers=context.headers,
            variables=context.variables,
            source=source,
        )

    def _invoke(
        self,
        payload: Any,
        context: RequestContext,
        what: str,
        published_as: str | None = None,
        handler: Handler | None = None,
    ) -> Any:
        """Call the handler with one event or a batch of them, as the one Lambda instance; a
        mutation's result is published (`published_as`: its field) under the same lock, so
        subscribers see mutations in the order they ran."""
        remaining = context.deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out()
        try:
            if not self._invocation.acquire(timeout=min(remaining, threading.TIMEOUT_MAX)):
                raise _timed_out()
            try:
                context.results.lambda_calls += 1
                call = handler or self.handler
                response = call(payload, LambdaContextStub(deadline=context.deadline))
                if published_as is None or self.on_mutation_result is None:
                    return response
                value = envelope_value(response)
                self.on_mutation_result(published_as, value)
                return response
            finally:
                self._invocation.release()
        except ResolverError:
            raise
        except Exception as exc:  # the Lambda crashed: AppSync reports Lambda:Unhandled
            log.exception("handler raised for %s", what)
            raise ResolverError("Lambda:Unhandled", str(exc) or type(exc).__name__) from exc

    def _resolve_root(self, _root: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        context: RequestContext = info.context
        results = context.results
        path: ResponsePath = tuple(info.path.as_list())
        if path in results.done:  # resolved by an earlier pass
            return results.outcome(path)
        try:
            what = f"{info.parent_type.name}.{info.field_name}"
            function = self.functions.get(what)
            if function is not None:  # a custom operation: its function, with Amplify's event
                event = build_function_event(
                    info, arguments, identity=context.auth.identity, headers=context.headers
                )
                value = envelope_value(self._invoke(event, context, what, handler=function))
            else:
                event = self._event(info, arguments)
                mutation = info.parent_type.name == "Mutation"
                published_as = info.field_name if mutation else None
                value = results.record(path, self._invoke(event, context, what, published_as))
        except ResolverError as error:
            results.done[path] = error
            raise
        results.done[path] = value
        return value

    def _resolve_subscription(
        self, root: Any, info: GraphQLResolveInfo[Any], **arguments: Any
    ) -> Any:
        """At subscribe time (no root value) the Lambda decides `listen`, as for queries; at
        delivery the root value holds the mutation's result, as AppSync passes it on."""
        if isinstance(root, Mapping) and info.field_name in root:
            return root[info.field_name]
        return self._resolve_root(root, info, **arguments)

    def execute_operation(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        auth: AuthContext,
        headers: Mapping[str, str],
        root_value: Any = None,
        context: RequestContext | None = None,
    ) -> ExecutionResult:
        """Run a validated document once with AppSync's per-field auth-mode checks."""
        result = execute(
            self.executable.schema,
            document,
            root_value=root_value,
            context_value=context
            or RequestContext(auth=auth, headers=headers, variables=variables),
            variable_values=dict(variables),
            operation_name=operation_name,
            middleware=[self._auth_check],
        )
        assert isinstance(result, ExecutionResult)  # every resolver here is synchronous
        return result

    def _resolve_batched(self, source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        """A relationship field: its value once its batch ran; until then it is recorded for
        the batch and stands null in this pass (whose result is not the answer)."""
        context: RequestContext = info.context
        results = context.results
        path: ResponsePath = tuple(info.path.as_list())
        if path in results.done:
            return results.outcome(path)
        parent = dict(source) if isinstance(source, Mapping) else source
        results.pending.append(
            PendingField(
                path,
                (info.parent_type.name, info.field_name),
                self._event(info, arguments, parent),
            )
        )
        return None

    def _load_batches(self, pending: Sequence[PendingField], context: RequestContext) -> None:
        """Resolve `pending` fields: one handler call per field and `max_batch_size` parents."""
        by_field: dict[tuple[str, str], list[PendingField]] = {}
        for entry in pending:
            by_field.setdefault(entry.type_field, []).append(entry)
        done = context.results.done
        for (type_name, field_name), entries in by_field.items():
            for start in range(0, len(entries), self.max_batch_size):
                batch = entries[start : start + self.max_batch_size]
                try:
                    envelopes = self._invoke(
                        [e.event for e in batch], context, f"{type_name}.{field_name} (batch)"
                    )
                    if not isinstance(envelopes, list) or len(envelopes) != len(batch):
                        count = len(envelopes) if isinstance(envelopes, list) else "no list of"
                        raise ResolverError(
                            "Lambda:Unhandled",
                            f"The Lambda returned {count} results for a batch of {len(batch)}",
                        )
                except ResolverError as error:
                    for entry in batch:
                        done[entry.path] = error
                    continue
                for entry, envelope in zip(batch, envelopes, strict=True):
                    try:
                        done[entry.path] = context.results.record(entry.path, envelope)
                    except ResolverError as error:
                        done[entry.path] = error

    def run(self, payload: Any, auth: AuthContext, headers: Mapping[str, str]) -> GraphQLResponse:
        started = time.monotonic()
        document: list[DocumentNode] = []  # filled once parsed, for the log line
        results = FieldResults()
        response = self._run(payload, auth, headers, started, document, results)
        operation_name = payload.get("operationName") if isinstance(payload, Mapping) else None
        calls = results.lambda_calls
        request_log.info(
            "%s %s | %s | %s | %d | %.0f ms | %d Lambda call%s",
            "POST /graphql",
            _operations(document[0] if document else None, operation_name),
            caller(auth),
            _decision(response),
            response.status,
            (time.monotonic() - started) * 1000,
            calls,
            "" if calls == 1 else "s",
        )
        return response

    def _run(
        self,
        payload: Any,
        auth: AuthContext,
        headers: Mapping[str, str],
        started: float,
        parsed: list[DocumentNode],
        results: FieldResults,
    ) -> GraphQLResponse:
        if not isinstance(payload, Mapping):
            return bad_request("The request body must be a JSON object with a query")
        query = payload.get("query")
        variables = payload.get("variables") or {}
        operation_name = payload.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return bad_request("The request has no query")
        if len(query) > MAX_QUERY_CHARS:
            return bad_request(f"The query is longer than {MAX_QUERY_CHARS} characters")
        if not isinstance(variables, Mapping):
            return bad_request("variables must be a JSON object")
        if operation_name is not None and not isinstance(operation_name, str):
            return bad_request("operationName must be a string")
        try:
            document = without_repeats(parse(query))
        except GraphQLError as error:
            return GraphQLResponse(400, {"data": None, "errors": [request_error(error)]})
        parsed.append(document)
        errors = validate(self.executable.schema, document)
        if errors:
            entries = [request_error(e) | {"message": appsync_message(e, document)} for e in errors]
            return GraphQLResponse(400, {"data": None, "errors": entries})
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return bad_request("Unknown or ambiguous operation; give operationName")
        if operation.operation is OperationType.SUBSCRIPTION:
            return bad_request(
                "Subscriptions use AppSync's real-time WebSocket endpoint: "
                "wss://HOST:PORT/graphql/realtime"
            )
        limits = self.limits
        depth = query_depth(document, operation)
        if limits.query_depth_limit and depth > limits.query_depth_limit:
            return bad_request(
                f"The query is {depth} levels deep; the API's query depth limit is "
                f"{limits.query_depth_limit}"
            )
        resolvers = resolver_count(document, operation)
        resolver_limit = effective_resolver_count_limit(limits.resolver_count_limit)
        if resolvers > resolver_limit:
            return bad_request(
                f"The query invokes {resolvers} resolvers; the API's resolver count limit is "
                f"{resolver_limit}"
            )
        deadline = started + limits.timeout_seconds if limits.timeout_seconds else float("inf")
        context = RequestContext(
            auth=auth, headers=headers, variables=variables, deadline=deadline, results=results
        )
        while True:
            # Each pass reuses every result so far and reaches one more level of batched
            # fields; a pass that reaches none is the answer.
            result = self.execute_operation(
                document, operation_name, variables, auth, headers, context=context
            )
            pending, results.pending = results.pending, []
            if not pending:
                break
            self._load_batches(pending, context)
        response = self._response(result, results)
        return replace(response, mutation=operation.operation is OperationType.MUTATION)

    @staticmethod
    def _response(result: ExecutionResult, results: FieldResults) -> GraphQLResponse:
        errors = result.errors or []
        if result.data is None and errors and all(e.path is None for e in errors):
            # Variables that do not fit their types: rejected before any field ran.
            return GraphQLResponse(
                400, {"data": None, "errors": [request_error(e) for e in errors]}
            )
        body: dict[str, Any] = {"data": result.data}
        entries = [field_error(e) for e in errors] + appended_errors(results.appended)
        if entries:
            body["errors"] = entries
        return GraphQLResponse(200, body)

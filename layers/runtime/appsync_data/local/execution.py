"""One GraphQL request as AppSync runs it: parse, validate, check auth directives per field, call
the data Lambda's handler for each root field (a custom operation's: its function's handler, with
the event Amplify hands a function), and shape the answer and errors like AppSync.

- request errors (syntax, validation, variables): HTTP 400, `data: null`, `errors` without `path`;
- a field the caller's auth mode may not read: that field is null with an `Unauthorized` error;
- the handler's `{"error": {type, message}}` envelope: the field is null with that error, which is
  what the deployed API's APPSYNC_JS function makes of it with `util.error(message, type)`;
- AppSync's limits (`RequestLimits`): past the request's time limit (30 s) the fields not yet
  resolved are null with an `ExecutionTimeout` error; a query deeper than the depth limit, or
  invoking more resolvers than the resolver count limit, is refused before any field runs.

Each request leaves one line in the dev log (logger `appsync_data.local.requests`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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

from appsync_data.events import LambdaContextStub
from appsync_data.local.authn import AuthContext
from appsync_data.local.events import build_event, build_function_event
from appsync_data.local.graphql_schema import ExecutableSchema
from appsync_data.local.limits import (
    effective_resolver_count_limit,
    query_depth,
    resolver_count,
    without_repeats,
)

log = logging.getLogger(__name__)
request_log = logging.getLogger("appsync_data.local.requests")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
MAX_QUERY_CHARS = 64 * 1024  # bounds parsing work (AppSync caps query depth and size as well)
APPSYNC_REQUEST_TIMEOUT_SECONDS = 30.0
TIMEOUT_ERROR_TYPE = "ExecutionTimeout"
TIMEOUT_MESSAGE = "Execution timed out."


@dataclass(frozen=True)
class RequestLimits:
    """AppSync's limits per request; 0 turns the time and depth limits off."""

    timeout_seconds: float = APPSYNC_REQUEST_TIMEOUT_SECONDS
    query_depth_limit: int = 0  # AppSync's QueryDepthLimit: 0 = none
    resolver_count_limit: int = 0  # AppSync's ResolverCountLimit: 0 = its default, 10000


class ResolverError(Exception):
    """A field error with AppSync's `errorType`."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class RequestContext:
    auth: AuthContext
    headers: Mapping[str, str]
    variables: Mapping[str, Any]
    deadline: float = float("inf")  # time.monotonic() past which no resolver starts


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


class GraphQLExecutor:
    def __init__(
        self,
        executable: ExecutableSchema,
        handler: Handler,
        limits: RequestLimits | None = None,
        functions: Mapping[str, Handler] | None = None,
    ) -> None:
        self.executable = executable
        self.handler = handler
        # "Query.todoStats" -> the handler of the custom operation's function (local/functions.py)
        self.functions = dict(functions or {})
        self.limits = limits or RequestLimits()
        # One event at a time, as one Lambda instance runs them (Powertools keeps per-invocation
        # state in module globals); HTTP parsing and auth checks still run in parallel.
        self._invocation = threading.Lock()
        schema = executable.schema
        for root in (schema.query_type, schema.mutation_type):
            if root is not None:
                for root_field in root.fields.values():
                    root_field.resolve = self._resolve_root

    def _resolve_root(self, _root: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        context: RequestContext = info.context
        handler = self.functions.get(f"{info.parent_type.name}.{info.field_name}")
        if handler is not None:
            event = build_function_event(
                info, arguments, identity=context.auth.identity, headers=context.headers
            )
        else:
            handler = self.handler
            event = build_event(
                info,
                arguments,
                identity=context.auth.identity,
                headers=context.headers,
                variables=context.variables,
            )
        remaining = context.deadline - time.monotonic()
        if remaining <= 0:
            raise _timed_out()
        try:
            if not self._invocation.acquire(timeout=min(remaining, threading.TIMEOUT_MAX)):
                raise _timed_out()
            try:
                response = handler(event, LambdaContextStub(deadline=context.deadline))
            finally:
                self._invocation.release()
        except ResolverError:
            raise
        except Exception as exc:  # the Lambda crashed: AppSync reports Lambda:Unhandled
            log.exception("handler raised for %s.%s", info.parent_type.name, info.field_name)
            raise ResolverError("Lambda:Unhandled", str(exc) or type(exc).__name__) from exc
        return envelope_value(response)

    def _check_directives(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **arguments: Any
    ) -> Any:
        """graphql-core middleware: AppSync's per-field auth-mode check."""
        context: RequestContext = info.context
        if not self.executable.admits(info.parent_type.name, info.field_name, context.auth.mode):
            raise ResolverError(
                "Unauthorized",
                f"Not Authorized to access {info.field_name} on type {info.parent_type.name}",
            )
        return next_(root, info, **arguments)

    def run(self, payload: Any, auth: AuthContext, headers: Mapping[str, str]) -> GraphQLResponse:
        started = time.monotonic()
        document: list[DocumentNode] = []  # filled once parsed, for the log line
        response = self._run(payload, auth, headers, started, document)
        operation_name = payload.get("operationName") if isinstance(payload, Mapping) else None
        request_log.info(
            "%s %s | %s | %s | %d | %.0f ms",
            "POST /graphql",
            _operations(document[0] if document else None, operation_name),
            caller(auth),
            _decision(response),
            response.status,
            (time.monotonic() - started) * 1000,
        )
        return response

    def _run(
        self,
        payload: Any,
        auth: AuthContext,
        headers: Mapping[str, str],
        started: float,
        parsed: list[DocumentNode],
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
            return GraphQLResponse(
                400, {"data": None, "errors": [request_error(e) for e in errors]}
            )
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return bad_request("Unknown or ambiguous operation; give operationName")
        if operation.operation is OperationType.SUBSCRIPTION:
            return bad_request(
                "Subscriptions use AppSync's real-time WebSocket endpoint, "
                "which the local server does not serve"
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
        result = execute(
            self.executable.schema,
            document,
            context_value=RequestContext(
                auth=auth, headers=headers, variables=variables, deadline=deadline
            ),
            variable_values=dict(variables),
            operation_name=operation_name,
            middleware=[self._check_directives],
        )
        assert isinstance(result, ExecutionResult)  # every resolver here is synchronous
        response = self._response(result)
        return replace(response, mutation=operation.operation is OperationType.MUTATION)

    @staticmethod
    def _response(result: ExecutionResult) -> GraphQLResponse:
        errors = result.errors or []
        if result.data is None and errors and all(e.path is None for e in errors):
            # Variables that do not fit their types: rejected before any field ran.
            return GraphQLResponse(
                400, {"data": None, "errors": [request_error(e) for e in errors]}
            )
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = [field_error(e) for e in errors]
        return GraphQLResponse(200, body)

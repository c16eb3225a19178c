"""The data resolver: routes AppSync fields to the model stores, deciding every call first.

One request top-down: `DataApi.handle(event)` -> Powertools routes `Type.field` to the model's
operation -> `caller_from_identity` -> `decide` (refusals stop here, before any DynamoDB request)
-> one `ModelStore` call -> `{"data": ...}`, or `{"error": {...}}` for the APPSYNC_JS function.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler.appsync import AppSyncResolver
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from appsync_data.auth import caller_from_identity, decide
from appsync_data.config import Settings
from appsync_data.errors import DataError, InternalFailure, Unauthorized
from appsync_data.schema import Model, Operation, Schema
from appsync_data.store import ModelStore, shared_connection

_SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "appsync-data"


def _message_as_is(message: Any) -> Any:
    # Powertools tries to parse every string message as JSON (an exception per line); ours are
    # fixed words, never JSON documents.
    return message


logger = Logger(service=_SERVICE, json_deserializer=_message_as_is)
tracer = Tracer(service=_SERVICE, patch_modules=["botocore"])
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "AppSyncData")

# GraphQL root type and field name of each operation, as Amplify names them.
_ROUTES: dict[Operation, tuple[str, Callable[[Model], str]]] = {
    "get": ("Query", lambda m: f"get{m.name}"),
    "list": ("Query", lambda m: f"list{m.plural_name}"),
    "create": ("Mutation", lambda m: f"create{m.name}"),
    "update": ("Mutation", lambda m: f"update{m.name}"),
    "delete": ("Mutation", lambda m: f"delete{m.name}"),
}


def _before_snapshot(hook: Callable[[], None]) -> None:
    """Run `hook` before Lambda takes a SnapStart snapshot. `snapshot_restore_py` ships with
    Lambda's Python runtimes (3.12+); elsewhere there is no snapshot and nothing to do."""
    try:
        from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
    except ImportError:
        return
    register_before_snapshot(hook)


class DataApi:
    """Serves getX/listXs/createX/updateX/deleteX for every model of `schema`."""

    def __init__(self, schema: Schema, settings: Settings | None = None) -> None:
        self.schema = schema
        self.settings = settings or Settings.from_env(tuple(schema.models))
        token_secret = self.settings.next_token_secret
        if not token_secret:
            logger.warning(
                "NEXT_TOKEN_SECRET is not set: nextTokens are valid in this process only"
            )
            token_secret = secrets.token_bytes(32)
        # One botocore client for every table, created now: Lambda runs init at full CPU, and
        # SnapStart keeps it in the snapshot, instead of the first request paying for it.
        self.connection = shared_connection(self.settings)
        self.stores = {
            name: ModelStore(
                model,
                self.settings,
                enums=schema.enums,
                token_secret=token_secret,
                connection=self.connection,
            )
            for name, model in schema.models.items()
        }
        self.connection.client  # noqa: B018 - creating the client is the point
        _before_snapshot(self.warm)
        self.resolver = AppSyncResolver()  # type: ignore[no-untyped-call]
        for model in schema.models.values():
            for operation, (type_name, field_name) in _ROUTES.items():
                self._route(model, operation, type_name, field_name(model))
            for event_name in ("Create", "Update", "Delete"):  # subscribe time: decide `listen`
                self._route(model, "listen", "Subscription", f"on{event_name}{model.name}")
        self.resolver.exception_handler(DataError)(self._refuse)
        self.resolver.exception_handler(Exception)(self._fail)
        # The Lambda handler: logging context and metrics flush around `_handle`. Tracing is one
        # subsegment per operation (in `_run`) plus botocore's: no handler-wide subsegment, whose
        # cost per request (and copy of each response into X-Ray) bought nothing more.
        self.handle: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            logger.inject_lambda_context(clear_state=True)(metrics.log_metrics(self._handle))
        )

    def warm(self) -> None:
        """Build now what botocore builds on the first request of each kind (its operation
        models), so that a SnapStart snapshot holds them; no request is sent."""
        service = self.connection.client.meta.service_model
        for name in ("GetItem", "Scan", "PutItem", "UpdateItem", "DeleteItem"):
            service.operation_model(name)

    def _route(self, model: Model, operation: Operation, type_name: str, field_name: str) -> None:
        def resolve(**arguments: Any) -> dict[str, Any]:
            return self._run(model, operation, type_name, field_name, arguments)

        self.resolver.resolver(type_name=type_name, field_name=field_name)(resolve)

    def _run(
        self,
        model: Model,
        operation: Operation,
        type_name: str,
        field_name: str,
        arguments: dict[str, Any],
    ) -> dict[str, Any]:
        event = self.resolver.current_event
        identity = event.raw_event.get("identity") if event is not None else None
        caller = caller_from_identity(identity, self.settings)
        decision = decide(model.rules, operation, caller, self.settings)
        logger.append_keys(
            model=model.name,
            operation=operation,
            caller_kind=caller.kind.value,
            caller_sub=caller.sub,
            decision="allow" if decision.allowed else "deny",
        )
        metrics.add_dimension(name="model", value=model.name)
        metrics.add_dimension(name="operation", value=operation)
        with tracer.provider.in_subsegment(f"## {operation} {model.name}") as subsegment:
            subsegment.put_annotation("model", model.name)
            subsegment.put_annotation("operation", operation)
            subsegment.put_annotation("decision", "allow" if decision.allowed else "deny")
            if not decision.allowed:
                logger.info("refused", extra={"reason": decision.reason})
                metrics.add_metric(name="Refused", unit=MetricUnit.Count, value=1)
                raise Unauthorized.for_field(type_name, field_name)
            metrics.add_metric(name="Allowed", unit=MetricUnit.Count, value=1)
            # `listen` returns null, as Amplify's subscription resolvers: AppSync then delivers
            # each mutation's result to the subscribers.
            result = (
                None
                if operation == "listen"
                else getattr(self.stores[model.name], operation)(arguments)
            )
        logger.info("done")
        return {"data": result}

    def _refuse(self, error: DataError) -> dict[str, Any]:
        if not isinstance(error, Unauthorized):
            logger.info("failed", extra={"error_type": error.error_type})
            metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        return error.to_response()

    def _fail(self, error: Exception) -> dict[str, Any]:
        # The stack trace goes to the log (never the client), keyed by the request id.
        logger.exception("unexpected error")
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        request_id = getattr(self.resolver.lambda_context, "aws_request_id", None)
        message = "An internal error occurred"
        if request_id:
            message += f" (request id {request_id})"
        return InternalFailure(message).to_response()

    def _handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """One AppSync field resolution per event."""
        logger.set_correlation_id(_trace_id_header(event))
        if not isinstance(event, dict) or not isinstance(event.get("arguments", {}), dict):
            return InternalFailure("The event is not an AppSync resolver event").to_response()
        event.setdefault("arguments", {})
        response: dict[str, Any] = self.resolver.resolve(event, context)
        return response


def _trace_id_header(event: Any) -> str | None:
    """The correlation id: AppSync's `x-amzn-trace-id` request header (Powertools'
    `correlation_paths.APPSYNC_RESOLVER`, read directly rather than by a JMESPath query)."""
    request = event.get("request") if isinstance(event, dict) else None
    headers = request.get("headers") if isinstance(request, dict) else None
    value = headers.get("x-amzn-trace-id") if isinstance(headers, dict) else None
    return value if isinstance(value, str) else None

"""The data resolver: routes AppSync fields to the model stores, deciding every call first.

One request top-down: `DataApi.handle(event)` -> the `Type.field` registry gives the field's
`FieldOperation` -> `caller_from_identity(event["identity"])` -> `decide` (refusals stop here,
before any DynamoDB request) -> `ArgumentReader` turns the arguments into a typed request -> one
`ModelStore` call -> `{"data": ...}`, or `{"error": {...}}` for the APPSYNC_JS function. Log keys,
metrics and the X-Ray subsegment of one call are recorded by `_recorded`, whatever its outcome.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from appsync_data.auth import Caller, Decision, caller_from_identity, decide
from appsync_data.config import Settings
from appsync_data.errors import DataError, InternalFailure, InvalidArguments, Unauthorized
from appsync_data.naming import ApiNames, api_names, root_type
from appsync_data.requests import ArgumentReader
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


def _before_snapshot(hook: Callable[[], None]) -> None:
    """Run `hook` before Lambda takes a SnapStart snapshot. `snapshot_restore_py` ships with
    Lambda's Python runtimes (3.12+); elsewhere there is no snapshot and nothing to do."""
    try:
        from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
    except ImportError:
        return
    register_before_snapshot(hook)


@dataclass(frozen=True)
class FieldOperation:
    """What one `Type.field` runs: the model's operation, its argument reader and store method."""

    model: Model
    operation: Operation
    type_name: str
    field_name: str
    read: Callable[[Mapping[str, Any]], Any]  # GraphQL arguments -> a typed request
    run: Callable[[Any], Any]  # the typed request -> the result (one DynamoDB request)


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
        self.stores: dict[str, ModelStore] = {}
        # "Type.field" -> what it runs: the one registry of the fields this API serves.
        self.fields: dict[str, FieldOperation] = {}
        for name, model in schema.models.items():
            store = ModelStore(
                model, self.settings, connection=self.connection, token_secret=token_secret
            )
            reader = ArgumentReader(
                model,
                store.attributes,
                enums=schema.enums,
                token_secret=token_secret,
                token_scope=store.token_scope,
            )
            self.stores[name] = store
            names = api_names(model)
            self._register(model, "get", names, reader.get, store.get)
            self._register(model, "list", names, reader.list, store.list)
            self._register(model, "create", names, reader.create, store.create)
            self._register(model, "update", names, reader.update, store.update)
            self._register(model, "delete", names, reader.delete, store.delete)
        self.connection.client  # noqa: B018 - creating the client is the point
        _before_snapshot(self.warm)
        for model in schema.models.values():
            # Subscribe time: decide `listen` and answer null, as Amplify's subscription
            # resolvers do; AppSync then delivers each mutation's result to the subscribers.
            for field_name in api_names(model).subscriptions():
                self.fields[f"Subscription.{field_name}"] = FieldOperation(
                    model, "listen", "Subscription", field_name, _no_request, _no_result
                )
        # The Lambda handler: logging context and metrics flush around `_handle`. Tracing is one
        # subsegment per operation (in `_recorded`) plus botocore's: no handler-wide subsegment,
        # whose cost per request (and copy of each response into X-Ray) bought nothing more.
        self.handle: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            logger.inject_lambda_context(clear_state=True)(metrics.log_metrics(self._handle))
        )

    def warm(self) -> None:
        """Build now what botocore builds on the first request of each kind (its operation
        models), so that a SnapStart snapshot holds them; no request is sent."""
        service = self.connection.client.meta.service_model
        for name in ("GetItem", "Scan", "PutItem", "UpdateItem", "DeleteItem"):
            service.operation_model(name)

    def _register(
        self,
        model: Model,
        operation: Operation,
        names: ApiNames,
        read: Callable[[Mapping[str, Any]], Any],
        run: Callable[[Any], Any],
    ) -> None:
        type_name, field_name = root_type(operation), names.field(operation)
        self.fields[f"{type_name}.{field_name}"] = FieldOperation(
            model, operation, type_name, field_name, read, run
        )

    def _handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """One AppSync field resolution per event."""
        logger.set_correlation_id(_trace_id_header(event))
        if not isinstance(event, dict) or not isinstance(event.get("arguments", {}), dict):
            return InternalFailure("The event is not an AppSync resolver event").to_response()
        info = event.get("info")
        type_name = info.get("parentTypeName") if isinstance(info, dict) else None
        field_name = info.get("fieldName") if isinstance(info, dict) else None
        if not isinstance(type_name, str) or not isinstance(field_name, str):
            return InvalidArguments(
                "The event names no field (info.parentTypeName and info.fieldName)"
            ).to_response()
        field = self.fields.get(f"{type_name}.{field_name}")
        if field is None:
            logger.info("unknown field", extra={"field": f"{type_name}.{field_name}"})
            return InvalidArguments(
                f"{type_name}.{field_name} is not a field this API serves"
            ).to_response()
        return self._call(field, event.get("arguments") or {}, event.get("identity"), context)

    def _call(
        self,
        field: FieldOperation,
        arguments: Mapping[str, Any],
        identity: Any,
        context: LambdaContext,
    ) -> dict[str, Any]:
        """Decide, then read the arguments and run the store operation: one field, recorded."""
        try:
            caller = caller_from_identity(identity, self.settings)
            decision = decide(field.model.rules, field.operation, caller, self.settings)
        except Exception:  # a bug, never the caller's input: logged like any other failure
            logger.exception("unexpected error")
            metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
            return _internal_failure(context)
        try:
            with _recorded(field, caller, decision):
                if not decision.allowed:
                    raise Unauthorized.for_field(field.type_name, field.field_name)
                result = field.run(field.read(arguments))
        except DataError as error:
            return error.to_response()
        except Exception:  # recorded (with its stack trace) by `_recorded`
            return _internal_failure(context)
        return {"data": result}


def _no_request(arguments: Mapping[str, Any]) -> None:
    return None


def _no_result(request: None) -> None:
    return None


def _internal_failure(context: LambdaContext) -> dict[str, Any]:
    """What the client sees of an unexpected error: no detail, the request id to look it up."""
    message = "An internal error occurred"
    request_id = getattr(context, "aws_request_id", None)
    if request_id:
        message += f" (request id {request_id})"
    return InternalFailure(message).to_response()


def _recorded(
    field: FieldOperation, caller: Caller, decision: Decision
) -> AbstractContextManager[None]:
    """`recorded_call` of a model operation: keys `model` and `operation`."""
    model, operation = field.model.name, field.operation
    labels = {"model": model, "operation": operation}
    return recorded_call(labels, f"## {operation} {model}", caller, decision)


@contextmanager
def recorded_call(
    labels: Mapping[str, str], segment: str, caller: Caller, decision: Decision
) -> Iterator[None]:
    """Log keys, metrics and the X-Ray subsegment of one call, for every outcome: allowed and
    done, refused, failed with an error the client sees, failed unexpectedly. `labels` name the
    call (log keys, metric dimensions, trace annotations); shared with functions.py."""
    verdict = "allow" if decision.allowed else "deny"
    logger.append_keys(
        **labels,
        caller_kind=caller.kind.value,
        caller_sub=caller.sub,
        decision=verdict,
    )
    for name, value in labels.items():
        metrics.add_dimension(name=name, value=value)
    if decision.allowed:
        metrics.add_metric(name="Allowed", unit=MetricUnit.Count, value=1)
    try:
        with tracer.provider.in_subsegment(segment) as subsegment:
            for name, value in labels.items():
                subsegment.put_annotation(name, value)
            subsegment.put_annotation("decision", verdict)
            yield
    except Unauthorized:
        logger.info("refused", extra={"reason": decision.reason})
        metrics.add_metric(name="Refused", unit=MetricUnit.Count, value=1)
        raise
    except DataError as error:
        logger.info("failed", extra={"error_type": error.error_type})
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        raise
    except Exception:
        # The stack trace goes to the log (never the client), keyed by the request id.
        logger.exception("unexpected error")
        metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        raise
    logger.info("done")


def _trace_id_header(event: Any) -> str | None:
    """The correlation id: AppSync's `x-amzn-trace-id` request header (Powertools'
    `correlation_paths.APPSYNC_RESOLVER`, read directly rather than by a JMESPath query)."""
    request = event.get("request") if isinstance(event, dict) else None
    headers = request.get("headers") if isinstance(request, dict) else None
    value = headers.get("x-amzn-trace-id") if isinstance(headers, dict) else None
    return value if isinstance(value, str) else None

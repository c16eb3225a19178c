"""The data resolver: routes AppSync fields to the model stores, deciding every call first.

One request top-down: `DataApi.handle(event)` checks that the event names a field this API serves
(the `Type.field` registry, or a resolver the user added to `DataApi.resolver`) -> Powertools'
`AppSyncResolver` routes it to the field's adapter, which reads the event's `identity` and hands
it to `_call` -> `caller_from_identity` -> `decide` (refusals stop here, before any DynamoDB
request) -> `access_for` (the decision's scope and the field-level decisions) -> `ArgumentReader`
turns the arguments into a typed request -> one `ScopedStore` call, the scope inside the DynamoDB
request (`ModelStore`) -> `{"data": ...}` with the fields the caller may not read null and listed in
`fieldErrors`, or `{"error": {...}}`, for the APPSYNC_JS function; a subscribe answers
`{"data": null}`, with the scoped subscriber's `authFilter`.

Relationship fields (`Post.comments`) arrive batched (AppSync `BatchInvoke`: a list of events,
one per parent item) and go to Powertools' `batch_resolver`: each is decided under the *related*
model's read rules, then `RelationshipResolver` resolves the whole batch; the answer is a list of
envelopes in the events' order. Log keys, metrics and the X-Ray subsegment of one call (or one
batch) are recorded by `_recorded`, whatever its outcome.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from appsync_data.access import (
    Access,
    access_for,
    auth_filter,
    redacted_result,
    refused_create_fields,
    refused_update_fields,
    subscription_scope,
    written_field_scopes,
)
from appsync_data.auth import Caller, Decision, authorize_create, caller_from_identity, decide
from appsync_data.config import Settings
from appsync_data.errors import (
    DataError,
    InternalFailure,
    InvalidArguments,
    OutOfScope,
    Unauthorized,
)
from appsync_data.naming import api_names, root_type
from appsync_data.relationships import (
    Envelope,
    RelationshipField,
    RelationshipResolver,
    relationship_fields,
)
from appsync_data.requests import (
    ArgumentReader,
    CreateRequest,
    DeleteRequest,
    GetRequest,
    ListRequest,
    UpdateRequest,
)
from appsync_data.schema import Model, Operation, Schema
from appsync_data.store import ModelStore, shared_connection
from appsync_data.tables import IndexLayout, table_layouts

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


Reader = Callable[[Mapping[str, Any]], Any]  # GraphQL arguments -> a typed request
# The typed request and the caller's access -> the result (one DynamoDB request).
Runner = Callable[[Any, Access], Any]


@dataclass(frozen=True)
class FieldOperation:
    """What one `Type.field` runs: the model's operation, its argument reader and store method."""

    model: Model
    operation: Operation
    type_name: str
    field_name: str
    read: Reader  # GraphQL arguments -> a typed request
    run: Runner  # the typed request, the caller's access -> the result (one DynamoDB request)


class DataApi:
    """Serves getX/listXs/createX/updateX/deleteX, the index queries and the relationship fields
    of every model of `schema`. `resolver` is the Powertools `AppSyncResolver` that routes them:
    add your own fields with its `@resolver` / `@batch_resolver` decorators."""

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
        self.resolver = AppSyncResolver()  # type: ignore[no-untyped-call]
        self.stores: dict[str, ModelStore] = {}
        readers: dict[str, ArgumentReader] = {}
        # "Type.field" -> what it runs: the fields this API serves (the router holds the same).
        self.fields: dict[str, FieldOperation] = {}
        self.relationship_fields: dict[str, RelationshipField] = {}
        layouts = table_layouts(schema)
        for name, model in schema.models.items():
            layout = layouts[name]
            store = ModelStore(
                model,
                self.settings,
                connection=self.connection,
                token_secret=token_secret,
                layout=layout,
            )
            reader = ArgumentReader(
                model,
                store.attributes,
                enums=schema.enums,
                token_secret=token_secret,
                token_scope=store.token_scope,
                layout=layout,
            )
            self.stores[name], readers[name] = store, reader
            names = api_names(model)
            scoped = ScopedStore(model, store)
            operations: tuple[tuple[Operation, Reader, Runner], ...] = (
                ("get", reader.get, scoped.get),
                ("list", reader.list, scoped.list),
                ("create", reader.create, scoped.create),
                ("update", reader.update, scoped.update),
                ("delete", reader.delete, scoped.delete),
            )
            for operation, read, run in operations:
                field_name = names.field(operation)
                self._register(model, operation, root_type(operation), field_name, read, run)
            for index in layout.indexes:
                if index.query_field is not None:
                    read_index = _index_reader(reader, index)
                    self._register(
                        model, "list", "Query", index.query_field, read_index, scoped.list
                    )
        self.relationships = RelationshipResolver(schema, self.stores, readers)
        for relationship in relationship_fields(schema):
            self._register_relationship(relationship)
        self.connection.client  # noqa: B018 - creating the client is the point
        _before_snapshot(self.warm)
        for model in schema.models.values():
            # Subscribe time: decide `listen` and answer null, as Amplify's subscription
            # resolvers do; AppSync then delivers each mutation's result to the subscribers.
            for field_name in api_names(model).subscriptions():
                self._register(model, "listen", "Subscription", field_name, dict, _listen)
        # The Lambda handler: logging context and metrics flush around `_handle`. Tracing is one
        # subsegment per operation (in `_recorded`) plus botocore's: no handler-wide subsegment,
        # whose cost per request (and copy of each response into X-Ray) bought nothing more.
        self.handle: Callable[[Any, LambdaContext], Any] = logger.inject_lambda_context(
            clear_state=True
        )(metrics.log_metrics(self._handle))

    def warm(self) -> None:
        """Build now what botocore builds on the first request of each kind (its operation
        models), so that a SnapStart snapshot holds them; no request is sent."""
        service = self.connection.client.meta.service_model
        for name in ("GetItem", "Scan", "Query", "BatchGetItem", "PutItem", "UpdateItem"):
            service.operation_model(name)
        service.operation_model("DeleteItem")

    # --- registration ---------------------------------------------------------------------------

    def _register(
        self,
        model: Model,
        operation: Operation,
        type_name: str,
        field_name: str,
        read: Reader,
        run: Runner,
    ) -> None:
        field = FieldOperation(model, operation, type_name, field_name, read, run)
        self.fields[f"{type_name}.{field_name}"] = field

        def resolve(**arguments: Any) -> dict[str, Any]:
            # The adapter at the boundary: Powertools holds the event; its identity is read here,
            # once, and passed on explicitly.
            event = self.resolver.current_event
            identity = event.raw_event.get("identity") if event is not None else None
            return self._call(field, arguments, identity, _context(self))

        self.resolver.resolver(type_name=type_name, field_name=field_name)(resolve)

    def _register_relationship(self, relationship: RelationshipField) -> None:
        type_name, field_name = relationship.parent.name, relationship.field_name
        self.relationship_fields[f"{type_name}.{field_name}"] = relationship

        def resolve_batch(event: list[AppSyncResolverEvent]) -> list[Envelope]:
            raw_events = [e.raw_event for e in event]
            return self._call_batch(relationship, raw_events, _context(self))

        # aggregate: the whole batch in one call (one BatchGetItem for belongsTo).
        self.resolver.batch_resolver(type_name=type_name, field_name=field_name, aggregate=True)(
            resolve_batch
        )

    # --- the handler ----------------------------------------------------------------------------

    def _handle(self, event: Any, context: LambdaContext) -> Any:
        """One AppSync field resolution per event; a list of events (BatchInvoke) gets a list of
        envelopes in the same order."""
        logger.set_correlation_id(_trace_id_header(event[0] if _is_batch(event) else event))
        if isinstance(event, list):
            return self._handle_batch(event, context)
        failure, type_name, field_name = _field_of(event)
        if failure is not None:
            return failure.to_response()
        key = f"{type_name}.{field_name}"
        if key in self.relationship_fields:  # sent one at a time (no BatchInvoke)
            return self._call_batch(self.relationship_fields[key], [event], context)[0]
        if key in self.fields:
            return self.resolver.resolve(event, context)
        if self._user_resolver(type_name, field_name, batch=False):
            return self._user_call(lambda: self.resolver.resolve(event, context), context)
        logger.info("unknown field", extra={"field": key})
        return InvalidArguments(f"{key} is not a field this API serves").to_response()

    def _handle_batch(self, events: list[Any], context: LambdaContext) -> list[Any]:
        if not events:
            return []
        named = [_field_of(e) for e in events]
        fields = {
            (type_name, field_name) if failure is None else None
            for failure, type_name, field_name in named
        }
        if len(fields) != 1 or None in fields:
            failure = InvalidArguments("A batch must hold events of one field")
            return [failure.to_response() for _ in events]
        ((type_name, field_name),) = fields  # type: ignore[misc]
        key = f"{type_name}.{field_name}"
        if key in self.relationship_fields:
            return self.resolver.resolve(events, context)  # type: ignore[no-any-return]
        if self._user_resolver(type_name, field_name, batch=True):
            results = self._user_call(lambda: self.resolver.resolve(events, context), context)
            if "error" in results:
                return [results for _ in events]
            return [{"data": r} for r in results["data"]]
        if key in self.fields:  # a root field sent batched: each event on its own
            return [self.resolver.resolve(e, context) for e in events]
        logger.info("unknown field", extra={"field": key})
        unknown = InvalidArguments(f"{key} is not a field this API serves")
        return [unknown.to_response() for _ in events]

    def _user_resolver(self, type_name: str, field_name: str, *, batch: bool) -> bool:
        """Whether a resolver added on `self.resolver` serves the field (Powertools' registry)."""
        registries = (
            (self.resolver._batch_resolver_registry, self.resolver._async_batch_resolver_registry)
            if batch
            else (self.resolver._resolver_registry,)
        )
        return any(r.find_resolver(type_name, field_name) for r in registries)

    def _user_call(self, run: Callable[[], Any], context: LambdaContext) -> dict[str, Any]:
        """A user's resolver, answered in the same envelope as ours."""
        try:
            return {"data": run()}
        except DataError as error:
            return error.to_response()
        except Exception:
            logger.exception("unexpected error")
            metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
            return _internal_failure(context)

    # --- one field, one batch -------------------------------------------------------------------

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
            with _recorded(field.model.name, field.operation, caller, decision):
                if not decision.allowed:
                    raise Unauthorized.for_field(field.type_name, field.field_name)
                access = access_for(
                    field.model,
                    field.operation,
                    caller,
                    self.settings,
                    decision,
                    field.type_name,
                    field.field_name,
                )
                try:
                    result = field.run(field.read(arguments), access)
                except OutOfScope as refusal:
                    raise refusal.unauthorized(field.type_name, field.field_name) from None
        except DataError as error:
            return error.to_response()
        except Exception:  # recorded (with its stack trace) by `_recorded`
            return _internal_failure(context)
        if isinstance(result, Subscribed):
            return result.envelope()
        return _redacted_envelope(access, {"data": result}, field.field_name)

    def _call_batch(
        self,
        relationship: RelationshipField,
        events: Sequence[Mapping[str, Any]],
        context: LambdaContext,
    ) -> list[Envelope]:
        """A relationship field for a batch of parents, decided under the related model's read
        rules per caller (a batch comes from one request: one caller, in practice)."""
        results: list[Envelope | None] = [None] * len(events)
        by_caller: dict[str, list[int]] = {}
        for position, event in enumerate(events):
            by_caller.setdefault(_identity_key(event.get("identity")), []).append(position)
        related, operation = relationship.related, relationship.operation
        for positions in by_caller.values():
            identity = events[positions[0]].get("identity")
            try:
                caller = caller_from_identity(identity, self.settings)
                decision = decide(related.rules, operation, caller, self.settings)
            except Exception:
                logger.exception("unexpected error")
                metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
                for position in positions:
                    results[position] = _internal_failure(context)
                continue
            calls = [(events[p].get("source"), events[p].get("arguments") or {}) for p in positions]
            type_name, field_name = relationship.parent.name, relationship.field_name
            try:
                with _recorded(related.name, operation, caller, decision):
                    if not decision.allowed:
                        raise Unauthorized.for_field(type_name, field_name)
                    access = access_for(
                        related, operation, caller, self.settings, decision, type_name, field_name
                    )
                    resolved = self.relationships.resolve(relationship, calls, access.scope)
                    envelopes = [_redacted_envelope(access, e, field_name) for e in resolved]
            except DataError as error:
                envelopes = [error.to_response() for _ in positions]
            except Exception:  # recorded (with its stack trace) by `_recorded`
                envelopes = [_internal_failure(context) for _ in positions]
            for position, envelope in zip(positions, envelopes, strict=True):
                results[position] = envelope
        return [r if r is not None else {"data": None} for r in results]


def _redacted_envelope(access: Access, envelope: Envelope, field_name: str) -> Envelope:
    """`{"data": ...}` with the fields the caller may not read null, and `fieldErrors` (one
    `{path, type, message}` each) beside it; an error envelope as it is."""
    if "data" not in envelope:
        return envelope
    data, field_errors = redacted_result(access, envelope["data"], [field_name])
    if not field_errors:
        return envelope
    return {"data": data, "fieldErrors": field_errors}


def _index_reader(reader: ArgumentReader, index: IndexLayout) -> Reader:
    return lambda arguments: reader.index_query(index, arguments)


def _context(api: DataApi) -> LambdaContext:
    return api.resolver.lambda_context  # type: ignore[return-value] # set by resolve()


def _is_batch(event: Any) -> bool:
    return isinstance(event, list) and bool(event)


def _identity_key(identity: Any) -> str:
    try:
        return json.dumps(identity, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(identity)


def _field_of(event: Any) -> tuple[DataError | None, str, str]:
    """(failure, type name, field name) of an event: the failure when it names no field."""
    if not isinstance(event, dict) or not isinstance(event.get("arguments", {}), dict):
        return InternalFailure("The event is not an AppSync resolver event"), "", ""
    if event.get("arguments") is None:
        event["arguments"] = {}
    info = event.get("info")
    type_name = info.get("parentTypeName") if isinstance(info, dict) else None
    field_name = info.get("fieldName") if isinstance(info, dict) else None
    if not isinstance(type_name, str) or not isinstance(field_name, str):
        return (
            InvalidArguments("The event names no field (info.parentTypeName and info.fieldName)"),
            "",
            "",
        )
    return None, type_name, field_name


class ScopedStore:
    """A model's store operations under the caller's `Access`: the scope goes into the one
    DynamoDB request, create applies Amplify's owner defaults, field rules refuse inputs."""

    def __init__(self, model: Model, store: ModelStore) -> None:
        self.model = model
        self.store = store

    def get(self, request: GetRequest, access: Access) -> dict[str, Any] | None:
        return self.store.get(request, access.scope)

    def list(self, request: ListRequest, access: Access) -> dict[str, Any]:
        return self.store.list(request, access.scope)

    def create(self, request: CreateRequest, access: Access) -> dict[str, Any]:
        values = authorize_create(
            access.decision, request.values, access.type_name, access.field_name
        )
        written = [*([] if request.id is None else ["id"]), *request.values]
        refused = refused_create_fields(access, self.model, written, values)
        if refused:
            raise Unauthorized.on_fields(refused)
        return self.store.create(dataclasses.replace(request, values=values))

    def update(self, request: UpdateRequest, access: Access) -> dict[str, Any]:
        refused = refused_update_fields(access, request.values)
        if refused:
            # Amplify tells an item outside the scope (or none, under a scope) first: one
            # GetItem, no write.
            item = self.store.get(GetRequest(request.key), access.scope)
            if item is None and access.scope is not None:
                raise OutOfScope()
            raise Unauthorized.on_fields(refused)
        field_scopes = written_field_scopes(access, request.values)
        return self.store.update(request, access.scope, field_scopes)

    def delete(self, request: DeleteRequest, access: Access) -> dict[str, Any]:
        return self.store.delete(request, access.scope)


@dataclass(frozen=True)
class Subscribed:
    """A subscribe-time answer: null, and a scoped subscriber's runtime filter."""

    auth_filter: dict[str, Any] | None

    def envelope(self) -> dict[str, Any]:
        if self.auth_filter is None:
            return {"data": None}
        return {"data": None, "authFilter": self.auth_filter}


def _listen(arguments: Mapping[str, Any], access: Access) -> Subscribed:
    """Subscribe time: no request. Every item (null), or the scope as the runtime filter that
    AppSync applies to each published item (Amplify's subscription resolvers decide so)."""
    if access.scope is None:
        return Subscribed(None)
    kept = subscription_scope(access.scope, arguments)
    if kept is None:
        raise OutOfScope()
    return Subscribed(auth_filter(kept))


def _internal_failure(context: LambdaContext) -> dict[str, Any]:
    """What the client sees of an unexpected error: no detail, the request id to look it up."""
    message = "An internal error occurred"
    request_id = getattr(context, "aws_request_id", None)
    if request_id:
        message += f" (request id {request_id})"
    return InternalFailure(message).to_response()


def _recorded(
    model: str, operation: str, caller: Caller, decision: Decision
) -> AbstractContextManager[None]:
    """`recorded_call` of a model operation: keys `model` and `operation`."""
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

"""Custom queries and mutations in Python: the Lambda of one function under `functions/NAME/`.

`functions/stats/app.py`, for operations declared with `.handler(a.handler.function("stats"))`::

    from appsync_data.functions import FunctionApi, OperationCall
    from data.resource import schema

    api = FunctionApi(schema, "stats")

    @api.operation("todoStats")
    def todo_stats(call: OperationCall) -> dict[str, int]:
        todos = list(call.models["Todo"].list_all())
        return {"total": len(todos), "done": sum(1 for t in todos if t["done"])}

    handler = api.lambda_handler()  # fails here, at init, if an operation has no function

One call top-down: `handler(event)` -> the operation the event names (one of this function's,
else refused) -> `caller_from_identity` -> `decide(op.rules, "custom", ...)`: a refusal stops
here, before the user's code and any DynamoDB request -> the arguments checked against their
declared types -> the user's function with an `OperationCall` -> its result checked and shaped
against the declared return type -> `{"data": ...}`, or `{"error": {...}}` as the data Lambda
answers. Logs, metrics and the X-Ray subsegment are the data Lambda's (`api.recorded_call`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from appsync_data.access import FULL_ACCESS

# The data Lambda's own answer to an unexpected error and correlation id, shared as they are.
from appsync_data.api import (
    DataApi,
    FieldOperation,
    _internal_failure,
    _trace_id_header,
    logger,
    metrics,
    recorded_call,
)
from appsync_data.auth import Caller, CallerKind, caller_from_identity, decide
from appsync_data.config import Settings
from appsync_data.errors import DataError, InternalFailure, InvalidArguments, Unauthorized
from appsync_data.naming import FIELD_OPERATIONS, api_names, root_type
from appsync_data.requests import MAX_LIST_LIMIT
from appsync_data.scalars import SCALARS
from appsync_data.schema import CUSTOM_OPERATION, CustomOperation, Field, Operation, Schema
from appsync_data.store import OPERATION_MARK

__all__ = [
    "CallerIdentity",
    "DataError",
    "FunctionApi",
    "FunctionSetupError",
    "InvalidArguments",
    "ModelItems",
    "OperationCall",
    "Page",
    "Unauthorized",
    "logger",
]

OperationFunction = TypeVar("OperationFunction", bound=Callable[["OperationCall"], Any])


class FunctionSetupError(Exception):
    """A function that cannot serve its operations (an operation without code, code for an
    operation that is not this function's); raised at import, so the Lambda's init fails."""


# --- what the user's code receives ---------------------------------------------------------------


@dataclass(frozen=True)
class CallerIdentity:
    """The caller the rules admitted, as the operation's code sees it.

    `kind` is how AppSync authenticated them (`CallerKind.USER_POOL`, `OIDC`, `IAM`); `sub` the
    user's subject (user pool, OIDC), or the Cognito identity id / role session ARN (IAM);
    `username` and `groups` for user-pool callers; `claims` are the token's claims (user pool,
    OIDC; kept out of `repr` so that logging a caller does not log them)."""

    kind: CallerKind
    sub: str | None = None
    username: str | None = None
    groups: tuple[str, ...] = ()
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False)
    identity_id: str | None = None  # IAM: the Cognito identity id
    user_arn: str | None = None  # IAM: the role session

    @classmethod
    def of(cls, caller: Caller, identity: Any) -> CallerIdentity:
        identity = identity if isinstance(identity, Mapping) else {}
        claims = identity.get("claims")
        claims = MappingProxyType(dict(claims)) if isinstance(claims, Mapping) else {}
        username = identity.get("username")
        groups = identity.get("groups") or claims.get("cognito:groups") or ()
        return cls(
            kind=caller.kind,
            sub=caller.sub,
            username=username if isinstance(username, str) else None,
            groups=tuple(g for g in groups if isinstance(g, str) and isinstance(groups, list)),
            claims=claims if caller.kind in (CallerKind.USER_POOL, CallerKind.OIDC) else {},
            identity_id=caller.identity_id if caller.kind is CallerKind.IAM else None,
            user_arn=caller.user_arn,
        )


@dataclass(frozen=True)
class Page:
    """One page of `ModelItems.list`: the items and the token of the next page (None: last)."""

    items: list[dict[str, Any]]
    next_token: str | None


class ModelItems:
    """One model's items for the operation's code: the data Lambda's own argument checks and
    store operations (one DynamoDB request each; list: one per page read), with its errors
    (`ConditionalCheckFailed`, `InvalidArguments`, ...). The code acts for the app: the model's
    rules are not applied to these calls; the operation's rules decided who got this far."""

    def __init__(self, model_name: str, fields: Mapping[Operation, FieldOperation]) -> None:
        self.model_name = model_name
        self._fields = fields

    def _run(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        field = self._fields[operation]
        return field.run(field.read(arguments), FULL_ACCESS)

    def get(self, id: str) -> dict[str, Any] | None:
        """The item with this id, or None."""
        result: dict[str, Any] | None = self._run("get", {"id": id})
        return result

    def list(
        self,
        *,
        filter: Mapping[str, Any] | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> Page:
        """One page of up to `limit` (default 100) items matching `filter` (listXs's filter)."""
        arguments: dict[str, Any] = {}
        if filter is not None:
            arguments["filter"] = filter
        if limit is not None:
            arguments["limit"] = limit
        if next_token is not None:
            arguments["nextToken"] = next_token
        result = self._run("list", arguments)
        return Page(items=result["items"], next_token=result["nextToken"])

    def list_all(
        self,
        *,
        filter: Mapping[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item matching `filter`, page after page (each page one or more requests)."""
        token: str | None = None
        while True:
            page = self.list(filter=filter, limit=MAX_LIST_LIMIT, next_token=token)
            yield from page.items
            token = page.next_token
            if token is None:
                return

    def create(
        self, values: Mapping[str, Any], *, condition: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """createX(input: values, condition): never overwrites an existing id."""
        result: dict[str, Any] = self._run("create", _with_condition(values, condition))
        return result

    def update(
        self, values: Mapping[str, Any], *, condition: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """updateX(input: values, condition): `values` holds the id; never an upsert."""
        result: dict[str, Any] = self._run("update", _with_condition(values, condition))
        return result

    def delete(
        self,
        id: str,
        *,
        condition: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """deleteX(input: {id}, condition): the deleted item."""
        result: dict[str, Any] = self._run("delete", _with_condition({"id": id}, condition))
        return result


def _with_condition(
    values: Mapping[str, Any], condition: Mapping[str, Any] | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {"input": dict(values)}
    if condition is not None:
        arguments["condition"] = condition
    return arguments


@dataclass(frozen=True)
class OperationCall:
    """What the code of one operation gets: its checked arguments, the admitted caller, every
    model's items, and, for what these do not cover, the raw event and the Lambda context."""

    operation: CustomOperation
    arguments: Mapping[str, Any]  # every declared argument; None when not given
    caller: CallerIdentity
    models: Mapping[str, ModelItems]
    event: Mapping[str, Any] = field(repr=False)
    context: LambdaContext = field(repr=False)

    @property
    def name(self) -> str:
        return self.operation.name


# --- the function -------------------------------------------------------------------------------


class LambdaHandler:
    """The Lambda entry point of a function (`handler = api.lambda_handler()`); `api` is its
    FunctionApi (the local server configures it for the local DynamoDB)."""

    def __init__(self, api: FunctionApi) -> None:
        self.api = api

    def __call__(self, event: Any, context: LambdaContext) -> dict[str, Any]:
        return self.api.handle(event, context)


class FunctionApi:
    """Serves the custom operations `schema` hands to the function `function_name`."""

    def __init__(self, schema: Schema, function_name: str) -> None:
        schema.require_authorized_operations()
        self.schema = schema
        self.function_name = function_name
        self.operations: dict[str, CustomOperation] = {
            name: op for name, op in schema.operations.items() if op.function_name == function_name
        }
        if not self.operations:
            raise FunctionSetupError(
                f"function {function_name!r}: the schema declares no operation with "
                f".handler(a.handler.function({function_name!r}))"
            )
        self.functions: dict[str, Callable[[OperationCall], Any]] = {}
        self.settings: Settings | None = None
        self._data: DataApi | None = None
        self.models: dict[str, ModelItems] = {}  # every model's items (after configure)
        # Logging context and metrics flush around `_handle`, as in the data Lambda.
        self.handle: Callable[[Any, LambdaContext], dict[str, Any]] = logger.inject_lambda_context(
            clear_state=True
        )(metrics.log_metrics(self._handle))

    def operation(self, name: str) -> Callable[[OperationFunction], OperationFunction]:
        """Decorator: the Python function that runs the operation `name`."""
        op = self.schema.operations.get(name)
        if op is None:
            raise FunctionSetupError(
                f"function {self.function_name!r}: the schema declares no operation {name!r}"
            )
        if op.function_name != self.function_name:
            raise FunctionSetupError(
                f"function {self.function_name!r}: {name!r} is handled by function "
                f"{op.function_name!r} (a.handler.function({op.function_name!r}))"
            )
        if name in self.functions:
            raise FunctionSetupError(
                f"function {self.function_name!r}: {name!r} has two Python functions"
            )

        def register(function: OperationFunction) -> OperationFunction:
            self.functions[name] = function
            return function

        return register

    def lambda_handler(self, settings: Settings | None = None) -> LambdaHandler:
        """The Lambda handler, once every operation of this function has its code; settings
        from the environment (as the data Lambda's) unless given."""
        missing = [name for name in self.operations if name not in self.functions]
        if missing:
            raise FunctionSetupError(
                f"function {self.function_name!r}: no code for "
                + ", ".join(repr(name) for name in missing)
                + " (add @api.operation(NAME) to a Python function)"
            )
        self.configure(settings or Settings.from_env(tuple(self.schema.models)))
        return LambdaHandler(self)

    def configure(self, settings: Settings) -> None:
        """Use `settings` (the tables, the auth configuration) from now on."""
        self.settings = settings
        # The data Lambda's field registry: its argument readers and stores, without its rules.
        self._data = DataApi(self.schema, settings)
        # Each model's own Query/Mutation fields (getX, listXs, createX, ...), by their names.
        fields = self._data.fields
        self.models = {
            name: ModelItems(
                name,
                {
                    op: fields[f"{root_type(op)}.{api_names(model).field(op)}"]
                    for op in FIELD_OPERATIONS
                },
            )
            for name, model in self.schema.models.items()
        }

    @property
    def connection_client(self) -> Any:
        """The botocore DynamoDB client the models' items go through (None before configure)."""
        return self._data.connection.client if self._data is not None else None

    # --- one call -------------------------------------------------------------------------------

    def _handle(self, event: Any, context: LambdaContext) -> dict[str, Any]:
        logger.set_correlation_id(_trace_id_header(event))
        if not isinstance(event, dict) or not isinstance(event.get("arguments") or {}, dict):
            return InternalFailure("The event is not an AppSync resolver event").to_response()
        type_name, field_name = _field_of(event)
        op = self.operations.get(field_name or "")
        if op is None or op.operation_type != type_name:
            logger.info("unknown operation", extra={"field": f"{type_name}.{field_name}"})
            return InvalidArguments(
                f"{type_name}.{field_name} is not an operation of function {self.function_name}"
            ).to_response()
        if self._data is None or self.settings is None:
            logger.error("the function was not configured: call api.lambda_handler()")
            return _internal_failure(context)
        return self._call(op, event, context, self.settings)

    def _call(
        self, op: CustomOperation, event: dict[str, Any], context: LambdaContext, settings: Settings
    ) -> dict[str, Any]:
        """Decide, then check the arguments, run the user's code and check its result."""
        identity = event.get("identity")
        try:
            caller = caller_from_identity(identity, settings)
            decision = decide(op.rules, CUSTOM_OPERATION, caller, settings)
        except Exception:  # a bug, never the caller's input: logged like any other failure
            logger.exception("unexpected error")
            metrics.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
            return _internal_failure(context)
        labels = {"function": self.function_name, "operation": op.name}
        try:
            with recorded_call(labels, f"## {op.operation_type}.{op.name}", caller, decision):
                if not decision.allowed:
                    raise Unauthorized.for_field(op.operation_type, op.name)
                call = OperationCall(
                    operation=op,
                    arguments=MappingProxyType(
                        read_arguments(op, event.get("arguments") or {}, self.schema)
                    ),
                    caller=CallerIdentity.of(caller, identity),
                    models=MappingProxyType(self.models),
                    event=event,
                    context=context,
                )
                result = shape_result(op, self.functions[op.name](call), self.schema)
        except DataError as error:
            return error.to_response()
        except Exception:  # recorded (with its stack trace) by `recorded_call`
            return _internal_failure(context)
        return {"data": result}


def _field_of(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Type and field: Amplify's function event (`typeName`, `fieldName`), else AppSync's direct
    resolver event (`info`)."""
    type_name, field_name = event.get("typeName"), event.get("fieldName")
    if type_name is None and field_name is None and isinstance(event.get("info"), Mapping):
        type_name = event["info"].get("parentTypeName")
        field_name = event["info"].get("fieldName")
    return (
        type_name if isinstance(type_name, str) else None,
        field_name if isinstance(field_name, str) else None,
    )


# --- arguments in, result out -------------------------------------------------------------------


def read_arguments(op: CustomOperation, given: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """The arguments checked against their declared types (AppSync checked them already; we
    check again, as the data Lambda does): every declared one, None when not given."""
    unknown = sorted(set(given) - set(op.arguments))
    if unknown:
        raise InvalidArguments(f"{op.name}: unknown argument {unknown[0]!r}")
    values: dict[str, Any] = {}
    for name, spec in op.arguments.items():
        values[name] = _argument(spec, given.get(name), name, schema)
    return values


def _argument(spec: Field, value: Any, where: str, schema: Schema) -> Any:
    if value is None:
        if spec.is_array_required if spec.is_array else spec.is_required:
            raise InvalidArguments(f"{where}: a value is required")
        return None
    if not spec.is_array:
        return _argument_element(spec, value, where, schema)
    if not isinstance(value, list):
        raise InvalidArguments(f"{where}: expected a list of {spec.type_name}")
    elements: list[Any] = []
    for element in value:
        if element is None:
            if spec.is_required:
                raise InvalidArguments(f"{where}: the list elements cannot be null")
            elements.append(None)
        else:
            elements.append(_argument_element(spec, element, where, schema))
    return elements


def _argument_element(spec: Field, value: Any, where: str, schema: Schema) -> Any:
    if not spec.accepts(value, schema.enums.get(spec.type_name, ())):
        raise InvalidArguments(f"{where}: not a valid {spec.type_name}")
    return float(value) if spec.type_name == "Float" else value


class ResultError(TypeError):
    """The operation's code returned what its declared return type does not allow: a bug in the
    code, so the caller sees InternalFailure and the log says what was wrong."""


def shape_result(op: CustomOperation, value: Any, schema: Schema) -> Any:
    """The code's result checked against `.returns(...)`: objects get `__typename` and exactly
    their declared fields (a missing optional field is null)."""
    return _shaped(op.returns, value, f"{op.name} returned", schema)


def _shaped(spec: Field, value: Any, where: str, schema: Schema) -> Any:
    if not spec.is_array:
        return _shaped_element(spec, value, where, schema, required=spec.is_required)
    if value is None:
        if spec.is_array_required:
            raise ResultError(f"{where} null for a required list of {spec.type_name}")
        return None
    if not isinstance(value, (list, tuple)):
        raise ResultError(f"{where} {type(value).__name__}, not a list of {spec.type_name}")
    return [
        _shaped_element(spec, element, f"{where} [{i}]:", schema, required=spec.is_required)
        for i, element in enumerate(value)
    ]


def _shaped_element(spec: Field, value: Any, where: str, schema: Schema, *, required: bool) -> Any:
    type_name = spec.type_name
    if value is None:
        if required:
            raise ResultError(f"{where} null for a required {type_name}")
        return None
    if type_name in schema.models:
        model = schema.models[type_name]
        relationships = set(model.relationships)
        return _shaped_object(type_name, model.fields, value, where, schema, relationships)
    if type_name in schema.custom_types:
        fields = schema.custom_types[type_name].fields
        return _shaped_object(type_name, fields, value, where, schema, set())
    if type_name in schema.enums:
        if value not in schema.enums[type_name]:
            raise ResultError(f"{where} {value!r}, not a value of enum {type_name}")
        return value
    if not SCALARS[type_name].check(value):
        raise ResultError(f"{where} {type(value).__name__}, not a {type_name}")
    return float(value) if type_name == "Float" else value


def _shaped_object(
    type_name: str,
    fields: Mapping[str, Field],
    value: Any,
    where: str,
    schema: Schema,
    passed_over: set[str],
) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ResultError(f"{where} {type(value).__name__}, not a {type_name} object")
    typename = value.get("__typename", type_name)
    if typename != type_name:
        raise ResultError(f"{where} a {typename}, not a {type_name}")
    # The store's mutation mark is dropped: a custom operation's result is not a mutation's
    # result to Amplify, so its relationship fields resolve.
    unknown = sorted(set(value) - set(fields) - passed_over - {"__typename", OPERATION_MARK})
    if unknown:
        raise ResultError(f"{where} {type_name} with a field it does not have: {unknown[0]!r}")
    shaped = {
        name: _shaped(spec, value.get(name), f"{where} {type_name}.{name}:", schema)
        for name, spec in fields.items()
    }
    shaped["__typename"] = type_name
    return shaped

"""GraphQL arguments -> typed store requests: every argument check, no I/O.

`ArgumentReader(model, ...)` reads what AppSync passes a getX/listXs/createX/updateX/deleteX field
and returns a `GetRequest`, `ListRequest`, `CreateRequest`, `UpdateRequest` or `DeleteRequest`
(key, values, condition, filter, limit, start key), or raises `InvalidArguments` /
`InvalidNextToken`. `ModelStore` takes these and makes the one DynamoDB request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.expressions.condition import Condition

from appsync_data.conditions import FieldPaths, build_condition, is_json_field
from appsync_data.errors import InvalidArguments, InvalidNextToken
from appsync_data.json_values import JSONValueError, to_attribute_value
from appsync_data.schema import Field, Model
from appsync_data.tokens import decode_next_token

DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000
MAX_ID_BYTES = 1024


@dataclass(frozen=True)
class GetRequest:
    id: str


@dataclass(frozen=True)
class ListRequest:
    filter: Condition | None
    limit: int
    start_key: dict[str, Any] | None  # DynamoDB's ExclusiveStartKey, from the nextToken


@dataclass(frozen=True)
class CreateRequest:
    id: str | None  # None: the store draws a new one
    values: dict[str, Any]  # every user field to store, defaults applied
    condition: Condition | None


@dataclass(frozen=True)
class UpdateRequest:
    id: str
    values: dict[str, Any]  # fields to set; None removes the attribute
    condition: Condition | None


@dataclass(frozen=True)
class DeleteRequest:
    id: str
    condition: Condition | None


class ArgumentReader:
    """Reads one model's field arguments into typed requests."""

    def __init__(
        self,
        model: Model,
        attributes: Mapping[str, Attribute[Any]],
        *,
        enums: Mapping[str, tuple[str, ...]],
        token_secret: bytes,
        token_scope: str,
    ) -> None:
        self.model = model
        self.enums = enums
        self.paths = FieldPaths(model.name, model.fields, attributes, enums)
        self.token_secret = token_secret
        self.token_scope = token_scope
        self._condition_fields = frozenset(n for n in model.fields if n != "id")

    def get(self, arguments: Mapping[str, Any]) -> GetRequest:
        item_id = _id_argument(arguments.get("id"), "id")
        _only(arguments, {"id"}, "getX")
        return GetRequest(item_id)

    def list(self, arguments: Mapping[str, Any]) -> ListRequest:
        _only(arguments, {"filter", "limit", "nextToken"}, "listXs")
        limit = _limit(arguments.get("limit"))
        condition = build_condition(arguments.get("filter"), self.paths, argument="filter")
        token = arguments.get("nextToken")
        start_key = None
        if token is not None:
            start_key = decode_next_token(token, secret=self.token_secret, scope=self.token_scope)
            _check_start_key(start_key)
        return ListRequest(condition, limit, start_key)

    def create(self, arguments: Mapping[str, Any]) -> CreateRequest:
        _only(arguments, {"input", "condition"}, "createX")
        values = self._input(arguments.get("input"), creating=True)
        condition = self._condition(arguments.get("condition"))
        item_id = values.pop("id", None)
        for name, field in self.model.user_fields.items():
            # Amplify's @default: `$util.defaultIfNull(input.x, default)` on create only, so an
            # absent and a null value both get the default; an update never applies it.
            if field.has_default and values.get(name) is None:
                values[name] = field.default_value
            if _value_required(field) and values.get(name) is None:
                raise InvalidArguments(f"input.{name}: {self.model.name}.{name} is required")
        return CreateRequest(item_id, values, condition)

    def update(self, arguments: Mapping[str, Any]) -> UpdateRequest:
        _only(arguments, {"input", "condition"}, "updateX")
        values = self._input(arguments.get("input"), creating=False)
        condition = self._condition(arguments.get("condition"))
        item_id = values.pop("id")
        for name, value in values.items():
            if value is None and _value_required(self.model.fields[name]):
                raise InvalidArguments(
                    f"input.{name}: {self.model.name}.{name} is required and cannot be null"
                )
        return UpdateRequest(item_id, values, condition)

    def delete(self, arguments: Mapping[str, Any]) -> DeleteRequest:
        _only(arguments, {"input", "condition"}, "deleteX")
        given = arguments.get("input")
        if not isinstance(given, Mapping):
            raise InvalidArguments("input: expected an object with the id to delete")
        _only(given, {"id"}, "input")
        item_id = _id_argument(given.get("id"), "input.id")
        return DeleteRequest(item_id, self._condition(arguments.get("condition")))

    # --- helpers --------------------------------------------------------------------------------

    def _condition(self, spec: Any) -> Condition | None:
        return build_condition(
            spec, self.paths, argument="condition", allowed_fields=self._condition_fields
        )

    def _input(self, given: Any, *, creating: bool) -> dict[str, Any]:
        """Validated input values (GraphQL already typed them on AppSync; we check again)."""
        if not isinstance(given, Mapping):
            raise InvalidArguments("input: expected an object")
        allowed = {"id", *self.model.user_fields}
        unknown = sorted(set(given) - allowed)
        if unknown:
            raise InvalidArguments(f"input: {self.model.name} has no input field {unknown[0]!r}")
        values: dict[str, Any] = {}
        for name, value in given.items():
            if name == "id":
                if value is None and creating:
                    continue
                values["id"] = _id_argument(value, "input.id")
                continue
            if value is not None:
                self._check_value(name, value)
            values[name] = value
        if not creating and "id" not in values:
            raise InvalidArguments("input.id: the id of the item to update is required")
        return values

    def _check_value(self, name: str, value: Any) -> None:
        field = self.model.fields[name]
        enum_values = self.enums.get(field.type_name, ())
        elements = value if field.is_array else [value]
        if field.is_array and not isinstance(value, list):
            raise InvalidArguments(f"input.{name}: expected a list of {field.type_name}")
        for element in elements:
            if element is None:
                if field.is_required:
                    raise InvalidArguments(f"input.{name}: the list elements cannot be null")
                continue
            if isinstance(element, str) and not _is_unicode_text(element):
                raise InvalidArguments(f"input.{name}: not valid Unicode text")
            if not field.accepts(element, enum_values):
                raise InvalidArguments(f"input.{name}: not a valid {field.type_name}")
        if is_json_field(field):
            # AppSync hands AWSJSON over parsed (a string here is a JSON string, stored as S):
            # what DynamoDB would refuse in it is refused here, with the reason.
            try:
                to_attribute_value(value)
            except JSONValueError as error:
                raise InvalidArguments(f"input.{name}: {error}") from None


# --- pure argument checks -----------------------------------------------------------------------


def _value_required(field: Field) -> bool:
    """Whether the field's value may not be null: for a list `[T!]` only the elements are
    required (`is_required`); the list itself is when `is_array_required` (`[T]!`)."""
    return field.is_array_required if field.is_array else field.is_required


def _only(given: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise InvalidArguments(f"{where}: unknown argument {unknown[0]!r}")


def _is_unicode_text(text: str) -> bool:
    """False for a string with a lone surrogate (JSON can carry one): DynamoDB stores UTF-8."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _id_argument(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArguments(f"{where}: expected a non-empty ID string")
    if not _is_unicode_text(value):  # a lone surrogate: not text DynamoDB can store
        raise InvalidArguments(f"{where}: an ID must be valid Unicode text")
    if len(value.encode()) > MAX_ID_BYTES:
        raise InvalidArguments(f"{where}: an ID is at most {MAX_ID_BYTES} bytes")
    return value


def _limit(value: Any) -> int:
    if value is None:
        return DEFAULT_LIST_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIST_LIMIT:
        raise InvalidArguments(f"limit: expected an integer from 1 to {MAX_LIST_LIMIT}")
    return value


def _check_start_key(start_key: Mapping[str, Any]) -> None:
    # Defence in depth should the secret leak: a start key must be one of this table's keys.
    key = start_key.get("id")
    if set(start_key) != {"id"} or not isinstance(key, Mapping) or set(key) != {"S"}:
        raise InvalidNextToken("Invalid nextToken: it does not hold a key of this table")

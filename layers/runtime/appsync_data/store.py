"""CRUD on one model's DynamoDB table through PynamoDB, with Amplify's semantics.

One DynamoDB request per get/create/update/delete; list reads one page per request and keeps
reading (up to `Settings.list_max_pages` pages and `list_max_seconds`) until it has `limit`
*matching* items.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import ALL_NEW, ALL_OLD, NULL
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model as PynamoModel

from appsync_data.conditions import FieldPaths, build_condition, stored_json
from appsync_data.config import Settings
from appsync_data.errors import (
    ConditionalCheckFailed,
    DataError,
    InvalidArguments,
    InvalidNextToken,
    ItemTooLarge,
    StoreUnavailable,
)
from appsync_data.schema import Field, Model
from appsync_data.tokens import decode_next_token, encode_next_token

DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000
# With a filter, read more than `limit` per request: fewer requests to fill a page of matches.
FILTERED_PAGE_SIZE = 100
_TYPENAME = "__typename"
_ITEM_TOO_LARGE = re.compile(r"^Item size .*has exceeded the maximum allowed size", re.IGNORECASE)
_RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def now_iso() -> str:
    """AppSync's AWSDateTime for now: ISO-8601 UTC with milliseconds and `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _attribute_for(field: Field, attr_name: str, *, hash_key: bool = False) -> Attribute[Any]:
    if field.type_name in ("Int", "Float", "AWSTimestamp"):
        element: type[Attribute[Any]] = NumberAttribute
    elif field.type_name == "Boolean":
        element = BooleanAttribute
    else:  # strings, ids, dates, enums, and AWSJSON kept as its JSON text
        element = UnicodeAttribute
    if field.is_array:
        return ListAttribute(of=element, attr_name=attr_name, null=True)
    if hash_key:
        return UnicodeAttribute(hash_key=True, attr_name=attr_name)
    return element(attr_name=attr_name, null=True)


# Client settings of every table's connection.
_CLIENT_OPTIONS: dict[str, Any] = {
    # 3 attempts x (1 + 2) s + at most 1 + 2 s of backoff = 12 s; a list's last page may start
    # at LIST_MAX_SECONDS (5 s): 17 s, inside the Lambda's 25 s (tests/deploy).
    "connect_timeout_seconds": 1,
    "read_timeout_seconds": 2,
    "max_retry_attempts": 2,
}


def shared_connection(settings: Settings) -> Connection:
    """One PynamoDB connection for every model's table: one botocore client and one HTTP pool,
    created once at init rather than once per table on its first request."""
    return Connection(region=settings.region, host=settings.dynamodb_endpoint, **_CLIENT_OPTIONS)


def build_table_model(model: Model, settings: Settings) -> type[PynamoModel]:
    """A PynamoDB model class for `model`'s table. Python attribute names are prefixed so a field
    can be called `save` or `delete` without shadowing PynamoDB's methods."""
    meta = type(
        "Meta",
        (),
        {
            "table_name": settings.table_name(model.name),
            "region": settings.region,
            "host": settings.dynamodb_endpoint,
            **_CLIENT_OPTIONS,
        },
    )
    namespace: dict[str, Any] = {"Meta": meta}
    for name, field in model.fields.items():
        namespace[f"f_{name}"] = _attribute_for(field, name, hash_key=(name == "id"))
    namespace["f___typename"] = UnicodeAttribute(attr_name=_TYPENAME, null=True)
    return type(f"{model.name}Item", (PynamoModel,), namespace)


class ModelStore:
    """get/list/create/update/delete for one model; inputs as AppSync passes the arguments."""

    def __init__(
        self,
        model: Model,
        settings: Settings,
        *,
        enums: Mapping[str, tuple[str, ...]],
        token_secret: bytes,
        connection: Connection,
    ) -> None:
        self.model = model
        self.table = build_table_model(model, settings)
        # The table's schema comes from the model class (no DescribeTable); its requests go
        # through the connection every table shares (see `shared_connection`). Reads, updates and
        # deletes answer with DynamoDB attribute values, which `_item` turns into results.
        self.rows = self.table._get_connection()
        connection.add_meta_table(self.rows.get_meta_table())
        self.rows.connection = connection
        self.attributes: dict[str, Attribute[Any]] = {
            name: getattr(self.table, f"f_{name}") for name in model.fields
        }
        self.paths = FieldPaths(model.name, model.fields, self.attributes, enums)
        self.enums = enums
        self.max_pages = settings.list_max_pages
        self.max_list_seconds = settings.list_max_seconds
        self.token_secret = token_secret
        self.token_scope = f"{model.name}:{settings.table_name(model.name)}"
        self._condition_fields = frozenset(n for n in model.fields if n != "id")

    # --- operations -----------------------------------------------------------------------------

    def get(self, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
        item_id = _id_argument(arguments.get("id"), "id")
        _only(arguments, {"id"}, "getX")
        with _dynamodb_errors():
            found = self.rows.get_item(item_id).get("Item")
        return self._item(found) if found else None

    def list(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        _only(arguments, {"filter", "limit", "nextToken"}, "listXs")
        limit = _limit(arguments.get("limit"))
        condition = build_condition(arguments.get("filter"), self.paths, argument="filter")
        token = arguments.get("nextToken")
        start_key = None
        if token is not None:
            start_key = decode_next_token(token, secret=self.token_secret, scope=self.token_scope)
            _check_start_key(start_key)
        page_size = limit if condition is None else max(limit, FILTERED_PAGE_SIZE)
        items: list[dict[str, Any]] = []
        next_key: dict[str, Any] | None = None
        with _dynamodb_errors():
            pages = self.table.scan(
                filter_condition=condition, last_evaluated_key=start_key, page_size=page_size
            ).page_iter
            # Bounded by pages and by time: past the budget we return what we have, with a token,
            # rather than run into the Lambda's timeout.
            give_up_at = time.monotonic() + self.max_list_seconds
            for _ in range(self.max_pages):
                raw_items = next(pages).get("Items", [])
                room = limit - len(items)
                items.extend(raw_items[:room])
                next_key = pages.last_evaluated_key
                if len(raw_items) > room:
                    # Stopped inside the page: resume right after the last item returned.
                    next_key = {"id": items[-1]["id"]}
                if len(items) == limit or next_key is None or time.monotonic() > give_up_at:
                    break
        return {
            "items": [self._item(raw) for raw in items],
            "nextToken": self._token(next_key),
            _TYPENAME: f"Model{self.model.name}Connection",
        }

    def create(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        _only(arguments, {"input", "condition"}, "createX")
        values = self._input(arguments.get("input"), creating=True)
        condition = self._condition(arguments.get("condition"))
        now = now_iso()
        item_id = values.pop("id", None) or str(uuid.uuid4())
        for name, field in self.model.user_fields.items():
            if name not in values and field.has_default:
                values[name] = field.default_value
            if _value_required(field) and values.get(name) is None:
                raise InvalidArguments(f"input.{name}: {self.model.name}.{name} is required")
        values.update(createdAt=now, updatedAt=now, __typename=self.model.name)
        item = self.table(item_id, **{f"f_{k}": self._stored(k, v) for k, v in values.items()})
        must_be_new = self.table.f_id.does_not_exist()  # type: ignore[attr-defined]
        with _dynamodb_errors():
            item.save(condition=_and(must_be_new, condition))
        return self._result(item)

    def update(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        _only(arguments, {"input", "condition"}, "updateX")
        values = self._input(arguments.get("input"), creating=False)
        condition = self._condition(arguments.get("condition"))
        item_id = values.pop("id")
        actions: list[Action] = []
        for name, value in values.items():
            attribute = self.attributes[name]
            if value is None:
                if _value_required(self.model.fields[name]):
                    raise InvalidArguments(
                        f"input.{name}: {self.model.name}.{name} is required and cannot be null"
                    )
                actions.append(attribute.remove())
            else:
                actions.append(attribute.set(self._stored(name, value)))
        actions.append(self.attributes["updatedAt"].set(now_iso()))
        must_exist = self.table.f_id.exists()  # type: ignore[attr-defined]
        with _dynamodb_errors():
            response = self.rows.update_item(
                item_id,
                actions=actions,
                condition=_and(must_exist, condition),
                return_values=ALL_NEW,
            )
        return self._item(response["Attributes"])

    def delete(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        _only(arguments, {"input", "condition"}, "deleteX")
        given = arguments.get("input")
        if not isinstance(given, Mapping):
            raise InvalidArguments("input: expected an object with the id to delete")
        _only(given, {"id"}, "input")
        item_id = _id_argument(given.get("id"), "input.id")
        condition = self._condition(arguments.get("condition"))
        must_exist = self.table.f_id.exists()  # type: ignore[attr-defined]
        with _dynamodb_errors():
            response = self.rows.delete_item(
                item_id, condition=_and(must_exist, condition), return_values=ALL_OLD
            )
        return self._item(response["Attributes"])

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
            if field.type_name == "AWSJSON" and isinstance(element, str):
                try:
                    stored_json(element)
                except (ValueError, RecursionError):
                    raise InvalidArguments(f"input.{name}: not valid JSON") from None
            elif not field.accepts(element, enum_values):
                raise InvalidArguments(f"input.{name}: not a valid {field.type_name}")

    def _stored(self, name: str, value: Any) -> Any:
        field = self.model.fields.get(name)
        if field is not None and field.type_name == "AWSJSON" and value is not None:
            if field.is_array:  # a null element stays null, not the JSON text "null"
                return [None if v is None else stored_json(v) for v in value]
            return stored_json(value)
        return value

    def _result(self, item: PynamoModel) -> dict[str, Any]:
        result: dict[str, Any] = {name: getattr(item, f"f_{name}") for name in self.model.fields}
        result[_TYPENAME] = self.model.name
        return result

    def _item(self, raw: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        """A stored item as AppSync returns it, each value deserialized by its PynamoDB attribute
        as `Model.from_raw_data` would, without building a model instance (9x faster per item)."""
        result: dict[str, Any] = {}
        for name, attribute in self.attributes.items():
            value = raw.get(attribute.attr_name)
            if not value or NULL in value:
                result[name] = None
            else:
                result[name] = attribute.deserialize(attribute.get_value(value))
        result[_TYPENAME] = self.model.name
        return result

    def _token(self, start_key: dict[str, Any] | None) -> str | None:
        if start_key is None:
            return None
        return encode_next_token(start_key, secret=self.token_secret, scope=self.token_scope)


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
    if len(value.encode()) > 1024:
        raise InvalidArguments(f"{where}: an ID is at most 1024 bytes")
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


def _and(required: Condition, extra: Condition | None) -> Condition:
    return required if extra is None else required & extra


def _request_id(exc: PynamoDBException) -> str | None:
    """DynamoDB's request id: PynamoDB keeps it only in its message, so read the botocore error it
    was raised from (`__context__`)."""
    error: BaseException | None = exc.cause
    for _ in range(3):
        response = getattr(error, "response", None)
        metadata = response.get("ResponseMetadata", {}) if isinstance(response, Mapping) else {}
        if metadata.get("RequestId"):
            return str(metadata["RequestId"])
        error = error.__context__ if error is not None else None
    return None


@contextmanager
def _dynamodb_errors() -> Iterator[None]:
    """DynamoDB failures as the errors AppSync shows for them."""
    try:
        yield
    except DataError:
        raise
    except PynamoDBException as exc:
        code = exc.cause_response_code
        request_id = _request_id(exc)
        if code == "ConditionalCheckFailedException":
            raise ConditionalCheckFailed.with_request_id(request_id) from None
        message = exc.cause_response_message or ""
        # "Item size has exceeded ..." (put) / "Item size to update has exceeded ..." (update)
        if code == "ValidationException" and _ITEM_TOO_LARGE.search(message):
            raise ItemTooLarge(message) from None
        if code == "ValidationException":
            raise InvalidArguments(f"DynamoDB refused the request: {message}") from None
        # botocore names an error by its HTTP status when the body is not DynamoDB's (a proxy's
        # 502 page, say): any 5xx is the service being unavailable.
        if code in _RETRYABLE or code is None or (code.isdecimal() and code.startswith("5")):
            raise StoreUnavailable(
                "DynamoDB is unavailable or throttling; the request failed after retries"
            ) from None
        raise

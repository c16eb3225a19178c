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
from pynamodb.connection.base import MetaTable
from pynamodb.constants import ALL_NEW, ALL_OLD, NULL
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from appsync_data.config import Settings
from appsync_data.errors import (
    ConditionalCheckFailed,
    DataError,
    InvalidArguments,
    ItemTooLarge,
    StoreUnavailable,
)
from appsync_data.json_values import JSONAttribute, to_attribute_value
from appsync_data.naming import api_names
from appsync_data.requests import (
    CreateRequest,
    DeleteRequest,
    GetRequest,
    ListRequest,
    UpdateRequest,
)
from appsync_data.scalars import SCALARS
from appsync_data.schema import Field, Model
from appsync_data.tokens import encode_next_token

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


# DynamoDB attribute kind (appsync_data.scalars) -> the PynamoDB attribute that encodes it.
_ATTRIBUTE_CLASSES: dict[str, type[Attribute[Any]]] = {
    "S": UnicodeAttribute,
    "N": NumberAttribute,
    "BOOL": BooleanAttribute,
}


def _attribute_for(field: Field, attr_name: str) -> Attribute[Any]:
    scalar = None if field.is_enum else SCALARS[field.type_name]
    if scalar is not None and scalar.dynamodb == "JSON":
        # A JSON list is itself a JSON value: `[AWSJSON]` is one L of whatever each element is.
        return JSONAttribute(attr_name=attr_name, null=True)
    element = _ATTRIBUTE_CLASSES[scalar.dynamodb if scalar else "S"]  # enums are strings
    if field.is_array:
        return ListAttribute(of=element, attr_name=attr_name, null=True)
    return element(attr_name=attr_name, null=True)


def table_attributes(model: Model) -> dict[str, Attribute[Any]]:
    """The PynamoDB attribute of each field: it encodes values for requests and conditions
    and decodes them from DynamoDB's attribute values."""
    return {name: _attribute_for(field, name) for name, field in model.fields.items()}


def key_schema(table_name: str) -> dict[str, Any]:
    """The table's key, as DescribeTable answers it: `id`, a string hash key."""
    return {
        "TableName": table_name,
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    }


# Client settings of the connection every table shares.
_CLIENT_OPTIONS: dict[str, Any] = {
    "connect_timeout_seconds": 2,
    "read_timeout_seconds": 3,  # 4 attempts x (2 + 3) s + at most 7 s of backoff < 30 s Lambda
    "max_retry_attempts": 3,
}


def shared_connection(settings: Settings) -> Connection:
    """One PynamoDB connection for every model's table: one botocore client and one HTTP pool,
    created once at init rather than once per table on its first request."""
    return Connection(region=settings.region, host=settings.dynamodb_endpoint, **_CLIENT_OPTIONS)


class ModelStore:
    """get/list/create/update/delete of one model's items: one typed request (requests.py) in,
    one DynamoDB request (list: one per page) through PynamoDB's `Connection` out."""

    def __init__(
        self, model: Model, settings: Settings, *, connection: Connection, token_secret: bytes
    ) -> None:
        self.model = model
        self.table_name = settings.table_name(model.name)
        self.connection = connection
        # The table's key is known (no DescribeTable): registered with the shared connection.
        connection.add_meta_table(MetaTable(key_schema(self.table_name)))
        self.attributes = table_attributes(model)
        self.max_pages = settings.list_max_pages
        self.max_list_seconds = settings.list_max_seconds
        self.token_secret = token_secret
        self.token_scope = f"{model.name}:{self.table_name}"
        self.connection_type = api_names(model).connection

    # --- operations -----------------------------------------------------------------------------

    def get(self, request: GetRequest) -> dict[str, Any] | None:
        with _dynamodb_errors():
            found = self.connection.get_item(self.table_name, request.id).get("Item")
        return self._decode(found) if found else None

    def list(self, request: ListRequest) -> dict[str, Any]:
        limit, condition = request.limit, request.filter
        # With a filter, read more than `limit` per request: fewer requests to fill a page.
        page_size = limit if condition is None else max(limit, FILTERED_PAGE_SIZE)
        items: list[dict[str, Any]] = []
        next_key: dict[str, Any] | None = request.start_key
        with _dynamodb_errors():
            # Bounded by pages and by time: past the budget we return what we have, with a token,
            # rather than run into the Lambda's timeout.
            give_up_at = time.monotonic() + self.max_list_seconds
            for _ in range(self.max_pages):
                page = self.connection.scan(
                    self.table_name,
                    filter_condition=condition,
                    limit=page_size,
                    exclusive_start_key=next_key,  # type: ignore[arg-type] # a key map is allowed
                )
                raw_items = page.get("Items", [])
                room = limit - len(items)
                items.extend(raw_items[:room])
                next_key = page.get("LastEvaluatedKey")
                if len(raw_items) > room:
                    # Stopped inside the page: resume right after the last item returned.
                    next_key = {"id": items[-1]["id"]}
                if len(items) == limit or next_key is None or time.monotonic() > give_up_at:
                    break
        return {
            "items": [self._decode(raw) for raw in items],
            "nextToken": self._token(next_key),
            _TYPENAME: self.connection_type,
        }

    def create(self, request: CreateRequest) -> dict[str, Any]:
        now = now_iso()
        values = {
            **request.values,
            "id": request.id or str(uuid.uuid4()),
            "createdAt": now,
            "updatedAt": now,
        }
        must_be_new = self.attributes["id"].does_not_exist()
        with _dynamodb_errors():
            self.connection.put_item(
                self.table_name,
                values["id"],
                attributes={**self._encode(values), _TYPENAME: {"S": self.model.name}},
                condition=_and(must_be_new, request.condition),
            )
        result = {name: values.get(name) for name in self.model.fields}
        result[_TYPENAME] = self.model.name
        return result

    def update(self, request: UpdateRequest) -> dict[str, Any]:
        actions: list[Action] = []
        for name, value in request.values.items():
            attribute = self.attributes[name]
            if value is None:
                actions.append(attribute.remove())
            else:
                actions.append(attribute.set(_attribute_value(attribute, value)))
        actions.append(self.attributes["updatedAt"].set(now_iso()))
        must_exist = self.attributes["id"].exists()
        with _dynamodb_errors():
            response = self.connection.update_item(
                self.table_name,
                request.id,
                actions=actions,
                condition=_and(must_exist, request.condition),
                return_values=ALL_NEW,
            )
        return self._decode(response["Attributes"])

    def delete(self, request: DeleteRequest) -> dict[str, Any]:
        must_exist = self.attributes["id"].exists()
        with _dynamodb_errors():
            response = self.connection.delete_item(
                self.table_name,
                request.id,
                condition=_and(must_exist, request.condition),
                return_values=ALL_OLD,
            )
        return self._decode(response["Attributes"])

    # --- items ----------------------------------------------------------------------------------

    def _encode(self, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Values as DynamoDB attribute values, each encoded by its field's attribute; a value
        given as null is stored as NULL, as Amplify's `util.dynamodb.toMapValues` stores it."""
        encoded = {}
        for name, value in values.items():
            attribute = self.attributes[name]
            encoded[attribute.attr_name] = (
                {NULL: True} if value is None else _attribute_value(attribute, value)
            )
        return encoded

    def _decode(self, raw: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        """A stored item as AppSync returns it, each value decoded by its field's attribute,
        straight from DynamoDB's attribute values (no model instance: 9x cheaper per item)."""
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


def _attribute_value(attribute: Attribute[Any], value: Any) -> dict[str, Any]:
    """`value` as a DynamoDB attribute value: AWSJSON in its own type (M, L, N, S, BOOL, NULL),
    as Amplify's `util.dynamodb.toMapValues` writes it; others as their attribute encodes them."""
    if isinstance(attribute, JSONAttribute):
        return to_attribute_value(value)
    return {attribute.attr_type: attribute.serialize(value)}


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

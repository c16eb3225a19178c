"""CRUD on one model's DynamoDB table through PynamoDB, with Amplify's semantics.

One DynamoDB request per get/create/update/delete (by the model's identifier: the table key of
appsync_data.tables); list reads one page per request, a Query when a key is known (the table's
partition key, an index's, a relationship GSI's) else a Scan, and keeps reading (up to
`Settings.list_max_pages` pages and `list_max_seconds`) until it has `limit` *matching* items;
`batch_get` reads many items by key with BatchGetItem (belongsTo fields of a batch of parents).

A caller's scope (auth.ItemScope: the items their owner / group-field rules admit) goes into the
request itself: get checks the item it read (OutOfScope, one request); list ANDs it into the
filter (pages stay full); update and delete carry it in their condition, and only when that
fails does one GetItem tell a refusal (OutOfScope) from the client's condition or a missing item.
"""

from __future__ import annotations

import builtins
import json
import operator
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import reduce
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

from appsync_data.auth import FieldMatch, ItemScope
from appsync_data.config import Settings
from appsync_data.errors import (
    ConditionalCheckFailed,
    DataError,
    InvalidArguments,
    InvalidNextToken,
    ItemTooLarge,
    OutOfScope,
    StoreUnavailable,
)
from appsync_data.json_values import JSONAttribute, to_attribute_value
from appsync_data.naming import api_names
from appsync_data.requests import (
    CreateRequest,
    DeleteRequest,
    GetRequest,
    ItemKey,
    ListRequest,
    UpdateRequest,
    page_scope,
    scope_indexes,
)
from appsync_data.scalars import SCALARS
from appsync_data.schema import Field, Model
from appsync_data.tables import TableLayout, table_layout
from appsync_data.tokens import encode_next_token

FILTERED_PAGE_SIZE = 100
# A nextToken of a page read for another caller (their owner index, or their owner value).
_FOREIGN_TOKEN = InvalidNextToken(
    "Invalid nextToken: it was not issued by this list or was altered"
)
BATCH_GET_KEYS = 100  # DynamoDB's limit of keys in one BatchGetItem
BATCH_GET_ATTEMPTS = 6  # unprocessed keys are asked again, with backoff, up to this many times
_TYPENAME = "__typename"
# Amplify's mutation resolvers mark their result so that relationship fields under it are not
# resolved (a mutation's caller may not be allowed to read related models).
OPERATION_MARK = "__operation"
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


def key_schema(table_name: str, layout: TableLayout) -> dict[str, Any]:
    """The table's keys and GSIs, as DescribeTable answers them."""
    return {"TableName": table_name, **layout.as_dynamodb()}


# Client settings of the connection every table shares.
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


class ModelStore:
    """get/list/create/update/delete of one model's items: one typed request (requests.py) in,
    one DynamoDB request (list: one per page) through PynamoDB's `Connection` out."""

    def __init__(
        self,
        model: Model,
        settings: Settings,
        *,
        connection: Connection,
        token_secret: bytes,
        layout: TableLayout | None = None,
    ) -> None:
        self.model = model
        self.layout = layout or table_layout(None, model)
        self.table_name = settings.table_name(model.name)
        self.connection = connection
        # The table's keys are known (no DescribeTable): registered with the shared connection.
        connection.add_meta_table(MetaTable(key_schema(self.table_name, self.layout)))
        self.attributes = table_attributes(model)
        # Composite sort-key attributes (`status#createdAt`): stored, never returned.
        self.composite_attributes = {
            name: UnicodeAttribute(attr_name=name)
            for name, kind in self.layout.attribute_types.items()
            if name not in model.fields
        }
        self.max_pages = settings.list_max_pages
        self.max_list_seconds = settings.list_max_seconds
        self.token_secret = token_secret
        self.token_scope = f"{model.name}:{self.table_name}"
        self.scope_indexes = scope_indexes(model, self.layout)
        self.connection_type = api_names(model).connection

    # --- operations -----------------------------------------------------------------------------

    def get(self, request: GetRequest, scope: ItemScope | None = None) -> dict[str, Any] | None:
        """The item, or None; OutOfScope when it exists outside `scope`."""
        with _dynamodb_errors():
            found = self.connection.get_item(self.table_name, *self._key(request.key)).get("Item")
        item = self._decode(found) if found else None
        if item is not None and scope is not None and not scope.admits(item):
            raise OutOfScope()
        return item

    def list(self, request: ListRequest, scope: ItemScope | None = None) -> dict[str, Any]:
        """One page of `limit` matching items (within `scope`): a Query when the request has a
        key condition, else a Scan; more requests only while a filter leaves the page short."""
        scope_index = self._scope_index(request, scope)
        if scope is not None and scope_index is not None:
            return self._list_by_scope_index(request, scope.matches[0], scope_index)
        if request.start_index is not None:
            raise _foreign_token()
        limit, query = request.limit, request.query
        condition = _and_optional(request.filter, self._scope_condition(scope))
        index = query.index if query is not None else None
        # With a filter, read more than `limit` per request: fewer requests to fill a page.
        page_size = limit if condition is None else max(limit, FILTERED_PAGE_SIZE)
        items: list[dict[str, Any]] = []
        next_key: dict[str, Any] | None = request.start_key
        with _dynamodb_errors():
            # Bounded by pages and by time: past the budget we return what we have, with a token,
            # rather than run into the Lambda's timeout.
            give_up_at = time.monotonic() + self.max_list_seconds
            for _ in range(self.max_pages):
                if query is None:
                    page = self.connection.scan(
                        self.table_name,
                        filter_condition=condition,
                        limit=page_size,
                        exclusive_start_key=next_key,  # type: ignore[arg-type] # a key map
                    )
                else:
                    page = self.connection.query(
                        self.table_name,
                        query.partition_value,  # type: ignore[arg-type] # an attribute value
                        range_key_condition=query.sort_condition,
                        filter_condition=condition,
                        index_name=query.index,
                        limit=page_size,
                        scan_index_forward=request.forward,
                        exclusive_start_key=next_key,
                    )
                raw_items = page.get("Items", [])
                room = limit - len(items)
                items.extend(raw_items[:room])
                next_key = page.get("LastEvaluatedKey")
                if len(raw_items) > room:
                    # Stopped inside the page: resume right after the last item returned.
                    next_key = {n: items[-1][n] for n in self.layout.key_attributes(index)}
                if len(items) == limit or next_key is None or time.monotonic() > give_up_at:
                    break
        return {
            "items": [self._decode(raw) for raw in items],
            "nextToken": self._token(next_key, index),
            _TYPENAME: self.connection_type,
        }

    def _scope_index(self, request: ListRequest, scope: ItemScope | None) -> str | None:
        """The GSI a Scan of a scoped caller reads instead (beyond Amplify): one whose partition
        key is the field of their only match (an owner field, not a list)."""
        if request.query is not None or scope is None or len(scope.matches) != 1:
            return None
        match = scope.matches[0]
        if match.is_list:
            return None
        for index in self.layout.indexes_by_partition_key(match.field):
            if index.name in self.scope_indexes:
                return index.name
        return None

    def _list_by_scope_index(
        self, request: ListRequest, match: FieldMatch, index: str
    ) -> dict[str, Any]:
        """A scoped caller's list as Queries of the owner index, one value after the other
        (`<sub>::<username>`, then `<sub>`, `<username>`): O(their items), pages full. The start
        key names the value it stopped in; a page that ends with a value resumes after its last
        item (an empty Query, then the next value)."""
        if request.start_key is not None and request.start_index != index:
            raise _foreign_token()
        values, limit = match.values, request.limit
        position = 0
        next_key = request.start_key
        if next_key is not None:
            held = next_key.get(match.field, {}).get("S")
            if held not in values:
                raise _foreign_token()  # another caller's page
            position = values.index(held)
        page_size = limit if request.filter is None else max(limit, FILTERED_PAGE_SIZE)
        items: list[dict[str, Any]] = []
        key_names = self.layout.key_attributes(index)
        pages = 0
        with _dynamodb_errors():
            give_up_at = time.monotonic() + self.max_list_seconds
            while position < len(values):
                page = self.connection.query(
                    self.table_name,
                    {"S": values[position]},  # type: ignore[arg-type] # an attribute value
                    filter_condition=request.filter,
                    index_name=index,
                    limit=page_size,
                    exclusive_start_key=next_key,
                )
                pages += 1
                raw_items = page.get("Items", [])
                room = limit - len(items)
                items.extend(raw_items[:room])
                next_key = page.get("LastEvaluatedKey")
                if len(raw_items) > room:
                    next_key = {n: items[-1][n] for n in key_names}
                if next_key is None:
                    position += 1
                if len(items) == limit:
                    if next_key is None and position < len(values):
                        next_key = {n: items[-1][n] for n in key_names}
                    break
                out_of_budget = pages >= self.max_pages or time.monotonic() > give_up_at
                if next_key is not None and out_of_budget:
                    break
        return {
            "items": [self._decode(raw) for raw in items],
            "nextToken": self._token(next_key, index),
            _TYPENAME: self.connection_type,
        }

    def batch_get(self, keys: Sequence[ItemKey]) -> builtins.list[dict[str, Any] | None]:
        """The items of `keys`, in their order (None where there is none): one BatchGetItem per
        100 distinct keys, unprocessed keys asked again with backoff."""
        wanted: dict[str, dict[str, Any]] = {}  # canonical key text -> key attribute values
        for key in keys:
            raw = self._raw_key(key)
            wanted.setdefault(_key_text(raw), raw)
        found: dict[str, dict[str, Any]] = {}
        pending = list(wanted.values())
        with _dynamodb_errors():
            for start in range(0, len(pending), BATCH_GET_KEYS):
                chunk = pending[start : start + BATCH_GET_KEYS]
                for attempt in range(BATCH_GET_ATTEMPTS):
                    if attempt:
                        time.sleep(min(0.05 * 2**attempt, 1.0))
                    response = self.connection.batch_get_item(self.table_name, chunk)  # type: ignore[arg-type] # key maps
                    for raw_item in response.get("Responses", {}).get(self.table_name, []):
                        found[_key_text(self._raw_key_of(raw_item))] = raw_item
                    unprocessed = response.get("UnprocessedKeys", {}).get(self.table_name)
                    chunk = unprocessed.get("Keys", []) if unprocessed else []
                    if not chunk:
                        break
                if chunk:
                    raise StoreUnavailable(
                        "DynamoDB left keys of a BatchGetItem unprocessed after retries"
                    )
        results: builtins.list[dict[str, Any] | None] = []
        for key in keys:
            raw_item = found.get(_key_text(self._raw_key(key)))
            results.append(self._decode(raw_item) if raw_item is not None else None)
        return results

    def create(self, request: CreateRequest) -> dict[str, Any]:
        now = now_iso()
        values = {**request.values, "createdAt": now, "updatedAt": now}
        if "id" in self.model.fields:
            values["id"] = request.id or values.get("id") or str(uuid.uuid4())
        key = self.layout.key.key_of(values)
        must_be_new = self.attributes[self.layout.key.partition_key].does_not_exist()
        attributes = {**self._encode(values), _TYPENAME: {"S": self.model.name}}
        attributes.update({name: {"S": value} for name, value in request.composite.items()})
        with _dynamodb_errors():
            self.connection.put_item(
                self.table_name,
                *self._key(key),
                attributes=attributes,
                condition=_and(must_be_new, request.condition),
            )
        result = {name: values.get(name) for name in self.model.fields}
        result[_TYPENAME] = self.model.name
        result[OPERATION_MARK] = "Mutation"
        return result

    def update(
        self,
        request: UpdateRequest,
        scope: ItemScope | None = None,
        field_scopes: Sequence[tuple[str, ItemScope]] = (),
    ) -> dict[str, Any]:
        """One UpdateItem whose condition is: the item exists, `scope` admits it, each written
        field's scope admits it (`field_scopes`), and the client's condition."""
        actions: list[Action] = []
        for name, value in request.values.items():
            attribute = self.attributes[name]
            if value is None:
                actions.append(attribute.remove())
            else:
                actions.append(attribute.set(_attribute_value(attribute, value)))
        for name, composite in request.composite.items():
            attribute = self.composite_attributes[name]
            actions.append(attribute.remove() if composite is None else attribute.set(composite))
        actions.append(self.attributes["updatedAt"].set(now_iso()))
        condition = self._scoped_condition(scope, field_scopes, request.condition)
        with self._refusal_told(request.key, scope, field_scopes), _dynamodb_errors():
            response = self.connection.update_item(
                self.table_name,
                *self._key(request.key),
                actions=actions,
                condition=condition,
                return_values=ALL_NEW,
            )
        return {**self._decode(response["Attributes"]), OPERATION_MARK: "Mutation"}

    def delete(self, request: DeleteRequest, scope: ItemScope | None = None) -> dict[str, Any]:
        """One DeleteItem whose condition is: the item exists, `scope` admits it, and the
        client's condition."""
        condition = self._scoped_condition(scope, (), request.condition)
        with self._refusal_told(request.key, scope, ()), _dynamodb_errors():
            response = self.connection.delete_item(
                self.table_name,
                *self._key(request.key),
                condition=condition,
                return_values=ALL_OLD,
            )
        return {**self._decode(response["Attributes"]), OPERATION_MARK: "Mutation"}

    # --- scopes ---------------------------------------------------------------------------------

    def _scope_condition(self, scope: ItemScope | None) -> Condition | None:
        """The items `scope` admits, as a DynamoDB condition: any match (`field IN values`; a
        list field: `contains(field, value)` for any value)."""
        if scope is None:
            return None
        parts: list[Condition] = []
        for match in scope.matches:
            attribute = self.attributes[match.field]
            if match.is_list:
                parts.extend(attribute.contains(value) for value in match.values)
            else:
                parts.append(attribute.is_in(*match.values))
        return reduce(operator.or_, parts)

    def _scoped_condition(
        self,
        scope: ItemScope | None,
        field_scopes: Sequence[tuple[str, ItemScope]],
        client: Condition | None,
    ) -> Condition:
        condition: Condition = self.attributes[self.layout.key.partition_key].exists()
        for part in (scope, *(s for _, s in field_scopes)):
            condition = _and(condition, self._scope_condition(part))
        return _and(condition, client)

    @contextmanager
    def _refusal_told(
        self,
        key: ItemKey,
        scope: ItemScope | None,
        field_scopes: Sequence[tuple[str, ItemScope]],
    ) -> Iterator[None]:
        """When a scoped write's condition fails, one GetItem tells why, as Amplify answers:
        outside the scope (or missing, under a scope) -> OutOfScope; a written field's scope
        refuses -> OutOfScope(fields); else the client's condition failed (or no item)."""
        try:
            yield
        except ConditionalCheckFailed:
            if scope is None and not field_scopes:
                raise
            with _dynamodb_errors():
                found = self.connection.get_item(
                    self.table_name, *self._key(key), consistent_read=True
                ).get("Item")
            item = self._decode(found) if found else None
            if item is None:
                if scope is not None:
                    raise OutOfScope() from None
                raise
            if scope is not None and not scope.admits(item):
                raise OutOfScope() from None
            refused = tuple(name for name, s in field_scopes if not s.admits(item))
            if refused:
                raise OutOfScope(refused) from None
            raise

    # --- keys -----------------------------------------------------------------------------------

    def _raw_key(self, key: ItemKey) -> dict[str, dict[str, Any]]:
        """A table key (attribute name -> value) as DynamoDB attribute values."""
        raw: dict[str, dict[str, Any]] = {}
        for name, value in key.items():
            kind = self.layout.attribute_types.get(name, "S")
            raw[name] = {kind: json.dumps(value) if kind == "N" else str(value)}
        return raw

    def _raw_key_of(self, raw_item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: raw_item[name] for name in self.layout.key_attributes()}

    def _key(self, key: ItemKey) -> tuple[str, str | None]:
        """(hash key, range key) as PynamoDB's Connection takes them: serialized values."""
        raw = self._raw_key(key)
        hash_key = next(iter(raw[self.layout.key.partition_key].values()))
        sort_key = self.layout.key.sort_key
        return hash_key, next(iter(raw[sort_key].values())) if sort_key else None

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

    def _token(self, start_key: dict[str, Any] | None, index: str | None) -> str | None:
        if start_key is None:
            return None
        scope = page_scope(self.token_scope, index)
        return encode_next_token(start_key, secret=self.token_secret, scope=scope)


def _foreign_token() -> InvalidNextToken:
    """A nextToken of a page read for another caller (their owner index, or owner value)."""
    return InvalidNextToken("Invalid nextToken: it was not issued by this list or was altered")


def _key_text(raw_key: Mapping[str, Any]) -> str:
    return json.dumps(raw_key, sort_keys=True)


def _attribute_value(attribute: Attribute[Any], value: Any) -> dict[str, Any]:
    """`value` as a DynamoDB attribute value: AWSJSON in its own type (M, L, N, S, BOOL, NULL),
    as Amplify's `util.dynamodb.toMapValues` writes it; others as their attribute encodes them."""
    if isinstance(attribute, JSONAttribute):
        return to_attribute_value(value)
    return {attribute.attr_type: attribute.serialize(value)}


def _and(required: Condition, extra: Condition | None) -> Condition:
    return required if extra is None else required & extra


def _and_optional(first: Condition | None, second: Condition | None) -> Condition | None:
    return second if first is None else _and(first, second)


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

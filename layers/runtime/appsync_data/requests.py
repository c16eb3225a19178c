"""GraphQL arguments -> typed store requests: every argument check, no I/O.

`ArgumentReader(model, ...)` reads what AppSync passes a getX/listXs/createX/updateX/deleteX field,
an index query field (`listPostsByCategory`) or a hasMany field (`Post.comments`) and returns a
`GetRequest`, `ListRequest`, `CreateRequest`, `UpdateRequest` or `DeleteRequest` (key, values,
condition, filter, limit, start key, key condition), or raises `InvalidArguments` /
`InvalidNextToken`. `ModelStore` takes these and makes the one DynamoDB request.

Keys follow the table layout (appsync_data.tables): a model's identifier is its table key, a
composite sort key is one attribute `b#c` holding the values joined with `#`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import Attribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition

from appsync_data.conditions import FieldPaths, build_condition, is_json_field
from appsync_data.errors import InvalidArguments, InvalidNextToken
from appsync_data.json_values import JSONValueError, to_attribute_value
from appsync_data.naming import sort_key_argument
from appsync_data.schema import Field, Model
from appsync_data.tables import (
    COMPOSITE_KEY_SEPARATOR,
    IndexLayout,
    KeyLayout,
    TableLayout,
    attribute_type,
    composite_key_value,
    table_layout,
)
from appsync_data.tokens import decode_next_token

DEFAULT_LIST_LIMIT = 100
MAX_LIST_LIMIT = 1000
MAX_ID_BYTES = 1024


SORT_KEY_OPERATORS = ("eq", "le", "lt", "ge", "gt", "between", "beginsWith")

# The table key, by attribute name: `{"id": "p-1"}`, `{"warehouseId": "w", "productId": "p"}`,
# a composite sort key as its joined text (`{"pk": "a", "b#c": "x#y"}`).
ItemKey = dict[str, Any]


@dataclass(frozen=True)
class GetRequest:
    key: ItemKey


@dataclass(frozen=True)
class KeyQuery:
    """The key condition of a DynamoDB Query: on the table (`index` None) or a GSI."""

    index: str | None
    partition_key: str  # attribute name
    partition_value: dict[str, Any]  # as an attribute value: {"S": "news"}
    sort_condition: Condition | None = None


@dataclass(frozen=True)
class ListRequest:
    filter: Condition | None
    limit: int
    start_key: dict[str, Any] | None  # DynamoDB's ExclusiveStartKey, from the nextToken
    query: KeyQuery | None = None  # None: a Scan of the table
    forward: bool = True  # sortDirection ASC (Query only)
    # A Scan's page that ModelStore read from an owner index (`scope_index`): the start key is
    # that index's (see `scope_indexes`).
    start_index: str | None = None


@dataclass(frozen=True)
class CreateRequest:
    id: str | None  # None: the store draws a new one (when the model has an `id`)
    values: dict[str, Any]  # every user field to store, defaults applied
    condition: Condition | None
    # Composite sort-key attributes (`status#createdAt`) of the table and its GSIs.
    composite: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class UpdateRequest:
    key: ItemKey
    values: dict[str, Any]  # fields to set; None removes the attribute
    condition: Condition | None
    # Composite GSI sort-key attributes the update changes; None removes the attribute.
    composite: dict[str, str | None] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class DeleteRequest:
    key: ItemKey
    condition: Condition | None


def page_scope(table_scope: str, index: str | None) -> str:
    """The scope of a nextToken: the table, and the index when a Query read one."""
    return table_scope if index is None else f"{table_scope}/{index}"


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
        layout: TableLayout | None = None,
    ) -> None:
        self.model = model
        self.enums = enums
        self.attributes = attributes
        self.paths = FieldPaths(model.name, model.fields, attributes, enums)
        self.token_secret = token_secret
        self.token_scope = token_scope
        self.layout = layout or table_layout(None, model)
        self._condition_fields = frozenset(n for n in model.fields if n not in model.identifier)
        self._identifier_names = frozenset(model.identifier)
        self.scope_indexes = scope_indexes(model, self.layout)

    # --- Query fields ---------------------------------------------------------------------------

    def get(self, arguments: Mapping[str, Any]) -> GetRequest:
        values = {
            name: self._key_argument(name, arguments.get(name), name)
            for name in self.model.identifier
        }
        _only(arguments, set(self.model.identifier), "getX")
        return GetRequest(self.layout.key.key_of(values))

    def list(self, arguments: Mapping[str, Any]) -> ListRequest:
        """`listXs`: a Query of the table when its partition key is given, else a Scan (or a
        Query of an index when the filter is an equality on its partition key: beyond Amplify)."""
        key = self.layout.key
        allowed = {"filter", "limit", "nextToken"}
        if self.model.has_custom_identifier:
            allowed |= {key.partition_key, "sortDirection"}
            if key.sort_key_fields:
                allowed.add(sort_key_argument(key.sort_key_fields))
        _only(arguments, allowed, "listXs")
        if not self.model.has_custom_identifier:
            return self._page(arguments, self._equality_query(arguments.get("filter")))
        if arguments.get("sortDirection") is not None and not key.sort_key_fields:
            raise InvalidArguments(
                "sortDirection is not supported for List operations without a Sort key defined."
            )
        if arguments.get(key.partition_key) is None:
            if arguments.get("sortDirection") is not None:
                raise InvalidArguments(
                    "When providing argument 'sortDirection' you must also provide argument "
                    f"'{key.partition_key}'."
                )
            self._check_no_sort_argument(arguments, key)
            return self._page(arguments, self._equality_query(arguments.get("filter")))
        return self._page(arguments, self._key_query(arguments, key, None))

    def index_query(self, index: IndexLayout, arguments: Mapping[str, Any]) -> ListRequest:
        """An index Query field (`listPostsByCategory(category, rating, ...)`)."""
        key = index.key
        allowed = {key.partition_key, "sortDirection", "filter", "limit", "nextToken"}
        if key.sort_key_fields:
            allowed.add(sort_key_argument(key.sort_key_fields))
        _only(arguments, allowed, index.query_field or index.name)
        if arguments.get(key.partition_key) is None:
            self._check_no_sort_argument(arguments, key)
            raise InvalidArguments(f"{key.partition_key}: the index's partition key is required")
        return self._page(arguments, self._key_query(arguments, key, index.name))

    def related_list(
        self, index: IndexLayout, key: Mapping[str, Any], arguments: Mapping[str, Any]
    ) -> ListRequest:
        """A hasMany field (`Post.comments(filter, sortDirection, limit, nextToken)`): the
        children whose reference fields hold `key` (the relationship GSI's key values)."""
        _only(arguments, {"filter", "sortDirection", "limit", "nextToken"}, "a hasMany field")
        sort = None
        if index.key.sort_key is not None:
            sort = self._sort_attribute(index.key) == key[index.key.sort_key]
        query = KeyQuery(
            index.name,
            index.key.partition_key,
            self._attribute_value(index.key.partition_key, key[index.key.partition_key]),
            sort,
        )
        return self._page(arguments, query)

    # --- Mutation fields ------------------------------------------------------------------------

    def create(self, arguments: Mapping[str, Any]) -> CreateRequest:
        _only(arguments, {"input", "condition"}, "createX")
        values = self._input(arguments.get("input"), creating=True)
        condition = self._condition(arguments.get("condition"))
        item_id = values.pop("id", None) if "id" in self._identifier_names else None
        for name, spec in self.model.user_fields.items():
            # Amplify's @default: `$util.defaultIfNull(input.x, default)` on create only, so an
            # absent and a null value both get the default; an update never applies it.
            if spec.has_default and values.get(name) is None:
                values[name] = spec.default_value
            if _value_required(spec) and values.get(name) is None:
                raise InvalidArguments(f"input.{name}: {self.model.name}.{name} is required")
        for name in self.model.identifier:
            if name != "id":
                values[name] = self._key_argument(name, values.get(name), f"input.{name}")
        composite = {
            name: value
            for name, value in self.layout.composite_attributes(values).items()
            if value is not None
        }
        return CreateRequest(item_id, values, condition, composite)

    def update(self, arguments: Mapping[str, Any]) -> UpdateRequest:
        _only(arguments, {"input", "condition"}, "updateX")
        values = self._input(arguments.get("input"), creating=False)
        condition = self._condition(arguments.get("condition"))
        key_values = {name: values.pop(name) for name in self.model.identifier}
        for name, value in values.items():
            if value is None and _value_required(self.model.fields[name]):
                raise InvalidArguments(
                    f"input.{name}: {self.model.name}.{name} is required and cannot be null"
                )
        composite = self._changed_composites(values, key_values)
        return UpdateRequest(self.layout.key.key_of(key_values), values, condition, composite)

    def delete(self, arguments: Mapping[str, Any]) -> DeleteRequest:
        _only(arguments, {"input", "condition"}, "deleteX")
        given = arguments.get("input")
        if not isinstance(given, Mapping):
            raise InvalidArguments("input: expected an object with the id to delete")
        _only(given, set(self.model.identifier), "input")
        values = {
            name: self._key_argument(name, given.get(name), f"input.{name}")
            for name in self.model.identifier
        }
        return DeleteRequest(
            self.layout.key.key_of(values), self._condition(arguments.get("condition"))
        )

    # --- keys -----------------------------------------------------------------------------------

    def _key_argument(self, name: str, value: Any, where: str) -> Any:
        """A key field's value: a non-empty string (DynamoDB refuses empty key strings) or a
        number, as the field's key attribute type."""
        if attribute_type(self.model.fields[name]) == "N":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidArguments(f"{where}: expected a number")
            return value
        if name == "id" or self.model.fields[name].type_name == "ID":
            return _id_argument(value, where)
        if not isinstance(value, str) or not value:
            raise InvalidArguments(f"{where}: expected a non-empty string")
        if not _is_unicode_text(value):
            raise InvalidArguments(f"{where}: not valid Unicode text")
        if len(value.encode()) > MAX_ID_BYTES:  # DynamoDB's limit for a sort key value
            raise InvalidArguments(f"{where}: a key value is at most {MAX_ID_BYTES} bytes")
        return value

    def _attribute_value(self, attribute: str, value: Any) -> dict[str, Any]:
        """`value` of key attribute `attribute` as a DynamoDB attribute value."""
        kind = self.layout.attribute_types.get(attribute, "S")
        if kind == "N":
            return {"N": json.dumps(value)}
        return {"S": str(value)}

    def _sort_attribute(self, key: KeyLayout) -> Attribute[Any]:
        """The PynamoDB attribute of a key's sort key (a composite one is a string)."""
        name = key.sort_key or ""
        if key.has_composite_sort_key:
            return UnicodeAttribute(attr_name=name)
        return self.attributes[name]

    def _check_no_sort_argument(self, arguments: Mapping[str, Any], key: KeyLayout) -> None:
        if key.sort_key_fields:
            argument = sort_key_argument(key.sort_key_fields)
            if arguments.get(argument) is not None:
                raise InvalidArguments(
                    f"When providing argument '{argument}' you must also provide arguments "
                    f"{key.partition_key}"
                )

    def _key_query(
        self, arguments: Mapping[str, Any], key: KeyLayout, index: str | None
    ) -> KeyQuery:
        partition = self._key_argument(
            key.partition_key, arguments.get(key.partition_key), key.partition_key
        )
        sort = None
        if key.sort_key_fields:
            argument = sort_key_argument(key.sort_key_fields)
            spec = arguments.get(argument)
            if spec is not None:
                sort = self._sort_condition(key, spec, argument)
        return KeyQuery(
            index, key.partition_key, self._attribute_value(key.partition_key, partition), sort
        )

    def _sort_condition(self, key: KeyLayout, spec: Any, where: str) -> Condition:
        """A sort-key condition (`{gt: 3}`, `{between: [a, b]}`, `{beginsWith: {status: "x"}}`):
        exactly one operator, as DynamoDB allows one condition on the sort key."""
        if not isinstance(spec, Mapping):
            raise InvalidArguments(f"{where}: expected an object of one operator")
        given = {op: v for op, v in spec.items() if v is not None}
        unknown = sorted(set(given) - set(SORT_KEY_OPERATORS))
        if unknown:
            raise InvalidArguments(f"{where}: unknown operator {unknown[0]!r}")
        if len(given) != 1:
            raise InvalidArguments(f"{where}: expected exactly one key condition operator")
        ((op, value),) = given.items()
        here = f"{where}.{op}"
        attribute = self._sort_attribute(key)
        if op == "between":
            if not isinstance(value, list) or len(value) != 2 or None in value:
                raise InvalidArguments(f"{here}: between takes a list of exactly two values")
            low, high = (self._sort_value(key, v, here, op) for v in value)
            return attribute.between(low, high)
        sort_value = self._sort_value(key, value, here, op)
        if op == "beginsWith":
            return attribute.startswith(sort_value)
        given_parts = (
            len([v for v in value.values() if v is not None]) if isinstance(value, Mapping) else 0
        )
        if op == "eq" and key.has_composite_sort_key and given_parts < len(key.sort_key_fields):
            # A prefix of the key's fields: every item whose first fields are these.
            return attribute.startswith(sort_value + COMPOSITE_KEY_SEPARATOR)
        builders = {
            "eq": attribute.__eq__,
            "le": attribute.__le__,
            "lt": attribute.__lt__,
            "ge": attribute.__ge__,
            "gt": attribute.__gt__,
        }
        return builders[op](sort_value)  # type: ignore[no-any-return]

    def _sort_value(self, key: KeyLayout, value: Any, where: str, op: str) -> Any:
        if not key.has_composite_sort_key:
            name = key.sort_key_fields[0]
            if op == "beginsWith" and attribute_type(self.model.fields[name]) == "N":
                raise InvalidArguments(f"{where}: beginsWith needs a string sort key")
            return self._key_argument(name, value, where)
        # Composite: `{status: "x", createdAt: "y"}`, a prefix of the key's fields, joined.
        if not isinstance(value, Mapping):
            raise InvalidArguments(f"{where}: expected an object of {list(key.sort_key_fields)}")
        unknown = sorted(set(value) - set(key.sort_key_fields))
        if unknown:
            raise InvalidArguments(f"{where}: {unknown[0]!r} is not a field of this sort key")
        parts: list[str] = []
        for name in key.sort_key_fields:
            part = value.get(name)
            if part is None:
                break
            parts.append(str(self._key_argument(name, part, f"{where}.{name}")))
        rest = [n for n in key.sort_key_fields[len(parts) :] if value.get(n) is not None]
        if not parts or rest:
            raise InvalidArguments(
                f"{where}: give the sort key's fields in order, from the first "
                f"({', '.join(key.sort_key_fields)})"
            )
        return COMPOSITE_KEY_SEPARATOR.join(parts)

    def _equality_query(self, filter_spec: Any) -> tuple[KeyQuery, Any] | None:
        """Beyond Amplify: a filter that holds `{field: {eq: X}}` (at its top or as a member of
        its top-level `and`) on the partition key of the table or of a GSI holding every item
        (no sort key, or one made of required fields) is a Query of that key, with the rest of
        the filter as the filter: same items, O(matches) reads instead of a Scan's O(table).
        The client's lazy loading sends `{and: [{postId: {eq: X}}]}`."""
        if not isinstance(filter_spec, Mapping):
            return None
        candidates: list[tuple[str, Any, Any]] = []  # (field, value, filter without it)
        for name, ops in filter_spec.items():
            if _is_plain_equality(ops):
                rest = {k: v for k, v in filter_spec.items() if k != name}
                candidates.append((name, ops["eq"], rest))
        members = filter_spec.get("and")
        if isinstance(members, list):
            for i, member in enumerate(members):
                if isinstance(member, Mapping) and len(member) == 1:
                    ((name, ops),) = member.items()
                    if _is_plain_equality(ops):
                        rest = dict(filter_spec)
                        rest["and"] = members[:i] + members[i + 1 :]
                        candidates.append((name, ops["eq"], rest))
        for name, value, rest in candidates:
            target = self._queryable_key(name, value)
            if target is not None:
                query = KeyQuery(target[0], name, self._attribute_value(name, value))
                return query, rest
        return None

    def _queryable_key(self, name: str, value: Any) -> tuple[str | None, KeyLayout] | None:
        spec = self.model.fields.get(name)
        if spec is None or spec.is_array:
            return None
        expected = (int, float) if attribute_type(spec) == "N" else (str,)
        if isinstance(value, bool) or not isinstance(value, expected) or value == "":
            return None
        if self.layout.key.partition_key == name:
            return None, self.layout.key
        for index in self.layout.indexes_by_partition_key(name):
            fields = index.key.sort_key_fields
            if all(self.model.fields[n].is_required for n in fields):
                return index.name, index.key
        return None

    def _page(self, arguments: Mapping[str, Any], query: Any) -> ListRequest:
        """The paging part every list shares: limit, filter, nextToken, sortDirection."""
        filter_spec = arguments.get("filter")
        key_query: KeyQuery | None = query
        if isinstance(query, tuple):  # an equality filter turned into a Query
            key_query, filter_spec = query
        limit = _limit(arguments.get("limit"))
        condition = build_condition(filter_spec, self.paths, argument="filter")
        direction = arguments.get("sortDirection")
        if direction not in (None, "ASC", "DESC"):
            raise InvalidArguments("sortDirection: expected ASC or DESC")
        index = key_query.index if key_query is not None else None
        token = arguments.get("nextToken")
        start_key, start_index = None, None
        if token is not None:
            start_key, start_index = self._start_key(token, index, scan=key_query is None)
        return ListRequest(condition, limit, start_key, key_query, direction != "DESC", start_index)

    def _start_key(
        self, token: Any, index: str | None, *, scan: bool
    ) -> tuple[dict[str, Any], str | None]:
        """The start key a nextToken holds, and the owner index it was read from (a Scan's page
        ModelStore read from one: `scope_indexes`)."""
        try:
            start_key = decode_next_token(
                token, secret=self.token_secret, scope=page_scope(self.token_scope, index)
            )
        except InvalidNextToken:
            if not scan:
                raise
            for scope_index in self.scope_indexes:
                scope = page_scope(self.token_scope, scope_index)
                try:
                    start_key = decode_next_token(token, secret=self.token_secret, scope=scope)
                except InvalidNextToken:
                    continue
                self._check_start_key(start_key, scope_index)
                return start_key, scope_index
            raise
        self._check_start_key(start_key, index)
        return start_key, None

    def _check_start_key(self, start_key: Mapping[str, Any], index: str | None) -> None:
        # Defence in depth should the secret leak: a start key must be a key of what is read.
        names = set(self.layout.key_attributes(index))
        kinds = self.layout.attribute_types
        ok = set(start_key) == names and all(
            isinstance(value, Mapping)
            and set(value) == {kinds.get(name, "S")}
            and isinstance(value[kinds.get(name, "S")], str)
            for name, value in start_key.items()
        )
        if not ok:
            raise InvalidNextToken("Invalid nextToken: it does not hold a key of this table")

    def _changed_composites(
        self, values: Mapping[str, Any], key_values: Mapping[str, Any]
    ) -> dict[str, str | None]:
        """The GSI composite sort-key attributes an update changes. Amplify's rule: an update
        that sets any field of a composite sort key must give all of them (it cannot rebuild
        `b#c` without reading the item); a null part removes the attribute. The identifier's
        fields, always given and never changed, do not count as setting a part."""
        changed: dict[str, str | None] = {}
        given = {**values, **key_values}
        for index in self.layout.indexes:
            fields = index.key.sort_key_fields
            if not index.key.has_composite_sort_key or not set(fields) & set(values):
                continue
            for name in fields:
                if name not in given:
                    raise InvalidArguments(
                        "When updating any part of the composite sort key for @index "
                        f"'{index.name}', you must provide all fields for the key. "
                        f"Missing key: '{name}'."
                    )
            changed[index.key.sort_key or ""] = composite_key_value(given, fields)
        return changed

    # --- helpers --------------------------------------------------------------------------------

    def _condition(self, spec: Any) -> Condition | None:
        return build_condition(
            spec, self.paths, argument="condition", allowed_fields=self._condition_fields
        )

    def _input(self, given: Any, *, creating: bool) -> dict[str, Any]:
        """Validated input values (GraphQL already typed them on AppSync; we check again)."""
        if not isinstance(given, Mapping):
            raise InvalidArguments("input: expected an object")
        allowed = set(self.model.identifier) | set(self.model.user_fields)
        if "id" in self.model.fields:
            allowed.add("id")
        unknown = sorted(set(given) - allowed)
        if unknown:
            raise InvalidArguments(f"input: {self.model.name} has no input field {unknown[0]!r}")
        values: dict[str, Any] = {}
        for name, value in given.items():
            if name in self._identifier_names:
                if value is None and creating and name == "id":
                    continue
                values[name] = self._key_argument(name, value, f"input.{name}")
                continue
            if name == "id":  # an `id` beside a custom identifier: a plain ID field
                if value is not None:
                    values["id"] = _id_argument(value, "input.id")
                continue
            if value is not None:
                self._check_value(name, value)
            values[name] = value
        if not creating:
            for name in self.model.identifier:
                if name not in values:
                    raise InvalidArguments(
                        f"input.{name}: the {name} of the item to update is required"
                    )
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


def scope_indexes(model: Model, layout: TableLayout) -> tuple[str, ...]:
    """The GSIs whose partition key is the field of an owner or group-field rule (not a list):
    a caller scoped to that field's values lists by Querying them (ModelStore)."""
    fields = {r.field_name for r in model.rules if r.is_dynamic and not r.is_list}
    return tuple(i.name for i in layout.indexes if i.key.partition_key in fields)


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


def _is_plain_equality(ops: Any) -> bool:
    """`{eq: X}` and nothing else (X not null)."""
    return isinstance(ops, Mapping) and set(ops) == {"eq"} and ops["eq"] is not None

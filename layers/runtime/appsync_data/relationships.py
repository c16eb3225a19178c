"""Relationship fields (`Post.comments`, `Post.blog`, `User.profile`) for a batch of parents.

AppSync batches a relationship field (`BatchInvoke`): one Lambda call carries the field of many
parent items (`source`). Each parent is looked up as the table layout says
(`tables.relationship_lookup`):

- hasMany: a Query of the child's `gsi-Parent.field` with the field's filter, sortDirection,
  limit and nextToken (DynamoDB has no batched Query: one per parent, all in one Lambda call);
- hasOne: the same Query with limit 1;
- belongsTo: the parents' keys read together, one BatchGetItem per 100 distinct keys.

A parent that came from a mutation (`__operation: "Mutation"`, as Amplify marks it) or that holds
no reference resolves to null (hasMany: no items) without any request. The caller's right to read
the related model is decided before this module is called (api.py); their scope (the related items
their owner / group-field rules admit) is applied here: hasMany lists only those (the scope in the
Query's filter), a hasOne / belongsTo item outside it is Unauthorized for that parent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from appsync_data.auth import ItemScope
from appsync_data.errors import DataError, InvalidArguments, Unauthorized
from appsync_data.naming import api_names
from appsync_data.requests import ArgumentReader, ListRequest
from appsync_data.schema import Model, Operation, Relationship, Schema
from appsync_data.store import OPERATION_MARK, ModelStore
from appsync_data.tables import relationship_lookup

Envelope = dict[str, Any]  # {"data": ...} or {"error": {"type", "message"}}


@dataclass(frozen=True)
class RelationshipField:
    """One relationship field of a model and what resolving it reads."""

    parent: Model
    field_name: str
    relationship: Relationship
    related: Model

    @property
    def operation(self) -> Operation:
        """The related model's operation whose rules decide who may read this field."""
        return "list" if self.relationship.kind == "hasMany" else "get"


def relationship_fields(schema: Schema) -> list[RelationshipField]:
    """Every relationship field of the schema, in schema order."""
    return [
        RelationshipField(model, name, rel, schema.models[rel.related_model])
        for model in schema.models.values()
        for name, rel in model.relationships.items()
    ]


class RelationshipResolver:
    """Resolves one relationship field for a batch of (parent item, arguments)."""

    def __init__(
        self,
        schema: Schema,
        stores: Mapping[str, ModelStore],
        readers: Mapping[str, ArgumentReader],
    ) -> None:
        self.schema = schema
        self.stores = stores
        self.readers = readers
        self.layouts = {name: store.layout for name, store in stores.items()}

    def resolve(
        self,
        field: RelationshipField,
        calls: Sequence[tuple[Any, Mapping[str, Any]]],
        scope: ItemScope | None = None,
    ) -> list[Envelope]:
        """The envelope of each (source, arguments), in order, within `scope`."""
        results: list[Envelope | None] = [None] * len(calls)
        lookups: list[tuple[int, dict[str, Any]]] = []  # belongsTo: (position, key) to batch-get
        for position, (source, arguments) in enumerate(calls):
            try:
                key = self._key(field, source)
                if key is None:
                    results[position] = {"data": self._nothing(field)}
                elif field.relationship.kind == "belongsTo":
                    _only_no_arguments(arguments)
                    lookups.append((position, key))
                else:
                    results[position] = self._in_scope(
                        field, self._query(field, key, arguments, scope), scope
                    )
            except DataError as error:
                results[position] = error.to_response()
        if lookups:
            store = self.stores[field.related.name]
            try:
                found = store.batch_get([key for _, key in lookups])
            except DataError as error:
                for position, _ in lookups:
                    results[position] = error.to_response()
            else:
                for (position, _), found_item in zip(lookups, found, strict=True):
                    results[position] = self._in_scope(field, found_item, scope)
        return [r if r is not None else {"data": None} for r in results]

    def _key(self, field: RelationshipField, source: Any) -> dict[str, Any] | None:
        """The key values to look up for `source`, or None when there is nothing to read."""
        if not isinstance(source, Mapping):
            raise InvalidArguments(
                f"{field.parent.name}.{field.field_name}: the event has no source"
            )
        if source.get(OPERATION_MARK) == "Mutation":
            return None  # Amplify's redaction of relationship fields under a mutation's result
        lookup = relationship_lookup(
            self.schema, field.parent, field.field_name, source, self.layouts
        )
        return lookup.key

    def _in_scope(self, field: RelationshipField, data: Any, scope: ItemScope | None) -> Envelope:
        """A hasOne / belongsTo item outside the scope: Unauthorized for this parent (the item
        unchanged, no other request). A hasMany page was read within it."""
        if field.relationship.kind == "hasMany" or scope is None or data is None:
            return {"data": data}
        if not scope.admits(data):
            return Unauthorized.for_field(field.parent.name, field.field_name).to_response()
        return {"data": data}

    def _query(
        self,
        field: RelationshipField,
        key: dict[str, Any],
        arguments: Mapping[str, Any],
        scope: ItemScope | None,
    ) -> Any:
        related = field.related.name
        layout = self.stores[related].layout
        index = layout.relationship_index(field.parent.name, field.field_name)
        reader = self.readers[related]
        if field.relationship.kind == "hasMany":
            request = reader.related_list(index, key, arguments)
            return self.stores[related].list(request, scope)
        _only_no_arguments(arguments)
        request = reader.related_list(index, key, {})
        one = ListRequest(None, 1, None, request.query, request.forward)
        items = self.stores[related].list(one)["items"]
        return items[0] if items else None

    def _nothing(self, field: RelationshipField) -> Any:
        if field.relationship.kind != "hasMany":
            return None
        connection = api_names(field.related).connection
        return {"items": [], "nextToken": None, "__typename": connection}


def _only_no_arguments(arguments: Mapping[str, Any]) -> None:
    if arguments:
        raise InvalidArguments(f"unknown argument {sorted(arguments)[0]!r}")

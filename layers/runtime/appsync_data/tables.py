"""Each model's DynamoDB table layout, as Amplify creates it: keys, attribute types and GSIs.

Pure description from the schema (no I/O), shared by the template generator, the local server's
table creation and the store's queries, so a table Amplify created can be served by us and the
other way round (tests/reference/amplify/modeling/tables.json):

- the table's key is the model's identifier: partition key = its first field; sort key = its
  second field, or for three or more fields one attribute named `b#c` holding `b`'s and `c`'s
  values joined with `#`;
- a secondary index `index("category").sort_keys(["rating"])` is a GSI named
  `postsByCategoryAndRating` (or its `.name(...)`), same key rules;
- a hasMany / hasOne relationship `Post.comments` is a GSI `gsi-Post.comments` on the child's
  table, keyed by the child's reference fields;
- every GSI projects ALL attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from appsync_data.scalars import SCALARS
from appsync_data.schema import Field, Model, RelationshipKind, Schema

AttributeType = Literal["S", "N"]
IndexSource = Literal["secondaryIndex", "relationship"]

COMPOSITE_KEY_SEPARATOR = "#"


@dataclass(frozen=True)
class KeyLayout:
    """A key (of the table or of a GSI): which attributes hold it and which fields make them."""

    partition_key: str  # attribute name = the partition key field's name
    sort_key_fields: tuple[str, ...] = ()  # model fields, in order, that make the sort key

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.partition_key, *self.sort_key_fields)

    @property
    def sort_key(self) -> str | None:
        """The sort key attribute: the one field's name, `a#b` for several, None for none."""
        return composite_attribute_name(self.sort_key_fields) if self.sort_key_fields else None

    @property
    def has_composite_sort_key(self) -> bool:
        return len(self.sort_key_fields) > 1

    def key_schema(self) -> list[dict[str, str]]:
        schema = [{"attributeName": self.partition_key, "keyType": "HASH"}]
        if self.sort_key is not None:
            schema.append({"attributeName": self.sort_key, "keyType": "RANGE"})
        return schema

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The key attributes of `item` (a model item by field name), composite value joined.

        Raises KeyError naming the field when a key field is missing.
        """
        key = {self.partition_key: item[self.partition_key]}
        if self.sort_key is not None:
            missing = [n for n in self.sort_key_fields if item.get(n) is None]
            if missing:
                raise KeyError(missing[0])
            key[self.sort_key] = (
                composite_key_value(item, self.sort_key_fields)
                if self.has_composite_sort_key
                else item[self.sort_key]
            )
        return key


@dataclass(frozen=True)
class IndexLayout:
    """A global secondary index (projection ALL)."""

    name: str  # `postsByCategoryAndRating`, `gsi-Post.comments`
    key: KeyLayout
    source: IndexSource
    query_field: str | None = None  # the Query field of a secondary index
    relationship: tuple[str, str] | None = None  # (parent model, field) of a relationship GSI

    def as_json(self) -> dict[str, Any]:
        """As tables.json / CloudFormation's GlobalSecondaryIndexes entry (camelCase keys)."""
        return {
            "indexName": self.name,
            "keySchema": self.key.key_schema(),
            "projection": {"projectionType": "ALL"},
        }


@dataclass(frozen=True)
class TableLayout:
    """One model's table: its key, attribute definitions and GSIs, in Amplify's order."""

    model: str
    key: KeyLayout
    attribute_types: Mapping[str, AttributeType]  # every key attribute of table and GSIs
    indexes: tuple[IndexLayout, ...]

    @property
    def logical_name(self) -> str:
        """Amplify's name for the table resource (`PostTable`)."""
        return f"{self.model}Table"

    def index(self, name: str) -> IndexLayout:
        for candidate in self.indexes:
            if candidate.name == name:
                return candidate
        raise KeyError(f"table of {self.model} has no index {name!r}")

    def index_for_query(self, query_field: str) -> IndexLayout | None:
        """The secondary index behind an index Query field (`listPostsByCategory`)."""
        for candidate in self.indexes:
            if candidate.query_field == query_field:
                return candidate
        return None

    def relationship_index(self, parent_model: str, field_name: str) -> IndexLayout:
        """The GSI that a hasMany/hasOne `parent_model.field_name` queries on this table."""
        return self.index(relationship_index_name(parent_model, field_name))

    def indexes_by_partition_key(self, field_name: str) -> tuple[IndexLayout, ...]:
        """GSIs whose partition key is `field_name` (to query an equality filter, not scan)."""
        return tuple(i for i in self.indexes if i.key.partition_key == field_name)

    def key_attributes(self, index: str | None = None) -> tuple[str, ...]:
        """The attributes of a page's resume key (DynamoDB's LastEvaluatedKey): the table's key,
        and the index's when reading a GSI."""
        names = [self.key.partition_key, *([self.key.sort_key] if self.key.sort_key else [])]
        if index is not None:
            key = self.index(index).key
            for name in (key.partition_key, key.sort_key):
                if name is not None and name not in names:
                    names.append(name)
        return tuple(names)

    def composite_attributes(self, item: Mapping[str, Any]) -> dict[str, str | None]:
        """The composite sort-key attributes to store with `item` (`status#createdAt`), for the
        table and every GSI; None where a field is missing (remove the attribute then)."""
        return {
            composite_attribute_name(k.sort_key_fields): composite_key_value(
                item, k.sort_key_fields
            )
            for k in (self.key, *(i.key for i in self.indexes))
            if k.has_composite_sort_key
        }

    def as_dynamodb(self) -> dict[str, Any]:
        """KeySchema, AttributeDefinitions and GlobalSecondaryIndexes as DynamoDB's CreateTable
        and CloudFormation's AWS::DynamoDB::Table take them (no GSI key when there is none)."""
        properties: dict[str, Any] = {
            "KeySchema": _pascal(self.key.key_schema()),
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind}
                for name, kind in self.attribute_types.items()
            ],
        }
        if self.indexes:
            properties["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": i.name,
                    "KeySchema": _pascal(i.key.key_schema()),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for i in self.indexes
            ]
        return properties

    def as_json(self) -> dict[str, Any]:
        """As tables.json: keySchema, attributeDefinitions, globalSecondaryIndexes."""
        return {
            "keySchema": self.key.key_schema(),
            "attributeDefinitions": [
                {"attributeName": name, "attributeType": kind}
                for name, kind in self.attribute_types.items()
            ],
            "globalSecondaryIndexes": [i.as_json() for i in self.indexes],
        }


def _pascal(key_schema: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"AttributeName": k["attributeName"], "KeyType": k["keyType"]} for k in key_schema]


def composite_attribute_name(fields: Sequence[str]) -> str:
    """The attribute that holds a sort key made of `fields` (`status#createdAt`)."""
    return COMPOSITE_KEY_SEPARATOR.join(fields)


def composite_key_value(item: Mapping[str, Any], fields: Sequence[str]) -> str | None:
    """The stored value of a composite sort key: the fields' values joined with `#`.

    None when a field is missing (such an item is left out of the index, as DynamoDB leaves out
    items without a key attribute).
    """
    values = [item.get(name) for name in fields]
    if any(value is None for value in values):
        return None
    return COMPOSITE_KEY_SEPARATOR.join(str(value) for value in values)


def relationship_index_name(parent_model: str, field_name: str) -> str:
    """Amplify's GSI name for a hasMany/hasOne field (`gsi-Post.comments`)."""
    return f"gsi-{parent_model}.{field_name}"


def attribute_type(f: Field) -> AttributeType:
    """DynamoDB's key attribute type of a field: numbers N, strings and enums S."""
    scalar = None if f.is_enum else SCALARS.get(f.type_name)
    return "N" if scalar is not None and scalar.dynamodb == "N" else "S"


def _key(fields: Sequence[str]) -> KeyLayout:
    return KeyLayout(partition_key=fields[0], sort_key_fields=tuple(fields[1:]))


def table_layout(schema: Schema | None, model: Model) -> TableLayout:
    """`model`'s table: its own secondary indexes first, then the GSIs of relationships that
    point at it (in schema order), as Amplify's transformers add them (none without `schema`)."""
    indexes = [
        IndexLayout(
            name=spec.index_name or "",
            key=_key(spec.key_fields),
            source="secondaryIndex",
            query_field=spec.query_field_name,
        )
        for spec in model.secondary_indexes
    ]
    for parent in schema.models.values() if schema is not None else ():
        for field_name, rel in parent.relationships.items():
            if rel.kind != "belongsTo" and rel.related_model == model.name:
                indexes.append(
                    IndexLayout(
                        name=relationship_index_name(parent.name, field_name),
                        key=_key(rel.references),
                        source="relationship",
                        relationship=(parent.name, field_name),
                    )
                )
    key = _key(model.identifier)
    attribute_types: dict[str, AttributeType] = {}
    for layout in (key, *(i.key for i in indexes)):
        attribute_types.setdefault(
            layout.partition_key, attribute_type(model.fields[layout.partition_key])
        )
        if layout.has_composite_sort_key:
            attribute_types.setdefault(composite_attribute_name(layout.sort_key_fields), "S")
        elif layout.sort_key_fields:
            name = layout.sort_key_fields[0]
            attribute_types.setdefault(name, attribute_type(model.fields[name]))
    return TableLayout(
        model=model.name, key=key, attribute_types=attribute_types, indexes=tuple(indexes)
    )


def table_layouts(schema: Schema) -> dict[str, TableLayout]:
    """Every model's table layout, by model name."""
    return {name: table_layout(schema, model) for name, model in schema.models.items()}


@dataclass(frozen=True)
class RelationshipLookup:
    """What resolving a relationship field of one source item reads.

    hasMany: Query `index` (the child's `gsi-Parent.field`) with `key`; hasOne: the same with
    limit 1; belongsTo: GetItem on the related model's table with `key` (`index` is None).
    `key` is None when the source item holds no reference (the field resolves to null / empty).
    """

    kind: RelationshipKind
    related_model: str
    index: IndexLayout | None
    key: dict[str, Any] | None


def relationship_lookup(
    schema: Schema,
    model: Model,
    field_name: str,
    source: Mapping[str, Any],
    layouts: Mapping[str, TableLayout] | None = None,
) -> RelationshipLookup:
    """The table, index and key values that resolve `model.field_name` for item `source`
    (`layouts`: the schema's table layouts, when already built)."""
    rel = model.relationships[field_name]
    related = schema.models[rel.related_model]
    layout = layouts[related.name] if layouts is not None else table_layout(schema, related)
    if rel.kind == "belongsTo":
        # This item's reference fields hold the parent's identifier values.
        values = {
            key: source.get(ref)
            for ref, key in zip(rel.references, related.identifier, strict=True)
        }
        key = _key_or_none(layout.key, values)
        return RelationshipLookup(rel.kind, related.name, None, key)
    # hasMany / hasOne: the children whose reference fields equal this item's identifier.
    values = {
        ref: source.get(key) for ref, key in zip(rel.references, model.identifier, strict=True)
    }
    index = layout.relationship_index(model.name, field_name)
    return RelationshipLookup(rel.kind, related.name, index, _key_or_none(index.key, values))


def _key_or_none(key: KeyLayout, values: Mapping[str, Any]) -> dict[str, Any] | None:
    if any(value is None for value in values.values()):
        return None
    return key.key_of(values)

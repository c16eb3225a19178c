"""`model_introspection`: the model metadata the Amplify data client reads (amplify_outputs.json).

Shaped as `@aws-amplify/appsync-modelgen-plugin` emits it (version 1), see
shared/reference/amplify/*/model-introspection.json.
"""

from __future__ import annotations

from typing import Any

from appsync_data.schema import AuthRule, Field, Model, Relationship, Schema

_TIMESTAMPS = ("createdAt", "updatedAt")


def _field(name: str, f: Field) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "isArray": f.is_array,
        "type": {"enum": f.type_name} if f.is_enum else f.type_name,
        "isRequired": f.is_required,
        "attributes": [],
    }
    if f.is_array:
        meta["isArrayNullable"] = not f.is_array_required
    if name in _TIMESTAMPS:
        # Amplify's client treats the managed timestamps as optional and read-only.
        meta["isRequired"] = False
        meta["isReadOnly"] = True
    return meta


def _rule(rule: AuthRule) -> dict[str, Any]:
    meta: dict[str, Any] = {"allow": rule.strategy}
    if rule.provider != "userPools":  # userPools is Amplify's default provider for `private`
        meta["provider"] = rule.provider
    meta["operations"] = list(rule.operations)
    return meta


def _model(model: Model) -> dict[str, Any]:
    # Modelgen lists `id` first (when the model has one), then the declared fields, then the
    # timestamps.
    names = model.all_field_names
    order = [*(n for n in names if n == "id"), *(n for n in names if n != "id")]
    attributes: list[dict[str, Any]] = [{"type": "model", "properties": {}}]
    attributes += key_attributes(model)
    if model.rules:
        attributes.append(
            {"type": "auth", "properties": {"rules": [_rule(r) for r in model.rules]}}
        )
    return {
        "name": model.name,
        "fields": {n: _model_field(model, n) for n in order},
        "syncable": True,
        "pluralName": model.plural_name,
        "attributes": attributes,
        "primaryKeyInfo": {
            "isCustomPrimaryKey": model.has_custom_identifier,
            "primaryKeyFieldName": model.identifier[0],
            "sortKeyFieldNames": list(model.sort_key_fields),
        },
    }


def _model_field(model: Model, name: str) -> dict[str, Any]:
    relationship = model.relationships.get(name)
    if relationship is None:
        return _field(name, model.fields[name])
    return relationship_field(name, relationship)


# Modelgen's association per relationship kind: hasMany/hasOne name the child's fields that
# hold this model's identifier (`associatedWith`), belongsTo its own (`targetNames`).
_CONNECTION_TYPES = {"hasMany": "HAS_MANY", "hasOne": "HAS_ONE", "belongsTo": "BELONGS_TO"}


def relationship_field(name: str, relationship: Relationship) -> dict[str, Any]:
    """A relationship field as modelgen describes it (type `{"model": ...}`, `association`)."""
    association: dict[str, Any] = {"connectionType": _CONNECTION_TYPES[relationship.kind]}
    references = list(relationship.references)
    if relationship.kind == "belongsTo":
        association["targetNames"] = references
    else:
        association["associatedWith"] = references
    if relationship.kind == "hasOne":
        association["targetNames"] = []  # modelgen's quirk: an empty list on hasOne
    meta: dict[str, Any] = {
        "name": name,
        "isArray": relationship.is_array,
        "type": {"model": relationship.related_model},
        "isRequired": False,
        "attributes": [],
    }
    if relationship.is_array:
        meta["isArrayNullable"] = True
    meta["association"] = association
    return meta


def key_attributes(model: Model) -> list[dict[str, Any]]:
    """`key` attributes: a custom identifier's fields, then each secondary index (name, query
    field, partition key and sort key fields). Relationship GSIs are not listed (modelgen)."""
    keys: list[dict[str, Any]] = []
    if model.has_custom_identifier:
        keys.append({"type": "key", "properties": {"fields": list(model.identifier)}})
    keys += [
        {
            "type": "key",
            "properties": {
                "name": spec.index_name,
                "queryField": spec.query_field_name,
                "fields": list(spec.key_fields),
            },
        }
        for spec in model.secondary_indexes
    ]
    return keys


def model_introspection(schema: Schema) -> dict[str, Any]:
    """The `data.model_introspection` object of amplify_outputs.json for `schema`."""
    return {
        "version": 1,
        "models": {name: _model(model) for name, model in schema.models.items()},
        "enums": {
            name: {"name": name, "values": list(values)} for name, values in schema.enums.items()
        },
        "nonModels": {},
    }

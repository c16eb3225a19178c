"""`model_introspection`: the model metadata the Amplify data client reads (amplify_outputs.json).

Shaped as `@aws-amplify/appsync-modelgen-plugin` emits it (version 1), see
shared/reference/amplify/*/model-introspection.json.
"""

from __future__ import annotations

from typing import Any

from appsync_data.generate.sdl import implied_fields
from appsync_data.naming import api_names
from appsync_data.schema import (
    AuthRule,
    CustomOperation,
    CustomType,
    Field,
    Model,
    Relationship,
    Schema,
)

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


# Modelgen's claim defaults (its own: the owner claim is named `cognito:username` whatever
# the rule's default `sub::username`; the identity claim shows as written when one is given).
_MODELGEN_IDENTITY_CLAIM = "cognito:username"
_MODELGEN_GROUP_CLAIM = "cognito:groups"


def _written_rule(rule: AuthRule) -> dict[str, Any]:
    """The rule as Amplify's data-schema writes it into the @auth directive, in its key order."""
    written: dict[str, Any] = {"allow": rule.strategy}
    if rule.strategy == "public" or rule.provider not in ("userPools", "function"):
        written["provider"] = rule.provider
    if rule.has_operations:
        written["operations"] = list(rule.operations)
    if rule.field_name is not None:
        written["ownerField" if rule.strategy == "owner" else "groupsField"] = rule.field_name
    if rule.groups:
        written["groups"] = list(rule.groups)
    if rule.claim is not None:
        written["identityClaim" if rule.strategy == "owner" else "groupClaim"] = rule.claim
    return written


def _rule(rule: AuthRule) -> dict[str, Any]:
    """The rule as modelgen describes it: its defaults first, the written rule over them, then
    the claim, group field and operations it fills in (key order as modelgen's output)."""
    meta: dict[str, Any] = {}
    if rule.strategy == "owner":
        meta = {"provider": "userPools", "ownerField": "owner", "allow": rule.strategy}
    elif rule.strategy == "groups":
        meta = {"groupClaim": _MODELGEN_GROUP_CLAIM, "provider": "userPools", "allow": "groups"}
    meta.update(_written_rule(rule))
    if rule.strategy == "owner":
        meta.setdefault("identityClaim", _MODELGEN_IDENTITY_CLAIM)
    if rule.strategy == "groups" and rule.field_name is not None:
        meta["groupField"] = "groups"
    meta.setdefault("operations", list(rule.operations))
    return meta


def _model(model: Model) -> dict[str, Any]:
    # Modelgen lists `id` first (when the model has one), then the declared fields, then the
    # timestamps.
    implied = implied_fields(model)  # added by the transformer, after modelgen read the schema
    names = [n for n in model.all_field_names if n not in implied]
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
        "pluralName": api_names(model).plural,
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
        "nonModels": {
            name: non_model(t, frozenset(schema.custom_types))
            for name, t in schema.custom_types.items()
        },
        **operations_introspection(schema),
    }


# --- custom types and custom operations ----------------------------------------------------------


def _type_reference(f: Field, kind: str) -> str | dict[str, str]:
    """A type as modelgen names it: a scalar by name, else `{"model"|"nonModel"|"enum": name}`."""
    return f.type_name if kind == "scalar" else {kind: f.type_name}


def _non_model_field(name: str, f: Field, schema_kind: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "isArray": f.is_array,
        "type": _type_reference(f, schema_kind),
        "isRequired": f.is_required,
        "attributes": [],
    }
    if f.is_array:
        meta["isArrayNullable"] = not f.is_array_required
    return meta


def non_model(
    custom_type: CustomType, custom_type_names: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A custom type as modelgen lists it under `nonModels`."""
    return {
        "name": custom_type.name,
        "fields": {
            n: _non_model_field(n, f, _field_kind(f, custom_type_names))
            for n, f in custom_type.fields.items()
        },
    }


def _field_kind(f: Field, custom_type_names: frozenset[str]) -> str:
    if f.type_name in custom_type_names:
        return "nonModel"
    return "enum" if f.is_enum else "scalar"


_RETURN_KINDS = {"scalar": "scalar", "model": "model", "customType": "nonModel", "enum": "enum"}


def _argument(name: str, f: Field) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "isArray": f.is_array,
        "type": _type_reference(f, "enum" if f.is_enum else "scalar"),
        "isRequired": f.is_required,
    }
    if f.is_array:
        meta["isArrayNullable"] = not f.is_array_required
    return meta


def operation_introspection(operation: CustomOperation) -> dict[str, Any]:
    """A custom query or mutation as modelgen lists it (no `attributes`, `arguments` only
    when it has some)."""
    returns = operation.returns
    meta: dict[str, Any] = {
        "name": operation.name,
        "isArray": returns.is_array,
        "type": _type_reference(returns, _RETURN_KINDS[operation.return_kind]),
        "isRequired": returns.is_required,
    }
    if returns.is_array:
        meta["isArrayNullable"] = not returns.is_array_required
    if operation.arguments:
        meta["arguments"] = {n: _argument(n, f) for n, f in operation.arguments.items()}
    return meta


def operations_introspection(schema: Schema) -> dict[str, Any]:
    """`queries` and `mutations`, each present only when the schema declares one."""
    sections: dict[str, Any] = {}
    for key, operations in (("queries", schema.queries), ("mutations", schema.mutations)):
        if operations:
            sections[key] = {n: operation_introspection(op) for n, op in operations.items()}
    return sections

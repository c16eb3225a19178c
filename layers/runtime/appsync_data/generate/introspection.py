"""`model_introspection`: the model metadata the Amplify data client reads (amplify_outputs.json).

Shaped as `@aws-amplify/appsync-modelgen-plugin` emits it (version 1), see
shared/reference/amplify/*/model-introspection.json.
"""

from __future__ import annotations

from typing import Any

from appsync_data.naming import api_names
from appsync_data.schema import AuthRule, Field, Model, Schema

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
    # Modelgen lists `id` first, then the declared fields, then the timestamps.
    order = ["id", *(n for n in model.fields if n != "id")]
    attributes: list[dict[str, Any]] = [{"type": "model", "properties": {}}]
    if model.rules:
        attributes.append(
            {"type": "auth", "properties": {"rules": [_rule(r) for r in model.rules]}}
        )
    return {
        "name": model.name,
        "fields": {n: _field(n, model.fields[n]) for n in order},
        "syncable": True,
        "pluralName": api_names(model).plural,
        "attributes": attributes,
        "primaryKeyInfo": {
            "isCustomPrimaryKey": False,
            "primaryKeyFieldName": "id",
            "sortKeyFieldNames": [],
        },
    }


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

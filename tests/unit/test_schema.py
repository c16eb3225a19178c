"""The schema DSL: what `a.schema({...})` declares, and the mistakes it refuses at import time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import Field, Schema, SchemaError, a
from appsync_data.scalars import SCALARS
from appsync_data.schema import AuthRule, ModelBuilder


def todo_schema(fields: dict[str, Field], **more_types: ModelBuilder | Field) -> Schema:
    return a.schema({"Todo": a.model(fields), **more_types})


# --- field builders ------------------------------------------------------------------------------

BUILDER_TYPES: list[tuple[Callable[[], Field], str]] = [
    (a.string, "String"),
    (a.integer, "Int"),
    (a.float, "Float"),
    (a.boolean, "Boolean"),
    (a.id, "ID"),
    (a.date, "AWSDate"),
    (a.time, "AWSTime"),
    (a.datetime, "AWSDateTime"),
    (a.timestamp, "AWSTimestamp"),
    (a.email, "AWSEmail"),
    (a.json, "AWSJSON"),
    (a.phone, "AWSPhone"),
    (a.url, "AWSURL"),
    (a.ip_address, "AWSIPAddress"),
]
# Amplify's own builder names (`a.ipAddress()`...): a schema written for Amplify reads the same.
AMPLIFY_BUILDERS = {
    "string": "String",
    "integer": "Int",
    "float": "Float",
    "boolean": "Boolean",
    "id": "ID",
    "date": "AWSDate",
    "time": "AWSTime",
    "datetime": "AWSDateTime",
    "timestamp": "AWSTimestamp",
    "email": "AWSEmail",
    "json": "AWSJSON",
    "phone": "AWSPhone",
    "url": "AWSURL",
    "ipAddress": "AWSIPAddress",
}


@pytest.mark.parametrize(("builder", "graphql_type"), BUILDER_TYPES)
def test_field_builder_maps_to_its_graphql_type(
    builder: Callable[[], Field], graphql_type: str
) -> None:
    field = todo_schema({"value": builder()}).models["Todo"].fields["value"]
    assert field.type_name == graphql_type
    assert not field.is_enum
    assert (field.is_required, field.is_array, field.is_array_required) == (False, False, False)
    assert not field.has_default


def test_every_scalar_has_a_builder() -> None:
    assert sorted(graphql_type for _, graphql_type in BUILDER_TYPES) == sorted(SCALARS)


@pytest.mark.parametrize(("name", "graphql_type"), AMPLIFY_BUILDERS.items())
def test_amplifys_builder_names_build_the_same_types(name: str, graphql_type: str) -> None:
    builder = getattr(a, name, None)
    assert builder is not None, f"a.{name} is missing"
    assert builder() == Field(graphql_type)


# --- required / array ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "flags"),
    [
        pytest.param(a.string().required(), (True, False, False), id="String!"),
        pytest.param(a.string().array(), (False, True, False), id="[String]"),
        pytest.param(a.string().required().array(), (True, True, False), id="[String!]"),
        pytest.param(a.string().array().required(), (False, True, True), id="[String]!"),
        pytest.param(a.string().required().array().required(), (True, True, True), id="[String!]!"),
    ],
)
def test_required_before_array_marks_elements_after_marks_the_list(
    field: Field, flags: tuple[bool, bool, bool]
) -> None:
    built = todo_schema({"tags": field}).models["Todo"].fields["tags"]
    assert (built.is_required, built.is_array, built.is_array_required) == flags


def test_builders_are_immutable() -> None:
    base = a.string()
    base.required()
    base.array()
    base.default("x")
    assert base == a.string()


# --- defaults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (a.string().default("todo"), "todo"),
        (a.integer().default(3), 3),
        (a.float().default(1.5), 1.5),
        (a.float().default(2), 2),
        (a.boolean().default(False), False),
        (a.json().default({"a": [1, 2]}), {"a": [1, 2]}),
        (a.timestamp().default(1735689600), 1735689600),
        (a.enum(["LOW", "HIGH"]).default("LOW"), "LOW"),
    ],
)
def test_valid_default_is_kept(field: Field, value: Any) -> None:
    built = todo_schema({"value": field}).models["Todo"].fields["value"]
    assert built.has_default
    assert built.default_value == value


@pytest.mark.parametrize(
    "field",
    [
        pytest.param(a.integer().default("3"), id="int-from-str"),
        pytest.param(a.integer().default(True), id="int-from-bool"),
        pytest.param(a.integer().default(1.5), id="int-from-float"),
        pytest.param(a.boolean().default(1), id="bool-from-int"),
        pytest.param(a.string().default(5), id="str-from-int"),
        pytest.param(a.float().default("1.0"), id="float-from-str"),
        pytest.param(a.json().default({1, 2}), id="json-from-set"),
        pytest.param(a.enum(["LOW", "HIGH"]).default("MEDIUM"), id="enum-unknown-value"),
        pytest.param(a.string().default(), id="no-value"),
        pytest.param(a.string().array().default(["a"]), id="array"),
    ],
)
def test_invalid_default_fails_naming_model_and_field(field: Field) -> None:
    with pytest.raises(SchemaError) as raised:
        a.schema({"Task": a.model({"title": a.string(), "priority": field})})
    assert "Task" in str(raised.value)
    assert "priority" in str(raised.value)


def test_default_of_a_top_level_enum_is_checked_against_its_values() -> None:
    ok = a.schema(
        {
            "Level": a.enum(["LOW", "HIGH"]),
            "Task": a.model({"level": a.ref("Level").default("HIGH")}),
        }
    )
    assert ok.models["Task"].fields["level"].default_value == "HIGH"
    with pytest.raises(SchemaError, match="level"):
        a.schema(
            {
                "Level": a.enum(["LOW", "HIGH"]),
                "Task": a.model({"level": a.ref("Level").default("X")}),
            }
        )


# --- implicit fields -----------------------------------------------------------------------------


def test_implicit_fields_follow_declared_ones_in_amplify_order() -> None:
    model = a.schema({"Todo": a.model({"content": a.string(), "done": a.boolean()})}).models["Todo"]
    assert list(model.fields) == ["content", "done", "id", "createdAt", "updatedAt"]
    assert list(model.user_fields) == ["content", "done"]
    implicit = {name: model.fields[name] for name in ("id", "createdAt", "updatedAt")}
    assert {name: (f.type_name, f.is_required) for name, f in implicit.items()} == {
        "id": ("ID", True),
        "createdAt": ("AWSDateTime", True),
        "updatedAt": ("AWSDateTime", True),
    }


@pytest.mark.parametrize(
    ("field_name", "field"),
    [
        ("id", a.string()),
        ("id", a.integer().required()),
        ("id", a.id().array()),
        ("createdAt", a.string()),
        ("createdAt", a.date()),
        ("updatedAt", a.timestamp()),
        ("updatedAt", a.datetime().array()),
        ("createdAt", a.enum(["A", "B"])),
    ],
)
def test_redefining_an_implicit_field_with_another_type_fails(
    field_name: str, field: Field
) -> None:
    with pytest.raises(SchemaError) as raised:
        a.schema({"Note": a.model({"text": a.string(), field_name: field})})
    message = str(raised.value)
    assert "Note" in message
    assert field_name in message


@pytest.mark.parametrize(
    ("field_name", "field"),
    [
        ("id", a.id()),
        ("id", a.id().required()),
        ("createdAt", a.datetime()),
        ("updatedAt", a.datetime().required()),
    ],
)
def test_redeclaring_an_implicit_field_with_its_own_type_is_allowed(
    field_name: str, field: Field
) -> None:
    model = a.schema({"Note": a.model({"text": a.string(), field_name: field})}).models["Note"]
    assert set(model.fields) == {"text", "id", "createdAt", "updatedAt"}
    assert list(model.user_fields) == ["text"]
    assert model.fields["id"].type_name == "ID"
    assert model.fields["id"].is_required


# --- enums ---------------------------------------------------------------------------------------


def test_inline_enum_is_named_after_model_and_field() -> None:
    schema = a.schema(
        {"BlogPost": a.model({"status": a.enum(["DRAFT", "PUBLISHED"]), "title": a.string()})}
    )
    field = schema.models["BlogPost"].fields["status"]
    assert field.type_name == "BlogPostStatus"
    assert field.is_enum
    assert field.enum_values == ("DRAFT", "PUBLISHED")
    assert schema.enums == {"BlogPostStatus": ("DRAFT", "PUBLISHED")}
    assert not schema.models["BlogPost"].fields["title"].is_enum


def test_top_level_enum_is_referenced_with_ref() -> None:
    schema = a.schema(
        {
            "Priority": a.enum(["LOW", "MEDIUM", "HIGH"]),
            "Todo": a.model({"priority": a.ref("Priority").required()}),
            "Bug": a.model({"severity": a.ref("Priority").array()}),
        }
    )
    assert set(schema.models) == {"Todo", "Bug"}
    assert schema.enums == {"Priority": ("LOW", "MEDIUM", "HIGH")}
    priority = schema.models["Todo"].fields["priority"]
    assert (priority.type_name, priority.is_enum, priority.is_required) == ("Priority", True, True)
    severity = schema.models["Bug"].fields["severity"]
    assert (severity.type_name, severity.is_array) == ("Priority", True)


@pytest.mark.parametrize("ref", ["Nope", "Todo", "string", "String2"])
def test_unknown_type_ref_fails_naming_model_and_field(ref: str) -> None:
    with pytest.raises(SchemaError) as raised:
        a.schema({"Todo": a.model({"kind": a.ref(ref)})})
    assert "Todo" in str(raised.value)
    assert "kind" in str(raised.value)


@pytest.mark.parametrize(
    "values",
    [[], ["A", "A"], ["has space"], ["1st"], ["ok", 3]],
)
def test_bad_enum_values_fail(values: list[Any]) -> None:
    with pytest.raises(SchemaError):
        a.enum(values)


# --- rules ---------------------------------------------------------------------------------------


def test_authenticated_defaults_to_user_pools_and_every_operation() -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated()]
            )
        }
    )
    (rule,) = schema.models["Todo"].rules
    assert rule.provider == "userPools"
    assert rule.strategy == "private"
    assert rule.operations == ("create", "update", "delete", "read")
    for operation in ("create", "update", "delete", "get", "list", "listen", "sync", "search"):
        assert rule.grants(operation), operation


@pytest.mark.parametrize("provider", ["userPools", "identityPool", "oidc"])
def test_known_providers(provider: str) -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated(provider)]
            )
        }
    )
    assert schema.models["Todo"].rules[0].provider == provider
    assert schema.providers() == (provider,)


@pytest.mark.parametrize("provider", ["apiKey", "iam", "userpools", "OIDC", "lambda", ""])
def test_unknown_provider_fails(provider: str) -> None:
    with pytest.raises(SchemaError, match="provider"):
        a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated(provider)]
        )


@pytest.mark.parametrize("operations", [["write"], ["read", "publish"], ["Read"], []])
def test_unknown_to_operation_fails(operations: list[str]) -> None:
    with pytest.raises(SchemaError):
        a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated().to(operations)]
        )


def test_read_expands_to_every_read_operation() -> None:
    rule = AuthRule().to(["read"])
    assert rule.operations == ("read",)
    assert rule.expanded_operations == {"get", "list", "listen", "sync", "search"}
    for operation in ("create", "update", "delete"):
        assert not rule.grants(operation)


def test_to_keeps_the_declared_operations() -> None:
    rule = AuthRule(provider="oidc").to(["create", "get"])
    assert rule.operations == ("create", "get")
    assert rule.expanded_operations == {"create", "get"}
    assert rule.provider == "oidc"


def test_schema_authorization_adds_rules_to_every_model() -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated()]
            ),
            "Note": a.model({"text": a.string()}),
        }
    ).authorization(lambda allow: [allow.authenticated("identityPool").to(["read"])])
    todo_rules = schema.models["Todo"].rules
    note_rules = schema.models["Note"].rules
    assert [(r.provider, r.operations) for r in todo_rules] == [
        ("userPools", ("create", "update", "delete", "read")),
        ("identityPool", ("read",)),
    ]
    assert [(r.provider, r.operations) for r in note_rules] == [("identityPool", ("read",))]
    assert schema.models["Todo"].providers() == ("userPools", "identityPool")
    assert set(schema.providers()) == {"userPools", "identityPool"}


def test_authorization_must_return_rules() -> None:
    with pytest.raises(SchemaError):
        a.model({"content": a.string()}).authorization(lambda allow: ["everyone"])  # type: ignore[list-item]


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Todo", "Todos"),
        ("Category", "Categories"),
        ("Box", "Boxes"),
        ("Bus", "Buses"),
        ("Dish", "Dishes"),
        ("Match", "Matches"),
        ("Day", "Days"),
        ("BlogPost", "BlogPosts"),
    ],
)
def test_plural_names(name: str, plural: str) -> None:
    schema = a.schema({name: a.model({"content": a.string()})})
    assert schema.models[name].name == name
    assert schema.models[name].plural_name == plural


@pytest.mark.parametrize(
    "types",
    [
        pytest.param({}, id="empty"),
        pytest.param({"Level": a.enum(["A"])}, id="only-enums"),
        pytest.param({"Todo": a.string()}, id="field-as-type"),
        pytest.param({"Bad Name": a.model({"x": a.string()})}, id="bad-model-name"),
    ],
)
def test_bad_schemas_fail(types: dict[str, Any]) -> None:
    with pytest.raises(SchemaError):
        a.schema(types)


@pytest.mark.parametrize("field_name", ["bad-name", "and", "or", "not", "__typename", "__x"])
def test_bad_or_reserved_field_names_fail(field_name: str) -> None:
    with pytest.raises(SchemaError) as raised:
        a.schema({"Todo": a.model({field_name: a.string()})})
    assert "Todo" in str(raised.value)


def test_field_value_must_be_a_builder() -> None:
    with pytest.raises(SchemaError, match="content"):
        a.schema({"Todo": a.model({"content": "String"})})  # type: ignore[dict-item]


def test_inline_enum_clashing_with_a_top_level_enum_fails() -> None:
    with pytest.raises(SchemaError, match="TodoPriority"):
        a.schema(
            {
                "TodoPriority": a.enum(["X"]),
                "Todo": a.model({"priority": a.enum(["LOW", "HIGH"])}),
            }
        )

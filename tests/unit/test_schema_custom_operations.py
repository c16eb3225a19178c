"""Custom queries, mutations and types in the DSL: declarations, what they generate (SDL,
introspection), who their rules admit, and every wrong declaration refused, naming it."""

from __future__ import annotations

from typing import Any

import pytest
from appsync_data import Schema, SchemaError, a
from appsync_data.auth import caller_from_identity, decide
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import (
    APPSYNC_PRELUDE,
    api_auth_modes,
    operation_field_definition,
    render_sdl,
)
from appsync_data.schema import CUSTOM_OPERATION, CustomOperationBuilder, FunctionHandler
from graphql import build_schema
from identities import CALLER_NAMES, EXPECTED_ALLOWED, PROVIDERS, identity, our_settings

TODO = a.model({"content": a.string(), "done": a.boolean()}).authorization(
    lambda allow: [allow.authenticated()]
)


def signed_in(builder: CustomOperationBuilder) -> CustomOperationBuilder:
    return builder.authorization(lambda allow: [allow.authenticated()]).handler(
        a.handler.function("stats")
    )


def schema_with(**types: Any) -> Schema:
    return a.schema({"Todo": TODO, **types})


def sdl_schema(schema: Schema) -> Any:
    return build_schema(APPSYNC_PRELUDE + render_sdl(schema))


# --- declarations ------------------------------------------------------------------------------


def test_camel_case_aliases_build_the_same_schema() -> None:
    assert a.customType is a.custom_type
    snake = schema_with(
        Stats=a.custom_type({"total": a.integer()}),
        stats=signed_in(a.query().returns(a.ref("Stats"))),
    )
    camel = schema_with(
        Stats=a.customType({"total": a.integer()}),
        stats=signed_in(a.query().returns(a.ref("Stats"))),
    )
    assert snake == camel


def test_builders_are_frozen_and_fluent() -> None:
    base = a.query()
    with_args = base.arguments({"n": a.integer()})
    assert base.argument_specs == {} and with_args.argument_specs == {"n": a.integer()}
    returning = with_args.returns(a.string())
    assert with_args.return_spec is None and returning.return_spec == a.string()
    handled = returning.handler(a.handler.function("stats"))
    assert returning.handler_spec is None and handled.handler_spec == FunctionHandler("stats")
    authed = handled.authorization(lambda allow: [allow.authenticated()])
    assert handled.rule_values is None and authed.rule_values is not None
    with pytest.raises(AttributeError):
        authed.operation_type = "Mutation"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("returns", "sdl_type"),
    [
        (a.string(), "String"),
        (a.string().required(), "String!"),
        (a.integer().array(), "[Int]"),
        (a.integer().required().array().required(), "[Int!]!"),
        (a.ref("Todo"), "Todo"),
        (a.ref("Todo").array().required(), "[Todo]!"),
        (a.ref("Level"), "Level"),
        (a.ref("Stats").required(), "Stats!"),
    ],
)
def test_return_types(returns: Any, sdl_type: str) -> None:
    schema = schema_with(
        Level=a.enum(["LOW", "HIGH"]),
        Stats=a.custom_type({"total": a.integer()}),
        op=signed_in(a.query().returns(returns)),
    )
    assert operation_field_definition(schema.operation("op")) == (
        f"op: {sdl_type} @aws_iam @aws_cognito_user_pools"
    )
    assert str(sdl_schema(schema).query_type.fields["op"].type) == sdl_type


def test_arguments_scalars_lists_and_enums() -> None:
    schema = schema_with(
        Level=a.enum(["LOW", "HIGH"]),
        op=signed_in(
            a.mutation()
            .arguments(
                {
                    "ids": a.id().required().array().required(),
                    "level": a.ref("Level").required(),
                    "at": a.datetime(),
                    "meta": a.json(),
                }
            )
            .returns(a.boolean())
        ),
    )
    field = sdl_schema(schema).mutation_type.fields["op"]
    assert {n: str(arg.type) for n, arg in field.args.items()} == {
        "ids": "[ID!]!",
        "level": "Level!",
        "at": "AWSDateTime",
        "meta": "AWSJSON",
    }
    meta = model_introspection(schema)["mutations"]["op"]
    assert meta["arguments"]["level"] == {
        "name": "level",
        "isArray": False,
        "type": {"enum": "Level"},
        "isRequired": True,
    }
    assert "queries" not in model_introspection(schema)


def test_function_names_once_each_in_declaration_order() -> None:
    schema = schema_with(
        a1=a.query()
        .returns(a.string())
        .handler(a.handler.function("reports"))
        .authorization(lambda allow: [allow.authenticated()]),
        a2=signed_in(a.query().returns(a.string())),
        a3=a.mutation()
        .returns(a.string())
        .handler(a.handler.function("reports"))
        .authorization(lambda allow: [allow.authenticated()]),
    )
    assert schema.function_names() == ("reports", "stats")
    assert a.schema({"Todo": TODO}).function_names() == ()


# --- generated SDL and introspection ------------------------------------------------------------


def test_query_only_schema_declares_query_first_and_generates_mutation() -> None:
    schema = schema_with(hello=signed_in(a.query().returns(a.string())))
    sdl = render_sdl(schema)
    assert sdl.startswith("type Todo @aws_iam @aws_cognito_user_pools {")
    assert sdl.index("type Query @aws_iam {") < sdl.index("input ModelStringInput")
    assert "type Mutation {\n  createTodo(" in sdl  # generated, at its usual place
    assert "  hello: String @aws_iam @aws_cognito_user_pools\n}" in sdl
    sdl_schema(schema)


def test_custom_type_inherits_directives_of_operations_returning_it() -> None:
    schema = schema_with(
        Point=a.custom_type({"x": a.float()}),
        Shape=a.custom_type({"origin": a.ref("Point"), "kind": a.enum(["SQUARE", "DOT"])}),
        Unused=a.custom_type({"x": a.float()}),
        shape=a.query()
        .returns(a.ref("Shape"))
        .authorization(lambda allow: [allow.authenticated("oidc")])
        .handler(a.handler.function("shapes")),
        shapes=signed_in(a.query().returns(a.ref("Shape").array())),
    )
    sdl = render_sdl(schema)
    assert "type Shape @aws_oidc @aws_cognito_user_pools @aws_iam {" in sdl
    assert "type Point @aws_oidc @aws_cognito_user_pools @aws_iam {" in sdl  # nested
    assert "type Unused @aws_iam {" in sdl
    assert "  kind: ShapeKind\n" in sdl and "enum ShapeKind {" in sdl
    assert "shape: Shape @aws_iam @aws_oidc" in sdl
    assert api_auth_modes(schema) == ("AMAZON_COGNITO_USER_POOLS", ("OPENID_CONNECT", "AWS_IAM"))
    intro = model_introspection(schema)
    assert intro["nonModels"]["Shape"]["fields"]["origin"]["type"] == {"nonModel": "Point"}
    assert intro["nonModels"]["Shape"]["fields"]["kind"]["type"] == {"enum": "ShapeKind"}
    assert intro["queries"]["shapes"]["type"] == {"nonModel": "Shape"}
    assert intro["queries"]["shapes"]["isArrayNullable"] is True
    sdl_schema(schema)


def test_identity_pool_rule_gives_iam_directive_on_custom_type() -> None:
    schema = schema_with(
        Stats=a.custom_type({"n": a.integer()}),
        stats=a.query()
        .returns(a.ref("Stats"))
        .authorization(lambda allow: [allow.authenticated("identityPool")])
        .handler(a.handler.function("stats")),
    )
    sdl = render_sdl(schema)
    assert "type Stats @aws_iam {" in sdl
    assert "stats: Stats @aws_iam\n" in sdl


# --- authorization ------------------------------------------------------------------------------


def _op_rules(provider: str) -> Any:
    schema = schema_with(
        op=a.query()
        .returns(a.string())
        .authorization(lambda allow: [allow.authenticated(provider)])
        .handler(a.handler.function("stats"))
    )
    return schema.operation("op").rules


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("caller", CALLER_NAMES)
def test_operation_rules_admit_whom_amplify_field_auth_admits(caller: str, provider: str) -> None:
    # Amplify's field-auth step for a custom operation checks the provider as a model's does
    # (resolvers/Query.echo.auth.req.vtl): same truth table, operation "custom".
    settings = our_settings()
    who = caller_from_identity(identity(caller), settings)
    decision = decide(_op_rules(provider), CUSTOM_OPERATION, who, settings)
    assert decision.allowed is EXPECTED_ALLOWED[caller][provider]


@pytest.mark.parametrize("operation", ["get", "list", "create", "update", "delete", "listen"])
def test_operation_rules_grant_no_model_operation_and_model_rules_no_custom(
    operation: Any,
) -> None:
    settings = our_settings()
    user = caller_from_identity(identity("user_pool_id_token"), settings)
    assert decide(_op_rules("userPools"), operation, user, settings).allowed is False
    model_rules = schema_with().models["Todo"].rules
    assert decide(model_rules, operation, user, settings).allowed is True
    assert decide(model_rules, CUSTOM_OPERATION, user, settings).allowed is False


def test_operation_without_rules_is_refused_to_everyone_and_not_generated() -> None:
    schema = schema_with(op=a.query().returns(a.string()).handler(a.handler.function("stats")))
    settings = our_settings()
    for name in CALLER_NAMES:
        who = caller_from_identity(identity(name), settings)
        assert not decide(schema.operation("op").rules, CUSTOM_OPERATION, who, settings).allowed
    with pytest.raises(SchemaError, match=r"custom query 'op': add \.authorization"):
        render_sdl(schema)


def test_schema_rules_cover_operations_without_their_own() -> None:
    schema = schema_with(
        mine=signed_in(a.query().returns(a.string())),
        shared=a.query().returns(a.string()).handler(a.handler.function("stats")),
    ).authorization(
        lambda allow: [
            allow.authenticated("identityPool"),
            allow.authenticated("oidc").to(["read"]),  # model operations only
        ]
    )
    assert [r.provider for r in schema.operation("mine").rules] == ["userPools"]
    assert [(r.provider, r.operations) for r in schema.operation("shared").rules] == [
        ("identityPool", ("custom",))
    ]
    render_sdl(schema)


def test_model_rule_cannot_name_custom() -> None:
    with pytest.raises(SchemaError, match="unknown operation"):
        a.model({"x": a.string()}).authorization(
            lambda allow: [allow.authenticated().to(["custom"])]
        )


# --- refused declarations -------------------------------------------------------------------------

OK_RETURN = a.string()


@pytest.mark.parametrize(
    ("types", "message"),
    [
        (
            {"op": signed_in(a.query().returns(a.ref("Nope")))},
            "custom query 'op': .returns(a.ref('Nope')) names no type",
        ),
        (
            {"op": signed_in(a.query().arguments({"t": a.ref("Todo")}).returns(OK_RETURN))},
            "custom query 'op', argument 't': unsupported argument type 'Todo'",
        ),
        (
            {
                "S": a.custom_type({"n": a.integer()}),
                "op": signed_in(a.mutation().arguments({"s": a.ref("S")}).returns(OK_RETURN)),
            },
            "custom mutation 'op', argument 's': unsupported argument type 'S'",
        ),
        (
            {"op": signed_in(a.query().arguments({"e": a.enum(["A"])}).returns(OK_RETURN))},
            "custom query 'op', argument 'e': an inline a.enum",
        ),
        (
            {
                "op": signed_in(
                    a.query().arguments({"n": a.integer().default(1)}).returns(OK_RETURN)
                )
            },
            "custom query 'op', argument 'n': arguments take no .default",
        ),
        (
            {
                "op": signed_in(
                    a.query().arguments({"t": a.has_many("Todo", "x")}).returns(OK_RETURN)
                )
            },
            "custom query 'op', argument 't': expected a scalar",
        ),
        (
            {"op": signed_in(a.query().arguments({"bad-name": a.string()}).returns(OK_RETURN))},
            "custom query 'op', argument 'bad-name': not a valid GraphQL argument name",
        ),
        (
            {"op": signed_in(a.query().arguments({"x": a.ref("Nope")}).returns(OK_RETURN))},
            "custom query 'op', argument 'x': unsupported argument type 'Nope'",
        ),
        (
            {
                "op": a.query()
                .returns(OK_RETURN)
                .authorization(lambda allow: [allow.authenticated()])
            },
            "custom query 'op': add .handler",
        ),
        (
            {"op": signed_in(a.mutation())},
            "custom mutation 'op': add .returns",
        ),
        (
            {"op": signed_in(a.query().returns(a.enum(["A", "B"])))},
            "custom query 'op': .returns(...) takes a scalar or a.ref",
        ),
        (
            {"op": signed_in(a.query().returns(a.custom_type({"n": a.integer()})))},  # type: ignore[arg-type]
            "custom query 'op': .returns(...) takes a scalar or a.ref",
        ),
        (
            {
                "op": a.query()
                .returns(OK_RETURN)
                .handler("stats")  # type: ignore[arg-type]
                .authorization(lambda allow: [allow.authenticated()])
            },
            "custom query 'op': .handler(...) takes a.handler.function",
        ),
        (
            {
                "op": a.query()
                .returns(OK_RETURN)
                .handler(a.handler.function("stats"))
                .authorization(lambda allow: [allow.authenticated().to(["read"])])
            },
            "custom query 'op': a rule of a custom operation takes no .to",
        ),
        (
            {
                "op": a.query()
                .returns(OK_RETURN)
                .handler(a.handler.function("stats"))
                .authorization(lambda allow: ["everyone"])
            },  # type: ignore[list-item]
            "custom query 'op': authorization must return allow.* rules",
        ),
        (
            {"getTodo": signed_in(a.query().returns(a.ref("Todo")))},
            "custom query 'getTodo': the name is the Query field Amplify generates for model "
            "'Todo'",
        ),
        (
            {"listTodos": signed_in(a.query().returns(a.ref("Todo")))},
            "custom query 'listTodos': the name is the Query field",
        ),
        (
            {"deleteTodo": signed_in(a.mutation().returns(a.ref("Todo")))},
            "custom mutation 'deleteTodo': the name is the Mutation field",
        ),
        (
            {"__op": signed_in(a.query().returns(OK_RETURN))},
            "custom query '__op': not a valid GraphQL field name",
        ),
        (
            {"S": a.custom_type({"t": a.ref("Todo")})},
            "custom type 'S', field 't': a.ref('Todo') names a model",
        ),
        (
            {"S": a.custom_type({"t": a.ref("Nope")})},
            "custom type 'S', field 't': unknown type 'Nope'",
        ),
        (
            {"S": a.custom_type({"n": a.integer().default(3)})},
            "custom type 'S', field 'n': a custom type is never stored",
        ),
        (
            {"S": a.custom_type({})},
            "custom type 'S': a.custom_type",
        ),
        (
            {"CreateTodoInput": a.custom_type({"n": a.integer()})},
            "custom type 'CreateTodoInput': the name is a type Amplify generates for model 'Todo'",
        ),
        (
            {
                "Note": a.model({"level": a.enum(["LOW"])}),
                "NoteLevel": a.custom_type({"n": a.integer()}),
            },
            "custom type 'NoteLevel': the name is an enum's",
        ),
        (
            {
                "Shape": a.custom_type({"kind": a.enum(["DOT"])}),
                "ShapeKind": a.custom_type({"n": a.integer()}),
            },
            "custom type 'Shape', field 'kind': its enum type ShapeKind clashes",
        ),
        (
            {"ModelFooInput": a.custom_type({"n": a.integer()})},
            "custom type 'ModelFooInput': the name is a generated filter type",
        ),
    ],
)
def test_wrong_declarations_are_refused_naming_them(types: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as error:
        schema_with(**types)
    assert message in str(error.value)


def test_index_query_field_is_taken_too() -> None:
    post = (
        a.model({"category": a.string()})
        .secondary_indexes(lambda index: [index("category").query_field("byCategory")])
        .authorization(lambda allow: [allow.authenticated()])
    )
    with pytest.raises(SchemaError, match="custom query 'byCategory': the name is the Query"):
        a.schema({"Post": post, "byCategory": signed_in(a.query().returns(a.string()))})


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Stats",
        "1stats",
        "../stats",
        "stats/x",
        "st ats",
        "data",
        "resolvers",
        "x" * 64,
        3,
        # a package of these names would shadow the module on Lambda (functions/ comes first)
        "json",
        "email",
        "boto3",
        "pynamodb",
        "appsync_data",
    ],
)
def test_bad_function_names_are_refused(name: Any) -> None:
    with pytest.raises(SchemaError, match=r"a\.handler\.function"):
        a.handler.function(name)


@pytest.mark.parametrize("name", ["stats", "todo-stats", "todo_stats2", "x" * 63])
def test_function_names_that_are_folder_names(name: str) -> None:
    assert a.handler.function(name).function_name == name


def test_loading_a_schema_file_refuses_an_operation_without_rules(tmp_path: Any) -> None:
    from appsync_data.schema_file import SchemaFileError, load_schema

    resource = tmp_path / "resource.py"
    resource.write_text(
        "from appsync_data import a\n"
        "schema = a.schema({\n"
        "    'Todo': a.model({'content': a.string()})"
        ".authorization(lambda allow: [allow.authenticated()]),\n"
        "    'hello': a.query().returns(a.string()).handler(a.handler.function('hello')),\n"
        "})\n"
    )
    with pytest.raises(SchemaFileError, match=r"custom query 'hello': add \.authorization"):
        load_schema(resource)
    resource.write_text(
        resource.read_text().replace(
            "})\n", "}).authorization(lambda allow: [allow.authenticated()])\n"
        )
    )
    assert load_schema(resource).operation("hello").rules[0].provider == "userPools"

"""The reference authorization schema in Python gives Amplify's SDL and model introspection.

tests/deploy/authorization_resource.py uses every Amplify Gen 2 rule once; its TypeScript twin
went through Amplify's tools (tests/reference/authorization/). Our generators must say the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appsync_data import Schema, a
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import (
    api_auth_modes,
    owner_fields,
    render_sdl,
    subscription_owner_arguments,
)
from appsync_data.schema_file import load_schema
from deploy_helpers import REFERENCE, build_appsync_schema, schema_signature

AUTHORIZATION = REFERENCE.parent / "authorization"
AUTHORIZATION_RESOURCE = Path(__file__).with_name("authorization_resource.py")


@pytest.fixture(scope="module")
def authorization_schema() -> Schema:
    return load_schema(AUTHORIZATION_RESOURCE)


def test_authorization_sdl_is_amplify_output_text(authorization_schema: Schema) -> None:
    reference = (AUTHORIZATION / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    assert render_sdl(authorization_schema) == reference


def test_authorization_sdl_equals_amplify_output_as_graphql(authorization_schema: Schema) -> None:
    reference = (AUTHORIZATION / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    sdl = render_sdl(authorization_schema)
    build_appsync_schema(sdl)
    assert schema_signature(sdl) == schema_signature(reference)


def test_authorization_api_modes(authorization_schema: Schema) -> None:
    # Amplify's API construct order: API_KEY, AWS_LAMBDA, OPENID_CONNECT, user pools, AWS_IAM.
    assert api_auth_modes(authorization_schema) == (
        "AMAZON_COGNITO_USER_POOLS",
        ("API_KEY", "AWS_LAMBDA", "OPENID_CONNECT", "AWS_IAM"),
    )


def test_owner_fields_and_subscription_arguments(authorization_schema: Schema) -> None:
    models = authorization_schema.models
    assert owner_fields(models["Todo"]) == ("owner",)
    assert owner_fields(models["Note"]) == ("editors",)
    assert owner_fields(models["Document"]) == ()  # a group field is no owner field
    assert subscription_owner_arguments(models["Order"]) == ("author",)
    assert subscription_owner_arguments(models["Note"]) == ()  # a list of owners: none
    assert subscription_owner_arguments(models["Profile"]) == ("owner",)  # once


# --- one rule of each provider ------------------------------------------------------------------


def _one_rule_schema(rule_name: str) -> Schema:
    rules = {
        "userPools": lambda allow: [allow.authenticated()],
        "oidc": lambda allow: [allow.authenticated("oidc")],
        "identityPool": lambda allow: [allow.authenticated("identityPool")],
        "guest": lambda allow: [allow.guest()],
        "apiKey": lambda allow: [allow.public_api_key()],
        "function": lambda allow: [allow.custom()],
        "owner": lambda allow: [allow.owner()],
        "groups": lambda allow: [allow.groups(["Admins"])],
    }
    schema = a.schema({"Item": a.model({"name": a.string()}).authorization(rules[rule_name])})
    if rule_name == "function":
        schema = schema.authorization_modes(lambda_authorizer=a.handler.function("authorizer"))
    return schema


@pytest.mark.parametrize(
    ("rule_name", "directives", "modes"),
    [
        ("userPools", "@aws_iam @aws_cognito_user_pools", ("AWS_IAM",)),
        ("oidc", "@aws_iam @aws_oidc", ("AMAZON_COGNITO_USER_POOLS", "AWS_IAM")),
        ("identityPool", "@aws_iam", ("AWS_IAM",)),
        ("guest", "@aws_iam", ("AWS_IAM",)),
        ("apiKey", "@aws_api_key @aws_iam", ("API_KEY", "AWS_IAM")),
        ("function", "@aws_iam @aws_lambda", ("AWS_LAMBDA", "AWS_IAM")),
        ("owner", "@aws_iam @aws_cognito_user_pools", ("AWS_IAM",)),
        ("groups", "@aws_iam @aws_cognito_user_pools", ("AWS_IAM",)),
    ],
)
def test_one_rule_of_each_provider_gets_its_directive(
    rule_name: str, directives: str, modes: tuple[str, ...]
) -> None:
    schema = _one_rule_schema(rule_name)
    sdl = render_sdl(schema)
    build_appsync_schema(sdl)
    assert f"type Item {directives} {{" in sdl
    assert f"getItem(id: ID!): Item {directives}\n" in sdl
    create = "createItem(input: CreateItemInput!, condition: ModelItemConditionInput): Item"
    assert f"{create} {directives}\n" in sdl
    assert f'@aws_subscribe(mutations: ["createItem"]) {directives}\n' in sdl
    assert api_auth_modes(schema)[1] == modes


def test_owner_rule_adds_the_owner_field_arguments_and_filters() -> None:
    sdl = render_sdl(_one_rule_schema("owner"))
    assert "  updatedAt: AWSDateTime!\n  owner: String\n}" in sdl  # after the timestamps
    assert "onCreateItem(filter: ModelSubscriptionItemFilterInput, owner: String): Item" in sdl
    assert "  not: ModelItemFilterInput\n  owner: ModelStringInput\n}" in sdl
    assert "input CreateItemInput {\n  name: String\n  id: ID\n}" in sdl  # not an input


def test_rules_narrowed_to_read_leave_mutations_to_the_default() -> None:
    schema = a.schema(
        {
            "Item": a.model({"name": a.string()}).authorization(
                lambda allow: [allow.public_api_key().to(["read"])]
            )
        }
    )
    sdl = render_sdl(schema)
    assert "getItem(id: ID!): Item @aws_api_key @aws_iam\n" in sdl
    # no rule grants create: Amplify keeps IAM and adds the default mode (the Lambda refuses)
    assert (
        "createItem(input: CreateItemInput!, condition: ModelItemConditionInput): Item "
        "@aws_iam @aws_cognito_user_pools\n"
    ) in sdl


def test_default_mode_api_key_moves_the_default_directive() -> None:
    schema = a.schema(
        {
            "Item": a.model({"name": a.string()}).authorization(
                lambda allow: [allow.public_api_key(), allow.authenticated()]
            )
        }
    ).authorization_modes(default_authorization_mode="apiKey")
    sdl = render_sdl(schema)
    build_appsync_schema(sdl)
    # The type lists the non-default providers, then the default at the end.
    assert "type Item @aws_iam @aws_cognito_user_pools @aws_api_key {" in sdl
    assert "getItem(id: ID!): Item @aws_api_key @aws_iam @aws_cognito_user_pools\n" in sdl
    assert api_auth_modes(schema) == ("API_KEY", ("AMAZON_COGNITO_USER_POOLS", "AWS_IAM"))


def test_custom_operations_of_each_provider() -> None:
    schema = a.schema(
        {
            "Item": a.model({"name": a.string()}).authorization(
                lambda allow: [allow.authenticated()]
            ),
            "open": a.query()
            .returns(a.string())
            .authorization(lambda allow: [allow.public_api_key(), allow.guest()])
            .handler(a.handler.function("ops")),
            "locked": a.query()
            .returns(a.integer())
            .authorization(lambda allow: [allow.custom()])
            .handler(a.handler.function("ops")),
        }
    ).authorization_modes(lambda_authorizer=a.handler.function("authorizer"))
    sdl = render_sdl(schema)
    build_appsync_schema(sdl)
    assert "  open: String @aws_iam @aws_api_key\n" in sdl
    assert "  locked: Int @aws_iam @aws_lambda\n" in sdl


def test_authorization_introspection_equals_amplify(authorization_schema: Schema) -> None:
    reference = json.loads((AUTHORIZATION / "model-introspection.json").read_text(encoding="utf-8"))
    intro = model_introspection(authorization_schema)
    assert intro == reference
    # Same key order as modelgen's: the rules' keys too (the client reads them in order).
    assert json.dumps(intro) == json.dumps(reference)

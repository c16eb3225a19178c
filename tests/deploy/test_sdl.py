"""schema.graphql: as GraphQL equal to Amplify's output for the seed, fresh, valid for more."""

from __future__ import annotations

import pytest
from appsync_data import a
from appsync_data.generate.sdl import api_auth_modes, render_sdl
from appsync_data.schema_file import load_schema
from deploy_helpers import (
    REFERENCE,
    ROOT,
    SECOND_MODEL_RESOURCE,
    VARIANTS,
    build_appsync_schema,
    reference_json,
    schema_signature,
    seed_schema,
)


@pytest.mark.parametrize("variant", VARIANTS)
def test_seed_sdl_equals_amplify_output(variant: str) -> None:
    reference = (REFERENCE / variant / "output-appsync-schema.graphql").read_text()
    assert schema_signature(render_sdl(seed_schema(variant))) == schema_signature(reference)


@pytest.mark.parametrize("variant", VARIANTS)
def test_auth_modes_equal_amplify_outputs(variant: str) -> None:
    data = reference_json(variant, "amplify_outputs.json")["data"]
    default, additional = api_auth_modes(seed_schema(variant))
    assert default == data["default_authorization_type"]
    assert list(additional) == data["authorization_types"]


def test_comparison_sees_a_missing_directive() -> None:
    reference = (REFERENCE / "userPools" / "output-appsync-schema.graphql").read_text()
    altered = reference.replace(
        "getTodo(id: ID!): Todo @aws_iam @aws_cognito_user_pools", "getTodo(id: ID!): Todo @aws_iam"
    )
    assert schema_signature(altered) != schema_signature(reference)


def test_committed_schema_graphql_is_fresh() -> None:
    schema = load_schema(ROOT / "functions" / "data" / "resource.py")
    assert (ROOT / "schema.graphql").read_text() == render_sdl(schema), (
        "schema.graphql is stale: run `make generate`"
    )


def test_second_model_sdl(tmp_path) -> None:  # type: ignore[no-untyped-def]
    resource = tmp_path / "resource.py"
    resource.write_text(SECOND_MODEL_RESOURCE)
    schema = build_appsync_schema(render_sdl(load_schema(resource)))
    note = schema.type_map["BlogNote"]
    fields = {name: str(f.type) for name, f in note.fields.items()}  # type: ignore[attr-defined]
    assert fields["title"] == "String!"
    assert fields["tags"] == "[String!]!"
    assert fields["labels"] == "[Priority]"
    assert fields["status"] == "BlogNoteStatus"
    assert fields["stamp"] == "AWSTimestamp"
    assert sorted(schema.type_map["BlogNoteStatus"].values) == ["DRAFT", "PUBLISHED"]  # type: ignore[attr-defined]
    create = {n: str(f.type) for n, f in schema.type_map["CreateBlogNoteInput"].fields.items()}  # type: ignore[attr-defined]
    # Defaults make the create field optional; required fields stay required.
    assert create["body"] == "String" and create["title"] == "String!" and create["id"] == "ID"
    update = {n: str(f.type) for n, f in schema.type_map["UpdateBlogNoteInput"].fields.items()}  # type: ignore[attr-defined]
    assert update["title"] == "String" and update["tags"] == "[String!]" and update["id"] == "ID!"
    filters = {
        n: str(f.type) for n, f in schema.type_map["ModelBlogNoteFilterInput"].fields.items()
    }  # type: ignore[attr-defined]
    assert filters["stamp"] == "ModelIntInput"
    assert filters["status"] == "ModelBlogNoteStatusInput"
    assert filters["labels"] == "ModelPriorityListInput"
    assert filters["seenAt"] == "ModelStringInput"
    assert "id" not in schema.type_map["ModelBlogNoteConditionInput"].fields  # type: ignore[attr-defined]
    query = schema.query_type
    assert query is not None and {"getTodo", "listTodos", "getBlogNote", "listBlogNotes"} <= set(
        query.fields
    )
    # identityPool + read-only userPools: mutations carry @aws_iam only, reads both.
    sdl = render_sdl(load_schema(resource))
    assert (
        "createBlogNote(input: CreateBlogNoteInput!, condition: ModelBlogNoteConditionInput)"
        ": BlogNote @aws_iam\n" in sdl
    )
    assert "getBlogNote(id: ID!): BlogNote @aws_iam @aws_cognito_user_pools\n" in sdl


def test_oidc_and_user_pools_together_keep_user_pools_default() -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated(), allow.authenticated("oidc")]
            )
        }
    )
    # Additional modes in the order Amplify's API construct lists them (OIDC before IAM).
    assert api_auth_modes(schema) == (
        "AMAZON_COGNITO_USER_POOLS",
        ("OPENID_CONNECT", "AWS_IAM"),
    )
    sdl = render_sdl(schema)
    build_appsync_schema(sdl)
    assert "type Todo @aws_iam @aws_oidc @aws_cognito_user_pools {" in sdl

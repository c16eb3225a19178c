"""template.yaml: generated from the schema, fresh, valid CloudFormation once SAM transforms it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from appsync_data.config import table_env_var
from appsync_data.generate.sdl import mutation_fields, query_fields
from appsync_data.generate.template import render_template
from appsync_data.schema import Schema
from appsync_data.schema_file import load_schema
from deploy_helpers import (
    ROOT,
    SECOND_MODEL_RESOURCE,
    VARIANTS,
    lint_errors,
    sam_transform,
    seed_schema,
)

APP_RESOURCE = ROOT / "functions" / "data" / "resource.py"


def _second_model_schema(tmp_path: Path) -> Schema:
    resource = tmp_path / "resource.py"
    resource.write_text(SECOND_MODEL_RESOURCE)
    return load_schema(resource)


def _of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_committed_template_is_fresh() -> None:
    assert (ROOT / "template.yaml").read_text() == render_template(load_schema(APP_RESOURCE)), (
        "template.yaml is stale: run `make generate`"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_seed_template_transforms_and_lints(variant: str, tmp_path: Path) -> None:
    transformed = sam_transform(render_template(seed_schema(variant)))
    assert lint_errors(transformed, tmp_path) == []


def test_lint_catches_an_error_in_the_transformed_template(tmp_path: Path) -> None:
    transformed = sam_transform(render_template(seed_schema("userPools")))
    transformed["Resources"]["TodoTable"]["Properties"]["BillingMode"] = "FREE"
    assert any("E3030" in e for e in lint_errors(transformed, tmp_path))


def test_second_model_template_transforms_and_lints(tmp_path: Path) -> None:
    schema = _second_model_schema(tmp_path)
    transformed = sam_transform(render_template(schema))
    assert lint_errors(transformed, tmp_path) == []
    _check_per_model_parts(schema, transformed)


def test_seed_per_model_parts_match_schema() -> None:
    schema = load_schema(APP_RESOURCE)
    _check_per_model_parts(schema, sam_transform((ROOT / "template.yaml").read_text()))


def _check_per_model_parts(schema: Schema, transformed: dict[str, Any]) -> None:
    resources = transformed["Resources"]
    # One table per model: on-demand, PITR, encrypted, streams, removal policy a parameter.
    tables = _of_type(transformed, "AWS::DynamoDB::Table")
    assert set(tables) == {f"{m}Table" for m in schema.models}
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert props["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
        assert table["DeletionPolicy"] == {"Ref": "TableRemovalPolicy"}

    function = resources["DataFunction"]["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function["Handler"] == "data.app.handler"
    variables = function["Environment"]["Variables"]
    for name in schema.models:
        assert variables[table_env_var(name)] == {"Ref": f"{name}Table"}
    assert variables["NEXT_TOKEN_SECRET_ARN"] == {"Ref": "NextTokenSecret"}

    # DynamoDB permissions on its own tables only.
    role = resources["DataFunctionRole"]["Properties"]
    dynamodb_tables = {
        str(resource)
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if any(str(action).startswith("dynamodb:") for action in statement["Action"])
        for resource in statement["Resource"]
    }
    assert dynamodb_tables and all(
        any(f"'{m}Table'" in r for m in schema.models) for r in dynamodb_tables
    )
    assert "'*'" not in str(dynamodb_tables)
    dynamodb_actions = {
        str(action)
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
        if str(action).startswith("dynamodb:")
    }
    # Least privilege: exactly the requests store.py makes.
    assert dynamodb_actions == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Scan",
    }

    # Every Query and Mutation field through the one APPSYNC_JS function, nothing else.
    resolvers = _of_type(transformed, "AWS::AppSync::Resolver")
    resolved = {
        (r["Properties"]["TypeName"], r["Properties"]["FieldName"]) for r in resolvers.values()
    }
    expected = {("Query", f) for m in schema.models.values() for f in query_fields(m)} | {
        ("Mutation", f) for m in schema.models.values() for f in mutation_fields(m)
    }
    assert resolved == expected
    for resolver in resolvers.values():
        assert resolver["Properties"]["Kind"] == "PIPELINE"
        assert resolver["Properties"]["PipelineConfig"]["Functions"] == [
            {"Fn::GetAtt": ["GraphQLApiinvokeData", "FunctionId"]}
        ]
    function_config = resources["GraphQLApiinvokeData"]["Properties"]
    assert function_config["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}

    # The authenticated role: appsync:GraphQL on identityPool models' fields only; guests nothing.
    identity_pool_models = [m for m in schema.models.values() if "identityPool" in m.providers()]
    policy = resources.get("AuthRoleGraphQLPolicy")
    if not identity_pool_models:
        assert policy is None
    else:
        granted = str(policy["Properties"]["PolicyDocument"])
        for model in schema.models.values():
            for field in query_fields(model):
                assert (f"fields/{field}" in granted) == (model in identity_pool_models)
    assert "Policies" not in resources["GuestRole"]["Properties"]
    assert "ManagedPolicyArns" not in resources["GuestRole"]["Properties"]

    outputs = transformed["Outputs"]
    assert {"GraphQLUrl", "Region", "UserPoolId", "UserPoolClientId", "IdentityPoolId"} <= set(
        outputs
    )


def test_auth_modes_in_template(tmp_path: Path) -> None:
    api = sam_transform(render_template(seed_schema("oidc")))["Resources"]["GraphQLApi"]
    props = api["Properties"]
    assert props["AuthenticationType"] == "OPENID_CONNECT"
    assert props["OpenIDConnectConfig"]["Issuer"] == {"Ref": "OidcIssuer"}
    assert [p["AuthenticationType"] for p in props["AdditionalAuthenticationProviders"]] == [
        "AMAZON_COGNITO_USER_POOLS",
        "AWS_IAM",
    ]
    seed = sam_transform(render_template(seed_schema("userPools")))["Resources"]["GraphQLApi"]
    assert seed["Properties"]["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert seed["Properties"]["UserPoolConfig"]["DefaultAction"] == "ALLOW"
    assert (
        "OidcIssuer" not in sam_transform(render_template(seed_schema("userPools")))["Parameters"]
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_sam_source_lints_clean(variant: str) -> None:
    """What `sam validate --lint` runs: cfn-lint on the SAM source, where warnings fail too."""
    from cfnlint.api import lint

    matches = lint(render_template(seed_schema(variant)), regions=["us-east-1"])
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def _function_versions(transformed: dict[str, Any]) -> set[str]:
    return {
        name
        for name, resource in transformed["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Version"
    }


def test_a_layer_only_change_publishes_a_new_version_for_the_alias() -> None:
    """An edit to the library alone (auth, store: the layer) must reach the `live` alias AppSync
    invokes: the packaged layer changes, so the function version must change with it."""
    template = (ROOT / "template.yaml").read_text()
    before = _function_versions(sam_transform(template, layer_uri="s3://artifacts/layer-1.zip"))
    after = _function_versions(sam_transform(template, layer_uri="s3://artifacts/layer-2.zip"))
    assert before and after
    assert before != after
    same = sam_transform(template, layer_uri="s3://artifacts/layer-1.zip")
    assert _function_versions(same) == before  # and an unchanged deploy publishes nothing new

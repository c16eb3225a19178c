"""template.yaml: generated from the schema, fresh, valid CloudFormation once SAM transforms it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from appsync_data.config import table_env_var
from appsync_data.events import DEFAULT_MAX_BATCH_SIZE
from appsync_data.generate.sdl import mutation_fields, query_fields
from appsync_data.generate.template import (
    DATA_FUNCTION_ACTIONS,
    function_logical_id,
    function_resolver_function,
    identity_pool_grants,
    relationship_fields,
    render_template,
)
from appsync_data.naming import api_names
from appsync_data.schema import Schema
from appsync_data.schema_file import load_schema
from appsync_data.tables import table_layout
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


MODELING_RESOURCE = ROOT / "tests" / "deploy" / "modeling_resource.py"
CUSTOM_RESOURCE = ROOT / "tests" / "deploy" / "custom_operations_resource.py"


@pytest.mark.parametrize(
    "resource", [MODELING_RESOURCE, CUSTOM_RESOURCE], ids=["modeling", "custom"]
)
def test_reference_schema_templates_transform_lint_and_match(
    resource: Path, tmp_path: Path
) -> None:
    """The modeling schema (keys, GSIs, relationship fields) and the custom-operations schema
    (one Lambda per function): valid CloudFormation once transformed, every part as declared."""
    schema = load_schema(resource)
    text = render_template(schema)
    transformed = sam_transform(text)
    assert lint_errors(transformed, tmp_path) == []
    _check_per_model_parts(schema, transformed)
    from cfnlint.api import lint  # what `sam validate --lint` runs on the source

    assert [f"{m.rule.id} {m.message}" for m in lint(text, regions=["us-east-1"])] == []


def test_modeling_template_grants_relationship_fields_by_the_related_models_rules() -> None:
    schema = load_schema(MODELING_RESOURCE)
    grants = identity_pool_grants(schema)
    admitting = {m.name for m in schema.models.values() if "identityPool" in m.providers()}
    assert admitting  # the reference schema has one (Comment, read only)
    for parent, field, related in relationship_fields(schema):
        whole = (parent.name, "*") in grants
        assert whole or ((parent.name, field) in grants) == (related.name in admitting)
    # Mutations the identityPool rule does not admit are not granted.
    for model in schema.models.values():
        for field, op in mutation_fields(model).items():
            rules = [r for r in model.rules if r.provider == "identityPool"]
            assert (("Mutation", field) in grants) == any(r.grants(op) for r in rules)


def test_custom_operations_template_grants_identity_pool_only_where_a_rule_admits_it() -> None:
    schema = load_schema(CUSTOM_RESOURCE)
    grants = identity_pool_grants(schema)
    for op in schema.operations.values():
        assert ((op.operation_type, op.name) in grants) == ("identityPool" in op.providers())
    assert any(op.providers() == ("userPools",) for op in schema.operations.values())
    assert any("identityPool" in op.providers() for op in schema.operations.values())


def test_seed_per_model_parts_match_schema() -> None:
    schema = load_schema(APP_RESOURCE)
    _check_per_model_parts(schema, sam_transform((ROOT / "template.yaml").read_text()))


def _check_per_model_parts(schema: Schema, transformed: dict[str, Any]) -> None:
    resources = transformed["Resources"]
    # One table per model: Amplify's keys and GSIs, on-demand, PITR, encrypted, streams, removal
    # policy a parameter.
    tables = _of_type(transformed, "AWS::DynamoDB::Table")
    assert set(tables) == {f"{m}Table" for m in schema.models}
    for name, table in tables.items():
        props = table["Properties"]
        layout = table_layout(schema, schema.models[name.removesuffix("Table")]).as_dynamodb()
        assert props["KeySchema"] == layout["KeySchema"]
        assert props["AttributeDefinitions"] == layout["AttributeDefinitions"]
        assert props.get("GlobalSecondaryIndexes") == layout.get("GlobalSecondaryIndexes")
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert props["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
        assert table["DeletionPolicy"] == {"Ref": "TableRemovalPolicy"}

    # The data Lambda and one Lambda per custom function, alike.
    lambdas = {"DataFunction": "data.app.handler"} | {
        function_logical_id(n): f"{n}.app.handler" for n in schema.function_names()
    }
    assert set(_of_type(transformed, "AWS::Lambda::Function")) == set(lambdas)
    for logical_id, handler in lambdas.items():
        _check_python_function(schema, resources, logical_id, handler)

    # AppSync may invoke each Lambda's published alias, nothing else.
    invoke = resources["GraphQLApiInvokeRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    (statement,) = invoke["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert sorted(str(r) for r in statement["Resource"]) == sorted(
        str({"Ref": f"{logical_id}Aliaslive"}) for logical_id in lambdas
    )

    # Every field's resolver: a pipeline of exactly its function.
    resolvers = _of_type(transformed, "AWS::AppSync::Resolver")
    pipelines = {
        (r["Properties"]["TypeName"], r["Properties"]["FieldName"]): [
            f["Fn::GetAtt"][0].removeprefix("GraphQLApi")
            for f in r["Properties"]["PipelineConfig"]["Functions"]
        ]
        for r in resolvers.values()
    }
    expected = {
        ("Query", f): ["invokeData"] for m in schema.models.values() for f in query_fields(m)
    }
    expected |= {
        ("Mutation", f): ["invokeData"] for m in schema.models.values() for f in mutation_fields(m)
    }
    expected |= {
        ("Subscription", f): ["invokeData"]
        for m in schema.models.values()
        for f in api_names(m).subscriptions()
    }
    expected |= {(p.name, f): ["batchInvokeData"] for p, f, _ in relationship_fields(schema)}
    expected |= {
        (op.operation_type, op.name): [function_resolver_function(op.function_name)]
        for op in schema.operations.values()
    }
    assert pipelines == expected
    for resolver in resolvers.values():
        props = resolver["Properties"]
        assert props["Kind"] == "PIPELINE"
        assert props["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        if props["TypeName"] == "Subscription":  # the filter is set by the resolver's own code
            assert props["CodeS3Location"] == "s3://artifacts/resolver-code.js"
        else:
            assert "CodeS3Location" not in props  # SAM's pass-through code
    functions = _of_type(transformed, "AWS::AppSync::FunctionConfiguration")
    for function in functions.values():
        assert function["Properties"]["Runtime"] == {
            "Name": "APPSYNC_JS",
            "RuntimeVersion": "1.0.0",
        }
    batch = resources.get("GraphQLApibatchInvokeData")
    assert (batch is not None) == bool(relationship_fields(schema))
    if batch:
        from appsync_data.local.execution import DEFAULT_MAX_BATCH_SIZE as LOCAL_BATCH_SIZE

        # Deployed and local batches are the same size: one constant.
        assert batch["Properties"]["MaxBatchSize"] == DEFAULT_MAX_BATCH_SIZE == LOCAL_BATCH_SIZE

    # The authenticated role: appsync:GraphQL on identityPool fields only; guests nothing.
    policy = resources.get("AuthRoleGraphQLPolicy")
    granted_fields = identity_pool_grants(schema)
    if not granted_fields:
        assert policy is None
    else:
        granted = str(policy["Properties"]["PolicyDocument"])
        for model in schema.models.values():
            admits = "identityPool" in model.providers()
            for field in query_fields(model):
                assert (f"fields/{field}" in granted) == admits, field
        for op in schema.operations.values():
            admits = "identityPool" in op.providers()
            assert (f"types/{op.operation_type}/fields/{op.name}" in granted) == admits
    assert "Policies" not in resources["GuestRole"]["Properties"]
    assert "ManagedPolicyArns" not in resources["GuestRole"]["Properties"]

    outputs = transformed["Outputs"]
    assert {"GraphQLUrl", "Region", "UserPoolId", "UserPoolClientId", "IdentityPoolId"} <= set(
        outputs
    )


def _check_python_function(
    schema: Schema, resources: dict[str, Any], logical_id: str, handler: str
) -> None:
    function = resources[logical_id]["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function["Handler"] == handler
    assert function["Timeout"] == resources["DataFunction"]["Properties"]["Timeout"]
    assert function["Layers"] == resources["DataFunction"]["Properties"]["Layers"]
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": f"{logical_id}Logs"}
    assert resources[f"{logical_id}Aliaslive"]["Type"] == "AWS::Lambda::Alias"
    variables = function["Environment"]["Variables"]
    assert variables == resources["DataFunction"]["Properties"]["Environment"]["Variables"]
    for name in schema.models:
        assert variables[table_env_var(name)] == {"Ref": f"{name}Table"}
    assert variables["NEXT_TOKEN_SECRET_ARN"] == {"Ref": "NextTokenSecret"}

    # DynamoDB permissions on the app's tables (and their GSIs) only.
    role = resources[f"{logical_id}Role"]["Properties"]
    statements = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if any(str(action).startswith("dynamodb:") for action in statement["Action"])
    ]
    table_statement, *index_statements = statements
    assert set(table_statement["Action"]) == set(DATA_FUNCTION_ACTIONS)
    assert table_statement["Resource"] == [
        {"Fn::GetAtt": [f"{m}Table", "Arn"]} for m in schema.models
    ]
    indexed = [m for m in schema.models.values() if table_layout(schema, m).indexes]
    if indexed:
        (index_statement,) = index_statements
        assert set(index_statement["Action"]) == {"dynamodb:Query", "dynamodb:Scan"}
        assert index_statement["Resource"] == [
            {"Fn::Sub": f"${{{m.name}Table.Arn}}/index/*"} for m in indexed
        ]
    else:
        assert index_statements == []
    assert "'*'" not in str(statements)


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

"""The deployed stack behaves as the code says (issue 14): every deploy reaches the alias and
leaves no billed versions behind, production keeps its users, the Lambda stops before AppSync,
the log level is Lambda's, the nextToken key is no environment variable, AppSync's log group
expires, its service roles serve only our APIs, and the query limits are set."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from appsync_data.config import Settings
from appsync_data.generate.template import render_template
from appsync_data.schema_file import load_schema
from deploy_helpers import ROOT, VARIANTS, sam_transform, seed_schema

APP_RESOURCE = ROOT / "functions" / "data" / "resource.py"
APPSYNC_TIMEOUT_SECONDS = 30  # AppSync's hard limit per request


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    return sam_transform((ROOT / "template.yaml").read_text())


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _prod_overrides() -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    pairs = config["prod"]["deploy"]["parameters"]["parameter_overrides"].split()
    return dict(pair.split("=", 1) for pair in pairs)


def _dev_overrides() -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    pairs = config["default"]["deploy"]["parameters"]["parameter_overrides"].split()
    return dict(pair.split("=", 1) for pair in pairs)


def test_published_versions_are_deleted_when_replaced(transformed: dict[str, Any]) -> None:
    """SnapStart bills each kept version for its cached snapshot: old versions go."""
    versions = _resources(transformed, "AWS::Lambda::Version")
    assert versions
    assert all(v.get("DeletionPolicy") == "Delete" for v in versions.values())


def test_pools_are_retained_and_protected_in_prod_and_deletable_in_dev(
    transformed: dict[str, Any],
) -> None:
    resources = transformed["Resources"]
    for pool in ("UserPool", "IdentityPool"):
        assert resources[pool]["DeletionPolicy"] == {"Ref": "CognitoRemovalPolicy"}
        assert resources[pool]["UpdateReplacePolicy"] == {"Ref": "CognitoRemovalPolicy"}
    assert resources["UserPool"]["Properties"]["DeletionProtection"] == {
        "Ref": "UserPoolDeletionProtection"
    }
    parameters = transformed["Parameters"]
    # Safe by default: a stack deployed without samconfig keeps its users.
    assert parameters["CognitoRemovalPolicy"]["Default"] == "Retain"
    assert parameters["UserPoolDeletionProtection"]["Default"] == "ACTIVE"
    prod, dev = _prod_overrides(), _dev_overrides()
    assert prod["CognitoRemovalPolicy"] == "Retain"
    assert prod["UserPoolDeletionProtection"] == "ACTIVE"
    assert dev["CognitoRemovalPolicy"] == "Delete"
    assert dev["UserPoolDeletionProtection"] == "INACTIVE"
    for name, value in (prod | dev).items():
        allowed = parameters[name].get("AllowedValues")
        assert allowed is None or value in map(str, allowed), (name, value)


def _worst_case_request_seconds() -> float:
    """The longest one DynamoDB request may take with store.py's client options: every attempt
    waits the full connect and read timeouts, and botocore's standard mode waits its longest
    backoff (the throttling scale, 1 s x 2^i) between attempts."""
    from appsync_data.store import _CLIENT_OPTIONS
    from botocore.retries.standard import ExponentialBackoff

    retries = _CLIENT_OPTIONS["max_retry_attempts"]
    per_attempt = (
        _CLIENT_OPTIONS["connect_timeout_seconds"] + _CLIENT_OPTIONS["read_timeout_seconds"]
    )
    scale = ExponentialBackoff._DEFAULT_BACKOFF_CONFIG["throttling_base_scale"]
    backoff = sum(
        min(scale * ExponentialBackoff._BASE**i, ExponentialBackoff._MAX_BACKOFF)
        for i in range(retries)
    )
    return (retries + 1) * per_attempt + backoff


def test_the_lambda_stops_before_appsync_with_its_retries_inside(
    transformed: dict[str, Any],
) -> None:
    timeout = transformed["Resources"]["DataFunction"]["Properties"]["Timeout"]
    assert timeout == 25
    assert timeout < APPSYNC_TIMEOUT_SECONDS
    # A list may start its last page just before its time budget runs out.
    worst_list = Settings().list_max_seconds + _worst_case_request_seconds()
    margin = 2  # init-free warm handler work, logging, the response
    assert worst_list + margin <= timeout, f"list worst case {worst_list} s"


def test_log_level_is_lambdas_application_log_level(transformed: dict[str, Any]) -> None:
    """With JSON logs Lambda filters by ApplicationLogLevel, whatever Powertools is told."""
    props = transformed["Resources"]["DataFunction"]["Properties"]
    assert props["LoggingConfig"]["ApplicationLogLevel"] == {"Ref": "LogLevel"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert props["Environment"]["Variables"]["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}
    # Every value is one Lambda accepts (TRACE..FATAL, WARN not WARNING) and Python's logging too.
    import logging

    for level in transformed["Parameters"]["LogLevel"]["AllowedValues"]:
        assert level in {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
        assert isinstance(logging.getLevelName(level), int)
    for overrides in (_prod_overrides(), _dev_overrides()):
        assert overrides["LogLevel"] in transformed["Parameters"]["LogLevel"]["AllowedValues"]


def test_next_token_key_is_read_from_its_secret_not_the_environment(
    transformed: dict[str, Any],
) -> None:
    function = transformed["Resources"]["DataFunction"]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["NEXT_TOKEN_SECRET_ARN"] == {"Ref": "NextTokenSecret"}
    assert "resolve:secretsmanager" not in str(variables)
    assert "NEXT_TOKEN_SECRET" not in variables
    role = transformed["Resources"]["DataFunctionRole"]["Properties"]
    grants = [
        s
        for p in role["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if "secretsmanager" in str(s["Action"])
    ]
    assert len(grants) == 1
    assert grants[0]["Action"] == ["secretsmanager:GetSecretValue"]
    assert "NextTokenSecret" in str(grants[0]["Resource"]) and "*" not in str(grants[0]["Resource"])


def test_layer_is_named_per_stack(transformed: dict[str, Any]) -> None:
    (layer,) = _resources(transformed, "AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["LayerName"] == {"Fn::Sub": "${AWS::StackName}-runtime"}


def test_appsync_log_group_is_declared_with_retention(transformed: dict[str, Any]) -> None:
    groups = _resources(transformed, "AWS::Logs::LogGroup")
    names = {str(g["Properties"]["LogGroupName"]): g for g in groups.values()}
    (appsync,) = [g for n, g in names.items() if "/aws/appsync/apis/" in n]
    # AppSync writes to /aws/appsync/apis/<apiId>; the API's ARN ends in /<apiId>.
    assert appsync["Properties"]["LogGroupName"] == {
        "Fn::Sub": [
            "/aws/appsync/apis/${ApiId}",
            {"ApiId": {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": "GraphQLApi"}]}]}},
        ]
    }
    assert appsync["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_appsync_service_role_trusts_only_our_account(variant: str) -> None:
    template = sam_transform(render_template(seed_schema(variant)))
    roles = {
        name: role
        for name, role in _resources(template, "AWS::IAM::Role").items()
        if "appsync.amazonaws.com" in str(role["Properties"]["AssumeRolePolicyDocument"])
    }
    api = template["Resources"]["GraphQLApi"]["Properties"]
    datasource = next(iter(_resources(template, "AWS::AppSync::DataSource").values()))
    # The roles AppSync uses are these ones (SAM made its own, unconditioned, before).
    used = {api["LogConfig"]["CloudWatchLogsRoleArn"]["Fn::GetAtt"][0]}
    used.add(datasource["Properties"]["ServiceRoleArn"]["Fn::GetAtt"][0])
    assert used == set(roles) and len(roles) == 2
    for role in roles.values():
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            condition = statement["Condition"]
            assert condition["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
            assert "aws:SourceArn" in condition["ArnLike"]
    invoke = template["Resources"]["GraphQLApiInvokeRole"]["Properties"]
    assert invoke["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": {"Ref": "GraphQLApi"}
    }
    (policy,) = invoke["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == [{"Ref": "DataFunctionAliaslive"}]  # no custom function here


def test_query_depth_and_resolver_count_limits(transformed: dict[str, Any]) -> None:
    api = transformed["Resources"]["GraphQLApi"]["Properties"]
    assert api["QueryDepthLimit"] == {"Ref": "QueryDepthLimit"}
    assert api["ResolverCountLimit"] == {"Ref": "ResolverCountLimit"}
    parameters = transformed["Parameters"]
    depth, count = parameters["QueryDepthLimit"], parameters["ResolverCountLimit"]
    assert (depth["Default"], depth["MinValue"], depth["MaxValue"]) == (10, 0, 75)
    assert (count["Default"], count["MinValue"], count["MaxValue"]) == (1000, 0, 10000)


def test_committed_template_is_the_apps(transformed: dict[str, Any]) -> None:
    assert transformed == sam_transform(render_template(load_schema(APP_RESOURCE)))

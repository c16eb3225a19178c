"""model_introspection and amplify_outputs.json, and `python -m appsync_data outputs --stack`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from appsync_data.__main__ import main
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.outputs import amplify_outputs
from appsync_data.schema_file import load_schema
from deploy_helpers import ROOT, SECOND_MODEL_RESOURCE, VARIANTS, reference_json, seed_schema
from moto import mock_aws


def _outputs_like_reference(variant: str) -> dict[str, Any]:
    reference = reference_json(variant, "amplify_outputs.json")
    return amplify_outputs(
        seed_schema(variant),
        url=reference["data"]["url"],
        region=reference["data"]["aws_region"],
        user_pool_id=reference["auth"]["user_pool_id"],
        user_pool_client_id=reference["auth"]["user_pool_client_id"],
        identity_pool_id=reference["auth"]["identity_pool_id"],
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_model_introspection_equals_amplify(variant: str) -> None:
    assert model_introspection(seed_schema(variant)) == reference_json(
        variant, "model-introspection.json"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_amplify_outputs_equal_amplify(variant: str) -> None:
    assert _outputs_like_reference(variant) == reference_json(variant, "amplify_outputs.json")


def test_second_model_introspection(tmp_path: Path) -> None:
    resource = tmp_path / "resource.py"
    resource.write_text(SECOND_MODEL_RESOURCE)
    intro = model_introspection(load_schema(resource))
    note = intro["models"]["BlogNote"]
    assert next(iter(note["fields"])) == "id"
    assert note["fields"]["status"]["type"] == {"enum": "BlogNoteStatus"}
    assert note["fields"]["tags"] == {
        "name": "tags",
        "isArray": True,
        "type": "String",
        "isRequired": True,
        "attributes": [],
        "isArrayNullable": False,
    }
    assert note["pluralName"] == "BlogNotes"
    assert note["attributes"][1]["properties"]["rules"] == [
        {
            "allow": "private",
            "provider": "identityPool",
            "operations": ["create", "update", "delete", "read"],
        },
        {"allow": "private", "operations": ["read"]},
    ]
    assert intro["enums"]["Priority"] == {"name": "Priority", "values": ["LOW", "HIGH"]}
    assert intro["enums"]["BlogNoteStatus"]["values"] == ["DRAFT", "PUBLISHED"]


# A stack with the outputs template.yaml declares, made in moto's CloudFormation.
_STACK_TEMPLATE = {
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {
        "GraphQLUrl": {"Value": "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"},
        "Region": {"Value": "eu-west-1"},
        "UserPoolId": {"Value": "eu-west-1_POOL"},
        "UserPoolClientId": {"Value": "client123"},
        "IdentityPoolId": {"Value": "eu-west-1:00000000-0000-4000-8000-000000000001"},
    },
}


@pytest.fixture
def cloudformation(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield boto3.client("cloudformation", region_name="eu-west-1")


def test_outputs_command_writes_amplify_outputs(
    cloudformation: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloudformation.create_stack(StackName="todo-dev", TemplateBody=json.dumps(_STACK_TEMPLATE))
    monkeypatch.chdir(ROOT)
    out = tmp_path / "amplify_outputs.json"
    assert main(["outputs", "--stack", "todo-dev", "--region", "eu-west-1", "--out", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["data"]["url"] == "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql"
    assert written["data"]["aws_region"] == "eu-west-1"
    assert written["auth"]["user_pool_id"] == "eu-west-1_POOL"
    assert written["auth"]["user_pool_client_id"] == "client123"
    assert written["auth"]["identity_pool_id"] == "eu-west-1:00000000-0000-4000-8000-000000000001"
    assert written["data"]["model_introspection"] == model_introspection(
        load_schema(ROOT / "functions" / "data" / "resource.py")
    )
    assert written["version"] == "1.4"


@pytest.mark.parametrize(
    ("stack", "missing_output", "message"),
    [("nope", None, "stack 'nope'"), ("partial", "UserPoolClientId", "UserPoolClientId")],
)
def test_outputs_command_refuses_and_writes_nothing(
    cloudformation: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stack: str,
    missing_output: str | None,
    message: str,
) -> None:
    """A stack that does not exist, or lacks an output amplify_outputs.json needs."""
    if missing_output:
        template = json.loads(json.dumps(_STACK_TEMPLATE))
        del template["Outputs"][missing_output]
        cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    out = tmp_path / "amplify_outputs.json"
    schema = str(ROOT / "functions" / "data" / "resource.py")
    arguments = ["--stack", stack, "--region", "eu-west-1", "--out", str(out), "--schema", schema]
    assert main(["outputs", *arguments]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()

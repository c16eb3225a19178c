"""The reference custom-operations schema in Python gives Amplify's SDL, introspection, outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from appsync_data import Schema
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.outputs import amplify_outputs
from appsync_data.generate.sdl import render_sdl
from appsync_data.schema_file import load_schema
from deploy_helpers import (
    REFERENCE,
    assert_valid_request,
    build_appsync_schema,
    client_requests,
    schema_signature,
)

CUSTOM = REFERENCE / "custom-operations"
CUSTOM_RESOURCE = Path(__file__).with_name("custom_operations_resource.py")


@pytest.fixture(scope="module")
def custom_schema() -> Schema:
    return load_schema(CUSTOM_RESOURCE)


def _reference_json(name: str) -> Any:
    return json.loads((CUSTOM / name).read_text(encoding="utf-8"))


def test_custom_operations_sdl_is_amplify_output_text(custom_schema: Schema) -> None:
    reference = (CUSTOM / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    assert render_sdl(custom_schema) == reference


def test_custom_operations_sdl_equals_amplify_output_as_graphql(custom_schema: Schema) -> None:
    reference = (CUSTOM / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    sdl = render_sdl(custom_schema)
    build_appsync_schema(sdl)
    assert schema_signature(sdl) == schema_signature(reference)


def test_custom_operations_introspection_equals_amplify(custom_schema: Schema) -> None:
    reference = _reference_json("model-introspection.json")
    intro = model_introspection(custom_schema)
    assert intro == reference
    # Same key order as modelgen's, down to each operation's and argument's keys.
    assert json.dumps(intro) == json.dumps(reference)


def test_custom_operations_outputs_equal_amplify(custom_schema: Schema) -> None:
    reference = _reference_json("amplify_outputs.json")
    outputs = amplify_outputs(
        custom_schema,
        url=reference["data"]["url"],
        region=reference["data"]["aws_region"],
        user_pool_id=reference["auth"]["user_pool_id"],
        user_pool_client_id=reference["auth"]["user_pool_client_id"],
        identity_pool_id=reference["auth"]["identity_pool_id"],
    )
    assert outputs == reference
    assert outputs["data"] == reference["data"]


def test_schema_exposes_the_operations(custom_schema: Schema) -> None:
    assert list(custom_schema.queries) == ["todoStats", "echo"]
    assert list(custom_schema.mutations) == ["completeAll"]
    assert custom_schema.function_names() == ("stats",)
    echo = custom_schema.operation("echo")
    assert echo.operation_type == "Query" and echo.function_name == "stats"
    assert [(r.provider, r.operations) for r in echo.rules] == [
        ("userPools", ("custom",)),
        ("identityPool", ("custom",)),
    ]
    complete_all = custom_schema.operation("completeAll")
    assert (complete_all.return_kind, complete_all.returns.type_name) == ("model", "Todo")
    assert custom_schema.operation("todoStats").return_kind == "customType"
    assert list(custom_schema.custom_types["TodoStats"].fields) == ["total", "done", "ratio"]


CLIENT_REQUESTS = client_requests("custom-operations")


def test_client_requests_were_read() -> None:
    assert [title.split("(")[0] for title, _, _ in CLIENT_REQUESTS] == [
        "client.queries.echo",
        "client.queries.todoStats",
        "client.mutations.completeAll",
    ]


@pytest.mark.parametrize(
    ("document", "variables"),
    [pytest.param(d, v, id=t) for t, d, v in CLIENT_REQUESTS],
)
def test_client_request_is_valid_against_generated_sdl(
    custom_schema: Schema, document: str, variables: dict[str, object]
) -> None:
    assert_valid_request(render_sdl(custom_schema), document, variables)

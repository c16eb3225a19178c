"""The reference modeling schema in Python gives Amplify's SDL, introspection and tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appsync_data import Schema
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import render_sdl
from appsync_data.schema_file import load_schema
from appsync_data.tables import table_layouts
from deploy_helpers import (
    REFERENCE,
    assert_valid_request,
    build_appsync_schema,
    client_requests,
    schema_signature,
)

MODELING = REFERENCE / "modeling"
MODELING_RESOURCE = Path(__file__).with_name("modeling_resource.py")


@pytest.fixture(scope="module")
def modeling_schema() -> Schema:
    return load_schema(MODELING_RESOURCE)


def test_modeling_sdl_is_amplify_output_text(modeling_schema: Schema) -> None:
    reference = (MODELING / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    assert render_sdl(modeling_schema) == reference


def test_modeling_sdl_equals_amplify_output_as_graphql(modeling_schema: Schema) -> None:
    # The seed's comparison too (order aside): types, fields, arguments, inputs, directives.
    reference = (MODELING / "output-appsync-schema.graphql").read_text(encoding="utf-8")
    sdl = render_sdl(modeling_schema)
    build_appsync_schema(sdl)
    assert schema_signature(sdl) == schema_signature(reference)


def test_modeling_introspection_equals_amplify(modeling_schema: Schema) -> None:
    reference = json.loads((MODELING / "model-introspection.json").read_text(encoding="utf-8"))
    intro = model_introspection(modeling_schema)
    assert intro == reference
    # Same field order as modelgen's (the client iterates it).
    for name, model in reference["models"].items():
        assert list(intro["models"][name]["fields"]) == list(model["fields"])


def test_modeling_tables_equal_amplify(modeling_schema: Schema) -> None:
    reference = json.loads((MODELING / "tables.json").read_text(encoding="utf-8"))
    layouts = {
        layout.logical_name: layout.as_json() for layout in table_layouts(modeling_schema).values()
    }
    assert layouts == reference
    # Attribute definitions and GSIs in Amplify's order as well.
    for name, table in reference.items():
        assert json.dumps(layouts[name]) == json.dumps(table)


def test_every_index_query_and_relationship_has_its_gsi(modeling_schema: Schema) -> None:
    layouts = table_layouts(modeling_schema)
    post = layouts["Post"]
    by_category = post.index_for_query("listPostsByCategory")
    assert by_category is not None and by_category.name == "postsByCategoryAndRating"
    assert (by_category.key.partition_key, by_category.key.sort_key) == ("category", "rating")
    assert layouts["Comment"].relationship_index("Post", "comments").key.partition_key == "postId"
    assert layouts["Profile"].relationship_index("User", "profile").name == "gsi-User.profile"
    customer = layouts["Customer"].index_for_query("listCustomerByAccountRepresentativeId")
    assert customer is not None and customer.name == "customersByAccountRepresentativeId"
    assert layouts["Inventory"].key.key_schema() == [
        {"attributeName": "warehouseId", "keyType": "HASH"},
        {"attributeName": "productId", "keyType": "RANGE"},
    ]


def test_layouts_create_real_tables(modeling_schema: Schema) -> None:
    # DynamoDB's own API (moto) accepts each layout and reports Amplify's key schema back.
    import boto3
    from moto import mock_aws

    reference = json.loads((MODELING / "tables.json").read_text(encoding="utf-8"))
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for layout in table_layouts(modeling_schema).values():
            client.create_table(
                TableName=layout.logical_name, BillingMode="PAY_PER_REQUEST", **layout.as_dynamodb()
            )
            table = client.describe_table(TableName=layout.logical_name)["Table"]
            expected = reference[layout.logical_name]
            assert [k["AttributeName"] for k in table["KeySchema"]] == [
                k["attributeName"] for k in expected["keySchema"]
            ]
            assert sorted(
                i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])
            ) == sorted(i["indexName"] for i in expected["globalSecondaryIndexes"])


CLIENT_REQUESTS = client_requests("modeling")


def test_client_requests_were_read() -> None:
    titles = [title for title, _, _ in CLIENT_REQUESTS]
    assert len(titles) >= 15 and any("lazy load (hasMany)" in t for t in titles)


@pytest.mark.parametrize(
    ("document", "variables"),
    [pytest.param(d, v, id=t) for t, d, v in CLIENT_REQUESTS],
)
def test_client_request_is_valid_against_generated_sdl(
    modeling_schema: Schema, document: str, variables: dict[str, object]
) -> None:
    # What the real aws-amplify client sends parses, validates and has acceptable variables.
    assert_valid_request(render_sdl(modeling_schema), document, variables)

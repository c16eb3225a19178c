"""The dev server's tables from the schema's layout (keys, GSIs, attribute types) against moto
in-process; an existing table of another layout is a clear error; the write journal and the
snapshots keep items of composite-key and GSI tables (the reference modeling schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from appsync_data import a
from appsync_data.local.dynamodb import TableSnapshots, create_tables, layout_differences
from appsync_data.local.state import LocalError
from appsync_data.schema_file import load_schema
from appsync_data.tables import table_layouts
from moto import mock_aws

TESTS = Path(__file__).resolve().parents[1]
MODELING = load_schema(TESTS / "deploy" / "modeling_resource.py")
LAYOUTS = table_layouts(MODELING)
REFERENCE_TABLES = TESTS / "reference" / "amplify" / "modeling" / "tables.json"


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


def described(client: Any, table: str) -> dict[str, Any]:
    table_description: dict[str, Any] = client.describe_table(TableName=table)["Table"]
    return table_description


def test_tables_have_amplifys_keys_and_indexes(client: Any) -> None:
    assert sorted(create_tables(client, LAYOUTS)) == sorted(MODELING.models)
    reference = json.loads(REFERENCE_TABLES.read_text())
    for model in MODELING.models:
        table = described(client, model)
        want = reference[f"{model}Table"]
        assert [
            {"attributeName": k["AttributeName"], "keyType": k["KeyType"]}
            for k in table["KeySchema"]
        ] == want["keySchema"], model
        assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == {
            i["indexName"] for i in want.get("globalSecondaryIndexes", [])
        }, model
        assert layout_differences(table, LAYOUTS[model]) == []
    assert "gsi-Post.comments" in {
        i["IndexName"] for i in described(client, "Comment")["GlobalSecondaryIndexes"]
    }
    # Created already, same layout: nothing to do.
    assert create_tables(client, LAYOUTS) == []


def test_an_existing_table_of_another_layout_is_a_clear_error(client: Any) -> None:
    old = a.schema(
        {
            "Post": a.model({"title": a.string(), "category": a.string()}).authorization(
                lambda allow: [allow.authenticated()]
            ),
            "Inventory": a.model(
                {"warehouseId": a.id().required(), "productId": a.id().required()}
            ).authorization(lambda allow: [allow.authenticated()]),
        }
    )
    create_tables(client, table_layouts(old))
    with pytest.raises(LocalError) as refused:
        create_tables(client, {"Post": LAYOUTS["Post"]})
    message = str(refused.value)
    assert "The existing table Post at" in message
    assert "index postsByCategoryAndRating (category HASH, rating RANGE) is missing" in message
    assert "dev --reset" in message
    with pytest.raises(LocalError) as refused:
        create_tables(client, {"Inventory": LAYOUTS["Inventory"]})
    assert "key (id HASH) is not (warehouseId HASH, productId RANGE)" in str(refused.value)


def test_journal_and_snapshot_keep_composite_key_and_gsi_items(client: Any, tmp_path: Path) -> None:
    create_tables(client, LAYOUTS)
    admin = boto3.client("dynamodb", region_name="us-east-1")
    snapshots = TableSnapshots(admin, LAYOUTS, tmp_path)
    snapshots.journal.attach(client)
    inventory = {"warehouseId": {"S": "w-1"}, "productId": {"S": "p-1"}, "quantity": {"N": "1"}}
    client.put_item(TableName="Inventory", Item=inventory)
    client.put_item(TableName="Inventory", Item={**inventory, "productId": {"S": "p-2"}})
    comment = {"id": {"S": "c-1"}, "postId": {"S": "post-1"}, "content": {"S": "hi"}}
    client.put_item(TableName="Comment", Item=comment)
    assert snapshots.save() == 3
    # After the snapshot, journal only: an update and a delete by composite key.
    client.update_item(
        TableName="Inventory",
        Key={"warehouseId": {"S": "w-1"}, "productId": {"S": "p-1"}},
        UpdateExpression="SET quantity = :q",
        ExpressionAttributeValues={":q": {"N": "7"}},
        ReturnValues="ALL_NEW",
    )
    client.delete_item(
        TableName="Inventory", Key={"warehouseId": {"S": "w-1"}, "productId": {"S": "p-2"}}
    )
    lines = snapshots.journal.path("Inventory").read_text().splitlines()
    assert json.loads(lines[-1]) == {
        "delete": {"warehouseId": {"S": "w-1"}, "productId": {"S": "p-2"}}
    }
    snapshots.journal.close()

    for table in ("Inventory", "Comment"):
        admin.delete_table(TableName=table)
    create_tables(admin, LAYOUTS)
    assert snapshots.restore() == (3, 2)
    (restored,) = admin.scan(TableName="Inventory")["Items"]
    assert restored == {**inventory, "quantity": {"N": "7"}}
    by_post = admin.query(
        TableName="Comment",
        IndexName="gsi-Post.comments",
        KeyConditionExpression="postId = :p",
        ExpressionAttributeValues={":p": {"S": "post-1"}},
    )["Items"]
    assert by_post == [comment]


def test_saved_items_of_another_key_are_a_clear_error(client: Any, tmp_path: Path) -> None:
    old = a.schema(
        {
            "Inventory": a.model(
                {"warehouseId": a.id().required(), "productId": a.id().required()}
            ).authorization(lambda allow: [allow.authenticated()]),
        }
    )
    create_tables(client, table_layouts(old))
    client.put_item(TableName="Inventory", Item={"id": {"S": "i-1"}})
    TableSnapshots(client, ["Inventory"], tmp_path).save()
    client.delete_table(TableName="Inventory")
    create_tables(client, {"Inventory": LAYOUTS["Inventory"]})
    with pytest.raises(LocalError) as refused:
        TableSnapshots(client, ["Inventory"], tmp_path).restore()
    message = str(refused.value)
    assert "have the key (id HASH)" in message
    assert "now (warehouseId HASH, productId RANGE)" in message
    assert client.scan(TableName="Inventory")["Items"] == []

"""`dev --dynamodb-endpoint` on the modeling schema: tables made with Amplify's layout (GSIs
included) and reused on the next start; a table of another layout stops the server with one clear
line, and `--reset` recreates it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from appsync_data.local.dynamodb import MotoServer
from e2e_helpers import DevServerProcess, _env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MODELING_SCHEMA = Path(__file__).resolve().parents[1] / "deploy" / "modeling_resource.py"


@pytest.fixture
def dynamodb(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A DynamoDB of our own (moto's server) at an endpoint, and a client of it."""
    moto = MotoServer(log_file=tmp_path / "moto.log")
    endpoint = moto.start()
    try:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        yield endpoint, client
    finally:
        moto.stop()


def dev(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appsync_data", "dev", "--schema", str(MODELING_SCHEMA),
         "--port", "0", "--local-dir", str(tmp_path / ".local"),
         "--outputs", str(tmp_path / "o.json"), *args],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_tables_with_indexes_at_an_endpoint_then_a_mismatch_then_reset(
    tmp_path: Path, dynamodb: tuple[str, Any]
) -> None:
    endpoint, client = dynamodb
    server = DevServerProcess(
        schema=MODELING_SCHEMA, workdir=tmp_path, extra_args=("--dynamodb-endpoint", endpoint)
    )
    server.start()
    assert server.stop() == 0
    comment = client.describe_table(TableName="Comment")["Table"]
    assert [i["IndexName"] for i in comment["GlobalSecondaryIndexes"]] == ["gsi-Post.comments"]
    inventory = client.describe_table(TableName="Inventory")["Table"]
    assert [k["AttributeName"] for k in inventory["KeySchema"]] == ["warehouseId", "productId"]
    server.start()  # the same layout: reused
    assert server.stop() == 0
    assert "created: none" in server.output()

    client.delete_table(TableName="Post")
    client.create_table(
        TableName="Post",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    refused = dev(tmp_path, "--dynamodb-endpoint", endpoint)
    assert refused.returncode == 1, refused
    assert "Traceback" not in refused.stderr + refused.stdout
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"error: The existing table Post at {endpoint} does not have the layout")
    assert "index postsByCategoryAndRating (category HASH, rating RANGE) is missing" in line
    assert "index gsi-Blog.posts (blogId HASH) is missing" in line

    server.start("--reset")
    assert server.stop() == 0
    post = client.describe_table(TableName="Post")["Table"]
    assert {i["IndexName"] for i in post["GlobalSecondaryIndexes"]} == {
        "postsByCategoryAndRating",
        "gsi-Blog.posts",
    }


@pytest.mark.parametrize("size", ["0", "2001"])
def test_max_batch_size_out_of_appsyncs_range_is_one_clear_line(tmp_path: Path, size: str) -> None:
    done = dev(tmp_path, "--max-batch-size", size)
    assert done.returncode == 1, done
    assert done.stderr.strip() == "error: --max-batch-size must be 1..2000"

"""The write journal on its own, against moto in-process: what a botocore client writes is
journaled (puts, ALL_NEW updates, deletes, processed batch writes; not failed writes), replays in
order onto empty tables, survives a last line cut short by a crash, and is private."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from appsync_data.local.dynamodb import TableSnapshots, create_tables
from appsync_data.local.journal import WriteJournal
from botocore.exceptions import ClientError
from moto import mock_aws

TABLE = "Todo"


@pytest.fixture
def client() -> Iterator[Any]:
    """The client whose writes are journaled (the data API's, in the dev server)."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(dynamodb, [TABLE])
        yield dynamodb


@pytest.fixture
def admin(client: Any) -> Any:
    """Another client of the same tables, not journaled (the dev server's own, for snapshots)."""
    return boto3.client("dynamodb", region_name="us-east-1")


def items(client: Any) -> dict[str, dict[str, Any]]:
    return {i["id"]["S"]: i for i in client.scan(TableName=TABLE)["Items"]}


def empty(client: Any) -> None:
    for key in list(items(client)):
        client.delete_item(TableName=TABLE, Key={"id": {"S": key}})


def test_writes_are_journaled_and_replay_in_order(client: Any, admin: Any, tmp_path: Path) -> None:
    journal = WriteJournal(tmp_path, (TABLE,))
    journal.attach(client)
    client.put_item(TableName=TABLE, Item={"id": {"S": "a"}, "content": {"S": "one"}})
    client.put_item(TableName=TABLE, Item={"id": {"S": "b"}, "content": {"S": "two"}})
    client.update_item(
        TableName=TABLE,
        Key={"id": {"S": "a"}},
        UpdateExpression="SET content = :c",
        ExpressionAttributeValues={":c": {"S": "changed"}},
        ReturnValues="ALL_NEW",
    )
    client.delete_item(TableName=TABLE, Key={"id": {"S": "b"}})
    with pytest.raises(ClientError):  # a failed condition writes nothing: nothing journaled
        client.put_item(
            TableName=TABLE,
            Item={"id": {"S": "a"}, "content": {"S": "lost"}},
            ConditionExpression="attribute_not_exists(id)",
        )
    client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": {"id": {"S": "c"}}}}]})
    assert journal.appended == 5
    expected = items(client)
    journal.close()
    assert stat.S_IMODE(journal.path(TABLE).stat().st_mode) == 0o600

    empty(admin)
    with journal.path(TABLE).open("ab") as file:
        file.write(b'{"put": {"id": {"S": "cut')  # a crash mid-append: never acknowledged
    assert WriteJournal(tmp_path, (TABLE,)).replay(admin) == 5
    assert items(admin) == expected
    assert expected["a"]["content"] == {"S": "changed"} and "b" not in expected


def test_a_snapshot_compacts_the_journal(client: Any, admin: Any, tmp_path: Path) -> None:
    snapshots = TableSnapshots(admin, [TABLE], tmp_path)
    snapshots.journal.attach(client)
    client.put_item(TableName=TABLE, Item={"id": {"S": "a"}})
    assert snapshots.save() == 1
    assert snapshots.journal.path(TABLE).read_bytes() == b""
    client.put_item(TableName=TABLE, Item={"id": {"S": "b"}})  # after the snapshot: journal only
    snapshots.journal.close()
    assert stat.S_IMODE((tmp_path / f"{TABLE}.json").stat().st_mode) == 0o600
    empty(admin)
    assert snapshots.restore() == (1, 1)
    assert sorted(items(admin)) == ["a", "b"]

"""Local DynamoDB: moto's server on loopback, the schema's tables, and snapshots of their items.

moto keeps data in memory only, so the dev server journals each write before answering (see
`journal`), saves each table's items (DynamoDB JSON, from Scan) under `.local/dynamodb/` now and
then and on exit, and loads both back when it starts again. With `--dynamodb-endpoint` the given
DynamoDB keeps its own data.

moto runs as a child process in its own session, so the terminal's Ctrl-C (SIGINT to the whole
foreground process group) reaches only the dev server, which saves and then stops moto; and it
exits by itself when the dev server's end of its stdin pipe closes, so it never outlives the
server, even one killed with `kill -9`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from appsync_data.local.journal import WriteJournal
from appsync_data.local.state import LocalError, write_json_atomic
from appsync_data.tables import TableLayout

log = logging.getLogger(__name__)

_START_TIMEOUT_SECONDS = 30.0
_STOP_TIMEOUT_SECONDS = 5.0
_MAX_SCAN_PAGES = 10_000
_BATCH_SIZE = 25
_MAX_BATCH_RETRIES = 10
# moto and DynamoDB Local accept any key; these keep botocore from looking for real credentials.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class MotoServer:
    """moto's server (all services; we use DynamoDB) as a child process bound to loopback."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_file: Path | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        if _port_open(self.host, self.port):
            raise RuntimeError(f"port {self.port} on {self.host} is already in use")
        output: Any = subprocess.DEVNULL
        if self.log_file:  # private, as the data it may mention
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            output = os.fdopen(os.open(self.log_file, flags, 0o600), "ab")
            self.log_file.chmod(0o600)
        try:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "appsync_data.local.moto_child",
                    "-H",
                    self.host,
                    "-p",
                    str(self.port),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.PIPE,  # its parent-death signal: EOF when we exit, however
                start_new_session=True,  # not in the terminal's process group: no Ctrl-C
            )
        finally:
            if self.log_file and not isinstance(output, int):
                output.close()
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with code {self._process.returncode}")
            if _port_open(self.host, self.port):
                return self.endpoint
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not listen on {self.endpoint} within the time limit")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        if process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(_STOP_TIMEOUT_SECONDS)


def dynamodb_client(endpoint: str, region: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=2),
        **LOCAL_CREDENTIALS,
    )


def check_reachable(client: Any, endpoint: str) -> None:
    """One clear line, not a traceback, when nothing answers at `--dynamodb-endpoint`."""
    try:
        client.list_tables(Limit=1)
    except EndpointConnectionError:
        raise LocalError(
            f"No DynamoDB answers at {endpoint} (is it running? check --dynamodb-endpoint)"
        ) from None
    except ClientError as exc:
        raise LocalError(f"The DynamoDB at {endpoint} refused ListTables: {exc}") from None


def create_tables(client: Any, layouts: Mapping[str, TableLayout]) -> list[str]:
    """Create each missing table (by table name) with its layout: key schema, attribute
    definitions and GSIs, on-demand as Amplify's; returns those created.

    A table that exists already must have that layout: otherwise a LocalError says what differs
    (serving it would fail or silently miss items, e.g. a query on an index it lacks).
    """
    created = []
    for name, layout in layouts.items():
        try:
            client.create_table(
                TableName=name, BillingMode="PAY_PER_REQUEST", **layout.as_dynamodb()
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
            check_layout(client, name, layout)
            continue
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        created.append(name)
    return created


def delete_tables(client: Any, table_names: Iterable[str]) -> None:
    """Delete the tables that exist and wait until they are gone (DynamoDB deletes in the
    background: a table created again too early would find the old one still there)."""
    for name in table_names:
        try:
            client.delete_table(TableName=name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            continue
        client.get_waiter("table_not_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )


def _layout_summary(description: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a table's layout we rely on, comparable between DescribeTable and
    `TableLayout.as_dynamodb()`: key schema, key attribute types, each GSI's key schema."""

    return {
        "key": _keys(description.get("KeySchema") or ()),
        "attributes": {
            d["AttributeName"]: d["AttributeType"]
            for d in description.get("AttributeDefinitions") or ()
        },
        "indexes": {
            i["IndexName"]: _keys(i.get("KeySchema") or ())
            for i in description.get("GlobalSecondaryIndexes") or ()
        },
    }


def layout_differences(description: Mapping[str, Any], layout: TableLayout) -> list[str]:
    """What differs between an existing table (DescribeTable's `Table`) and `layout`."""
    have, want = _layout_summary(description), _layout_summary(layout.as_dynamodb())
    differences = []
    if have["key"] != want["key"]:
        differences.append(f"key {have['key']} is not {want['key']}")
    for name, key in want["indexes"].items():
        if name not in have["indexes"]:
            differences.append(f"index {name} {key} is missing")
        elif have["indexes"][name] != key:
            differences.append(f"index {name} has key {have['indexes'][name]}, not {key}")
    for name in have["indexes"].keys() - want["indexes"].keys():
        differences.append(f"index {name} is not in the schema")
    for attribute, kind in want["attributes"].items():
        if have["attributes"].get(attribute, kind) != kind:
            differences.append(
                f"attribute {attribute} is of type {have['attributes'][attribute]}, not {kind}"
            )
    return differences


def check_layout(client: Any, name: str, layout: TableLayout) -> None:
    """A LocalError naming each difference when table `name` does not have `layout`."""
    description = client.describe_table(TableName=name)["Table"]
    differences = layout_differences(description, layout)
    if differences:
        raise LocalError(
            f"The existing table {name} at {client.meta.endpoint_url} does not have the layout "
            f"the schema gives model {layout.model}: {'; '.join(differences)}. Delete the table "
            "(`dev --reset` deletes and recreates the schema's tables) or change the schema back."
        )


def _keys(key_schema: Any) -> str:
    return "(" + ", ".join(f"{k['AttributeName']} {k['KeyType']}" for k in key_schema) + ")"


class TableSnapshots:
    """Items of the given tables: one JSON file per table (mode 0600) plus the write journal
    since it was written. `save` compacts the journal into a fresh snapshot."""

    def __init__(self, client: Any, table_names: Iterable[str], folder: Path) -> None:
        self.client = client
        self.table_names = tuple(table_names)
        self.folder = folder
        self.journal = WriteJournal(folder, self.table_names)

    def _file(self, table: str) -> Path:
        return self.folder / f"{table}.json"

    def save(self) -> int:
        # Under the journal's lock: a write journaled during the scan is appended after the
        # journal is emptied (a harmless repeat of what the snapshot may already hold).
        with self.journal.lock:
            total = 0
            for table in self.table_names:
                items: list[dict[str, Any]] = []
                request: dict[str, Any] = {"TableName": table}
                for _ in range(_MAX_SCAN_PAGES):
                    page = self.client.scan(**request)
                    items.extend(page.get("Items", []))
                    if "LastEvaluatedKey" not in page:
                        break
                    request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                snapshot = {"table": table, "key": self._key_schema(table), "items": items}
                write_json_atomic(self._file(table), snapshot, private=True)
                total += len(items)
            self.journal.truncate()
            return total

    def _key_schema(self, table: str) -> list[dict[str, str]]:
        key_schema: list[dict[str, str]] = self.client.describe_table(TableName=table)["Table"][
            "KeySchema"
        ]
        return key_schema

    def restore(self) -> tuple[int, int]:
        """Load the snapshots, then replay the journal: (items loaded, writes replayed)."""
        total = 0
        for table in self.table_names:
            path = self._file(table)
            if not path.exists():
                continue
            path.chmod(0o600)  # snapshots written before they were private
            snapshot = json.loads(path.read_text())
            items = snapshot.get("items", [])
            key = self._key_schema(table)
            if items and snapshot.get("key", key) != key:
                raise LocalError(
                    f"The saved items of {table} ({path}) have the key {_keys(snapshot['key'])}; "
                    f"the table's key is now {_keys(key)} (the model's identifier changed). "
                    "Start with `dev --reset` (the saved items are dropped) or change it back."
                )
            for start in range(0, len(items), _BATCH_SIZE):
                requests = [{"PutRequest": {"Item": i}} for i in items[start : start + _BATCH_SIZE]]
                pending: dict[str, Any] = {table: requests}
                for _ in range(_MAX_BATCH_RETRIES):
                    pending = self.client.batch_write_item(RequestItems=pending).get(
                        "UnprocessedItems", {}
                    )
                    if not pending:
                        break
                    time.sleep(0.1)
                else:
                    raise RuntimeError(f"could not restore every item of {table}")
            total += len(items)
        return total, self.journal.replay(self.client)

    def clear(self) -> None:
        self.journal.close()
        for table in self.table_names:
            self._file(table).unlink(missing_ok=True)
            self.journal.path(table).unlink(missing_ok=True)

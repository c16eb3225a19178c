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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from appsync_data.local.journal import WriteJournal
from appsync_data.local.state import LocalError, write_json_atomic

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


def create_tables(client: Any, table_names: Iterable[str]) -> list[str]:
    """Create each missing table (hash key `id`, on-demand, as Amplify); returns those created."""
    created = []
    for name in table_names:
        try:
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
            continue
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        created.append(name)
    return created


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
                write_json_atomic(self._file(table), {"table": table, "items": items}, private=True)
                total += len(items)
            self.journal.truncate()
            return total

    def restore(self) -> tuple[int, int]:
        """Load the snapshots, then replay the journal: (items loaded, writes replayed)."""
        total = 0
        for table in self.table_names:
            path = self._file(table)
            if not path.exists():
                continue
            path.chmod(0o600)  # snapshots written before they were private
            items = json.loads(path.read_text()).get("items", [])
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

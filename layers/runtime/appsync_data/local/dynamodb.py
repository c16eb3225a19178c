"""Local DynamoDB: moto's server on loopback, the schema's tables, and snapshots of their items.

moto keeps data in memory only, so the dev server saves each table's items (DynamoDB JSON, from
Scan) under `.local/dynamodb/` after writes and on exit, and loads them back (BatchWriteItem) when
it starts again. With `--dynamodb-endpoint` the given DynamoDB keeps its own data.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from appsync_data.local.state import write_json_atomic

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
        output = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
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

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
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
    """Items of the given tables, saved to and loaded from one JSON file per table."""

    def __init__(self, client: Any, table_names: Iterable[str], folder: Path) -> None:
        self.client = client
        self.table_names = tuple(table_names)
        self.folder = folder

    def _file(self, table: str) -> Path:
        return self.folder / f"{table}.json"

    def save(self) -> int:
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
            write_json_atomic(self._file(table), {"table": table, "items": items})
            total += len(items)
        return total

    def restore(self) -> int:
        total = 0
        for table in self.table_names:
            path = self._file(table)
            if not path.exists():
                continue
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
        return total

    def clear(self) -> None:
        for table in self.table_names:
            self._file(table).unlink(missing_ok=True)

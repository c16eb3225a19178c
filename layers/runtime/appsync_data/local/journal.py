"""A write journal for moto's in-memory tables: an acknowledged write is on disk before its answer.

A botocore hook on the data API's DynamoDB client appends every successful write to an fsync'd,
append-only file per table (`.local/dynamodb/<table>.journal`, JSON lines, mode 0600) while the
request is still in flight, so a write that got HTTP 200 survives Ctrl-C, SIGTERM and `kill -9`:

    PutItem     {"put": item}        the item as sent
    UpdateItem  {"put": item}        the ALL_NEW attributes DynamoDB answered with
    DeleteItem  {"delete": key}
    BatchWriteItem                   each processed put or delete, as above

On start the dev server loads the snapshot, then replays the journal in order (puts and deletes of
whole items, so replaying an entry twice is harmless); a clean stop, and a periodic compaction,
write a fresh snapshot and empty the journal. A last line cut short by a crash was never
acknowledged (its fsync had not returned), so replay skips it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")
PRIVATE_FILE_MODE = 0o600


def _fsync_folder(folder: Path) -> None:
    """Make a new file's directory entry durable too (POSIX: the file's fsync does not)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WriteJournal:
    """Append-only, fsync'd journal files, one per table, and their replay."""

    def __init__(self, folder: Path, table_names: tuple[str, ...]) -> None:
        self.folder = folder
        self.table_names = table_names
        self.lock = threading.Lock()  # appends and compaction never interleave
        self._fds: dict[str, int] = {}
        self.appended = 0  # entries since the last compaction

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.journal"

    # --- recording ------------------------------------------------------------------------------

    def attach(self, client: Any) -> None:
        """Record every successful write `client` makes from now on."""
        for operation in _WRITES:
            client.meta.events.register(
                f"provide-client-params.dynamodb.{operation}", self._remember_params
            )
            client.meta.events.register(f"after-call.dynamodb.{operation}", self._record)

    @staticmethod
    def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["journal_params"] = params

    def _record(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        if http_response.status_code >= 300 or "Error" in parsed:
            return  # not written (a failed condition, a validation error)
        params: dict[str, Any] = context.get("journal_params") or {}
        for table, entry in self._entries(model.name, params, parsed):
            self.append(table, entry)

    @staticmethod
    def _entries(
        operation: str, params: dict[str, Any], parsed: dict[str, Any]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        if operation == "PutItem":
            yield params["TableName"], {"put": params["Item"]}
        elif operation == "UpdateItem":
            attributes = parsed.get("Attributes")
            if params.get("ReturnValues") != "ALL_NEW" or not attributes:
                # Only the full new item can be replayed; the data API always asks for it.
                raise RuntimeError("journaled UpdateItem calls must use ReturnValues=ALL_NEW")
            yield params["TableName"], {"put": attributes}
        elif operation == "DeleteItem":
            yield params["TableName"], {"delete": params["Key"]}
        elif operation == "BatchWriteItem":
            unprocessed = parsed.get("UnprocessedItems") or {}
            for table, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    if request in unprocessed.get(table, []):
                        continue
                    if "PutRequest" in request:
                        yield table, {"put": request["PutRequest"]["Item"]}
                    elif "DeleteRequest" in request:
                        yield table, {"delete": request["DeleteRequest"]["Key"]}

    def append(self, table: str, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        with self.lock:
            fd = self._fds.get(table)
            if fd is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                fd = os.open(
                    self.path(table),
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                    PRIVATE_FILE_MODE,
                )
                _fsync_folder(self.folder)
                self._fds[table] = fd
            os.write(fd, line)
            os.fsync(fd)
            self.appended += 1

    # --- replay and compaction ------------------------------------------------------------------

    def entries(self, table: str) -> Iterator[dict[str, Any]]:
        path = self.path(table)
        if not path.exists():
            return
        lines = path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                if number == len(lines):  # cut short by a crash before its fsync returned
                    log.warning("%s: skipped an incomplete last entry", path)
                    continue
                raise ValueError(f"{path}:{number}: not a journal entry") from None
            yield entry

    def replay(self, client: Any) -> int:
        """Apply every journaled write to `client`'s tables (after the snapshot is loaded)."""
        total = 0
        for table in self.table_names:
            for entry in self.entries(table):
                if "put" in entry:
                    client.put_item(TableName=table, Item=entry["put"])
                else:
                    client.delete_item(TableName=table, Key=entry["delete"])
                total += 1
        return total

    def truncate(self) -> None:
        """Empty every journal; call with `lock` held, right after a snapshot of every table."""
        for table in self.table_names:
            fd = self._fds.pop(table, None)
            if fd is not None:
                os.close(fd)
            path = self.path(table)
            if path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        self.appended = 0

    def close(self) -> None:
        with self.lock:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()

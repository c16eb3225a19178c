"""A write that got HTTP 200 is never lost, however the dev server stops: Ctrl-C (SIGINT to the
whole process group, moto's too if it were in it), SIGTERM, or `kill -9` of the server alone; and
moto never outlives the server."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import time
from pathlib import Path

import pytest
from e2e_helpers import SEED_SCHEMA, DevServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WRITES = 15
CREATE = "mutation C($c: String) { createTodo(input: {content: $c}) { id } }"
LIST = "{ listTodos(limit: 1000) { items { content } } }"


def moto_port(server: DevServerProcess) -> int:
    return int(re.findall(r"DynamoDB server on http://127\.0\.0\.1:(\d+)", server.output())[-1])


def port_closed(port: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def write_items(server: DevServerProcess, token: str, label: str) -> None:
    for n in range(WRITES):
        response = server.post(CREATE, {"c": f"{label}-{n}"}, token=token)
        assert response.status_code == 200 and "errors" not in response.json(), response.text


def count_after_restart(server: DevServerProcess, token: str) -> list[str]:
    server.start()
    try:
        response = server.post(LIST, token=token)
        assert response.status_code == 200, response.text
        return sorted(i["content"] for i in response.json()["data"]["listTodos"]["items"])
    finally:
        assert server.stop() == 0


def test_ctrl_c_to_the_process_group_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    token = server.token("alice")
    write_items(server, token, "sigint")
    port = moto_port(server)
    assert server.interrupt_group() == 0  # right after the last 200
    assert "Stopped; data saved." in server.output()
    assert port_closed(port), "moto outlived the server"
    assert len(count_after_restart(server, token)) == WRITES


def test_sigterm_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    token = server.token("alice")
    write_items(server, token, "sigterm")
    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(15) == 0
    server.process = None
    assert len(count_after_restart(server, token)) == WRITES


def test_kill_9_keeps_every_acknowledged_write_and_moto_goes_too(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    token = server.token("alice")
    write_items(server, token, "first")
    port = moto_port(server)
    server.kill()  # right after the last 200: no snapshot, only the journal
    assert port_closed(port), "moto outlived the server"
    # Updates and deletes too: the journal replays them in order.
    server.start()
    try:
        listed = server.post("{ listTodos(limit: 1000) { items { id content } } }", token=token)
        items = listed.json()["data"]["listTodos"]["items"]
        assert len(items) == WRITES
        first, second = items[0]["id"], items[1]["id"]
        updated = server.post(
            'mutation U($id: ID!) { updateTodo(input: {id: $id, content: "changed"}) { id } }',
            {"id": first},
            token=token,
        )
        assert updated.status_code == 200 and "errors" not in updated.json(), updated.text
        deleted = server.post(
            "mutation D($id: ID!) { deleteTodo(input: {id: $id}) { id } }",
            {"id": second},
            token=token,
        )
        assert deleted.status_code == 200 and "errors" not in deleted.json(), deleted.text
        port = moto_port(server)
    finally:
        server.kill()
    assert port_closed(port)
    contents = count_after_restart(server, token)
    assert len(contents) == WRITES - 1
    assert "changed" in contents


def test_data_files_are_private(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    try:
        write_items(server, server.token("alice"), "private")
        journal = server.local_dir / "dynamodb" / "Todo.journal"
        assert journal.exists()  # on disk before the answer
        assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    finally:
        assert server.stop() == 0
    for path in (*(server.local_dir / "dynamodb").iterdir(), server.local_dir / "moto.log"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path

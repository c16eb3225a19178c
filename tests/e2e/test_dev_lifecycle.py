"""`dev` as a user runs it: outputs written, Ctrl-C stops cleanly, data kept, --reset empties."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from appsync_data.local.journal import WriteJournal
from e2e_helpers import SEED_SCHEMA, DevServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIST = "{ listTodos { items { id content } } }"


def contents(server: DevServerProcess, token: str) -> list[str]:
    response = server.post(LIST, token=token)
    assert response.status_code == 200, response.text
    return sorted(item["content"] for item in response.json()["data"]["listTodos"]["items"])


def test_restart_keeps_data_and_reset_starts_empty(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    try:
        token = server.token("alice")
        created = server.post(
            'mutation { createTodo(input: {content: "kept"}) { id } }', token=token
        )
        assert created.status_code == 200, created.text
        assert contents(server, token) == ["kept"]
        # On disk before the answer (the journal), so a crash loses nothing acknowledged.
        journal = server.local_dir / "dynamodb" / "Todo.journal"
        assert "kept" in journal.read_text()
    finally:
        assert server.stop() == 0  # Ctrl-C: a clean exit
    assert "Stopped; data saved." in server.output()
    moto_port = int(re.findall(r"DynamoDB server on http://127.0.0.1:(\d+)", server.output())[-1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", moto_port), timeout=1):
        pass  # moto stopped with it

    server.start()
    try:
        # Same local folder: same keys, so yesterday's token still works, and the data is back.
        assert contents(server, token) == ["kept"]
    finally:
        assert server.stop() == 0

    server.start("--reset")
    try:
        assert contents(server, token) == []
    finally:
        assert server.stop() == 0


def test_outputs_describe_the_local_endpoint(userpool_server: DevServerProcess) -> None:
    outputs = json.loads(userpool_server.outputs_path.read_text())
    state = json.loads((userpool_server.local_dir / "state.json").read_text())
    assert outputs["version"] == "1.4"
    assert outputs["data"]["url"] == userpool_server.graphql_url
    assert outputs["data"]["default_authorization_type"] == "AMAZON_COGNITO_USER_POOLS"
    assert outputs["data"]["authorization_types"] == ["AWS_IAM"]
    assert "Todo" in outputs["data"]["model_introspection"]["models"]
    assert outputs["auth"]["user_pool_id"] == "us-east-1_LOCALDEV"
    assert outputs["auth"]["user_pool_client_id"] == state["user_pool_client_id"]
    assert outputs["auth"]["identity_pool_id"] == state["identity_pool_id"]


def test_banner_says_where_and_how(userpool_server: DevServerProcess) -> None:
    output = userpool_server.output()
    assert f"GraphQL API: {userpool_server.graphql_url}" in output
    assert "-m appsync_data token --user" in output
    assert "-m appsync_data credentials --user" in output
    assert "moto" in output
    assert "--oidc" not in output  # the seed API has no OIDC mode: no OIDC tokens offered


def test_local_folder_secrets_are_private(userpool_server: DevServerProcess) -> None:
    for path in (
        userpool_server.local_dir / "state.json",
        userpool_server.local_dir / "keys" / "userpool.pem",
        userpool_server.local_dir / "keys" / "oidc.pem",
    ):
        assert path.stat().st_mode & 0o077 == 0, path


def test_dynamodb_stays_on_loopback_whatever_the_api_host(tmp_path: Path) -> None:
    # moto checks no credentials: only the API, with its token and signature checks, may listen
    # on another address.
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start("--host", "127.0.0.2")
    try:
        assert server.url.startswith("http://127.0.0.2:")
        log = (tmp_path / "dev.log").read_text()
        assert re.search(r"DynamoDB server on http://127\.0\.0\.1:\d+", log), log
    finally:
        server.stop()


def test_a_failed_snapshot_is_retried_and_does_not_stop_the_server(tmp_path: Path) -> None:
    from appsync_data.local.devserver import DevOptions, DevServer

    said: list[str] = []
    server = DevServer(
        DevOptions(
            schema_path=SEED_SCHEMA, local_dir=tmp_path / ".local", outputs_path=tmp_path / "o.json"
        ),
        say=said.append,
    )

    class FullDisk:
        journal = WriteJournal(tmp_path, ("Todo",))

        def save(self) -> int:
            raise OSError("No space left on device")

    server.snapshots = FullDisk()  # type: ignore[assignment]
    server._dirty.set()  # a mutation was served

    server._save_in_background()

    assert said[-1] == "Could not save the tables (will retry): No space left on device"
    assert server._dirty.is_set()  # the next save (or the one on stop) tries again

    server.stop()  # the last save fails too: not "saved", and the journal is named
    assert server.saved is False
    assert said[-1].startswith("Could not save the tables (No space left on device); the writes")

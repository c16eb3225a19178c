"""Custom operations through the real `aws-amplify` client against `dev`.

The dev server serves a project written to a temporary folder: Amplify's reference
custom-operations schema (tests/deploy/custom_operations_resource.py) as functions/data/resource.py
and its function functions/stats/app.py, whose code notes each run in runs.log, so that a test
can prove the code of a refused call never ran.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_helpers import REPO, DevServerProcess, npm_ready, run_amplify_client

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

STATS_APP = '''\
"""The reference schema's function: echo, todoStats, completeAll; each run noted in runs.log."""

from pathlib import Path

from appsync_data.functions import DataError, FunctionApi, OperationCall

from data.resource import schema

RUNS = Path(__file__).resolve().parents[2] / "runs.log"
api = FunctionApi(schema, "stats")


class OutOfStock(DataError):
    error_type = "OutOfStock"


def ran(name: str) -> None:
    with RUNS.open("a") as runs:
        runs.write(name + "\\n")


@api.operation("echo")
def echo(call: OperationCall) -> str:
    ran("echo")
    message = call.arguments["message"]
    if message == "out of stock":
        raise OutOfStock("No echoes left today")
    if message == "crash":
        raise RuntimeError("disk on fire at /var/task/stats/app.py line 3")
    return " ".join([message] * (call.arguments["times"] or 1))


@api.operation("todoStats")
def todo_stats(call: OperationCall) -> dict[str, object]:
    ran("todoStats")
    todos = list(call.models["Todo"].list_all())
    done = sum(1 for todo in todos if todo["done"])
    ratio = round(done / len(todos), 2) if todos else None
    return {"total": len(todos), "done": done, "ratio": ratio}


@api.operation("completeAll")
def complete_all(call: OperationCall) -> list[dict[str, object]]:
    ran("completeAll")
    todos = call.models["Todo"]
    return [todos.update({"id": todo_id, "done": True}) for todo_id in call.arguments["ids"]]


handler = api.lambda_handler()
'''

OPERATIONS = ("echo", "todoStats", "completeAll")


@pytest.fixture(scope="session", autouse=True)
def amplify_installed() -> None:
    npm_ready()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    project = tmp_path_factory.mktemp("custom-operations")
    data, stats = project / "functions" / "data", project / "functions" / "stats"
    data.mkdir(parents=True)
    stats.mkdir()
    shutil.copy(REPO / "tests" / "deploy" / "custom_operations_resource.py", data / "resource.py")
    (data / "__init__.py").write_text("")
    (stats / "__init__.py").write_text("")
    (stats / "app.py").write_text(STATS_APP)
    dev = DevServerProcess(schema=data / "resource.py", workdir=project).start()
    try:
        yield dev
    finally:
        dev.stop()


def runs(server: DevServerProcess) -> list[str]:
    """The operations whose code ran since the last look (and forget them)."""
    path = server.workdir / "runs.log"
    if not path.exists():
        return []
    names = path.read_text().split()
    path.unlink()
    return names


def create_todos(server: DevServerProcess, token: str, *contents: str) -> list[str]:
    ids = []
    for content in contents:
        body = server.post(
            "mutation ($c: String) { createTodo(input: {content: $c}) { id } }",
            {"c": content},
            token=token,
        ).json()
        ids.append(body["data"]["createTodo"]["id"])
    return ids


def call(server: DevServerProcess, mode: str, scenario: str, **auth: Any) -> dict[str, Any]:
    ids = auth.pop("ids", [])
    return run_amplify_client(
        server.outputs_path,
        mode,
        scenario,
        script="custom_operations.mjs",
        extra_env={"TODO_IDS": json.dumps(ids)},
        **auth,
    )


def unauthorized(field: str, type_name: str) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "path": [field],
                "data": None,
                "errorType": "Unauthorized",
                "errorInfo": None,
                "locations": [{"line": 2, "column": 3, "sourceName": None}],
                "message": f"Not Authorized to access {field} on type {type_name}",
            }
        ],
    }


def assert_operations_work(results: dict[str, Any], ids: list[str]) -> None:
    assert results["echo"] == {"data": "hi hi"}
    stats = results["todoStats"]["data"]
    assert stats["total"] >= len(ids) and stats["done"] <= stats["total"], stats
    completed = results["completeAll"]["data"]
    assert [todo["id"] for todo in completed] == ids
    assert all(todo["done"] is True for todo in completed), completed
    assert set(completed[0]) >= {"id", "content", "done", "createdAt", "updatedAt"}


def test_user_pool_mode_echo_todo_stats_and_complete_all(server: DevServerProcess) -> None:
    token = server.token("alice")
    ids = create_todos(server, token, "one", "two")
    runs(server)

    results = call(server, "userPool", "operations", token=token, ids=ids)

    assert_operations_work(results, ids)
    assert runs(server) == list(OPERATIONS)
    # completeAll's writes are the table's: todoStats sees them
    again = call(server, "userPool", "operations", token=token, ids=[])
    assert again["todoStats"]["data"]["done"] >= 2
    assert again["completeAll"] == {"data": []}


def test_iam_mode_with_a_role_the_rules_admit(server: DevServerProcess) -> None:
    # A plain IAM role (a backend): admitted by Amplify's rules (IAM_ACCESS=all) to all three.
    ids = create_todos(server, server.token("alice"), "by a backend")
    runs(server)
    credentials = server.credentials("--role", "Backend")

    results = call(server, "iam", "operations", credentials=credentials, ids=ids)

    assert_operations_work(results, ids)
    assert runs(server) == list(OPERATIONS)


def test_iam_mode_identity_pool_user_runs_only_what_the_rules_grant(
    server: DevServerProcess,
) -> None:
    # echo admits allow.authenticated("identityPool"); todoStats and completeAll do not.
    credentials = server.credentials("--user", "alice")
    runs(server)

    results = call(server, "iam", "operations", credentials=credentials, ids=["a"])

    assert results["echo"] == {"data": "hi hi"}
    assert results["todoStats"] == unauthorized("todoStats", "Query")
    assert results["completeAll"] == unauthorized("completeAll", "Mutation")
    assert runs(server) == ["echo"]  # the refused operations' code never ran


def test_a_guest_is_refused_everything_and_no_code_runs(server: DevServerProcess) -> None:
    credentials = server.credentials("--user", "visitor", "--guest")
    runs(server)

    results = call(server, "iam", "operations", credentials=credentials, ids=["a"])

    assert results["echo"] == unauthorized("echo", "Query")
    assert results["todoStats"] == unauthorized("todoStats", "Query")
    assert results["completeAll"] == unauthorized("completeAll", "Mutation")
    assert runs(server) == []


def test_errors_of_the_code_reach_the_client_mapped(server: DevServerProcess) -> None:
    results = call(server, "userPool", "errors", token=server.token("alice"))

    data_error = results["dataError"]["errors"][0]
    assert data_error["errorType"] == "OutOfStock"
    assert data_error["message"] == "No echoes left today"
    crash = results["crash"]["errors"][0]
    assert crash["errorType"] == "InternalFailure"
    assert crash["message"].startswith("An internal error occurred (request id ")
    assert "disk on fire" not in str(results) and "Traceback" not in str(results)
    assert results["crash"]["data"] is None

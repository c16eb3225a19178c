"""`python -m appsync_data new-function NAME`: the files it writes serve the schema's operations
(imported in a fresh interpreter, as Lambda imports them), and the names and folders it refuses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from appsync_data.__main__ import main
from appsync_data.generate.function_scaffold import new_function, python_name

REPO = Path(__file__).resolve().parents[2]
CUSTOM_RESOURCE = REPO / "tests" / "deploy" / "custom_operations_resource.py"

HELLO_RESOURCE = """\
from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
%s
    }
)
"""

# Calls the function's handler in a fresh interpreter whose path is the Lambda's.
CALL = """
import json, sys
from appsync_data.events import LambdaContextStub, function_event
import {name}.app as app
identity = {{"sub": "s-1", "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X",
            "username": "alice", "claims": {{}}, "defaultAuthStrategy": "ALLOW"}}
for field, arguments in json.loads(sys.argv[1]):
    event = function_event("Query", field, arguments, identity=identity)
    print(json.dumps(app.handler(event, LambdaContextStub())))
"""


def project(tmp_path: Path, resource: str | Path) -> Path:
    data = tmp_path / "functions" / "data"
    data.mkdir(parents=True)
    if isinstance(resource, Path):
        shutil.copy(resource, data / "resource.py")
    else:
        (data / "resource.py").write_text(resource)
    return data / "resource.py"


def call_function(
    tmp_path: Path, name: str, calls: list[tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path / "functions"), str(REPO / "layers/runtime")]),
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_EC2_METADATA_DISABLED": "true",
        "USER_POOL_ID": "us-east-1_X",
        "POWERTOOLS_METRICS_NAMESPACE": "Test",
        "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    }
    done = subprocess.run(
        [sys.executable, "-c", CALL.format(name=name), json.dumps(calls)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"')]
    return [line for line in lines if "_aws" not in line]  # leave out the metrics lines


def test_a_stub_per_declared_operation_that_imports_and_answers(tmp_path: Path) -> None:
    schema_path = project(tmp_path, CUSTOM_RESOURCE)

    app, declared = new_function("stats", schema_path)

    assert declared and app == tmp_path / "functions" / "stats" / "app.py"
    assert (app.parent / "__init__.py").is_file()
    text = app.read_text()
    for declaration in (
        '@api.operation("todoStats")\ndef todo_stats(call: OperationCall) -> dict[str, Any] | None',
        '@api.operation("echo")\ndef echo(call: OperationCall) -> str | None:',
        '    """Query echo(message: String!, times: Int): String"""',
        '    # call.arguments["times"]: Int',
        "def complete_all(call: OperationCall) -> list[dict[str, Any] | None] | None:",
        '    """Mutation completeAll(ids: [ID!]!): [Todo]"""',
        "handler = api.lambda_handler()",
    ):
        assert declaration in text, declaration
    # Every operation has its function (else the import fails); each stub is an internal failure
    [echo] = call_function(tmp_path, "stats", [("echo", {"message": "hi"})])
    assert echo["error"]["type"] == "InternalFailure"


def test_without_a_declaration_an_example_query_that_works_once_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema_path = project(tmp_path, HELLO_RESOURCE % "")

    assert main(["new-function", "greet", "--schema", str(schema_path)]) == 0

    printed = capsys.readouterr().out
    declaration = printed.split("(then `make dev` serves it):\n", 1)[1]
    assert '.handler(a.handler.function("greet")),' in declaration
    schema_path.write_text(HELLO_RESOURCE % declaration)  # the developer pastes it in
    hello, empty = call_function(
        tmp_path, "greet", [("hello", {"name": "Ada"}), ("hello", {"name": " "})]
    )
    assert hello == {"data": "Hello, Ada (from alice)"}
    assert empty == {"error": {"type": "EmptyName", "message": "Say hello to someone"}}


@pytest.mark.parametrize("name", ["Stats", "../x", "data", "json", "email", "boto3", "x y"])
def test_bad_names_are_refused_and_nothing_is_written(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    schema_path = project(tmp_path, CUSTOM_RESOURCE)

    assert main(["new-function", name, "--schema", str(schema_path)]) == 1

    assert "a.handler.function" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "functions").iterdir()) == ["data"]


def test_an_existing_folder_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema_path = project(tmp_path, CUSTOM_RESOURCE)
    mine = tmp_path / "functions" / "stats"
    mine.mkdir()
    (mine / "app.py").write_text("# my code\n")

    assert main(["new-function", "stats", "--schema", str(schema_path)]) == 1

    assert "already exists" in capsys.readouterr().err
    assert (mine / "app.py").read_text() == "# my code\n"
    assert not (mine / "__init__.py").exists()


@pytest.mark.parametrize(
    ("operation", "function"),
    [("todoStats", "todo_stats"), ("echo", "echo"), ("getHTTP2Thing", "get_http2_thing")],
)
def test_python_names_of_operations(operation: str, function: str) -> None:
    assert python_name(operation) == function

"""Every APPSYNC_JS file under AWS's lint rules, and each function run under Node in front of the
real Python handler (moto's DynamoDB) for every operation: AppSync's ctx -> request() -> the
Lambda event -> DataApi.handle -> ctx.result -> response() -> the field's value or its error."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from appsync_data.api import DataApi
from backend import LambdaContextStub, make_backend
from deploy_helpers import ROOT
from identities import REGION, identity_pool_identity, user_pool_identity
from moto import mock_aws

JS_DIR = ROOT / "tests" / "deploy" / "js"
RESOLVERS = ROOT / "functions" / "resolvers"
ESLINT = JS_DIR / "node_modules" / ".bin" / "eslint"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def npm_ready() -> None:
    """`npm ci` from the lock file once (`make test` does it first; node_modules is git-ignored)."""
    marker = JS_DIR / "node_modules" / ".package-lock.json"
    lock = JS_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=JS_DIR,
        check=True,
        timeout=300,
    )


def _eslint(*args: str, stdin: str | None = None) -> list[dict[str, Any]]:
    npm_ready()
    result = subprocess.run(
        [str(ESLINT), "-c", str(JS_DIR / "eslint.config.mjs"), "--format", "json", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout, result.stderr
    report: list[dict[str, Any]] = json.loads(result.stdout)
    return report


def test_every_appsync_js_file_passes_awss_recommended_rules() -> None:
    report = _eslint("--max-warnings", "0", "functions/resolvers/")
    linted = {Path(entry["filePath"]).name for entry in report}
    assert linted == {p.name for p in RESOLVERS.glob("*.js")}  # every file, none skipped
    problems = [
        f"{Path(e['filePath']).name}:{m['line']} {m['ruleId']} {m['message']}"
        for e in report
        for m in e["messages"]
    ]
    assert problems == []


def test_the_lint_refuses_what_the_appsync_js_runtime_cannot_run() -> None:
    code = """\
import { util } from '@aws-appsync/utils';
function again(n) { return again(n); }
export function request(ctx) {
  let n = 0;
  for (let i = 0; i < 3; i++) { n += i; }
  try { util.error('x'); } catch (e) { n = 1; }
  return { n: again(n), pad: 'x'.padStart(3) };
}
export function response(ctx) { return ctx.result; }
"""
    (report,) = _eslint("--stdin", "--stdin-filename", "functions/resolvers/bad.js", stdin=code)
    rules = {m["ruleId"] for m in report["messages"]}
    # base rules, and the recommended ones that need type information
    assert {
        "@aws-appsync/no-for",
        "@aws-appsync/no-try",
        "@aws-appsync/no-recursion",
        "@aws-appsync/no-disallowed-methods",
    } <= rules


class Resolver:
    """One Node process running functions/resolvers/*.js step by step."""

    def __init__(self, directory: Path) -> None:
        self.process = subprocess.Popen(
            ["node", str(JS_DIR / "run_resolver.mjs"), str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def step(self, file: str, step: str, ctx: dict[str, Any]) -> dict[str, Any]:
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps({"file": file, "step": step, "ctx": ctx}) + "\n")
        stdin.flush()
        line = stdout.readline()
        assert line, "the resolver process died"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture
def resolver(tmp_path: Path) -> Iterator[Resolver]:
    """The functions next to a node_modules whose '@aws-appsync/utils' is the util shim."""
    directory = tmp_path / "resolvers"
    shutil.copytree(RESOLVERS, directory)
    (directory / "package.json").write_text(json.dumps({"type": "module"}))
    utils = tmp_path / "node_modules" / "@aws-appsync" / "utils"
    utils.mkdir(parents=True)
    (utils / "package.json").write_text(
        json.dumps({"name": "@aws-appsync/utils", "type": "module", "main": "index.js"})
    )
    shutil.copy(JS_DIR / "appsync_utils_shim.js", utils / "index.js")
    running = Resolver(directory)
    yield running
    running.close()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[DataApi]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    from data.resource import schema

    with mock_aws():
        yield make_backend(schema).api


FUNCTION = "invoke_data.js"
USER = user_pool_identity()
GUEST = identity_pool_identity(auth_type="unauthenticated")


def _ctx(field: str, args: dict[str, Any], identity: Any) -> dict[str, Any]:
    """The ctx AppSync gives a pipeline function (headers as a browser sends them)."""
    parent = "Query" if field.startswith(("get", "list")) else "Mutation"
    return {
        "args": args,
        "arguments": args,
        "identity": identity,
        "source": None,
        "request": {
            "headers": {
                "authorization": "eyJraWQiOi.secret-user-token.sig",
                "x-amzn-trace-id": "Root=1-65a1b2c3-000000000000000000000001",
                "content-type": "application/json",
                "host": "abc.appsync-api.us-east-1.amazonaws.com",
            },
            "domainName": None,
        },
        "info": {
            "fieldName": field,
            "parentTypeName": parent,
            "variables": {},
            "selectionSetList": ["id", "content"],
            "selectionSetGraphQL": "{\n  id\n  content\n}",
        },
        "prev": {"result": {}},
        "stash": {},
    }


def _run(resolver: Resolver, api: DataApi, field: str, args: dict[str, Any], identity: Any) -> Any:
    """One field as AppSync runs it: request() -> Invoke the Lambda -> response()."""
    ctx = _ctx(field, args, identity)
    request = resolver.step(FUNCTION, "request", ctx)["value"]
    assert request["operation"] == "Invoke"
    event = request["payload"]
    assert event["request"]["headers"] == {
        "x-amzn-trace-id": ctx["request"]["headers"]["x-amzn-trace-id"]
    }
    result = json.loads(json.dumps(api.handle(event, LambdaContextStub())))  # type: ignore[arg-type]
    return resolver.step(FUNCTION, "response", {**ctx, "result": result})


def _refused(field: str, parent: str) -> dict[str, Any]:
    return {
        "error": {
            "type": "Unauthorized",
            "message": f"Not Authorized to access {field} on type {parent}",
        }
    }


def test_every_operation_through_the_function_and_the_handler(
    resolver: Resolver, api: DataApi
) -> None:
    run = lambda field, args, who=USER: _run(resolver, api, field, args, who)  # noqa: E731

    created = run("createTodo", {"input": {"id": "t1", "content": "hello"}})
    assert created["value"]["id"] == "t1" and created["value"]["content"] == "hello"
    assert run("getTodo", {"id": "t1"})["value"]["content"] == "hello"
    assert run("getTodo", {"id": "missing"}) == {"value": None}  # null, no error
    listed = run("listTodos", {"limit": 10})["value"]
    assert [item["id"] for item in listed["items"]] == ["t1"]
    updated = run("updateTodo", {"input": {"id": "t1", "content": "changed"}})
    assert updated["value"]["content"] == "changed"

    # Refused callers (a guest of the identity pool; an API-key caller): Amplify's error, and
    # the table unchanged.
    for who in (GUEST, None):
        assert run("getTodo", {"id": "t1"}, who) == _refused("getTodo", "Query")
        assert run("listTodos", {}, who) == _refused("listTodos", "Query")
        assert run("createTodo", {"input": {"content": "x"}}, who) == _refused(
            "createTodo", "Mutation"
        )
        assert run("updateTodo", {"input": {"id": "t1", "content": "x"}}, who) == _refused(
            "updateTodo", "Mutation"
        )
        assert run("deleteTodo", {"input": {"id": "t1"}}, who) == _refused("deleteTodo", "Mutation")
    assert run("getTodo", {"id": "t1"})["value"]["content"] == "changed"

    # The Lambda's error envelope becomes util.error with its type.
    duplicate = run("createTodo", {"input": {"id": "t1", "content": "again"}})
    assert duplicate["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    assert duplicate["error"]["message"].startswith("The conditional request failed")
    missing = run("updateTodo", {"input": {"id": "nope", "content": "x"}})
    assert missing["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    bad_token = run("listTodos", {"nextToken": "forged"})
    assert bad_token["error"]["type"] == "InvalidNextTokenError"
    assert run("listTodos", {"limit": 0})["error"]["type"] == "InvalidArgumentsError"

    deleted = run("deleteTodo", {"input": {"id": "t1"}})
    assert deleted["value"]["id"] == "t1"
    assert run("getTodo", {"id": "t1"}) == {"value": None}


def test_a_failed_invocation_keeps_appsyncs_error(resolver: Resolver) -> None:
    ctx = _ctx("getTodo", {"id": "t1"}, USER)
    ctx["error"] = {"type": "Lambda:Unhandled", "message": "Task timed out after 25.00 seconds"}
    assert resolver.step(FUNCTION, "response", ctx) == {
        "error": {"type": "Lambda:Unhandled", "message": "Task timed out after 25.00 seconds"}
    }

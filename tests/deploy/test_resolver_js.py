"""Every APPSYNC_JS file under AWS's lint rules, and each function run under Node in front of the
real Python handler (moto's DynamoDB) for every operation: AppSync's ctx -> request() -> the
Lambda event -> DataApi.handle -> ctx.result -> response() -> the field's value or its error."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from appsync_data.api import DataApi
from appsync_data.errors import DataError
from appsync_data.events import function_event
from appsync_data.functions import FunctionApi, OperationCall
from appsync_data.subscription_filter import OPERATORS, FilterError, filter_groups, matches
from backend import SETTINGS, LambdaContextStub, make_backend
from deploy_helpers import ROOT, VARIANTS, seed_schema
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from identities import (
    CALLER_NAMES,
    EXPECTED_ALLOWED,
    REGION,
    identity,
    identity_pool_identity,
    user_pool_identity,
)
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


def _start_resolver(tmp_path: Path) -> Resolver:
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
    return Resolver(directory)


@pytest.fixture
def resolver(tmp_path: Path) -> Iterator[Resolver]:
    running = _start_resolver(tmp_path)
    yield running
    running.close()


@pytest.fixture(scope="module")
def shared_resolver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Resolver]:
    """One Node process for the many examples of a property test."""
    running = _start_resolver(tmp_path_factory.mktemp("shared"))
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


# --- subscriptions: invoke_data.js (the `listen` decision) then subscription_filter.js ----------

SUBSCRIPTION_CODE = "subscription_filter.js"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's DynamoDB for backends the test builds itself."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        yield


def _subscribe(
    resolver: Resolver, api: DataApi, field: str, args: dict[str, Any], identity: Any
) -> dict[str, Any]:
    """A subscription as AppSync runs its resolver at subscribe time: the pipeline's one
    function (request -> Invoke the Lambda -> response), then the resolver's response code."""
    ctx = _ctx(field, args, identity)
    ctx["info"]["parentTypeName"] = "Subscription"
    assert resolver.step(SUBSCRIPTION_CODE, "request", ctx) == {"value": {}}
    request = resolver.step(FUNCTION, "request", ctx)["value"]
    assert request["operation"] == "Invoke"
    event = request["payload"]
    assert event["info"]["parentTypeName"] == "Subscription"
    envelope = json.loads(json.dumps(api.handle(event, LambdaContextStub())))  # type: ignore[arg-type]
    decided = resolver.step(FUNCTION, "response", {**ctx, "result": envelope})
    if "error" in decided:
        return decided  # AppSync stops the pipeline: the resolver's response never runs
    return resolver.step(SUBSCRIPTION_CODE, "response", {**ctx, "prev": {"result": decided}})


@pytest.mark.parametrize("variant", VARIANTS)
def test_subscriptions_are_decided_by_the_models_rules_for_every_caller(
    variant: str, resolver: Resolver, aws: None
) -> None:
    api = make_backend(seed_schema(variant)).api
    wanted = {"filter": {"content": {"beginsWith": "a"}}}
    for name in CALLER_NAMES:
        allowed = EXPECTED_ALLOWED[name][variant]
        for field in ("onCreateTodo", "onUpdateTodo", "onDeleteTodo"):
            answer = _subscribe(resolver, api, field, wanted, identity(name))
            if allowed:
                assert answer == {
                    "value": None,
                    "subscriptionFilters": [
                        {
                            "filterGroup": [
                                {
                                    "filters": [
                                        {
                                            "fieldName": "content",
                                            "operator": "beginsWith",
                                            "value": "a",
                                        }
                                    ]
                                }
                            ]
                        }
                    ],
                }, (name, field)
            else:
                assert answer == _refused(field, "Subscription"), (name, field)
    # No filter argument: every item, no enhanced filter set.
    admitted = identity("iam_plain_role")  # every variant admits it (Amplify's IAM default)
    assert _subscribe(resolver, api, "onCreateTodo", {}, admitted) == {"value": None}


def _filter_of(resolver: Resolver, filter_: Any) -> dict[str, Any]:
    return resolver.step(SUBSCRIPTION_CODE, "subscriptionFilter", filter_)


def _single(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {
        "filterGroup": [{"filters": [{"fieldName": field, "operator": operator, "value": value}]}]
    }


OPERANDS: dict[str, Any] = {
    "eq": "a",
    "ne": "a",
    "le": 3,
    "lt": 3,
    "ge": 3,
    "gt": 3,
    "contains": "x",
    "notContains": "x",
    "between": [1, 5],
    "beginsWith": "pre",
    "in": ["a", "b"],
    "notIn": ["a", "b"],
}


def test_every_operator_becomes_its_appsync_filter(resolver: Resolver) -> None:
    assert set(OPERANDS) == OPERATORS  # the local server's operators, all of them
    for operator, operand in OPERANDS.items():
        assert _filter_of(resolver, {"f": {operator: operand}}) == {
            "value": _single("f", operator, operand)
        }, operator


def test_and_or_become_filter_groups(resolver: Resolver) -> None:
    def cond(field: str, operator: str, value: Any) -> dict[str, Any]:
        return {"fieldName": field, "operator": operator, "value": value}

    # fields of one object: AND-ed in one group
    assert _filter_of(resolver, {"a": {"gt": 1}, "b": {"eq": "x"}}) == {
        "value": {"filterGroup": [{"filters": [cond("a", "gt", 1), cond("b", "eq", "x")]}]}
    }
    # or: one group per alternative, each with the object's other conditions
    assert _filter_of(resolver, {"a": {"eq": 1}, "or": [{"b": {"eq": 2}}, {"c": {"eq": 3}}]}) == {
        "value": {
            "filterGroup": [
                {"filters": [cond("a", "eq", 1), cond("b", "eq", 2)]},
                {"filters": [cond("a", "eq", 1), cond("c", "eq", 3)]},
            ]
        }
    }
    # and of ors: the product
    nested = {
        "and": [
            {"or": [{"a": {"eq": 1}}, {"a": {"eq": 2}}]},
            {"or": [{"b": {"eq": 3}}, {"b": {"eq": 4}}]},
        ]
    }
    groups = _filter_of(resolver, nested)["value"]["filterGroup"]
    assert [[(c["fieldName"], c["value"]) for c in g["filters"]] for g in groups] == [
        [("a", 1), ("b", 3)],
        [("a", 1), ("b", 4)],
        [("a", 2), ("b", 3)],
        [("a", 2), ("b", 4)],
    ]
    # what the client leaves unset is no condition; an alternative without conditions: no filter
    assert _filter_of(resolver, {"a": {"eq": None, "ne": "x"}, "b": None}) == {
        "value": _single("a", "ne", "x")
    }
    assert _filter_of(resolver, {"or": []}) == {"value": None}
    assert _filter_of(resolver, {"or": [{"a": {"eq": 1}}, {}]}) == {"value": None}
    assert _filter_of(resolver, None) == {"value": None}


def _matches_groups(groups: dict[str, Any] | None, item: dict[str, Any]) -> bool:
    """AppSync's reading of filterGroup: any group whose every condition holds."""
    if groups is None:
        return True
    return any(
        all(matches({c["fieldName"]: {c["operator"]: c["value"]}}, item) for c in g["filters"])
        for g in groups["filterGroup"]
    )


def test_the_groups_mean_what_the_local_server_evaluates(resolver: Resolver) -> None:
    """Same items pass the deployed filter as pass the local server's (subscription_filter.py)."""
    filters = [
        {"content": {"beginsWith": "a"}, "done": {"eq": True}},
        {"or": [{"content": {"contains": "x"}}, {"rating": {"between": [2, 4]}}]},
        {
            "and": [
                {"rating": {"ge": 2}},
                {"or": [{"done": {"ne": True}}, {"content": {"in": ["ax", "b"]}}]},
            ]
        },
        {"content": {"notIn": ["b"]}, "or": [{"rating": {"lt": 3}}, {"rating": {"gt": 4}}]},
        {
            "or": [
                {"content": {"notContains": "x"}, "done": {"eq": False}},
                {"content": {"eq": "b"}},
            ]
        },
    ]
    items = [
        {"content": c, "done": d, "rating": r}
        for c in ("ax", "b", "ay", "zx")
        for d in (True, False)
        for r in (1, 3, 5)
    ]
    for filter_ in filters:
        groups = _filter_of(resolver, filter_)["value"]
        for item in items:
            assert _matches_groups(groups, item) == matches(filter_, item), (filter_, item)


def test_a_filter_appsync_cannot_hold_is_refused_at_subscribe_time(resolver: Resolver) -> None:
    eleven_ways = {"or": [{"a": {"eq": i}} for i in range(11)]}
    six_fields = {"or": [{f"f{i}": {"eq": i}} for i in range(6)]}
    too_many_values = {"a": {"in": [1, 2, 3, 4, 5, 6]}}
    too_deep = {"or": [{"and": [{"or": [{"and": [{"a": {"eq": 1}}]}]}]}]}
    for bad, words in [
        (eleven_ways, "more than 10 alternatives"),
        (six_fields, "it names 6 fields, more than AppSync's 5"),
        ({"a": {"gt": 1, "lt": 5}}, "'a' has two conditions in one alternative"),
        (
            {"and": [{"a": {"ge": 1}}, {"a": {"le": 5}}]},
            "'a' has two conditions in one alternative",
        ),
        (too_many_values, "'in' on 'a' takes 1 to 5 values"),
        (too_deep, "nest deeper than 3 levels"),
        ({"a": {"like": "x"}}, "unsupported operator 'like' on 'a'"),
        ({"a": {"between": [1]}}, "'between' on 'a' takes two values"),
        ({"a": "x"}, "the condition on 'a' must be an object of operators"),
        ({"or": {"a": {"eq": 1}}}, "'or' takes a list of filters"),
        ({"or": [5]}, "a filter is an object"),
    ]:
        answer = _filter_of(resolver, bad)
        assert answer["error"]["type"] == "InvalidFilterError", bad
        assert words in answer["error"]["message"], (bad, answer)
        assert answer == _python_filter_of(bad), bad  # the local server refuses it alike
    # At subscribe time, for an admitted caller: the error, and no filter set.
    ctx = _ctx("onCreateTodo", {"filter": eleven_ways}, USER)
    answer = resolver.step(SUBSCRIPTION_CODE, "response", ctx)
    assert answer["error"]["type"] == "InvalidFilterError" and "subscriptionFilters" not in answer
    # Three levels are fine.
    assert "value" in _filter_of(resolver, {"or": [{"and": [{"or": [{"a": {"eq": 1}}]}]}]})


# --- relationship fields: batch_invoke_data.js, AppSync's BatchInvoke -------------------------

BATCH_FUNCTION = "batch_invoke_data.js"


def _field_ctx(parent: str, field: str, source: dict[str, Any], identity: Any) -> dict[str, Any]:
    ctx = _ctx(field, {}, identity)
    ctx["source"] = source
    ctx["info"]["parentTypeName"] = parent
    return ctx


def test_a_relationship_field_is_one_payload_of_a_batch_invoke(resolver: Resolver) -> None:
    ctx = _field_ctx("Post", "comments", {"id": "p1", "title": "t"}, USER)
    request = resolver.step(BATCH_FUNCTION, "request", ctx)["value"]
    assert request["operation"] == "BatchInvoke"
    payload = request["payload"]
    assert payload["source"] == {"id": "p1", "title": "t"}
    assert (
        payload["info"]["parentTypeName"] == "Post" and payload["info"]["fieldName"] == "comments"
    )
    assert payload["identity"] == USER
    assert payload["request"]["headers"] == {
        "x-amzn-trace-id": ctx["request"]["headers"]["x-amzn-trace-id"]
    }
    # Each field's response gets its own envelope of the Lambda's list.
    assert resolver.step(
        BATCH_FUNCTION, "response", {**ctx, "result": {"data": {"items": []}}}
    ) == {"value": {"items": []}}
    refused = _refused("comments", "Post")
    assert resolver.step(BATCH_FUNCTION, "response", {**ctx, "result": refused}) == refused
    failed = {"type": "Lambda:Unhandled", "message": "Task timed out after 25.00 seconds"}
    assert resolver.step(BATCH_FUNCTION, "response", {**ctx, "error": failed}) == {"error": failed}


def test_relationship_fields_through_the_batch_function_and_the_handler(
    resolver: Resolver, aws: None
) -> None:
    """AppSync's BatchInvoke: each parent's request payload, one list to the handler, each
    envelope back to its field's response."""
    from appsync_data.schema_file import load_schema

    schema = load_schema(ROOT / "tests" / "deploy" / "modeling_resource.py")
    api = make_backend(schema).api
    run = lambda field, args, who=USER: _run(resolver, api, field, args, who)  # noqa: E731
    run("createPost", {"input": {"id": "p1", "title": "one"}})
    run("createPost", {"input": {"id": "p2", "title": "two"}})
    run("createComment", {"input": {"id": "c1", "content": "hi", "postId": "p1"}})
    parents = [{"id": "p1", "title": "one"}, {"id": "p2", "title": "two"}]
    for who, expect_refused in ((USER, False), (GUEST, True)):
        contexts = [_field_ctx("Post", "comments", p, who) for p in parents]
        payloads = [
            resolver.step(BATCH_FUNCTION, "request", c)["value"]["payload"] for c in contexts
        ]
        answered = api.handle(payloads, LambdaContextStub())  # type: ignore[arg-type]
        if not isinstance(answered, list):
            pytest.skip(
                "this api.py does not take BatchInvoke lists yet (the batching branch does)"
            )
        envelopes = json.loads(json.dumps(answered))
        assert len(envelopes) == len(parents)
        answers = [
            resolver.step(BATCH_FUNCTION, "response", {**c, "result": e})
            for c, e in zip(contexts, envelopes, strict=True)
        ]
        if expect_refused:
            assert answers == [_refused("comments", "Post")] * 2
        else:
            assert [[i["id"] for i in a["value"]["items"]] for a in answers] == [["c1"], []]


def test_a_mutations_result_is_the_whole_item_for_its_subscribers(
    resolver: Resolver, api: DataApi
) -> None:
    """AppSync hands subscribers the mutation's result: the Lambda returns the whole item,
    whatever the mutation selected, so no field a subscription may select is missing."""
    from data.resource import schema

    fields = set(schema.models["Todo"].fields)
    created = _run(resolver, api, "createTodo", {"input": {"content": "c", "done": False}}, USER)
    assert fields <= set(created["value"])
    item_id = created["value"]["id"]
    updated = _run(resolver, api, "updateTodo", {"input": {"id": item_id, "done": True}}, USER)
    assert fields <= set(updated["value"]) and updated["value"]["content"] == "c"
    deleted = _run(resolver, api, "deleteTodo", {"input": {"id": item_id}}, USER)
    assert fields <= set(deleted["value"]) and deleted["value"]["done"] is True


# --- custom operations: invoke_function.js in front of a function's FunctionApi handler ---------

FUNCTION_CODE = "invoke_function.js"


class Overdrawn(DataError):
    error_type = "Overdrawn"


def test_custom_operations_through_their_function_and_the_handler(
    resolver: Resolver, aws: None
) -> None:
    """The seed's todoStats as AppSync runs it deployed: request() -> Amplify's function event
    (what make dev hands the function too) -> the function's handler -> response()."""
    from data.resource import schema

    make_backend(schema)  # the tables, with the settings the function gets
    api = FunctionApi(schema, "stats")
    runs: list[str] = []
    fail = False

    @api.operation("todoStats")
    def todo_stats(call: OperationCall) -> dict[str, int]:
        runs.append(call.name)
        if fail:
            raise Overdrawn("no stats today")
        todos = list(call.models["Todo"].list_all())
        return {"total": len(todos), "done": sum(1 for t in todos if t["done"])}

    handler = api.lambda_handler(SETTINGS)

    def run(who: Any) -> dict[str, Any]:
        ctx = _ctx("todoStats", {}, who)
        ctx["info"]["parentTypeName"] = "Query"
        ctx["prev"] = {"result": {}}
        request = resolver.step(FUNCTION_CODE, "request", ctx)["value"]
        assert request["operation"] == "Invoke"
        event = request["payload"]
        headers = {"x-amzn-trace-id": ctx["request"]["headers"]["x-amzn-trace-id"]}
        assert event == function_event("Query", "todoStats", {}, identity=who, headers=headers)
        result = json.loads(json.dumps(handler(event, LambdaContextStub())))  # type: ignore[arg-type]
        return resolver.step(FUNCTION_CODE, "response", {**ctx, "result": result})

    for name in CALLER_NAMES:
        answer = run(identity(name))
        if EXPECTED_ALLOWED[name]["userPools"]:
            assert answer == {"value": {"total": 0, "done": 0, "__typename": "TodoStats"}}, name
        else:
            assert answer == _refused("todoStats", "Query"), name
    admitted = sum(EXPECTED_ALLOWED[n]["userPools"] for n in CALLER_NAMES)
    assert len(runs) == admitted  # a refused caller never reaches the code
    fail = True
    assert run(USER) == {"error": {"type": "Overdrawn", "message": "no stats today"}}


def _python_filter_of(filter_: Any) -> dict[str, Any]:
    """subscription_filter.py's answer in the shape of the JS's: groups, or the refusal."""
    try:
        groups = filter_groups(filter_)
    except FilterError as error:
        return {"error": {"type": "InvalidFilterError", "message": f"Invalid filter: {error}"}}
    if groups is None:
        return {"value": None}
    return {"value": {"filterGroup": [{"filters": group} for group in groups]}}


_VALUES = {"content": st.sampled_from(["a", "ab", "b", "x"]), "rating": st.integers(0, 4)}
_CONDITION = st.one_of(
    st.builds(lambda v: {"content": {"beginsWith": v}}, _VALUES["content"]),
    st.builds(lambda v: {"content": {"contains": v}}, _VALUES["content"]),
    st.builds(lambda v: {"content": {"notContains": v}}, _VALUES["content"]),
    st.builds(
        lambda op, v: {"rating": {op: v}},
        st.sampled_from(["eq", "ne", "le", "lt", "ge", "gt"]),
        _VALUES["rating"],
    ),
    st.builds(lambda a, b: {"rating": {"between": sorted([a, b])}}, *[_VALUES["rating"]] * 2),
    st.builds(
        lambda op, vs: {"rating": {op: vs}},
        st.sampled_from(["in", "notIn"]),
        st.lists(_VALUES["rating"], min_size=0, max_size=7),  # AppSync takes 1 to 5
    ),
    st.builds(lambda v: {"done": {"eq": v}}, st.booleans()),
    # more fields than AppSync's 5 in all, and two conditions on one field
    st.builds(
        lambda f, v: {f: {"eq": v}}, st.sampled_from(["f1", "f2", "f3", "f4"]), st.integers(0, 1)
    ),
    st.builds(lambda a, b: {"rating": {"ge": a, "le": b}}, *[_VALUES["rating"]] * 2),
)
_TREE = st.recursive(
    _CONDITION,
    lambda inner: st.one_of(
        st.builds(lambda fs: {"and": fs}, st.lists(inner, max_size=4)),
        st.builds(lambda fs: {"or": fs}, st.lists(inner, max_size=4)),
        st.builds(lambda a, b: {**a, **b}, inner, inner),
    ),
    max_leaves=8,
)
# Wide ors (alternatives on up to 7 fields) and products of ors reach AppSync's limits on
# alternatives and fields.
_FIELDS = ["content", "rating", "done", "f1", "f2", "f3", "f4"]
_ANY_FIELD = st.builds(lambda f, v: {f: {"ne": v}}, st.sampled_from(_FIELDS), st.integers(0, 2))
_N_FIELDS = st.builds(  # an or of 4 to 7 alternatives, each on its own field
    lambda fields, n: {"or": [{f: {"ne": 1}} for f in fields[:n]]},
    st.permutations(_FIELDS),
    st.integers(4, 7),
)
_FLAT = st.one_of(
    _CONDITION, _ANY_FIELD, st.builds(lambda a, b: {**a, **b}, _CONDITION, _ANY_FIELD)
)
_FILTER = st.one_of(
    _TREE,
    st.builds(lambda fs: {"or": fs}, st.lists(_FLAT, min_size=3, max_size=8)),
    _N_FIELDS,
    st.builds(lambda f: {"and": [{"or": [f]}]}, _TREE),  # nesting past 3 levels
    st.builds(
        lambda a, b: {"and": [{"or": a}, {"or": b}]}, *[st.lists(_FLAT, min_size=2, max_size=5)] * 2
    ),
)
_ITEMS = [
    {"content": c, "rating": r, "done": d, "f1": f}
    for c in ("a", "ab", "bx", None)
    for r in (0, 2, 4, None)
    for d in (True, False)
    for f in (1, None)
]


@given(filter_=_FILTER)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_filter_it_converts_means_what_the_local_server_evaluates(
    shared_resolver: Resolver, filter_: dict[str, Any]
) -> None:
    """Random filters: the JS refuses exactly those the local server refuses, with the same
    InvalidFilterError message (never a crash), and converts the others to the same groups,
    which pass exactly the items the local evaluator passes."""
    answer = _filter_of(shared_resolver, filter_)
    event("refused" if "error" in answer else "converted")
    if "error" in answer:
        event(re.sub(r"'\w+'|\d+", "_", answer["error"]["message"]))  # which refusal
    assert answer == _python_filter_of(filter_)
    if "error" in answer:
        assert answer["error"]["type"] == "InvalidFilterError"
        return
    for item in _ITEMS:
        present = {k: v for k, v in item.items() if v is not None}
        assert _matches_groups(answer["value"], present) == matches(filter_, present), item


# --- authorization: scoped subscribers (authFilter) and field-level redaction (fieldErrors) -----

OWNER_SCOPE = {"or": [{"owner": {"in": ["sub-1::alice", "alice"]}}, {"editors": {"contains": "v"}}]}


def _listen(resolver: Resolver, args: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    """A subscribe as AppSync runs it, given the data Lambda's listen answer `envelope`: the
    stash invoke_data.js leaves is the resolver code's ctx.stash."""
    ctx = _ctx("onCreateNote", args, USER)
    ctx["info"]["parentTypeName"] = "Subscription"
    decided = resolver.step(FUNCTION, "response", {**ctx, "result": envelope})
    if "error" in decided:
        return decided
    stash = decided.pop("stash", {})
    assert decided == {"value": None}
    answer = resolver.step(
        SUBSCRIPTION_CODE, "response", {**ctx, "stash": stash, "prev": {"result": None}}
    )
    answer.pop("stash", None)  # what the step leaves in the stash is not part of the answer
    return answer


def test_a_scoped_subscribers_filter_is_the_auth_filter_and_the_clients(
    resolver: Resolver,
) -> None:
    scoped = {"data": None, "authFilter": OWNER_SCOPE}
    # No client filter: the scope alone.
    alone = _listen(resolver, {}, scoped)
    assert alone == {
        "value": None,
        "subscriptionFilters": [
            {
                "filterGroup": [
                    {
                        "filters": [
                            {
                                "fieldName": "owner",
                                "operator": "in",
                                "value": ["sub-1::alice", "alice"],
                            }
                        ]
                    },
                    {"filters": [{"fieldName": "editors", "operator": "contains", "value": "v"}]},
                ]
            }
        ],
    }
    # With the client's filter: every client alternative AND every scope alternative.
    both = _listen(resolver, {"filter": {"title": {"beginsWith": "a"}}}, scoped)
    (filter_,) = both["subscriptionFilters"]
    title = {"fieldName": "title", "operator": "beginsWith", "value": "a"}
    assert [g["filters"] for g in filter_["filterGroup"]] == [
        [title, alone["subscriptionFilters"][0]["filterGroup"][0]["filters"][0]],
        [title, alone["subscriptionFilters"][0]["filterGroup"][1]["filters"][0]],
    ]
    # A client filter that lets everything through cannot widen the scope.
    assert _listen(resolver, {"filter": {"or": []}}, scoped) == alone
    # An unscoped subscriber (no authFilter): the client's filter only, as before.
    plain = _listen(resolver, {"filter": {"title": {"eq": "x"}}}, {"data": None})
    assert plain["subscriptionFilters"] == [_single("title", "eq", "x")]
    # Past AppSync's limits together: refused at subscribe time, never the scope dropped.
    wide = {"or": [{"title": {"eq": str(n)}} for n in range(6)]}
    refused = _listen(resolver, {"filter": wide}, scoped)
    assert refused["error"]["type"] == "InvalidFilterError"
    assert "subscriptionFilters" not in refused
    # A refused subscriber: the Lambda's error, no filter set at all.
    denied = {"error": {"type": "Unauthorized", "message": "Not Authorized to access onCreateNote"}}
    assert _listen(resolver, {}, denied) == {"error": denied["error"]}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    client=st.one_of(
        st.none(),
        st.fixed_dictionaries({"title": st.fixed_dictionaries({"eq": st.sampled_from("ab")})}),
        st.fixed_dictionaries(
            {
                "or": st.lists(
                    st.fixed_dictionaries({"done": st.fixed_dictionaries({"eq": st.booleans()})}),
                    max_size=3,
                )
            }
        ),
    ),
    auth=st.one_of(st.none(), st.just(OWNER_SCOPE), st.just({"owner": {"eq": "alice"}})),
)
def test_the_combined_filter_is_the_local_servers(
    shared_resolver: Resolver, client: Any, auth: Any
) -> None:
    """subscription_filter.py's combined_groups (the local server's) gives the JS's groups."""
    from appsync_data.subscription_filter import combined_groups

    line = {"file": SUBSCRIPTION_CODE, "step": "subscriptionFilter", "args": [client, auth]}
    js = _raw_step(shared_resolver, line)
    try:
        groups = combined_groups(client, auth)
    except FilterError as exc:
        assert js["error"] == {"type": "InvalidFilterError", "message": f"Invalid filter: {exc}"}
        return
    expected = None if groups is None else {"filterGroup": [{"filters": g} for g in groups]}
    assert js == {"value": expected}


def _raw_step(resolver: Resolver, line: dict[str, Any]) -> dict[str, Any]:
    stdin, stdout = resolver.process.stdin, resolver.process.stdout
    assert stdin is not None and stdout is not None
    stdin.write(json.dumps(line) + "\n")
    stdin.flush()
    answer: dict[str, Any] = json.loads(stdout.readline())
    return answer


def test_field_errors_come_with_the_data(resolver: Resolver) -> None:
    """Field-level rules: the Lambda's redacted data is the field's value, and each of its
    fieldErrors is appended (util.appendError), for invoke_data.js and batch_invoke_data.js."""
    message = "Not Authorized to access ssn on type Profile"
    envelope = {
        "data": {"id": "p1", "name": "Ann", "ssn": None},
        "fieldErrors": [
            {"path": ["getProfile", "ssn"], "type": "Unauthorized", "message": message}
        ],
    }
    for code in (FUNCTION, "batch_invoke_data.js"):
        ctx = _ctx("getProfile", {"id": "p1"}, USER)
        assert resolver.step(code, "response", {**ctx, "result": envelope}) == {
            "value": envelope["data"],
            "appendedErrors": [{"message": message, "type": "Unauthorized"}],
        }
        # No fieldErrors: no error appended.
        clean = {"data": {"id": "p1", "name": "Ann", "ssn": "1"}}
        assert resolver.step(code, "response", {**ctx, "result": clean}) == {"value": clean["data"]}
        # An error envelope still stops the field, whatever else it carries.
        refused = {"error": {"type": "Unauthorized", "message": "no"}, "fieldErrors": []}
        assert resolver.step(code, "response", {**ctx, "result": refused}) == {
            "error": {"type": "Unauthorized", "message": "no"}
        }

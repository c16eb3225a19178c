"""A custom operation's function (appsync_data.functions) over moto's DynamoDB: the rules run
before the user's code, arguments and results are checked, errors reach clients as the data
Lambda's do, and the calls are logged, counted and traced like the data Lambda's."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from appsync_data import api as api_module
from appsync_data.errors import DataError, InvalidArguments
from appsync_data.events import LambdaContextStub, function_event, resolver_event
from appsync_data.functions import FunctionApi, FunctionSetupError, LambdaHandler, OperationCall
from appsync_data.schema import Schema
from appsync_data.schema_file import load_schema
from appsync_data.store import key_schema
from appsync_data.tables import table_layout
from backend import SETTINGS, captured_logs
from identities import CALLER_NAMES, EXPECTED_ALLOWED, identity, user_pool_identity

CUSTOM_RESOURCE = Path(__file__).parents[1] / "deploy" / "custom_operations_resource.py"
ECHO_PROVIDERS = ("userPools", "identityPool")  # echo: allow.authenticated() + identityPool
USER_POOL_ONLY = ("userPools",)  # todoStats, completeAll


class OutOfStock(DataError):
    error_type = "OutOfStock"


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema(CUSTOM_RESOURCE)


class Stats:
    """The reference schema's `stats` function, recording each run of the user's code."""

    def __init__(self, schema: Schema) -> None:
        self.runs: list[OperationCall] = []
        self.echo_result: Callable[[OperationCall], Any] = self._echo
        self.stats_result: Callable[[OperationCall], Any] = self._stats
        api = FunctionApi(schema, "stats")

        @api.operation("echo")
        def echo(call: OperationCall) -> Any:
            self.runs.append(call)
            return self.echo_result(call)

        @api.operation("todoStats")
        def todo_stats(call: OperationCall) -> Any:
            self.runs.append(call)
            return self.stats_result(call)

        @api.operation("completeAll")
        def complete_all(call: OperationCall) -> Any:
            self.runs.append(call)
            todos = call.models["Todo"]
            return [todos.update({"id": i, "done": True}) for i in call.arguments["ids"]]

        self.api = api
        self.handler = api.lambda_handler(SETTINGS)
        client = api.connection_client
        for model in schema.models:
            client.create_table(
                **key_schema(SETTINGS.table_name(model), table_layout(schema, schema.model(model))),
                BillingMode="PAY_PER_REQUEST",
            )
        self.requests: list[str] = []
        client.meta.events.register(
            "before-call.dynamodb", lambda model, **_: self.requests.append(model.name)
        )

    @staticmethod
    def _echo(call: OperationCall) -> Any:
        return " ".join([call.arguments["message"]] * (call.arguments["times"] or 1))

    @staticmethod
    def _stats(call: OperationCall) -> Any:
        todos = list(call.models["Todo"].list_all())
        done = sum(1 for todo in todos if todo["done"])
        return {"total": len(todos), "done": done, "ratio": done / len(todos) if todos else None}

    def call(
        self,
        type_name: str,
        field_name: str,
        arguments: dict[str, Any] | None = None,
        caller: Any = "user",
    ) -> dict[str, Any]:
        event = function_event(
            type_name,
            field_name,
            arguments or {},
            identity=user_pool_identity() if caller == "user" else caller,
            headers={"x-amzn-trace-id": "Root=1-fn"},
        )
        return self.handler(event, LambdaContextStub(aws_request_id="req-fn"))  # type: ignore[arg-type]


@pytest.fixture
def stats(backend_for: Callable[..., Any], schema: Schema) -> Stats:
    # backend_for: moto's mock_aws and credentials for the test (the DataApi it makes is unused)
    return Stats(schema)


def unauthorized(field: str, type_name: str = "Query") -> dict[str, Any]:
    return {
        "error": {
            "type": "Unauthorized",
            "message": f"Not Authorized to access {field} on type {type_name}",
        }
    }


# --- the three reference operations -------------------------------------------------------------


def test_echo_gets_typed_arguments_and_the_caller(stats: Stats) -> None:
    assert stats.call("Query", "echo", {"message": "hi", "times": 2}) == {"data": "hi hi"}
    assert stats.call("Query", "echo", {"message": "hi"}) == {"data": "hi"}
    call = stats.runs[-1]
    assert dict(call.arguments) == {"message": "hi", "times": None}
    assert call.caller.kind.value == "userPool"
    assert (call.caller.sub, call.caller.username) == (
        user_pool_identity()["sub"],
        user_pool_identity()["username"],
    )
    assert call.caller.claims["token_use"] == "access"
    assert "claims" not in repr(call.caller)  # logging a caller does not log its token's claims
    assert stats.requests == []  # echo reads no table


def test_groups_and_identity_pool_callers_reach_the_code(stats: Stats) -> None:
    stats.call("Query", "echo", {"message": "x"}, caller=user_pool_identity(groups=["Admins"]))
    assert stats.runs[-1].caller.groups == ("Admins",)
    stats.call(
        "Query", "echo", {"message": "x"}, caller=identity("iam_identity_pool_authenticated")
    )
    iam_caller = stats.runs[-1].caller
    assert iam_caller.kind.value == "iam" and iam_caller.identity_id is not None
    assert dict(iam_caller.claims) == {}


def test_todo_stats_and_complete_all_use_the_models_items(stats: Stats) -> None:
    todos = stats.api.models["Todo"]
    ids = [todos.create({"content": f"t{i}"})["id"] for i in range(3)]
    assert stats.call("Query", "todoStats") == {
        "data": {"total": 3, "done": 0, "ratio": 0.0, "__typename": "TodoStats"}
    }

    completed = stats.call("Mutation", "completeAll", {"ids": ids[:2]})

    assert "data" in completed, completed
    assert [todo["id"] for todo in completed["data"]] == ids[:2]
    assert all(t["done"] is True and t["__typename"] == "Todo" for t in completed["data"])
    stats_after = stats.call("Query", "todoStats")["data"]
    assert (stats_after["total"], stats_after["done"]) == (3, 2)


def test_complete_all_of_a_missing_id_is_the_stores_conditional_check_error(stats: Stats) -> None:
    response = stats.call("Mutation", "completeAll", {"ids": ["missing"]})
    assert response["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    assert stats.api.models["Todo"].get("missing") is None  # an update never upserts


def test_list_pages_carry_signed_tokens(stats: Stats) -> None:
    todos = stats.api.models["Todo"]
    for i in range(3):
        todos.create({"id": f"id-{i}", "content": "x", "done": i == 1})
    first = todos.list(limit=2)
    assert len(first.items) == 2 and first.next_token is not None
    rest = todos.list(limit=2, next_token=first.next_token)
    assert {t["id"] for t in first.items + rest.items} == {"id-0", "id-1", "id-2"}
    assert [t["id"] for t in todos.list_all(filter={"done": {"eq": True}})] == ["id-1"]
    with pytest.raises(InvalidArguments):
        todos.create({"content": 3})


# --- the rules before the code ------------------------------------------------------------------


@pytest.mark.parametrize("name", CALLER_NAMES)
@pytest.mark.parametrize(
    ("type_name", "field", "arguments", "providers"),
    [
        ("Query", "echo", {"message": "hi"}, ECHO_PROVIDERS),
        ("Query", "todoStats", {}, USER_POOL_ONLY),
        ("Mutation", "completeAll", {"ids": ["a"]}, USER_POOL_ONLY),
    ],
)
def test_every_caller_is_decided_before_the_code_runs(
    stats: Stats,
    name: str,
    type_name: str,
    field: str,
    arguments: dict[str, Any],
    providers: tuple[str, ...],
) -> None:
    allowed = any(EXPECTED_ALLOWED[name][p] for p in providers)

    response = stats.call(type_name, field, arguments, caller=identity(name))

    if allowed:
        assert "error" not in response or response["error"]["type"] != "Unauthorized", response
        assert len(stats.runs) == 1
    else:
        assert response == unauthorized(field, type_name)
        assert stats.runs == []  # the user's code never ran
        assert stats.requests == []  # and no DynamoDB request was made


# --- arguments, results and errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"message": 3}, "message: not a valid String"),
        ({"message": "hi", "times": "2"}, "times: not a valid Int"),
        ({"message": "hi", "times": True}, "times: not a valid Int"),
        ({}, "message: a value is required"),
        ({"message": None}, "message: a value is required"),
        ({"message": "hi", "extra": 1}, "echo: unknown argument 'extra'"),
    ],
)
def test_wrong_arguments_never_reach_the_code(
    stats: Stats, arguments: dict[str, Any], message: str
) -> None:
    response = stats.call("Query", "echo", arguments)
    assert response == {"error": {"type": "InvalidArgumentsError", "message": message}}
    assert stats.runs == []


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (None, "ids: a value is required"),
        ("a", "ids: expected a list of ID"),
        (["a", None], "ids: the list elements cannot be null"),
        (["a", 1], "ids: not a valid ID"),
    ],
)
def test_list_arguments_are_checked_element_by_element(
    stats: Stats, ids: Any, message: str
) -> None:
    response = stats.call("Mutation", "completeAll", {"ids": ids})
    assert response == {"error": {"type": "InvalidArgumentsError", "message": message}}
    assert stats.runs == [] and stats.requests == []


def test_a_data_error_reaches_the_client_with_its_type(stats: Stats) -> None:
    def refuse(call: OperationCall) -> Any:
        raise OutOfStock("no more echoes today")

    stats.echo_result = refuse
    response = stats.call("Query", "echo", {"message": "hi"})
    assert response == {"error": {"type": "OutOfStock", "message": "no more echoes today"}}


def test_any_other_exception_is_an_internal_failure_without_its_stack(stats: Stats) -> None:
    def crash(call: OperationCall) -> Any:
        raise RuntimeError("disk on fire at /var/task/stats/app.py")

    stats.echo_result = crash
    with captured_logs() as logs:
        response = stats.call("Query", "echo", {"message": "hi"})
    assert response == {
        "error": {
            "type": "InternalFailure",
            "message": "An internal error occurred (request id req-fn)",
        }
    }
    assert "disk on fire" in logs.getvalue()  # the operator sees it, keyed by the request id
    assert '"function":"stats"' in logs.getvalue().replace(" ", "")


@pytest.mark.parametrize(
    ("field", "result", "logged"),
    [
        ("echo", 3, "echo returned int, not a String"),
        ("todoStats", {"done": 1}, "todoStats returned TodoStats.total: null for a required Int"),
        ("todoStats", {"total": 1, "done": 0, "rate": 1}, "field it does not have: 'rate'"),
        ("todoStats", {"total": 1.5, "done": 0}, "TodoStats.total: float, not a Int"),
        ("todoStats", ["x"], "todoStats returned list, not a TodoStats object"),
        ("todoStats", {"__typename": "Todo", "total": 1, "done": 1}, "a Todo, not a TodoStats"),
    ],
)
def test_a_result_the_return_type_does_not_allow_is_an_internal_failure(
    stats: Stats, field: str, result: Any, logged: str
) -> None:
    stats.echo_result = stats.stats_result = lambda call: result
    with captured_logs() as logs:
        response = stats.call("Query", field, {"message": "x"} if field == "echo" else {})
    assert response["error"]["type"] == "InternalFailure"
    assert logged in logs.getvalue()


def test_results_are_shaped_to_the_declared_type(stats: Stats) -> None:
    stats.stats_result = lambda call: {"total": 2, "done": 1}
    assert stats.call("Query", "todoStats")["data"] == {
        "total": 2,
        "done": 1,
        "ratio": None,
        "__typename": "TodoStats",
    }
    stats.echo_result = lambda call: None  # String, not required
    assert stats.call("Query", "echo", {"message": "x"}) == {"data": None}


# --- which operations a function serves ---------------------------------------------------------


def test_an_operation_of_another_type_or_function_is_refused(stats: Stats) -> None:
    for type_name, field in (("Mutation", "echo"), ("Query", "listTodos"), ("Query", "nope")):
        response = stats.call(type_name, field, {})
        assert response["error"]["type"] == "InvalidArgumentsError", (type_name, field)
    assert stats.runs == []


def test_appsyncs_direct_resolver_event_is_served_too(stats: Stats) -> None:
    event = resolver_event("Query", "echo", {"message": "hi"}, identity=user_pool_identity())
    assert stats.handler(event, LambdaContextStub()) == {"data": "hi"}  # type: ignore[arg-type]


def test_logs_metrics_and_trace_name_the_function_and_operation(
    stats: Stats, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    segments: list[tuple[str, dict[str, Any]]] = []

    class Provider:
        @contextlib.contextmanager
        def in_subsegment(self, name: str) -> Iterator[Any]:
            annotations: dict[str, Any] = {}
            segments.append((name, annotations))

            class Subsegment:
                def put_annotation(self, key: str, value: Any) -> None:
                    annotations[key] = value

            yield Subsegment()

    monkeypatch.setattr(api_module.tracer, "provider", Provider())
    with captured_logs() as logs:
        stats.call("Query", "echo", {"message": "hi"})
        stats.call("Query", "todoStats", {}, caller=identity("api_key"))

    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    done, refused = lines[-2], lines[-1]
    assert (done["message"], done["function"], done["operation"], done["decision"]) == (
        "done",
        "stats",
        "echo",
        "allow",
    )
    assert done["correlation_id"] == "Root=1-fn"
    assert (refused["message"], refused["operation"], refused["decision"]) == (
        "refused",
        "todoStats",
        "deny",
    )
    assert "claims" not in logs.getvalue()
    assert segments == [
        ("## Query.echo", {"function": "stats", "operation": "echo", "decision": "allow"}),
        ("## Query.todoStats", {"function": "stats", "operation": "todoStats", "decision": "deny"}),
    ]
    metrics = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert [(m["operation"], m["function"]) for m in metrics[-2:]] == [
        ("echo", "stats"),
        ("todoStats", "stats"),
    ]
    assert "Refused" in {m["Name"] for m in metrics[-1]["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


# --- set-up mistakes fail at init ---------------------------------------------------------------


def test_every_operation_needs_its_code_before_the_handler_exists(schema: Schema) -> None:
    api = FunctionApi(schema, "stats")
    api.operation("echo")(lambda call: "x")
    with pytest.raises(FunctionSetupError, match="no code for 'todoStats', 'completeAll'"):
        api.lambda_handler(SETTINGS)


def test_code_for_an_unknown_or_foreign_operation_is_refused(schema: Schema) -> None:
    api = FunctionApi(schema, "stats")
    with pytest.raises(FunctionSetupError, match="declares no operation 'nope'"):
        api.operation("nope")
    api.operation("echo")(lambda call: "x")
    with pytest.raises(FunctionSetupError, match="'echo' has two Python functions"):
        api.operation("echo")
    with pytest.raises(FunctionSetupError, match="declares no operation with"):
        FunctionApi(schema, "other")


def test_the_handler_is_a_lambda_handler_of_its_api(stats: Stats) -> None:
    assert isinstance(stats.handler, LambdaHandler) and stats.handler.api is stats.api


# --- the seed app's function --------------------------------------------------------------------


def test_the_seed_todo_stats_counts_todos_and_those_done(backend_for: Callable[..., Any]) -> None:
    import importlib

    app = importlib.import_module("stats.app")
    seed_api = app.handler.api
    seed_api.configure(SETTINGS)
    todo_layout = table_layout(seed_api.schema, seed_api.schema.model("Todo"))
    seed_api.connection_client.create_table(
        **key_schema(SETTINGS.table_name("Todo"), todo_layout), BillingMode="PAY_PER_REQUEST"
    )
    todos = seed_api.models["Todo"]
    for i in range(5):
        todos.create({"content": f"t{i}", "done": i < 2})
    todos.create({"content": "never marked"})
    event = function_event("Query", "todoStats", {}, identity=user_pool_identity())

    response = app.handler(event, LambdaContextStub())

    assert response == {"data": {"total": 6, "done": 2, "__typename": "TodoStats"}}
    refused = app.handler({**event, "identity": identity("api_key")}, LambdaContextStub())
    assert refused == unauthorized("todoStats")

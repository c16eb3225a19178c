"""Logs, metrics and traces of each call: what operators see, and what they must never see."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from appsync_data import api
from backend import Backend, captured_logs
from identities import identity

SECRET_CLAIM = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLW5vdC1mb3ItbG9ncw"


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the Powertools logger writes during the test, formatted as on Lambda."""
    with captured_logs() as buffer:
        yield buffer


def test_logs_say_who_did_what_and_the_decision(todo: Backend, log_output: io.StringIO) -> None:
    caller = identity("user_pool_access_token")
    assert caller is not None
    caller["claims"]["jti"] = SECRET_CLAIM

    todo.call("createTodo", {"input": {"content": "x"}}, identity=caller)
    todo.call("createTodo", {"input": {"content": "x"}}, identity=identity("api_key"))

    output = log_output.getvalue()
    logs = json_lines(output)
    allowed, refused = logs[-2], logs[-1]
    assert allowed["message"] == "done"
    assert allowed["correlation_id"] == "Root=1-test"
    assert (allowed["model"], allowed["operation"], allowed["decision"]) == (
        "Todo",
        "create",
        "allow",
    )
    assert (allowed["caller_kind"], allowed["caller_sub"]) == ("userPool", caller["sub"])
    assert (refused["message"], refused["decision"], refused["caller_kind"]) == (
        "refused",
        "deny",
        "apiKey",
    )
    assert SECRET_CLAIM not in output
    assert "claims" not in output


def test_metrics_count_allowed_refused_and_errors_per_model_and_operation(
    todo: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    todo.call("createTodo", {"input": {"id": "same"}})
    todo.call("createTodo", {"input": {"id": "same"}})
    todo.call("getTodo", {"id": "same"}, identity=identity("api_key"))

    metrics = [line for line in json_lines(capsys.readouterr().out) if "_aws" in line]

    def names(line: dict[str, Any]) -> set[str]:
        return {m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}

    created, conflict, refused = metrics[-3:]
    assert names(created) == {"Allowed"} and created["operation"] == "create"
    assert names(conflict) == {"Allowed", "Errors"}
    assert names(refused) == {"Refused"} and refused["operation"] == "get"
    assert {line["model"] for line in metrics[-3:]} == {"Todo"}
    assert metrics[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "AppSyncData"


class RecordingProvider:
    """Stands in for the X-Ray provider: records subsegments and their annotations."""

    def __init__(self) -> None:
        self.subsegments: list[tuple[str, dict[str, Any]]] = []

    @contextlib.contextmanager
    def in_subsegment(self, name: str) -> Iterator[Any]:
        annotations: dict[str, Any] = {}
        self.subsegments.append((name, annotations))

        class Subsegment:
            def put_annotation(self, key: str, value: Any) -> None:
                annotations[key] = value

            def put_metadata(self, key: str, value: Any, namespace: str = "") -> None:
                pass

            def add_exception(self, exception: BaseException, stack: Any = None) -> None:
                pass

        yield Subsegment()


def test_one_subsegment_per_operation_with_annotations(
    todo: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = RecordingProvider()
    monkeypatch.setattr(api.tracer, "provider", provider)

    todo.call("listTodos", {})
    todo.call("deleteTodo", {"input": {"id": "x"}}, identity=identity("iam_identity_pool_guest"))

    assert provider.subsegments == [
        ("## list Todo", {"model": "Todo", "operation": "list", "decision": "allow"}),
        ("## delete Todo", {"model": "Todo", "operation": "delete", "decision": "deny"}),
    ]


def test_an_unexpected_failure_is_logged_not_shown(
    todo: Backend, monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire at /var/task/secret/path.py")

    monkeypatch.setattr(todo.api.connection, "get_item", broken)

    response = todo.call("getTodo", {"id": "x"})

    assert response["error"]["type"] == "InternalFailure"
    assert response["error"]["message"].startswith("An internal error occurred (request id req-")
    output = log_output.getvalue()
    assert "disk on fire" not in json.dumps(response)
    assert "disk on fire" in output  # the operator still sees what happened

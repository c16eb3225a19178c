"""DynamoDB faults: throttling and 5xx are retried by botocore (standard mode: exponential backoff
with jitter) within the Lambda's time, then reach the caller as a clear error with nothing
half-written.

Faults are injected at botocore's HTTP send (`before-send`, where moto's own mock answers too),
i.e. *after* botocore's retry handler, so every retry is a real attempt with its real backoff
computation. Sleeps are recorded instead of slept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.endpoint
import pytest
from appsync_data import a
from appsync_data import store as store_module
from appsync_data.api import DataApi
from backend import Backend, seed
from botocore.awsrequest import AWSResponse
from identities import our_settings
from moto.core.botocore_stubber import BotocoreStubber

REPO = Path(__file__).resolve().parents[2]
SCHEMA = a.schema(
    {"Todo": a.model({"content": a.string()}).authorization(lambda allow: [allow.authenticated()])}
)
UNAVAILABLE = {
    "type": "DynamoDB:ServiceUnavailable",
    "message": "DynamoDB is unavailable or throttling; the request failed after retries",
}
# (HTTP status, DynamoDB error code or None for a body that is not DynamoDB's JSON)
THROTTLING = [
    (400, "ProvisionedThroughputExceededException"),
    (400, "ThrottlingException"),
    (400, "RequestLimitExceeded"),
]
SERVER_ERRORS = [
    (500, "InternalServerError"),
    (503, "ServiceUnavailable"),
    (502, None),
    (504, None),
]
OPERATIONS: list[tuple[str, dict[str, Any]]] = [
    ("getTodo", {"id": "seed"}),
    ("listTodos", {"limit": 5}),
    ("createTodo", {"input": {"id": "new", "content": "x"}}),
    ("updateTodo", {"input": {"id": "seed", "content": "changed"}}),
    ("deleteTodo", {"input": {"id": "seed"}}),
]


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


@dataclass
class FaultInjector:
    """Answers the first `failures` HTTP sends to DynamoDB with a fault; later ones reach moto."""

    status: int
    code: str | None
    failures: int = 1_000
    attempts: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    first_passing: int = 0  # sends let through before the faults start
    reaches_dynamodb: bool = False  # True: the request is applied, only its response is lost

    def before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        self.attempts.append(request.headers.get("X-Amz-Target", b"").decode())
        if len(self.attempts) <= self.first_passing or len(self.attempts) > self.failures:
            return None
        if not self.reaches_dynamodb:
            request.fault_injected = True  # moto's handler (called after this one) skips it
        if self.code is None:
            body, content_type = b"<html>Bad Gateway</html>", "text/html"
        else:
            body = json.dumps(
                {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": "injected"}
            ).encode()
            content_type = "application/x-amz-json-1.0"
        headers = {"Content-Type": content_type, "x-amzn-RequestId": "FAULT"}
        return AWSResponse(request.url, self.status, headers, _Body(body))


@pytest.fixture
def todo(backend_for: Callable[..., Backend]) -> Backend:
    backend = backend_for(SCHEMA)
    seed(backend.api, "Todo", "seed", content="original")
    return backend


@pytest.fixture
def inject(
    todo: Backend, monkeypatch: pytest.MonkeyPatch
) -> Callable[[int, str | None, int], FaultInjector]:
    client = todo.api.connection.client

    # botocore calls every before-send handler and keeps the first response: moto's stubber must
    # skip the requests this injector answers, or moto would apply them all the same.
    moto_handler = BotocoreStubber.__call__

    def moto_unless_faulted(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if getattr(request, "fault_injected", False):
            return None
        return moto_handler(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", moto_unless_faulted)

    def start(status: int, code: str | None, failures: int = 1_000) -> FaultInjector:
        injector = FaultInjector(status, code, failures)
        client.meta.events.register_first("before-send.dynamodb", injector.before_send)
        monkeypatch.setattr(botocore.endpoint.time, "sleep", injector.sleeps.append)
        return injector

    return start


def retry_config(api: DataApi) -> tuple[int, float, float, str]:
    config = api.connection.client.meta.config
    return (
        config.retries["total_max_attempts"],
        config.connect_timeout,
        config.read_timeout,
        config.retries["mode"],
    )


@pytest.mark.parametrize(("status", "code"), THROTTLING + SERVER_ERRORS)
@pytest.mark.parametrize(("field_name", "arguments"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_persistent_faults_are_retried_then_a_clear_error(
    todo: Backend,
    inject: Callable[..., FaultInjector],
    status: int,
    code: str | None,
    field_name: str,
    arguments: dict[str, Any],
) -> None:
    before = todo.scan()
    injector = inject(status, code)

    response = todo.call(field_name, arguments)

    assert response == {"error": UNAVAILABLE}
    attempts, *_ = retry_config(todo.api)
    assert len(injector.attempts) == attempts == 3  # the first try and two retries
    assert len(set(injector.attempts)) == 1  # the same request each time
    # Exponential backoff with jitter: t_i = rand(0, 1) * min(base * 2**i, 20), the base 1 s for
    # throttling (botocore.retries.standard.ExponentialBackoff).
    assert len(injector.sleeps) == attempts - 1
    for i, slept in enumerate(injector.sleeps):
        assert 0 <= slept <= min(2**i, 20), injector.sleeps
    injector.failures = 0  # let the check below through
    assert todo.scan() == before  # nothing written, nothing half-written


def test_the_backoff_has_jitter(todo: Backend, inject: Callable[..., FaultInjector]) -> None:
    injector = inject(400, "ThrottlingException")
    for _ in range(5):
        assert todo.call("getTodo", {"id": "seed"}) == {"error": UNAVAILABLE}
    first_delays = injector.sleeps[0::2]  # two backoffs per call
    assert len(set(first_delays)) == 5, injector.sleeps  # random, not a fixed schedule


@pytest.mark.parametrize(("status", "code"), [*THROTTLING, *SERVER_ERRORS])
def test_a_transient_fault_is_absorbed_by_the_retries(
    todo: Backend, inject: Callable[..., FaultInjector], status: int, code: str | None
) -> None:
    injector = inject(status, code, failures=2)

    created = todo.call("createTodo", {"input": {"id": "new", "content": "x"}})

    assert created["data"]["content"] == "x"
    assert len(injector.attempts) == 3
    assert [item["id"]["S"] for item in todo.scan()] == ["new", "seed"]  # written once


def test_a_fault_on_a_later_page_fails_the_whole_list(
    todo: Backend, inject: Callable[..., FaultInjector], monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        seed(todo.api, "Todo", f"item-{i}", content="x")
    monkeypatch.setattr(store_module, "FILTERED_PAGE_SIZE", 2)  # several pages for one list
    injector = inject(503, "ServiceUnavailable")
    injector.first_passing = 1  # the first page is read, every later request fails

    response = todo.call("listTodos", {"limit": 3, "filter": {"content": {"eq": "none"}}})

    assert response == {"error": UNAVAILABLE}  # no partial page, no token into the middle
    assert injector.attempts[0] == injector.attempts[1] == "DynamoDB_20120810.Scan"
    assert len(injector.attempts) == 1 + 3  # the first page, then one request and two retries


def test_an_unreachable_endpoint_is_a_clear_error(
    backend_for: Callable[..., Backend], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    api = DataApi(
        SCHEMA, our_settings(next_token_secret=b"x", dynamodb_endpoint="http://127.0.0.1:9")
    )
    backend = Backend(api=api, call=lambda *_, **__: {})
    from backend import appsync_event, lambda_context
    from identities import user_pool_identity

    event = appsync_event("getTodo", {"id": "x"}, user_pool_identity())
    assert api.handle(event, lambda_context()) == {"error": UNAVAILABLE}  # type: ignore[arg-type]
    del backend


def _lambda_timeout_seconds() -> int:
    """The data function's Timeout in template.yaml (parsed with cfn-lint's YAML decoder, which
    knows the CloudFormation tags)."""
    from cfnlint.decode import decode_str

    template, errors = decode_str((REPO / "template.yaml").read_text())
    assert not errors and template is not None, errors
    functions = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        and re.search(r"data\.app\.handler$", str(resource["Properties"].get("Handler", "")))
    ]
    assert len(functions) == 1, functions
    return int(functions[0]["Timeout"])


def test_the_retries_fit_in_the_lambda_timeout(todo: Backend) -> None:
    """Worst case of one DynamoDB request: every attempt runs into the connect and the read
    timeouts, and every throttling backoff draws its maximum."""
    attempts, connect, read, mode = retry_config(todo.api)
    assert mode == "standard"
    backoff = sum(min(1.0 * 2**i, 20) for i in range(attempts - 1))
    worst_case = attempts * (connect + read) + backoff
    timeout = _lambda_timeout_seconds()
    assert worst_case < timeout, (attempts, connect, read, backoff, timeout)


@pytest.mark.parametrize("status", [500, 503])
def test_a_write_applied_before_a_lost_response_is_whole_never_half(
    todo: Backend, inject: Callable[..., FaultInjector], status: int
) -> None:
    """A 5xx may come after DynamoDB applied the write (its docs say so for 500): the caller gets
    a clear error that does not claim "not applied", and the item is whole (one PutItem)."""
    injector = inject(status, "InternalServerError")
    injector.reaches_dynamodb = True

    response = todo.call("createTodo", {"input": {"id": "new", "content": "x"}})

    assert response == {"error": UNAVAILABLE}
    injector.failures = 0
    stored = {item["id"]["S"]: item for item in todo.scan()}
    assert set(stored) == {"new", "seed"}
    assert set(stored["new"]) == {"id", "content", "createdAt", "updatedAt", "__typename"}

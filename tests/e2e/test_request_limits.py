"""AppSync's per-request limits in the local executor: 30 s (configurable) then `ExecutionTimeout`
for the unresolved fields, QueryDepthLimit, ResolverCountLimit; many aliases validate; one log line
per request naming the caller, never a credential. The handler is a stand-in (no DynamoDB)."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import pytest
import yaml
from appsync_data import a
from appsync_data.generate.sdl import api_auth_modes, render_sdl
from appsync_data.local.authn import AuthContext
from appsync_data.local.execution import GraphQLExecutor, RequestLimits
from appsync_data.local.graphql_schema import build_executable_schema
from appsync_data.local.limits import effective_resolver_count_limit
from e2e_helpers import REPO

SCHEMA = a.schema(
    {"Todo": a.model({"content": a.string()}).authorization(lambda allow: [allow.authenticated()])}
)
TOKEN = "eyJraWQiOiJzZWNyZXQtdG9rZW4tdGV4dCJ9.payload.signature-never-logged"
USER = AuthContext(
    "AMAZON_COGNITO_USER_POOLS",
    {"sub": "sub-1", "username": "alice", "claims": {"sub": "sub-1"}, "sourceIp": ["127.0.0.1"]},
)


class SlowHandler:
    """Answers every listTodos with one item after `seconds`, counting the calls."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.calls = 0

    def __call__(self, event: dict[str, Any], _context: Any) -> dict[str, Any]:
        self.calls += 1
        time.sleep(self.seconds)
        return {"data": {"items": [{"id": "1", "content": "x"}], "nextToken": None}}


def executor(handler: SlowHandler, limits: RequestLimits) -> GraphQLExecutor:
    default_mode, _ = api_auth_modes(SCHEMA)
    return GraphQLExecutor(
        build_executable_schema(render_sdl(SCHEMA), default_mode), handler, limits
    )


def aliases(count: int, *, same: bool = False) -> str:
    body = " ".join(
        f"{'' if same else f'a{n}: '}listTodos(limit: 1000) {{ items {{ id content }} }}"
        for n in range(count)
    )
    return "{ " + body + " }"


def run(ex: GraphQLExecutor, query: str) -> Any:
    return ex.run({"query": query}, USER, {"authorization": TOKEN})


def test_a_slow_request_ends_at_the_time_limit_with_appsyncs_timeout_error() -> None:
    handler = SlowHandler(seconds=0.2)
    started = time.monotonic()
    answer = run(executor(handler, RequestLimits(timeout_seconds=3)), aliases(1000))
    elapsed = time.monotonic() - started
    assert answer.status == 200
    assert elapsed < 8  # not 1,000 x 200 ms: the time limit and one call in flight
    assert 1 <= handler.calls < 20
    errors = answer.body["errors"]
    assert errors and all(e["errorType"] == "ExecutionTimeout" for e in errors)
    assert len(errors) == 1000 - handler.calls
    data = answer.body["data"]
    assert data["a0"] is not None and data["a999"] is None


def test_the_default_time_limit_is_appsyncs_30_seconds() -> None:
    assert RequestLimits().timeout_seconds == 30.0


@pytest.mark.parametrize("same", [True, False])
def test_a_thousand_aliases_validate(same: bool) -> None:
    handler = SlowHandler()
    answer = run(executor(handler, RequestLimits()), aliases(1000, same=same))
    assert answer.status == 200, answer.body
    assert "errors" not in answer.body
    assert handler.calls == (1 if same else 1000)  # identical fields are one field in GraphQL


def test_query_depth_limit() -> None:
    query = "{ listTodos { items { id } } }"  # depth 3
    assert run(executor(SlowHandler(), RequestLimits(query_depth_limit=3)), query).status == 200
    refused = run(executor(handler := SlowHandler(), RequestLimits(query_depth_limit=2)), query)
    assert refused.status == 400
    assert "depth limit" in refused.body["errors"][0]["message"]
    assert handler.calls == 0


def test_resolver_count_limit() -> None:
    ok = run(executor(SlowHandler(), RequestLimits(resolver_count_limit=3)), aliases(3))
    assert ok.status == 200
    handler = SlowHandler()
    refused = run(executor(handler, RequestLimits(resolver_count_limit=3)), aliases(4))
    assert refused.status == 400
    assert "resolver count limit" in refused.body["errors"][0]["message"]
    assert handler.calls == 0
    # 0 is AppSync's default of 10000, not "no limit" (queries that long exceed the size cap).
    assert effective_resolver_count_limit(0) == 10_000


def test_the_default_limits_are_the_deployed_apis() -> None:
    """make dev refuses what the deployed API refuses: the template's parameter defaults."""
    template = yaml.safe_load(
        re.sub(r"!\w+", "", (REPO / "template.yaml").read_text())  # short tags: values unused
    )
    parameters = template["Parameters"]
    limits = RequestLimits()
    assert limits.query_depth_limit == parameters["QueryDepthLimit"]["Default"] == 10
    assert limits.resolver_count_limit == parameters["ResolverCountLimit"]["Default"] == 1000


def test_one_log_line_per_request_without_credentials(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="appsync_data.local.requests")
    run(executor(SlowHandler(), RequestLimits()), aliases(3))
    lines = [r.getMessage() for r in caplog.records if r.name == "appsync_data.local.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert "query listTodos x3" in line
    assert "AMAZON_COGNITO_USER_POOLS alice" in line
    assert "allowed" in line and "| 200 |" in line and " ms" in line
    assert TOKEN not in caplog.text and "signature-never-logged" not in caplog.text

"""The dev server's terminal log: one readable line per request (operation, caller, decision,
status, duration), the reason for each 401, the Lambda's JSON lines only with --verbose, and never
a token or signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_helpers import SEED_SCHEMA, DevServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_one_line_per_request_and_the_reason_for_a_401(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start()
    try:
        token = server.token("alice")
        ok = server.post('mutation { createTodo(input: {content: "x"}) { id } }', token=token)
        assert ok.status_code == 200, ok.text
        header, payload, signature = token.split(".")
        # Another valid base64url signature (a middle character changed): it fails the check.
        other = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        forged = f"{header}.{payload}.{other}"
        assert server.post("{ listTodos { items { id } } }", token=forged).status_code == 401
        assert server.post("{ listTodos { items { id } } }").status_code == 401
    finally:
        assert server.stop() == 0
    log = server.output()
    request_lines = [line for line in log.splitlines() if "POST /graphql" in line]
    assert len(request_lines) == 1, log
    assert "mutation createTodo | AMAZON_COGNITO_USER_POOLS alice | allowed | 200 |" in log
    assert "refused AMAZON_COGNITO_USER_POOLS token: Signature verification failed" in log
    assert "refused: no Authorization header" in log
    assert '"level"' not in log  # no Powertools JSON without --verbose
    assert '"_aws"' not in log  # nor its EMF metric lines
    for secret in (token, signature, payload, other):
        assert secret not in log


def test_verbose_shows_the_lambdas_json_lines(tmp_path: Path) -> None:
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path).start("--verbose")
    try:
        token = server.token("alice")
        assert server.post("{ listTodos { items { id } } }", token=token).status_code == 200
    finally:
        assert server.stop() == 0
    log = server.output()
    assert '"level"' in log
    assert '"_aws"' in log  # the EMF metric lines too
    assert token not in log

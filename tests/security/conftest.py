"""Fixtures of the security suite: a DataApi over moto's in-process DynamoDB (`mock_aws`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from _pytest.terminal import TerminalReporter
from backend import Backend, make_backend
from moto import mock_aws
from security_helpers import FUZZ_CASES, MOTO_ENV


@pytest.fixture
def backend_for(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Backend]]:
    """`backend_for(schema, settings)`: a fresh Backend (tables created) for one test."""
    for name, value in MOTO_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        yield make_backend


@pytest.fixture(scope="module")
def module_moto() -> Iterator[None]:
    """moto for a whole module (property tests share one backend across their examples)."""
    saved = {name: os.environ.get(name) for name in [*MOTO_ENV, "AWS_ENDPOINT_URL_DYNAMODB"]}
    os.environ.update(MOTO_ENV)
    os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    try:
        with mock_aws():
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if FUZZ_CASES:
        total = sum(FUZZ_CASES.values())
        detail = ", ".join(f"{name} {count}" for name, count in sorted(FUZZ_CASES.items()))
        terminalreporter.write_line(f"security fuzz: {total} cases ({detail})")

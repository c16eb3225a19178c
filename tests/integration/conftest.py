"""Fixtures of the integration suite: moto's DynamoDB (`mock_aws`) under a DataApi."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from backend import Backend, make_backend
from identities import REGION
from moto import mock_aws


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)


@pytest.fixture
def backend_for(aws_credentials: None) -> Iterator[Callable[..., Backend]]:
    with mock_aws():
        yield make_backend


@pytest.fixture
def todo(backend_for: Callable[..., Backend]) -> Backend:
    from data.resource import schema

    return backend_for(schema)

"""The nextToken key read from Secrets Manager at init (moto), never from a plain variable."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from appsync_data.config import Settings
from appsync_data.next_token_key import NextTokenKeyError, read_next_token_key
from moto import mock_aws

REGION = "eu-west-1"


@pytest.fixture
def secret_arn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("secretsmanager", region_name=REGION)
        arn = client.create_secret(Name="stack-next-token", SecretString="k" * 64)["ARN"]
        yield arn


def test_settings_read_the_key_from_the_secret_the_arn_names(secret_arn: str) -> None:
    env = {"NEXT_TOKEN_SECRET_ARN": secret_arn, "AWS_REGION": REGION}
    assert Settings.from_env(env=env).next_token_secret == b"k" * 64


def test_a_rotated_secret_is_read_by_the_next_init(secret_arn: str) -> None:
    env = {"NEXT_TOKEN_SECRET_ARN": secret_arn, "AWS_REGION": REGION}
    first = Settings.from_env(env=env).next_token_secret
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=secret_arn, SecretString="n" * 64
    )
    assert Settings.from_env(env=env).next_token_secret == b"n" * 64 != first


def test_a_plain_key_still_wins_for_local_runs(secret_arn: str) -> None:
    env = {"NEXT_TOKEN_SECRET": "local", "NEXT_TOKEN_SECRET_ARN": secret_arn}
    assert Settings.from_env(env=env).next_token_secret == b"local"


def test_no_secret_named_means_no_request() -> None:
    # No moto here: a request to AWS would fail (no credentials) or leave the machine.
    assert Settings.from_env(env={}).next_token_secret == b""


def test_an_unreadable_secret_fails_init_naming_the_secret_not_a_value(secret_arn: str) -> None:
    missing = secret_arn.replace("stack-next-token", "other")
    with pytest.raises(NextTokenKeyError, match="other") as raised:
        read_next_token_key(missing, REGION)
    assert "k" * 64 not in str(raised.value)

"""`Settings.from_env`: every variable of the README's configuration table, and bad values."""

from __future__ import annotations

import pytest
from appsync_data.config import ConfigError, Settings, table_env_var

FULL_ENV = {
    "TODO_TABLE": "Todo-abc123-prod",
    "BLOG_POST_TABLE": "BlogPost-abc123-prod",
    "AWS_REGION": "eu-west-1",
    "USER_POOL_ID": "eu-west-1_AbCdEf123",
    "USER_POOL_CLIENT_IDS": "webclient1, mobileclient2 ,",
    "IDENTITY_POOL_ID": "eu-west-1:11111111-2222-3333-4444-555555555555",
    "AUTH_ROLE_ARN": "arn:aws:iam::123456789012:role/AuthRole",
    "OIDC_ISSUER": "https://auth.example.com",
    "OIDC_CLIENT_IDS": "spa",
    "IAM_ACCESS": "roles",
    "IAM_ADMIN_ROLES": "arn:aws:iam::123456789012:role/BackendRole,OpsRole",
    "NEXT_TOKEN_SECRET": "s3cret-signing-key",
    "LIST_MAX_PAGES": "25",
    "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
}


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(("Todo", "BlogPost"), env=FULL_ENV)
    assert settings == Settings(
        region="eu-west-1",
        user_pool_id="eu-west-1_AbCdEf123",
        user_pool_client_ids=("webclient1", "mobileclient2"),
        identity_pool_id="eu-west-1:11111111-2222-3333-4444-555555555555",
        auth_role_arn="arn:aws:iam::123456789012:role/AuthRole",
        oidc_issuer="https://auth.example.com",
        oidc_client_ids=("spa",),
        iam_access="roles",
        iam_admin_roles=("arn:aws:iam::123456789012:role/BackendRole", "OpsRole"),
        tables={"Todo": "Todo-abc123-prod", "BlogPost": "BlogPost-abc123-prod"},
        dynamodb_endpoint="http://127.0.0.1:8000",
        next_token_secret=b"s3cret-signing-key",
        list_max_pages=25,
    )
    assert settings.table_name("Todo") == "Todo-abc123-prod"
    assert settings.table_name("BlogPost") == "BlogPost-abc123-prod"
    assert settings.user_pool_issuer == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    )


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env(("Todo",), env={})
    assert settings.region == "us-east-1"
    assert settings.user_pool_id is None
    assert settings.user_pool_issuer is None
    assert settings.user_pool_client_ids == ()
    assert settings.identity_pool_id is None
    assert settings.auth_role_arn is None
    assert settings.oidc_issuer is None
    assert settings.oidc_client_ids == ()
    assert settings.iam_access == "all"
    assert settings.iam_admin_roles == ()
    assert settings.table_name("Todo") == "Todo"
    assert settings.dynamodb_endpoint is None
    assert not settings.next_token_secret  # the API then makes a random key per process
    assert settings.list_max_pages == 10


def test_blank_values_count_as_unset() -> None:
    env = {name: "  " for name in FULL_ENV}
    assert Settings.from_env(("Todo", "BlogPost"), env=env) == Settings.from_env(
        ("Todo", "BlogPost"), env={}
    )


def test_region_falls_back_to_aws_default_region() -> None:
    assert Settings.from_env(env={"AWS_DEFAULT_REGION": "ap-south-1"}).region == "ap-south-1"
    both = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"}
    assert Settings.from_env(env=both).region == "eu-west-1"


def test_tables_are_read_only_for_the_models_named() -> None:
    settings = Settings.from_env(("Todo",), env=FULL_ENV)
    assert settings.table_name("Todo") == "Todo-abc123-prod"
    assert settings.table_name("BlogPost") == "BlogPost"


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER_POOL_ID", "us-east-1_FromEnviron")
    monkeypatch.setenv("IAM_ACCESS", "none")
    settings = Settings.from_env()
    assert settings.user_pool_id == "us-east-1_FromEnviron"
    assert settings.iam_access == "none"


@pytest.mark.parametrize("value", ["all", "roles", "none"])
def test_iam_access_values(value: str) -> None:
    assert Settings.from_env(env={"IAM_ACCESS": value}).iam_access == value


@pytest.mark.parametrize("value", ["ALL", "any", "true", "roles,none", "admin"])
def test_bad_iam_access_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="IAM_ACCESS") as raised:
        Settings.from_env(env={"IAM_ACCESS": value})
    assert value in str(raised.value)


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5", "1e3", "0x10"])
def test_bad_list_max_pages_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="LIST_MAX_PAGES") as raised:
        Settings.from_env(env={"LIST_MAX_PAGES": value})
    assert value in str(raised.value)


def test_list_max_pages_accepts_whole_numbers() -> None:
    assert Settings.from_env(env={"LIST_MAX_PAGES": " 1 "}).list_max_pages == 1
    assert Settings.from_env(env={"LIST_MAX_PAGES": "100"}).list_max_pages == 100


@pytest.mark.parametrize(
    ("model_name", "variable"),
    [
        ("Todo", "TODO_TABLE"),
        ("BlogPost", "BLOG_POST_TABLE"),
        ("Category", "CATEGORY_TABLE"),
        ("MyBigModel", "MY_BIG_MODEL_TABLE"),
    ],
)
def test_table_env_var(model_name: str, variable: str) -> None:
    assert table_env_var(model_name) == variable


def test_settings_default_user_pool_issuer_uses_the_pool_region() -> None:
    settings = Settings(user_pool_id="ap-southeast-2_Xy12")
    assert settings.user_pool_issuer == (
        "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_Xy12"
    )


@pytest.mark.parametrize("value", ["0", "-1", "soon", "900", "nan"])
def test_bad_list_max_seconds_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="LIST_MAX_SECONDS"):
        Settings.from_env(env={"LIST_MAX_SECONDS": value})


def test_list_max_seconds_is_read() -> None:
    assert Settings.from_env(env={"LIST_MAX_SECONDS": "2.5"}).list_max_seconds == 2.5
    assert Settings.from_env(env={}).list_max_seconds == 5.0

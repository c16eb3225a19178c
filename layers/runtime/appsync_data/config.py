"""Settings of the data Lambda, read once from environment variables (documented in the README)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from appsync_data.next_token_key import key_from_secret

IamAccess = Literal["all", "roles", "none"]
IAM_ACCESS_VALUES: tuple[IamAccess, ...] = ("all", "roles", "none")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def table_env_var(model_name: str) -> str:
    """`Todo` -> `TODO_TABLE`, `BlogPost` -> `BLOG_POST_TABLE`: the variable naming its table."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model_name).upper() + "_TABLE"


@dataclass(frozen=True)
class Settings:
    region: str = "us-east-1"
    user_pool_id: str | None = None
    user_pool_client_ids: tuple[str, ...] = ()
    identity_pool_id: str | None = None
    auth_role_arn: str | None = None
    unauth_role_arn: str | None = None
    oidc_issuer: str | None = None
    oidc_client_ids: tuple[str, ...] = ()
    iam_access: IamAccess = "all"
    iam_admin_roles: tuple[str, ...] = ()
    tables: Mapping[str, str] | None = None  # model name -> table name; default the model name
    dynamodb_endpoint: str | None = None
    next_token_secret: bytes = b""
    list_max_pages: int = 10
    list_max_seconds: float = 5.0

    @property
    def user_pool_issuer(self) -> str | None:
        if not self.user_pool_id:
            return None
        region = self.user_pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"

    def table_name(self, model_name: str) -> str:
        return (self.tables or {}).get(model_name, model_name)

    @classmethod
    def from_env(
        cls, model_names: tuple[str, ...] = (), env: Mapping[str, str] | None = None
    ) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def get_list(name: str) -> tuple[str, ...]:
            return tuple(v.strip() for v in (get(name) or "").split(",") if v.strip())

        iam_access = get("IAM_ACCESS") or "all"
        if iam_access not in IAM_ACCESS_VALUES:
            raise ConfigError(
                f"IAM_ACCESS={iam_access!r}: expected one of {', '.join(IAM_ACCESS_VALUES)}"
            )
        max_pages = get("LIST_MAX_PAGES") or "10"
        if not max_pages.isdecimal() or int(max_pages) < 1:
            raise ConfigError(f"LIST_MAX_PAGES={max_pages!r}: expected a whole number >= 1")
        max_seconds = get("LIST_MAX_SECONDS") or "5"
        try:
            list_max_seconds = float(max_seconds)
        except ValueError:
            list_max_seconds = 0.0
        if not 0 < list_max_seconds < 900:
            raise ConfigError(f"LIST_MAX_SECONDS={max_seconds!r}: expected seconds, 0 < s < 900")
        tables = {}
        for model_name in model_names:
            table = get(table_env_var(model_name))
            if table:
                tables[model_name] = table
        return cls(
            region=get("AWS_REGION") or get("AWS_DEFAULT_REGION") or "us-east-1",
            user_pool_id=get("USER_POOL_ID"),
            user_pool_client_ids=get_list("USER_POOL_CLIENT_IDS"),
            identity_pool_id=get("IDENTITY_POOL_ID"),
            auth_role_arn=get("AUTH_ROLE_ARN"),
            unauth_role_arn=get("UNAUTH_ROLE_ARN"),
            oidc_issuer=get("OIDC_ISSUER"),
            oidc_client_ids=get_list("OIDC_CLIENT_IDS"),
            iam_access=iam_access,  # type: ignore[arg-type]
            iam_admin_roles=get_list("IAM_ADMIN_ROLES"),
            tables=tables,
            dynamodb_endpoint=get("AWS_ENDPOINT_URL_DYNAMODB"),
            next_token_secret=(get("NEXT_TOKEN_SECRET") or "").encode() or key_from_secret(env),
            list_max_pages=int(max_pages),
            list_max_seconds=list_max_seconds,
        )

"""AppSync `identity` values in the shapes AppSync puts in a direct Lambda resolver event.

Shared by unit, integration and security tests: import with ``from identities import ...``
(``tests`` is on pytest's ``pythonpath``).

- ``our_settings(**changes)``: the `Settings` of "our" deployment (user pool, identity pool,
  auth role, OIDC issuer below); keyword arguments replace fields, e.g.
  ``our_settings(iam_access="none")``.
- Builders (``user_pool_identity``, ``oidc_identity``, ``identity_pool_identity``,
  ``plain_iam_identity``, ``lambda_identity``) make one identity, each part overridable.
- ``identity(name)``: a fresh copy of the named identity of ``CALLERS``; ``CALLER_NAMES`` lists
  the names.
- ``EXPECTED_ALLOWED[name][provider]``: whether a model with the single rule
  ``allow.authenticated(provider)`` admits that caller, for every operation, with
  ``our_settings()`` (IAM_ACCESS=all). Written by hand from DESIGN.md's authorization table and
  reference/amplify/auth-truth-table.md, never computed from the code under test.

Shapes (AppSync resolver context reference, "identity"):
user pools ``{sub, issuer, username, claims, sourceIp, defaultAuthStrategy, groups}``;
OIDC ``{sub, issuer, claims}``; AWS_IAM ``{accountId, cognitoIdentityPoolId, cognitoIdentityId,
sourceIp, username, userArn, cognitoIdentityAuthType, cognitoIdentityAuthProvider}`` (Cognito
fields null for a plain IAM principal); AWS_LAMBDA ``{resolverContext}``; API_KEY: null.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any, Final

from appsync_data.config import Settings

Identity = dict[str, Any] | None

REGION: Final = "us-east-1"
ACCOUNT_ID: Final = "123456789012"
OTHER_ACCOUNT_ID: Final = "210987654321"
SOURCE_IP: Final = ["203.0.113.10"]

USER_POOL_ID: Final = "us-east-1_AbCdEf123"
USER_POOL_ISSUER: Final = f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}"
USER_POOL_CLIENT_ID: Final = "1example23456789abcdefghij"
OTHER_USER_POOL_ID: Final = "us-east-1_ZyXwVu987"
OTHER_USER_POOL_ISSUER: Final = f"https://cognito-idp.{REGION}.amazonaws.com/{OTHER_USER_POOL_ID}"

IDENTITY_POOL_ID: Final = "us-east-1:11111111-2222-3333-4444-555555555555"
OTHER_IDENTITY_POOL_ID: Final = "us-east-1:99999999-8888-7777-6666-555555555555"
AUTH_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:role/appsync-data-AuthRole"
UNAUTH_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:role/appsync-data-UnauthRole"
GROUP_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:role/appsync-data-AdminsGroupRole"
BACKEND_ROLE_ARN: Final = f"arn:aws:iam::{ACCOUNT_ID}:role/BackendRole"
# The session name Cognito identity-pool credentials carry.
COGNITO_SESSION: Final = "CognitoIdentityCredentials"

OIDC_ISSUER: Final = "https://auth.example.com"
OIDC_CLIENT_ID: Final = "example-spa-client"
OTHER_OIDC_ISSUER: Final = "https://login.other.example.org"

USER_SUB: Final = "a1b2c3d4-0000-4000-8000-00000000a11c"
USER_NAME: Final = "alice"
IDENTITY_ID: Final = "us-east-1:0f0e0d0c-0b0a-4909-8807-060504030201"

PROVIDERS: Final = ("userPools", "identityPool", "oidc")


def our_settings(**changes: Any) -> Settings:
    """Our deployment's settings; `changes` replace fields (e.g. ``user_pool_id=None``)."""
    base = Settings(
        region=REGION,
        user_pool_id=USER_POOL_ID,
        identity_pool_id=IDENTITY_POOL_ID,
        auth_role_arn=AUTH_ROLE_ARN,
        oidc_issuer=OIDC_ISSUER,
    )
    return dataclasses.replace(base, **changes)


def session_arn(role_arn: str, session: str = COGNITO_SESSION) -> str:
    """The `userArn` AppSync shows for credentials of `role_arn`: an STS assumed-role ARN
    (the role's path is not part of it)."""
    _, partition, _, _, account, resource = role_arn.split(":", 5)
    name = resource.rsplit("/", 1)[-1]
    return f"arn:{partition}:sts::{account}:assumed-role/{name}/{session}"


# --- JWT-based modes ---------------------------------------------------------------------------


def user_pool_claims(
    *,
    token_use: str = "access",
    issuer: str = USER_POOL_ISSUER,
    client_id: str = USER_POOL_CLIENT_ID,
    sub: str = USER_SUB,
    username: str = USER_NAME,
    groups: list[str] | None = None,
) -> dict[str, Any]:
    """Claims of a Cognito access token (``client_id``, ``username``) or id token (``aud``,
    ``cognito:username``, ``email``)."""
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer,
        "origin_jti": "6f0c1a9e-1f1c-4a53-9d4e-0d1d2b7c1a01",
        "event_id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
        "token_use": token_use,
        "auth_time": 1735689600,
        "exp": 1735693200,
        "iat": 1735689600,
        "jti": "9a8b7c6d-5e4f-4321-8fed-cba987654321",
    }
    if groups:
        claims["cognito:groups"] = list(groups)
    if token_use == "id":
        claims.update(
            {
                "aud": client_id,
                "cognito:username": username,
                "email": f"{username}@example.com",
                "email_verified": True,
            }
        )
    else:
        claims.update(
            {
                "client_id": client_id,
                "scope": "aws.cognito.signin.user.admin",
                "username": username,
            }
        )
    return claims


def user_pool_identity(
    *,
    token_use: str = "access",
    issuer: str = USER_POOL_ISSUER,
    client_id: str = USER_POOL_CLIENT_ID,
    sub: str = USER_SUB,
    username: str = USER_NAME,
    groups: list[str] | None = None,
) -> dict[str, Any]:
    """AMAZON_COGNITO_USER_POOLS: what AppSync passes for a user-pool access or id token."""
    return {
        "sub": sub,
        "issuer": issuer,
        "username": username,
        "claims": user_pool_claims(
            token_use=token_use,
            issuer=issuer,
            client_id=client_id,
            sub=sub,
            username=username,
            groups=groups,
        ),
        "sourceIp": list(SOURCE_IP),
        "defaultAuthStrategy": "ALLOW",
        "groups": list(groups) if groups else None,
    }


def oidc_identity(
    *,
    issuer: str = OIDC_ISSUER,
    client_id: str = OIDC_CLIENT_ID,
    sub: str = "oidc|8d7c6b5a",
) -> dict[str, Any]:
    """OPENID_CONNECT: `sub`, `issuer` and the token's claims (``aud`` names the client)."""
    return {
        "sub": sub,
        "issuer": issuer,
        "claims": {
            "sub": sub,
            "iss": issuer,
            "aud": client_id,
            "iat": 1735689600,
            "exp": 1735693200,
            "email": "oscar@example.com",
        },
    }


# --- AWS_IAM -----------------------------------------------------------------------------------


def _cognito_auth_provider(pool_issuer_host_path: str, sub: str) -> str:
    # AppSync/API Gateway format: two quoted, comma-separated provider strings.
    return f'"{pool_issuer_host_path}","{pool_issuer_host_path}:CognitoSignIn:{sub}"'


def identity_pool_identity(
    *,
    auth_type: str | None = "authenticated",
    identity_pool_id: str | None = IDENTITY_POOL_ID,
    role_arn: str = AUTH_ROLE_ARN,
    account_id: str = ACCOUNT_ID,
    identity_id: str | None = IDENTITY_ID,
) -> dict[str, Any]:
    """AWS_IAM with credentials of a Cognito identity pool (signed in through our user pool when
    `auth_type` is "authenticated", a guest otherwise)."""
    provider = None
    if auth_type == "authenticated":
        provider = _cognito_auth_provider(
            f"cognito-idp.{REGION}.amazonaws.com/{USER_POOL_ID}", USER_SUB
        )
    return {
        "accountId": account_id,
        "cognitoIdentityPoolId": identity_pool_id,
        "cognitoIdentityId": identity_id,
        "sourceIp": list(SOURCE_IP),
        "username": f"AROAEXAMPLEROLEID0001:{COGNITO_SESSION}",
        "userArn": session_arn(role_arn),
        "cognitoIdentityAuthType": auth_type,
        "cognitoIdentityAuthProvider": provider,
    }


def plain_iam_identity(
    *,
    role_arn: str = BACKEND_ROLE_ARN,
    session: str = "backend-job",
    user_arn: str | None = None,
) -> dict[str, Any]:
    """AWS_IAM from a principal with no Cognito identity (a backend role, or an IAM user when
    `user_arn` is given): the Cognito fields are present and null, as AppSync sends them."""
    arn = user_arn or session_arn(role_arn, session)
    account = arn.split(":")[4]
    return {
        "accountId": account,
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": list(SOURCE_IP),
        "username": "AIDAEXAMPLEUSERID0001" if user_arn else f"AROAEXAMPLEROLEID0002:{session}",
        "userArn": arn,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }


# --- other modes -------------------------------------------------------------------------------


def lambda_identity(resolver_context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """AWS_LAMBDA: only what the authorizer returned as `resolverContext`. Its context may carry a
    `sub` and an `issuer`; neither must make it pass as a user-pool or OIDC caller."""
    context = (
        dict(resolver_context)
        if resolver_context is not None
        else {"sub": USER_SUB, "issuer": USER_POOL_ISSUER, "tenant": "acme"}
    )
    return {"resolverContext": context}


API_KEY_IDENTITY: Final[None] = None


# --- named callers and the decisions the authorization table gives them -------------------------

CALLERS: Final[Mapping[str, Identity]] = {
    "user_pool_access_token": user_pool_identity(token_use="access"),
    "user_pool_id_token": user_pool_identity(token_use="id"),
    "user_pool_other_pool": user_pool_identity(issuer=OTHER_USER_POOL_ISSUER),
    "oidc_user": oidc_identity(),
    "oidc_other_issuer": oidc_identity(issuer=OTHER_OIDC_ISSUER),
    "iam_identity_pool_authenticated": identity_pool_identity(),
    "iam_identity_pool_group_role": identity_pool_identity(role_arn=GROUP_ROLE_ARN),
    "iam_identity_pool_guest": identity_pool_identity(
        auth_type="unauthenticated", role_arn=UNAUTH_ROLE_ARN
    ),
    "iam_other_identity_pool": identity_pool_identity(
        identity_pool_id=OTHER_IDENTITY_POOL_ID,
        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/other-app-AuthRole",
    ),
    "iam_plain_role": plain_iam_identity(),
    "api_key": API_KEY_IDENTITY,
    "lambda_authorizer": lambda_identity(),
}

CALLER_NAMES: Final[tuple[str, ...]] = tuple(CALLERS)

_ALLOW_ONLY_USER_POOLS: Final = {"userPools": True, "identityPool": False, "oidc": False}
_ALLOW_ONLY_IDENTITY_POOL: Final = {"userPools": False, "identityPool": True, "oidc": False}
_ALLOW_ONLY_OIDC: Final = {"userPools": False, "identityPool": False, "oidc": True}
_ALLOW_ALL: Final = {"userPools": True, "identityPool": True, "oidc": True}
_DENY_ALL: Final = {"userPools": False, "identityPool": False, "oidc": False}

EXPECTED_ALLOWED: Final[Mapping[str, Mapping[str, bool]]] = {
    "user_pool_access_token": _ALLOW_ONLY_USER_POOLS,
    "user_pool_id_token": _ALLOW_ONLY_USER_POOLS,
    "user_pool_other_pool": _DENY_ALL,  # beyond Amplify: the issuer must be our pool's
    "oidc_user": _ALLOW_ONLY_OIDC,
    "oidc_other_issuer": _DENY_ALL,  # beyond Amplify: the issuer must be the configured one
    "iam_identity_pool_authenticated": _ALLOW_ONLY_IDENTITY_POOL,
    "iam_identity_pool_group_role": _ALLOW_ONLY_IDENTITY_POOL,  # our pool, authenticated
    "iam_identity_pool_guest": _DENY_ALL,
    "iam_other_identity_pool": _DENY_ALL,
    "iam_plain_role": _ALLOW_ALL,  # Amplify admits plain IAM principals (IAM_ACCESS=all)
    "api_key": _DENY_ALL,
    "lambda_authorizer": _DENY_ALL,
}


def identity(name: str) -> Identity:
    """A fresh copy of the named caller's identity (tests may change it freely)."""
    return copy.deepcopy(CALLERS[name])

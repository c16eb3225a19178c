"""Who is calling, and may they run this operation? Pure functions of AppSync's `identity`.

AppSync has already checked the credentials; we classify the `identity` it passes by its shape
(not Powertools' `"sub" in identity`, which mistakes OIDC and Lambda-authorizer callers for
user-pool ones), then check it again against our own configuration before any DynamoDB request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from appsync_data.config import Settings
from appsync_data.schema import AuthRule, Operation, Provider

_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/[^/]+$")
_ROLE_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)$"
)


class CallerKind(StrEnum):
    API_KEY = "apiKey"
    LAMBDA = "lambda"
    IAM = "iam"
    USER_POOL = "userPool"
    OIDC = "oidc"


@dataclass(frozen=True)
class Caller:
    """The caller as the identity shows it. `sub` is what we log; claims are never kept."""

    kind: CallerKind
    sub: str | None = None
    issuer: str | None = None
    audiences: tuple[str, ...] = ()  # the token's client_id and aud values
    token_use: str | None = None
    user_arn: str | None = None
    identity_pool_id: str | None = None
    identity_id: str | None = None
    identity_auth_type: str | None = None

    @property
    def has_cognito_identity(self) -> bool:
        return bool(self.identity_pool_id or self.identity_id or self.identity_auth_type)


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) and value else None


# AppSync sends a Cognito field of an IAM identity as a non-empty string or null. Anything else
# becomes a value that matches nothing, so a mistyped field never reads as an absent one.
_MALFORMED = "<malformed>"


def _cognito_text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) and value else _MALFORMED


def caller_from_identity(identity: Any, settings: Settings) -> Caller:
    """Classify AppSync's `identity` by shape: null -> API key; `resolverContext` -> Lambda
    authorizer; `userArn` -> IAM; a user-pool shape or Cognito issuer -> user pool; else OIDC."""
    if identity is None:
        return Caller(CallerKind.API_KEY)
    if not isinstance(identity, Mapping):
        # Not a shape AppSync sends; treat as the least-privileged caller.
        return Caller(CallerKind.API_KEY)
    if "resolverContext" in identity:
        return Caller(CallerKind.LAMBDA)
    if "userArn" in identity or "cognitoIdentityPoolId" in identity:
        return Caller(
            CallerKind.IAM,
            sub=_text(identity, "cognitoIdentityId") or _text(identity, "userArn"),
            user_arn=_text(identity, "userArn"),
            identity_pool_id=_cognito_text(identity, "cognitoIdentityPoolId"),
            identity_id=_cognito_text(identity, "cognitoIdentityId"),
            identity_auth_type=_cognito_text(identity, "cognitoIdentityAuthType"),
        )
    claims = identity.get("claims")
    claims = claims if isinstance(claims, Mapping) else {}
    issuer = _text(identity, "issuer")
    sub = _text(identity, "sub")
    client_id = _text(claims, "client_id")
    aud = claims.get("aud")
    aud_list = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    audiences = tuple(v for v in [client_id, *aud_list] if isinstance(v, str) and v)
    token_use = _text(claims, "token_use")
    # Only AppSync's user-pool identity has `username` / `defaultAuthStrategy`; an OIDC identity
    # is {sub, issuer, claims}, even when the OIDC provider is itself a Cognito user pool.
    has_user_pool_shape = "defaultAuthStrategy" in identity or "username" in identity
    has_cognito_issuer = issuer is not None and (
        issuer == settings.user_pool_issuer or _COGNITO_ISSUER.match(issuer) is not None
    )
    is_user_pool = has_user_pool_shape or (has_cognito_issuer and issuer != settings.oidc_issuer)
    kind = CallerKind.USER_POOL if is_user_pool else CallerKind.OIDC
    return Caller(kind, sub=sub, issuer=issuer, audiences=audiences, token_use=token_use)


def _audience_ok(caller: Caller, client_ids: tuple[str, ...]) -> bool:
    return not client_ids or any(audience in client_ids for audience in caller.audiences)


def _role_session_prefix(role: str | None) -> str | None:
    """`arn:aws:iam::ACCT:role/path/NAME` -> `arn:aws:sts::ACCT:assumed-role/NAME/`: how the
    `userArn` of every session of that role starts, whatever the session name."""
    match = _ROLE_ARN.match(role or "")
    if not match:
        return None
    return f"arn:{match['partition']}:sts::{match['account']}:assumed-role/{match['name']}/"


def _is_session_of(user_arn: str | None, role_arn: str | None) -> bool:
    prefix = _role_session_prefix(role_arn)
    return bool(prefix and user_arn and user_arn.startswith(prefix))


def _role_name(user_arn: str) -> str | None:
    # arn:aws:sts::123456789012:assumed-role/NAME/session
    parts = user_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "sts" or not parts[5].startswith("assumed-role/"):
        return None
    segments = parts[5].split("/")
    return segments[1] if len(segments) >= 3 and segments[1] else None


def proven_provider(caller: Caller, settings: Settings) -> Provider | None:
    """The rule provider this caller satisfies against *our* configuration, if any."""
    if caller.kind is CallerKind.USER_POOL:
        if not caller.sub or caller.issuer is None or caller.issuer != settings.user_pool_issuer:
            return None
        if not _audience_ok(caller, settings.user_pool_client_ids):
            return None
        return "userPools"
    if caller.kind is CallerKind.OIDC:
        if not caller.sub or settings.oidc_issuer is None or caller.issuer != settings.oidc_issuer:
            return None
        if not _audience_ok(caller, settings.oidc_client_ids):
            return None
        return "oidc"
    if caller.kind is CallerKind.IAM:
        # A session of the identity pool's authenticated role is an identity-pool caller, with
        # or without the Cognito fields (the basic flow assumes the role directly).
        of_auth_role = _is_session_of(caller.user_arn, settings.auth_role_arn)
        if not caller.has_cognito_identity:
            return "identityPool" if of_auth_role else None
        # Any sign of an identity-pool identity must all check out: our pool, authenticated.
        if caller.identity_auth_type != "authenticated":
            return None
        if caller.identity_pool_id is not None:
            return "identityPool" if caller.identity_pool_id == settings.identity_pool_id else None
        return "identityPool" if of_auth_role else None
    return None


def is_plain_iam_admitted(caller: Caller, settings: Settings) -> bool:
    """Amplify Gen 2 admits IAM principals with no Cognito identity (backend roles): their IAM
    policy already granted `appsync:GraphQL`. IAM_ACCESS narrows that to listed roles, or none."""
    if caller.kind is not CallerKind.IAM or caller.has_cognito_identity or not caller.user_arn:
        return False
    # The identity pool's own roles are never "backend" principals (Amplify excludes them too).
    if _is_session_of(caller.user_arn, settings.auth_role_arn) or _is_session_of(
        caller.user_arn, settings.unauth_role_arn
    ):
        return False
    if settings.iam_access == "all":
        return True
    if settings.iam_access == "roles":
        name = _role_name(caller.user_arn)
        for admin in settings.iam_admin_roles:
            if caller.user_arn == admin:
                return True
            if _ROLE_ARN.match(admin) is None:
                if name is not None and name == admin:  # a bare role name: that role anywhere
                    return True
            elif _is_session_of(caller.user_arn, admin):
                # A role ARN admits sessions of that role in its own account only.
                return True
    return False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str


def decide(
    rules: tuple[AuthRule, ...], operation: Operation, caller: Caller, settings: Settings
) -> Decision:
    """Allow when any rule covering `operation` accepts the caller; deny otherwise (deny by
    default: an operation no rule covers is refused to everyone, plain IAM included)."""
    covering = [rule for rule in rules if rule.grants(operation)]
    if not covering:
        return Decision(False, f"no rule grants {operation}")
    provider = proven_provider(caller, settings)
    if provider is not None and any(rule.provider == provider for rule in covering):
        return Decision(True, f"allow.authenticated({provider!r})")
    if is_plain_iam_admitted(caller, settings):
        return Decision(True, f"plain IAM principal (IAM_ACCESS={settings.iam_access})")
    return Decision(False, f"{caller.kind.value} caller matches no rule for {operation}")

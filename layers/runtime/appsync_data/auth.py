"""Who is calling, and may they run this operation? Pure functions of AppSync's `identity`.

AppSync has already checked the credentials; we classify the `identity` it passes by its shape
(not Powertools' `"sub" in identity`, which mistakes OIDC and Lambda-authorizer callers for
user-pool ones), then check it again against our own configuration before any DynamoDB request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from appsync_data.config import Settings
from appsync_data.errors import Unauthorized
from appsync_data.schema import AuthRule, Operation, Provider

_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/[^/]+$")
_ROLE_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):role/(?:.*/)?(?P<name>[^/]+)$"
)


class CallerKind(StrEnum):
    UNKNOWN = "unknown"  # an identity of no shape AppSync sends: admitted by no rule
    API_KEY = "apiKey"
    LAMBDA = "lambda"
    IAM = "iam"
    USER_POOL = "userPool"
    OIDC = "oidc"


@dataclass(frozen=True)
class Caller:
    """The caller as the identity shows it. `sub` is what we log; `claims` (the token's, for
    owner and group rules) are never logged, and left out of `repr`."""

    kind: CallerKind
    sub: str | None = None
    issuer: str | None = None
    audiences: tuple[str, ...] = ()  # the token's client_id and aud values
    token_use: str | None = None
    user_arn: str | None = None
    identity_pool_id: str | None = None
    identity_id: str | None = None
    identity_auth_type: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
        # Not a shape AppSync sends; a caller no rule admits (not even a public API key rule).
        return Caller(CallerKind.UNKNOWN)
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
    return Caller(
        kind, sub=sub, issuer=issuer, audiences=audiences, token_use=token_use, claims=claims
    )


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


def is_guest(caller: Caller, settings: Settings) -> bool:
    """An unauthenticated identity of *our* identity pool (its guest role): `allow.guest()`."""
    if caller.kind is not CallerKind.IAM:
        return False
    of_unauth_role = _is_session_of(caller.user_arn, settings.unauth_role_arn)
    if not caller.has_cognito_identity:
        return of_unauth_role
    if caller.identity_auth_type != "unauthenticated":
        return False
    if caller.identity_pool_id is not None:
        return settings.identity_pool_id is not None and (
            caller.identity_pool_id == settings.identity_pool_id
        )
    return of_unauth_role


# --- what a token says of its holder, as Amplify's resolvers read it ----------------------------


def _claim_text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if name == "username" and value is None:
        value = claims.get("cognito:username")  # an id token names the user so
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value)
    return text or None


def owner_values(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """The owner values a token holds for `claim`, the stored one first: for `sub::username`,
    `<sub>::<username>`, then `<sub>` and `<username>` alone (what older items hold)."""
    parts = claim.split("::")
    values = [_claim_text(claims, part) for part in parts]
    if len(parts) == 1:
        return (values[0],) if values[0] else ()
    present = tuple(dict.fromkeys(v for v in values if v))
    if any(v is None for v in values):
        # A token without every part (an OIDC token with no username): Amplify's resolvers
        # still admit the items that hold a part alone, but never store a value for it.
        return present
    return ("::".join(v for v in values if v), *present)


def owner_stored_value(claims: Mapping[str, Any], claim: str) -> str | None:
    """The owner value create writes for the caller (`<sub>::<username>`); None when the token
    lacks a part of the claim (Amplify then refuses the create and the subscription)."""
    values = [_claim_text(claims, part) for part in claim.split("::")]
    if any(v is None for v in values):
        return None
    return "::".join(v for v in values if v)


def group_values(claims: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """The groups a token lists in `claim`: a list, a JSON list in a string, or one name."""
    value = claims.get(claim)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        value = parsed if isinstance(parsed, list) else [value]
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(g for g in value if isinstance(g, str) and g))


@dataclass(frozen=True)
class FieldMatch:
    """One dynamic rule as it applies to this caller: the items whose `field` holds one of
    `values` (a list field: holds any of them)."""

    field: str
    is_list: bool
    values: tuple[str, ...]
    stored: str | None = None  # owner rules: the value create writes for the caller
    is_owner: bool = False  # an owner rule (else a group-field rule)

    def admits(self, item: Mapping[str, Any]) -> bool:
        held = item.get(self.field)
        if self.is_list:
            return isinstance(held, list) and any(v in self.values for v in held)
        return isinstance(held, str) and held in self.values


@dataclass(frozen=True)
class ItemScope:
    """The items a caller may touch under the owner and group rules: those any match admits."""

    matches: tuple[FieldMatch, ...]

    def admits(self, item: Mapping[str, Any]) -> bool:
        return any(match.admits(item) for match in self.matches)


@dataclass(frozen=True)
class Decision:
    """`allowed` with no `scope`: every item. With a `scope`: only the items it admits (owner
    and group rules). `owners`: the owner fields create fills for this caller when absent."""

    allowed: bool
    reason: str
    scope: ItemScope | None = None
    owners: tuple[FieldMatch, ...] = ()


def _static_match(
    rule: AuthRule, caller: Caller, provider: Provider | None, settings: Settings
) -> bool:
    """Whether a rule that admits to every item admits this caller."""
    if rule.strategy == "private":
        return provider is not None and rule.provider == provider
    if rule.strategy == "public":
        if rule.provider == "apiKey":
            return caller.kind is CallerKind.API_KEY
        return is_guest(caller, settings)
    if rule.strategy == "custom":
        return caller.kind is CallerKind.LAMBDA
    if rule.strategy == "groups" and not rule.is_dynamic:
        if provider is None or rule.provider != provider:
            return False
        held = group_values(caller.claims, rule.group_claim)
        return any(group in held for group in rule.groups)
    return False


# The operations an owner rule admits a token without every part of its claim to (the items
# that hold a part alone); writes and subscriptions need the whole claim, as in Amplify.
_PARTIAL_OWNER_OPERATIONS: frozenset[Operation] = frozenset({"get", "list", "sync", "search"})


def _dynamic_match(
    rule: AuthRule, caller: Caller, provider: Provider | None, operation: Operation
) -> FieldMatch | None:
    """An owner or group-field rule as it applies to this caller (None: it cannot)."""
    if provider is None or rule.provider != provider or rule.field_name is None:
        return None
    if rule.strategy == "owner":
        values = owner_values(caller.claims, rule.owner_claim)
        stored = owner_stored_value(caller.claims, rule.owner_claim)
        if stored is None and operation not in _PARTIAL_OWNER_OPERATIONS:
            return None
    else:
        values, stored = group_values(caller.claims, rule.group_claim), None
    if not values:
        return None
    return FieldMatch(rule.field_name, rule.is_list, values, stored, rule.strategy == "owner")


def decide(
    rules: tuple[AuthRule, ...], operation: Operation, caller: Caller, settings: Settings
) -> Decision:
    """Allow every item when a static rule covering `operation` admits the caller; allow the
    items of the owner and group rules that apply to them; deny otherwise (deny by default: an
    operation no rule covers is refused to everyone, plain IAM included)."""
    covering = [rule for rule in rules if rule.grants(operation)]
    if not covering:
        return Decision(False, f"no rule grants {operation}")
    provider = proven_provider(caller, settings)
    dynamic = (_dynamic_match(r, caller, provider, operation) for r in covering if r.is_dynamic)
    matches = tuple(m for m in dynamic if m)
    owners = tuple(m for m in matches if m.stored is not None)
    for rule in covering:
        if not rule.is_dynamic and _static_match(rule, caller, provider, settings):
            return Decision(True, rule.describe(), owners=owners)
    if is_plain_iam_admitted(caller, settings):
        return Decision(True, f"plain IAM principal (IAM_ACCESS={settings.iam_access})")
    if matches:
        fields = ", ".join(dict.fromkeys(m.field for m in matches))
        return Decision(True, f"items whose {fields} name the caller", ItemScope(matches), owners)
    return Decision(False, f"{caller.kind.value} caller matches no rule for {operation}")


def authorize_create(
    decision: Decision, values: Mapping[str, Any], type_name: str, field_name: str
) -> dict[str, Any]:
    """The values create stores: the caller written into each owner field the input leaves out
    (as Amplify does), then refused unless the scope admits the item (naming someone else)."""
    stored = dict(values)
    for match in decision.owners:
        if match.field not in stored:
            stored[match.field] = [match.stored] if match.is_list else match.stored
    if decision.scope is not None and not decision.scope.admits(stored):
        raise Unauthorized.for_field(type_name, field_name)
    return stored


def field_decisions(
    field_rules: Mapping[str, tuple[AuthRule, ...]],
    operation: Operation,
    caller: Caller,
    settings: Settings,
) -> dict[str, Decision]:
    """The decision of each field that has its own rules (Amplify's field-level auth)."""
    return {name: decide(rules, operation, caller, settings) for name, rules in field_rules.items()}


def hidden_fields(decisions: Mapping[str, Decision], item: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields of `item` the caller may not read: null in the result, with an error each."""
    return tuple(
        name
        for name, decision in decisions.items()
        if not decision.allowed or (decision.scope is not None and not decision.scope.admits(item))
    )


def refused_inputs(
    decisions: Mapping[str, Decision], written: Iterable[str], item: Mapping[str, Any] | None
) -> tuple[str, ...]:
    """The written fields the caller may not write: any makes the mutation Unauthorized. `item`:
    what the scope is checked against (create: the new item; None: checked by the store)."""
    refused = []
    for name in written:
        decision = decisions.get(name)
        if decision is None:
            continue
        if not decision.allowed or (
            item is not None and decision.scope is not None and not decision.scope.admits(item)
        ):
            refused.append(name)
    return tuple(refused)

"""Authorization decisions: AppSync `identity` -> caller -> allow/deny per rule and operation.

Expected values come from DESIGN.md's table and reference/amplify/auth-truth-table.md (via the
hand-written `identities.EXPECTED_ALLOWED`), never from the code under test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from appsync_data import a
from appsync_data.auth import CallerKind, caller_from_identity, decide
from appsync_data.config import Settings
from appsync_data.schema import Allow, AuthRule, Operation
from identities import (
    ACCOUNT_ID,
    AUTH_ROLE_ARN,
    BACKEND_ROLE_ARN,
    CALLER_NAMES,
    EXPECTED_ALLOWED,
    IDENTITY_POOL_ID,
    OIDC_CLIENT_ID,
    OIDC_ISSUER,
    OTHER_ACCOUNT_ID,
    PROVIDERS,
    USER_POOL_CLIENT_ID,
    USER_POOL_ID,
    USER_POOL_ISSUER,
    USER_SUB,
    Identity,
    identity,
    identity_pool_identity,
    lambda_identity,
    oidc_identity,
    our_settings,
    plain_iam_identity,
    session_arn,
    user_pool_identity,
)

OPERATIONS: tuple[Operation, ...] = ("get", "list", "create", "update", "delete", "listen")
WRITES: tuple[Operation, ...] = ("create", "update", "delete")

RulesCallback = Callable[[Allow], Sequence[AuthRule]]


def rules_of(callback: RulesCallback) -> tuple[AuthRule, ...]:
    """The rules of a `Todo` model declared with the DSL, as the resolver sees them."""
    schema = a.schema({"Todo": a.model({"content": a.string()}).authorization(callback)})
    return schema.models["Todo"].rules


def only(provider: str) -> tuple[AuthRule, ...]:
    return rules_of(lambda allow: [allow.authenticated(provider)])


def allowed(
    rules: tuple[AuthRule, ...],
    operation: Operation,
    caller_identity: Identity | Any,
    settings: Settings | None = None,
) -> bool:
    settings = settings or our_settings()
    caller = caller_from_identity(caller_identity, settings)
    return decide(rules, operation, caller, settings).allowed


# --- the truth table ---------------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("caller_name", CALLER_NAMES)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_truth_table(provider: str, caller_name: str, operation: Operation) -> None:
    expected = EXPECTED_ALLOWED[caller_name][provider]
    assert allowed(only(provider), operation, identity(caller_name)) is expected


def test_truth_table_covers_every_caller_and_provider() -> None:
    # A caller without an expected row would silently drop out of the table above.
    assert set(EXPECTED_ALLOWED) == set(CALLER_NAMES)
    for row in EXPECTED_ALLOWED.values():
        assert set(row) == set(PROVIDERS)


# --- classification by shape ---------------------------------------------------------------------

KIND_BY_CALLER = {
    "user_pool_access_token": CallerKind.USER_POOL,
    "user_pool_id_token": CallerKind.USER_POOL,
    "user_pool_other_pool": CallerKind.USER_POOL,
    "oidc_user": CallerKind.OIDC,
    "oidc_other_issuer": CallerKind.OIDC,
    "iam_identity_pool_authenticated": CallerKind.IAM,
    "iam_identity_pool_group_role": CallerKind.IAM,
    "iam_identity_pool_guest": CallerKind.IAM,
    "iam_other_identity_pool": CallerKind.IAM,
    "iam_plain_role": CallerKind.IAM,
    "api_key": CallerKind.API_KEY,
    "lambda_authorizer": CallerKind.LAMBDA,
}


@pytest.mark.parametrize("caller_name", CALLER_NAMES)
def test_caller_is_classified_by_shape(caller_name: str) -> None:
    caller = caller_from_identity(identity(caller_name), our_settings())
    assert caller.kind is KIND_BY_CALLER[caller_name]


def test_oidc_identity_with_sub_is_not_taken_for_a_user_pool_caller() -> None:
    # Powertools tests `"sub" in identity` and would call this a Cognito user-pool identity.
    oidc = oidc_identity()
    assert "sub" in oidc
    caller = caller_from_identity(oidc, our_settings())
    assert caller.kind is CallerKind.OIDC
    assert caller.issuer == OIDC_ISSUER
    assert not allowed(only("userPools"), "get", oidc)


def test_lambda_authorizer_context_with_sub_and_issuer_is_still_lambda() -> None:
    context = {"sub": USER_SUB, "issuer": USER_POOL_ISSUER, "claims": {"token_use": "access"}}
    caller = caller_from_identity(lambda_identity(context), our_settings())
    assert caller.kind is CallerKind.LAMBDA
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", lambda_identity(context))


@pytest.mark.parametrize("not_an_identity", ["alice", 42, ["sub"], True])
def test_an_identity_of_unknown_shape_is_refused(not_an_identity: Any) -> None:
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", not_an_identity)


def test_user_pool_caller_keeps_its_claims_for_the_rules_but_out_of_its_repr() -> None:
    settings = our_settings()
    access = caller_from_identity(user_pool_identity(token_use="access"), settings)
    id_token = caller_from_identity(user_pool_identity(token_use="id"), settings)
    assert (access.sub, access.audiences, access.token_use) == (
        USER_SUB,
        (USER_POOL_CLIENT_ID,),
        "access",
    )
    assert (id_token.sub, id_token.audiences, id_token.token_use) == (
        USER_SUB,
        (USER_POOL_CLIENT_ID,),
        "id",
    )
    # Owner and group rules read the claims; nothing that prints a caller shows them.
    assert access.claims["sub"] == USER_SUB
    assert "claims" not in repr(access)


def test_iam_caller_without_cognito_identity_reads_nulls_as_absent() -> None:
    caller = caller_from_identity(plain_iam_identity(), our_settings())
    assert caller.kind is CallerKind.IAM
    assert caller.identity_pool_id is None
    assert caller.identity_auth_type is None
    assert not caller.has_cognito_identity
    assert caller.user_arn == session_arn(BACKEND_ROLE_ARN, "backend-job")


# --- IAM_ACCESS ----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_iam_access_none_refuses_plain_iam(provider: str) -> None:
    settings = our_settings(iam_access="none")
    for operation in OPERATIONS:
        assert not allowed(only(provider), operation, plain_iam_identity(), settings)


def test_iam_access_none_still_admits_identity_pool_users_under_their_rule() -> None:
    settings = our_settings(iam_access="none")
    assert allowed(only("identityPool"), "create", identity_pool_identity(), settings)
    assert not allowed(only("userPools"), "create", identity_pool_identity(), settings)


@pytest.mark.parametrize(
    "admin_roles",
    [
        pytest.param((BACKEND_ROLE_ARN,), id="by-arn"),
        pytest.param(("BackendRole",), id="by-name"),
        pytest.param((f"arn:aws:iam::{ACCOUNT_ID}:role/service/BackendRole",), id="arn-with-path"),
        pytest.param(("SomeOtherRole", BACKEND_ROLE_ARN), id="one-of-several"),
    ],
)
def test_iam_access_roles_admits_listed_roles(admin_roles: tuple[str, ...]) -> None:
    settings = our_settings(iam_access="roles", iam_admin_roles=admin_roles)
    for provider in PROVIDERS:
        for operation in OPERATIONS:
            assert allowed(only(provider), operation, plain_iam_identity(), settings)


@pytest.mark.parametrize(
    "caller_identity",
    [
        pytest.param(
            plain_iam_identity(role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/ReportingRole"),
            id="other-role",
        ),
        pytest.param(
            plain_iam_identity(role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/BackendRoleX"),
            id="name-prefix",
        ),
        pytest.param(
            plain_iam_identity(role_arn=f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/BackendRole"),
            id="same-name-other-account",
        ),
        pytest.param(
            plain_iam_identity(user_arn=f"arn:aws:iam::{ACCOUNT_ID}:user/BackendRole"),
            id="iam-user-named-like-the-role",
        ),
    ],
)
def test_iam_access_roles_refuses_unlisted_principals(caller_identity: Identity) -> None:
    settings = our_settings(iam_access="roles", iam_admin_roles=(BACKEND_ROLE_ARN,))
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", caller_identity, settings)


def test_iam_access_roles_with_no_roles_listed_refuses_plain_iam() -> None:
    settings = our_settings(iam_access="roles", iam_admin_roles=())
    assert not allowed(only("userPools"), "get", plain_iam_identity(), settings)


def test_iam_access_roles_admits_a_listed_iam_user_by_arn() -> None:
    user_arn = f"arn:aws:iam::{ACCOUNT_ID}:user/ops-bot"
    settings = our_settings(iam_access="roles", iam_admin_roles=(user_arn,))
    assert allowed(only("userPools"), "delete", plain_iam_identity(user_arn=user_arn), settings)


def test_iam_access_roles_does_not_admit_a_guest_whose_role_is_listed() -> None:
    guest = identity("iam_identity_pool_guest")
    assert guest is not None
    role_name = guest["userArn"].split("/")[1]
    settings = our_settings(iam_access="roles", iam_admin_roles=(role_name,))
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", guest, settings)


# --- several rules, narrowing, deny by default ----------------------------------------------------


def test_several_rules_are_alternatives() -> None:
    rules = rules_of(lambda allow: [allow.authenticated(), allow.authenticated("identityPool")])
    for operation in OPERATIONS:
        assert allowed(rules, operation, identity("user_pool_access_token"))
        assert allowed(rules, operation, identity("iam_identity_pool_authenticated"))
        assert not allowed(rules, operation, identity("oidc_user"))
        assert not allowed(rules, operation, identity("iam_identity_pool_guest"))
        assert not allowed(rules, operation, identity("api_key"))


def test_to_read_allows_reads_and_refuses_writes() -> None:
    rules = rules_of(lambda allow: [allow.authenticated().to(["read"])])
    user = identity("user_pool_access_token")
    for operation in ("get", "list", "listen", "sync", "search"):
        assert allowed(rules, operation, user), operation
    for operation in WRITES:
        assert not allowed(rules, operation, user), operation


def test_narrowed_rules_combine_per_operation() -> None:
    rules = rules_of(
        lambda allow: [
            allow.authenticated().to(["read"]),
            allow.authenticated("identityPool").to(["create", "update"]),
        ]
    )
    user = identity("user_pool_access_token")
    iam_user = identity("iam_identity_pool_authenticated")
    assert allowed(rules, "get", user)
    assert not allowed(rules, "create", user)
    assert allowed(rules, "create", iam_user)
    assert allowed(rules, "update", iam_user)
    assert not allowed(rules, "get", iam_user)
    assert not allowed(rules, "delete", iam_user)
    assert not allowed(rules, "delete", user)


def test_an_operation_no_rule_covers_is_refused_to_everyone() -> None:
    rules = rules_of(lambda allow: [allow.authenticated().to(["read"])])
    for caller_name in CALLER_NAMES:
        for operation in WRITES:
            assert not allowed(rules, operation, identity(caller_name)), (caller_name, operation)


def test_a_model_without_rules_is_refused_to_everyone_plain_iam_included() -> None:
    rules = a.schema({"Note": a.model({"text": a.string()})}).models["Note"].rules
    assert rules == ()
    for caller_name in CALLER_NAMES:
        for operation in OPERATIONS:
            assert not allowed(rules, operation, identity(caller_name)), (caller_name, operation)


def test_schema_wide_rules_are_alternatives_to_model_rules() -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated()]
            )
        }
    ).authorization(lambda allow: [allow.authenticated("oidc").to(["read"])])
    rules = schema.models["Todo"].rules
    assert allowed(rules, "create", identity("user_pool_access_token"))
    assert allowed(rules, "list", identity("oidc_user"))
    assert not allowed(rules, "create", identity("oidc_user"))


# --- defence in depth: issuers -------------------------------------------------------------------

USER_POOL_ISSUER_LOOKALIKES = [
    pytest.param(USER_POOL_ISSUER + "/", id="trailing-slash"),
    pytest.param(USER_POOL_ISSUER.replace(USER_POOL_ID, USER_POOL_ID.lower()), id="pool-id-case"),
    pytest.param(
        USER_POOL_ISSUER.replace("https://cognito-idp", "https://COGNITO-IDP"), id="host-case"
    ),
    pytest.param(USER_POOL_ISSUER.replace(".us-east-1.", ".eu-west-1."), id="other-region"),
    pytest.param(USER_POOL_ISSUER.replace("https://", "http://"), id="http"),
    pytest.param(USER_POOL_ISSUER + "/extra", id="longer-path"),
    pytest.param(USER_POOL_ISSUER.replace("amazonaws.com", "amazonaws.com.evil.test"), id="host"),
    pytest.param(
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_ZyXwVu987", id="other-pool"
    ),
]


@pytest.mark.parametrize("issuer", USER_POOL_ISSUER_LOOKALIKES)
@pytest.mark.parametrize("token_use", ["access", "id"])
def test_user_pool_token_from_another_issuer_is_refused(issuer: str, token_use: str) -> None:
    forged = user_pool_identity(token_use=token_use, issuer=issuer)
    for provider in PROVIDERS:
        for operation in OPERATIONS:
            assert not allowed(only(provider), operation, forged)


OIDC_ISSUER_LOOKALIKES = [
    pytest.param(OIDC_ISSUER + "/", id="trailing-slash"),
    pytest.param("https://Auth.Example.com", id="other-case"),
    pytest.param("http://auth.example.com", id="http"),
    pytest.param("https://auth.example.com.evil.test", id="suffix-host"),
    pytest.param("https://auth.example.com/tenant", id="longer-path"),
    pytest.param("https://auth.example.co", id="shorter"),
]


@pytest.mark.parametrize("issuer", OIDC_ISSUER_LOOKALIKES)
def test_oidc_token_from_a_lookalike_issuer_is_refused(issuer: str) -> None:
    forged = oidc_identity(issuer=issuer)
    for provider in PROVIDERS:
        for operation in OPERATIONS:
            assert not allowed(only(provider), operation, forged)


def test_user_pool_and_oidc_tokens_need_a_sub() -> None:
    no_sub_user = user_pool_identity()
    del no_sub_user["sub"]
    no_sub_oidc = oidc_identity()
    del no_sub_oidc["sub"]
    assert not allowed(only("userPools"), "get", no_sub_user)
    assert not allowed(only("oidc"), "get", no_sub_oidc)


# --- defence in depth: identity-pool identities --------------------------------------------------


@pytest.mark.parametrize(
    "auth_type", ["unauthenticated", "Authenticated", "AUTHENTICATED", "authenticated ", "", None]
)
def test_identity_pool_identity_must_be_authenticated(auth_type: str | None) -> None:
    caller_identity = identity_pool_identity(auth_type=auth_type)
    for provider in PROVIDERS:
        for operation in OPERATIONS:
            assert not allowed(only(provider), operation, caller_identity)


@pytest.mark.parametrize(
    "pool_id",
    [
        pytest.param("us-east-1:99999999-8888-7777-6666-555555555555", id="other-pool"),
        pytest.param(IDENTITY_POOL_ID.replace("us-east-1", "eu-west-1"), id="other-region"),
        pytest.param(IDENTITY_POOL_ID.upper(), id="other-case"),
        pytest.param(IDENTITY_POOL_ID + " ", id="trailing-space"),
    ],
)
def test_identity_of_another_identity_pool_is_refused(pool_id: str) -> None:
    caller_identity = identity_pool_identity(identity_pool_id=pool_id)
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", caller_identity)


def test_authenticated_identity_of_another_account_and_pool_is_refused() -> None:
    caller_identity = identity_pool_identity(
        identity_pool_id="us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab",
        account_id=OTHER_ACCOUNT_ID,
        role_arn=f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/appsync-data-AuthRole",
    )
    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", caller_identity)


def test_other_identity_pool_using_our_auth_role_name_is_refused() -> None:
    # The pool id decides; a userArn that looks like our auth role does not override it.
    caller_identity = identity_pool_identity(identity_pool_id="us-east-1:0000-other")
    assert caller_identity["userArn"] == session_arn(AUTH_ROLE_ARN)
    assert not allowed(only("identityPool"), "get", caller_identity)


def test_auth_role_session_counts_as_identity_pool_caller() -> None:
    # Credentials of our auth role with no Cognito fields in the identity.
    auth_role_session = plain_iam_identity(
        role_arn=AUTH_ROLE_ARN, session="CognitoIdentityCredentials"
    )
    settings = our_settings(iam_access="none")
    assert allowed(only("identityPool"), "create", auth_role_session, settings)
    assert not allowed(only("userPools"), "create", auth_role_session, settings)


# --- client id narrowing -------------------------------------------------------------------------


@pytest.mark.parametrize("token_use", ["access", "id"])
def test_user_pool_client_ids_admit_listed_clients_only(token_use: str) -> None:
    settings = our_settings(user_pool_client_ids=("other-client", USER_POOL_CLIENT_ID))
    listed = user_pool_identity(token_use=token_use)
    unlisted = user_pool_identity(token_use=token_use, client_id="unlisted-client")
    assert allowed(only("userPools"), "get", listed, settings)
    assert not allowed(only("userPools"), "get", unlisted, settings)
    # Without the setting, any client of our pool is admitted.
    assert allowed(only("userPools"), "get", unlisted, our_settings())


def test_oidc_client_ids_admit_listed_clients_only() -> None:
    settings = our_settings(oidc_client_ids=(OIDC_CLIENT_ID,))
    assert allowed(only("oidc"), "get", oidc_identity(), settings)
    assert not allowed(only("oidc"), "get", oidc_identity(client_id="intruder"), settings)
    assert allowed(only("oidc"), "get", oidc_identity(client_id="intruder"), our_settings())


# --- fail closed when a provider is not configured -----------------------------------------------


def test_unset_user_pool_id_refuses_user_pool_callers() -> None:
    settings = our_settings(user_pool_id=None)
    for token_use in ("access", "id"):
        assert not allowed(
            only("userPools"), "get", user_pool_identity(token_use=token_use), settings
        )


def test_unset_identity_pool_id_refuses_identity_pool_callers() -> None:
    settings = our_settings(identity_pool_id=None)
    assert not allowed(only("identityPool"), "get", identity_pool_identity(), settings)
    group = identity_pool_identity(role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/AdminsGroupRole")
    assert not allowed(only("identityPool"), "get", group, settings)


def test_unset_oidc_issuer_refuses_oidc_callers() -> None:
    settings = our_settings(oidc_issuer=None)
    assert not allowed(only("oidc"), "get", oidc_identity(), settings)


def test_nothing_configured_admits_only_plain_iam() -> None:
    settings = Settings()
    for caller_name in CALLER_NAMES:
        expected = caller_name == "iam_plain_role"
        for provider in PROVIDERS:
            assert allowed(only(provider), "get", identity(caller_name), settings) is expected, (
                caller_name,
                provider,
            )


def test_user_pool_of_the_settings_region_is_the_one_compared() -> None:
    # A pool id of another region gives another issuer: our default-region token no longer fits.
    settings = our_settings(user_pool_id="eu-west-1_AbCdEf123")
    assert not allowed(only("userPools"), "get", user_pool_identity(), settings)
    eu_issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
    assert allowed(only("userPools"), "get", user_pool_identity(issuer=eu_issuer), settings)


# --- sessions of the identity pool's own roles, without the Cognito fields ----------------------


@pytest.mark.parametrize("session", ["CognitoIdentityCredentials", "web-session"])
@pytest.mark.parametrize("iam_access", ["all", "none"])
def test_a_session_of_our_auth_role_is_an_identity_pool_caller_never_plain_iam(
    session: str, iam_access: str
) -> None:
    # The basic flow assumes the auth role directly: AppSync shows no Cognito fields.
    caller_identity = plain_iam_identity(role_arn=AUTH_ROLE_ARN, session=session)
    settings = our_settings(iam_access=iam_access)

    assert allowed(only("identityPool"), "create", caller_identity, settings)
    assert not allowed(only("userPools"), "create", caller_identity, settings)
    assert not allowed(only("oidc"), "create", caller_identity, settings)


def test_a_session_of_our_guest_role_is_never_admitted_as_plain_iam() -> None:
    guest_role = f"arn:aws:iam::{ACCOUNT_ID}:role/appsync-data-UnauthRole"
    caller_identity = plain_iam_identity(role_arn=guest_role, session="guest")
    settings = our_settings(unauth_role_arn=guest_role)

    for provider in PROVIDERS:
        assert not allowed(only(provider), "get", caller_identity, settings)
    # Without the setting it is just another backend role (Amplify's default admits those).
    assert allowed(only("userPools"), "get", caller_identity, our_settings())


def test_an_oidc_provider_that_is_our_own_user_pool_keeps_the_callers_apart() -> None:
    settings = our_settings(oidc_issuer=USER_POOL_ISSUER)
    pool_user = user_pool_identity()
    oidc_user = oidc_identity(issuer=USER_POOL_ISSUER)

    assert caller_from_identity(pool_user, settings).kind is CallerKind.USER_POOL
    assert caller_from_identity(oidc_user, settings).kind is CallerKind.OIDC
    assert allowed(only("userPools"), "get", pool_user, settings)
    assert not allowed(only("oidc"), "get", pool_user, settings)
    assert allowed(only("oidc"), "get", oidc_user, settings)
    assert not allowed(only("userPools"), "get", oidc_user, settings)

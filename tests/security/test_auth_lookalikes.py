"""Authorization against malformed and lookalike identities, through the Lambda handler.

Each case mutates one of the standard identities (`identities.py`) in one named way and states
which providers must still admit it: every variant is refused except those that are still
genuinely our caller. Every refusal must come before any DynamoDB request and leave the table
exactly as it was (a full scan before and after).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import pytest
from appsync_data import a
from appsync_data.api import DataApi
from appsync_data.schema import Schema
from backend import Backend, appsync_event, create_tables, lambda_context, seed
from identities import (
    ACCOUNT_ID,
    AUTH_ROLE_ARN,
    BACKEND_ROLE_ARN,
    GROUP_ROLE_ARN,
    IDENTITY_POOL_ID,
    OIDC_CLIENT_ID,
    OIDC_ISSUER,
    OTHER_ACCOUNT_ID,
    OTHER_IDENTITY_POOL_ID,
    PROVIDERS,
    USER_POOL_CLIENT_ID,
    USER_POOL_ID,
    USER_POOL_ISSUER,
    Identity,
    identity_pool_identity,
    lambda_identity,
    oidc_identity,
    our_settings,
    plain_iam_identity,
    session_arn,
    user_pool_identity,
)

# One model per provider, each with the single rule allow.authenticated(provider).
MODEL_OF: Final = {"userPools": "UpNote", "identityPool": "IpNote", "oidc": "OiNote"}
SCHEMA: Final[Schema] = a.schema(
    {
        model: a.model({"content": a.string()}).authorization(
            lambda allow, p=provider: [allow.authenticated(p)]
        )
        for provider, model in MODEL_OF.items()
    }
)
SEED_ID: Final = "seed-1"
ALL: Final = frozenset(PROVIDERS)
NONE: Final[frozenset[str]] = frozenset()
CYRILLIC_A: Final = "\u0430"  # looks like the Latin "a"
ABSENT: Final = object()  # an event without an `identity` key at all


def operations(model: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(GraphQL type, field, arguments) of every operation; delete last (it removes the seed)."""
    return [
        ("Query", f"get{model}", {"id": SEED_ID}),
        ("Query", f"list{model}s", {"limit": 10}),
        ("Mutation", f"update{model}", {"input": {"id": SEED_ID, "content": "changed"}}),
        ("Mutation", f"create{model}", {"input": {"content": "new"}}),
        ("Mutation", f"delete{model}", {"input": {"id": SEED_ID}}),
    ]


@dataclass(frozen=True)
class Case:
    name: str
    identity: Identity | object
    allowed: frozenset[str]  # providers whose rule must admit this caller
    settings: dict[str, Any] = field(default_factory=dict)  # changes to our_settings()


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(base)
    changed.update(changes)
    return changed


def _without(base: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(base)
    del changed[key]
    return changed


def _swap_case(text: str) -> str:
    return text.swapcase()


def url_lookalikes(url: str) -> dict[str, str]:
    """Issuer URLs that look like `url` but are not it, each named."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    path = "/" + path if path else ""
    lookalikes = {
        "trailing_slash": url + "/",
        "extra_path_segment": url + "/extra",
        "double_slash": f"{scheme}://{host}/{path}",
        "all_upper_case": url.upper(),
        "host_upper_case": f"{scheme}://{host.upper()}{path}",
        "path_other_case": f"{scheme}://{host}{_swap_case(path)}",
        "http_scheme": f"http://{rest}",
        "explicit_port": f"{scheme}://{host}:443{path}",
        "query_string": url + "?iss=" + url,
        "fragment": url + "#",
        "leading_space": " " + url,
        "trailing_space": url + " ",
        "trailing_newline": url + "\n",
        "trailing_nul": url + "\x00",
        "cyrillic_a_in_host": f"{scheme}://{host.replace('a', CYRILLIC_A, 1)}{path}",
        "userinfo_trick": f"{scheme}://{host}@evil.example{path}",
        "host_suffix": f"{scheme}://{host}.evil.example{path}",
        "percent_encoded_path": f"{scheme}://{host}{path.replace('_', '%5F').replace('.', '%2E')}",
    }
    # Keep the mutations that change this URL, one name per distinct result.
    distinct: dict[str, str] = {}
    for name, lookalike in lookalikes.items():
        if lookalike != url and lookalike not in distinct.values():
            distinct[name] = lookalike
    return distinct


def user_pool_cases() -> Iterator[Case]:
    up = user_pool_identity()
    yield Case("user_pool/genuine", up, frozenset({"userPools"}))
    yield Case("user_pool/id_token", user_pool_identity(token_use="id"), frozenset({"userPools"}))
    yield Case(
        "user_pool/with_groups", user_pool_identity(groups=["Admins"]), frozenset({"userPools"})
    )
    # AppSync proved issuer and sub; the claims are only needed to check the client id.
    yield Case("user_pool/claims_missing", _without(up, "claims"), frozenset({"userPools"}))
    yield Case(
        "user_pool/minimal_sub_and_issuer",
        {"sub": up["sub"], "issuer": up["issuer"]},
        frozenset({"userPools"}),
    )
    for name, issuer in url_lookalikes(USER_POOL_ISSUER).items():
        yield Case(f"user_pool/issuer_{name}", user_pool_identity(issuer=issuer), NONE)
    other_region = USER_POOL_ISSUER.replace("cognito-idp.us-east-1.", "cognito-idp.us-west-2.")
    yield Case("user_pool/issuer_other_region", user_pool_identity(issuer=other_region), NONE)
    other_pool = USER_POOL_ISSUER.replace(USER_POOL_ID, "us-east-1_AbCdEf124")
    yield Case("user_pool/issuer_other_pool", user_pool_identity(issuer=other_pool), NONE)
    china = USER_POOL_ISSUER.replace("amazonaws.com", "amazonaws.com.cn")
    yield Case("user_pool/issuer_other_partition", user_pool_identity(issuer=china), NONE)
    # The issuer only in the claims, or the claims' issuer ours and the identity's another.
    yield Case("user_pool/issuer_missing", _without(up, "issuer"), NONE)
    yield Case("user_pool/issuer_null", _with(up, issuer=None), NONE)
    yield Case("user_pool/issuer_empty", _with(up, issuer=""), NONE)
    yield Case("user_pool/issuer_as_list", _with(up, issuer=[USER_POOL_ISSUER]), NONE)
    yield Case("user_pool/issuer_as_object", _with(up, issuer={"url": USER_POOL_ISSUER}), NONE)
    yield Case("user_pool/issuer_as_number", _with(up, issuer=42), NONE)
    yield Case("user_pool/sub_missing", _without(up, "sub"), NONE)
    yield Case("user_pool/sub_empty", _with(up, sub=""), NONE)
    yield Case("user_pool/sub_null", _with(up, sub=None), NONE)
    yield Case("user_pool/sub_as_number", _with(up, sub=123), NONE)
    yield Case("user_pool/sub_as_list", _with(up, sub=[up["sub"]]), NONE)
    # Another mode's marker added to a genuine user-pool identity: classified by that shape.
    yield Case("user_pool/plus_resolver_context", _with(up, resolverContext={}), NONE)
    yield Case("user_pool/plus_null_user_arn", _with(up, userArn=None), NONE)
    # Not a mapping at all.
    yield Case("shape/identity_as_list", [up], NONE)
    yield Case("shape/identity_as_json_text", json.dumps(up), NONE)
    yield Case("shape/identity_empty_object", {}, NONE)
    yield Case("shape/identity_true", True, NONE)
    yield Case("shape/identity_absent", ABSENT, NONE)
    yield Case("shape/api_key_null", None, NONE)


def client_id_cases() -> Iterator[Case]:
    """With USER_POOL_CLIENT_IDS / OIDC_CLIENT_IDS set, the token's client must be listed."""
    clients = {
        "user_pool_client_ids": (USER_POOL_CLIENT_ID,),
        "oidc_client_ids": (OIDC_CLIENT_ID,),
    }
    up = user_pool_identity()
    yield Case("clients/user_pool_listed", up, frozenset({"userPools"}), clients)
    yield Case(
        "clients/user_pool_id_token_listed",
        user_pool_identity(token_use="id"),
        frozenset({"userPools"}),
        clients,
    )
    for name, client in {
        "other": "2example23456789abcdefghij",
        "other_case": USER_POOL_CLIENT_ID.upper(),
        "suffix": USER_POOL_CLIENT_ID + "x",
        "prefix_only": USER_POOL_CLIENT_ID[:-1],
        "empty": "",
    }.items():
        yield Case(f"clients/user_pool_{name}", user_pool_identity(client_id=client), NONE, clients)
        yield Case(
            f"clients/user_pool_id_token_{name}",
            user_pool_identity(token_use="id", client_id=client),
            NONE,
            clients,
        )
    yield Case("clients/user_pool_claims_missing", _without(up, "claims"), NONE, clients)
    no_client = copy.deepcopy(up)
    del no_client["claims"]["client_id"]
    yield Case("clients/user_pool_client_id_missing", no_client, NONE, clients)
    listed_aud = user_pool_identity(token_use="id")
    listed_aud["claims"]["aud"] = ["someone-else", USER_POOL_CLIENT_ID]
    yield Case(
        "clients/user_pool_aud_list_with_ours", listed_aud, frozenset({"userPools"}), clients
    )
    yield Case("clients/oidc_listed", oidc_identity(), frozenset({"oidc"}), clients)
    yield Case("clients/oidc_other", oidc_identity(client_id="other-client"), NONE, clients)
    no_aud = oidc_identity()
    del no_aud["claims"]["aud"]
    yield Case("clients/oidc_aud_missing", no_aud, NONE, clients)
    aud_object = oidc_identity()
    aud_object["claims"]["aud"] = {"client": OIDC_CLIENT_ID}
    yield Case("clients/oidc_aud_as_object", aud_object, NONE, clients)


def oidc_cases() -> Iterator[Case]:
    oidc = oidc_identity()
    yield Case("oidc/genuine", oidc, frozenset({"oidc"}))
    for name, issuer in url_lookalikes(OIDC_ISSUER).items():
        yield Case(f"oidc/issuer_{name}", oidc_identity(issuer=issuer), NONE)
    yield Case("oidc/issuer_missing", _without(oidc, "issuer"), NONE)
    yield Case("oidc/issuer_null", _with(oidc, issuer=None), NONE)
    yield Case("oidc/sub_missing", _without(oidc, "sub"), NONE)
    yield Case("oidc/sub_empty", _with(oidc, sub=""), NONE)
    # Our OIDC issuer is not a user pool: a user-pool rule does not admit it, and vice versa.
    yield Case(
        "oidc/issuer_is_our_user_pool",
        oidc_identity(issuer=USER_POOL_ISSUER),
        frozenset({"userPools"}),
    )
    yield Case(
        "oidc/not_configured",
        oidc,
        NONE,
        {"oidc_issuer": None},
    )
    yield Case("user_pool/not_configured", user_pool_identity(), NONE, {"user_pool_id": None})


def identity_pool_cases() -> Iterator[Case]:
    ip = identity_pool_identity()
    yield Case("identity_pool/genuine", ip, frozenset({"identityPool"}))
    yield Case(
        "identity_pool/group_mapped_role",
        identity_pool_identity(role_arn=GROUP_ROLE_ARN),
        frozenset({"identityPool"}),
    )
    for name, auth_type in {
        "unauthenticated": "unauthenticated",
        "capitalised": "Authenticated",
        "upper_case": "AUTHENTICATED",
        "trailing_space": "authenticated ",
        "empty": "",
        "null": None,
        "true": True,
        "number": 1,
        "list": ["authenticated"],
        "guest_spelling": "guest",
    }.items():
        yield Case(
            f"identity_pool/auth_type_{name}", _with(ip, cognitoIdentityAuthType=auth_type), NONE
        )
    yield Case("identity_pool/auth_type_missing", _without(ip, "cognitoIdentityAuthType"), NONE)
    yield Case(
        "identity_pool/group_role_unauthenticated",
        identity_pool_identity(role_arn=GROUP_ROLE_ARN, auth_type="unauthenticated"),
        NONE,
    )
    for name, pool_id in {
        "other_pool": OTHER_IDENTITY_POOL_ID,
        "other_region_same_uuid": IDENTITY_POOL_ID.replace("us-east-1:", "us-west-2:"),
        "upper_case": IDENTITY_POOL_ID.upper(),
        "trailing_space": IDENTITY_POOL_ID + " ",
        "uuid_only": IDENTITY_POOL_ID.split(":", 1)[1],
        "as_list": [IDENTITY_POOL_ID],
    }.items():
        yield Case(f"identity_pool/pool_id_{name}", _with(ip, cognitoIdentityPoolId=pool_id), NONE)
    yield Case(
        "identity_pool/pool_of_another_account",
        identity_pool_identity(
            identity_pool_id=OTHER_IDENTITY_POOL_ID,
            account_id=OTHER_ACCOUNT_ID,
            role_arn=f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/appsync-data-AuthRole",
        ),
        NONE,
    )
    # No pool id: only our authenticated role's Cognito session still proves the pool.
    yield Case(
        "identity_pool/pool_id_missing_auth_role",
        _without(ip, "cognitoIdentityPoolId"),
        frozenset({"identityPool"}),
    )
    yield Case(
        "identity_pool/pool_id_null_auth_role",
        _with(ip, cognitoIdentityPoolId=None),
        frozenset({"identityPool"}),
    )
    yield Case(
        "identity_pool/pool_id_null_group_role",
        _with(identity_pool_identity(role_arn=GROUP_ROLE_ARN), cognitoIdentityPoolId=None),
        NONE,
    )
    role_lookalikes = {
        "other_account": session_arn(AUTH_ROLE_ARN).replace(ACCOUNT_ID, OTHER_ACCOUNT_ID),
        "role_name_suffix": session_arn(AUTH_ROLE_ARN + "2"),
        "role_name_other_case": session_arn(AUTH_ROLE_ARN.replace("AuthRole", "authrole")),
        "other_partition": session_arn(AUTH_ROLE_ARN).replace("arn:aws:", "arn:aws-cn:"),
        "iam_role_arn_not_session": AUTH_ROLE_ARN,
    }
    for name, user_arn in role_lookalikes.items():
        yield Case(
            f"identity_pool/no_pool_id_auth_role_{name}",
            _with(ip, cognitoIdentityPoolId=None, userArn=user_arn),
            NONE,
        )
    # Any session of our auth role is ours: only Cognito-authenticated identities of our pool can
    # assume it, and in the basic flow the caller names the session.
    yield Case(
        "identity_pool/no_pool_id_auth_role_other_session_name",
        _with(ip, cognitoIdentityPoolId=None, userArn=session_arn(AUTH_ROLE_ARN, "web-session")),
        frozenset({"identityPool"}),
    )
    yield Case(
        "identity_pool/not_configured", ip, NONE, {"identity_pool_id": None, "auth_role_arn": None}
    )


def plain_iam_cases() -> Iterator[Case]:
    plain = plain_iam_identity()
    yield Case("plain_iam/all", plain, ALL)
    yield Case(
        "plain_iam/iam_user", plain_iam_identity(user_arn=f"arn:aws:iam::{ACCOUNT_ID}:user/ci"), ALL
    )
    yield Case("plain_iam/none", plain, NONE, {"iam_access": "none"})
    # A Cognito marker on a plain principal makes it an identity-pool claim it cannot back up.
    yield Case(
        "plain_iam/claims_authenticated",
        _with(plain, cognitoIdentityAuthType="authenticated"),
        NONE,
    )
    yield Case(
        "plain_iam/claims_our_pool_unauthenticated",
        _with(
            plain, cognitoIdentityPoolId=IDENTITY_POOL_ID, cognitoIdentityAuthType="unauthenticated"
        ),
        NONE,
    )
    yield Case("plain_iam/user_arn_null", _with(plain, userArn=None), NONE)
    yield Case("plain_iam/user_arn_as_list", _with(plain, userArn=[plain["userArn"]]), NONE)
    # Our auth role's session with no Cognito fields is still the identity pool's caller.
    auth_session = _with(plain, userArn=session_arn(AUTH_ROLE_ARN))
    yield Case(
        "plain_iam/auth_role_session_iam_none",
        auth_session,
        frozenset({"identityPool"}),
        {"iam_access": "none"},
    )
    roles = {"iam_access": "roles", "iam_admin_roles": (BACKEND_ROLE_ARN,)}
    yield Case("admin_roles/listed", plain, ALL, roles)
    yield Case(
        "admin_roles/listed_by_name",
        plain,
        ALL,
        {"iam_access": "roles", "iam_admin_roles": ("BackendRole",)},
    )
    yield Case(
        "admin_roles/listed_with_path",
        plain,
        ALL,
        {
            "iam_access": "roles",
            "iam_admin_roles": (f"arn:aws:iam::{ACCOUNT_ID}:role/team/BackendRole",),
        },
    )
    for name, role_arn in {
        "name_suffix": BACKEND_ROLE_ARN + "2",
        "name_prefix": BACKEND_ROLE_ARN.replace("BackendRole", "BackendRol"),
        "other_case": BACKEND_ROLE_ARN.replace("BackendRole", "backendrole"),
        "other_account": BACKEND_ROLE_ARN.replace(ACCOUNT_ID, OTHER_ACCOUNT_ID),
    }.items():
        yield Case(f"admin_roles/{name}", plain_iam_identity(role_arn=role_arn), NONE, roles)
    yield Case(
        "admin_roles/iam_user_of_same_name",
        plain_iam_identity(user_arn=f"arn:aws:iam::{ACCOUNT_ID}:user/BackendRole"),
        NONE,
        roles,
    )


def other_mode_cases() -> Iterator[Case]:
    yield Case("lambda/with_user_pool_fields", lambda_identity(), NONE)
    yield Case(
        "lambda/with_identity_pool_fields",
        lambda_identity(
            {
                "cognitoIdentityPoolId": IDENTITY_POOL_ID,
                "userArn": session_arn(AUTH_ROLE_ARN),
                "cognitoIdentityAuthType": "authenticated",
            }
        ),
        NONE,
    )
    yield Case(
        "lambda/context_beside_user_pool_fields",
        {**lambda_identity(), "sub": "x", "issuer": USER_POOL_ISSUER},
        NONE,
    )
    yield Case("lambda/context_null", {"resolverContext": None}, NONE)


CASES: Final[tuple[Case, ...]] = (
    *user_pool_cases(),
    *client_id_cases(),
    *oidc_cases(),
    *identity_pool_cases(),
    *plain_iam_cases(),
    *other_mode_cases(),
)


def test_case_names_are_unique_and_the_matrix_is_wide() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 100
    assert sum(1 for case in CASES if not case.allowed) >= 80


def _event(
    field_name: str, type_name: str, arguments: dict[str, Any], who: object
) -> dict[str, Any]:
    event = appsync_event(field_name, arguments, None if who is ABSENT else who, parent=type_name)
    if who is ABSENT:
        del event["identity"]
    return event


@pytest.fixture(scope="module")
def backend_with(module_moto: None) -> Callable[[dict[str, Any]], Backend]:
    """One Backend per distinct settings, over the same three tables (created once)."""
    backends: dict[str, Backend] = {}

    def get(changes: dict[str, Any]) -> Backend:
        key = repr(sorted(changes.items()))
        if key not in backends:
            settings = our_settings(next_token_secret=b"lookalikes")
            api = DataApi(SCHEMA, dataclasses.replace(settings, **changes))
            if not backends:
                create_tables(api)
            backends[key] = Backend(api=api, call=lambda *_, **__: {})
        return backends[key]

    return get


def reset_tables(backend: Backend) -> None:
    """Each table holds exactly the seed item again."""
    for model in MODEL_OF.values():
        table_name = backend.api.stores[model].table_name
        for item in backend.scan(model):
            backend.api.connection.client.delete_item(TableName=table_name, Key={"id": item["id"]})
        seed(backend.api, model, SEED_ID, content="original")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_lookalike_identity(backend_with: Callable[[dict[str, Any]], Backend], case: Case) -> None:
    backend = backend_with(case.settings)
    reset_tables(backend)
    sent = {model: backend.count_requests(model) for model in MODEL_OF.values()}

    for provider, model in MODEL_OF.items():
        for type_name, field_name, arguments in operations(model):
            before = backend.scan(model)
            for requests in sent.values():
                requests.clear()
            event = _event(field_name, type_name, arguments, copy.deepcopy(case.identity))

            response = backend.api.handle(event, lambda_context())  # type: ignore[arg-type]

            if provider in case.allowed:
                assert set(response) == {"data"}, (provider, field_name, response)
                assert len(sent[model]) == 1, (field_name, sent)
            else:
                assert response == {
                    "error": {
                        "type": "Unauthorized",
                        "message": f"Not Authorized to access {field_name} on type {type_name}",
                    }
                }, (provider, field_name)
                assert all(requests == [] for requests in sent.values()), (field_name, sent)
                assert backend.scan(model) == before, (provider, field_name)

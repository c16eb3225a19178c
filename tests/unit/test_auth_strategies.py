"""Owner, group, public, guest and custom rules: the DSL and the pure decision (auth.py).

Expectations are written from Amplify Gen 2's authorization docs; the cell-for-cell check against
Amplify's own resolvers is tests/integration/test_authorization_oracle.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from appsync_data import SchemaError, a
from appsync_data.auth import (
    Decision,
    authorize_create,
    caller_from_identity,
    decide,
    group_values,
    hidden_fields,
    owner_stored_value,
    owner_values,
)
from appsync_data.errors import Unauthorized
from appsync_data.schema import AuthRule, Operation, RulesCallback
from identities import (
    USER_NAME,
    USER_SUB,
    identity_pool_identity,
    lambda_identity,
    oidc_identity,
    our_settings,
    user_pool_claims,
    user_pool_identity,
)

ALICE = f"{USER_SUB}::{USER_NAME}"


def rules(callback: RulesCallback) -> tuple[AuthRule, ...]:
    return a.schema({"M": a.model({"x": a.string()}).authorization(callback)}).models["M"].rules


def decision(callback: RulesCallback, operation: Operation, identity: Any) -> Decision:
    settings = our_settings()
    return decide(rules(callback), operation, caller_from_identity(identity, settings), settings)


def alice(**claims: Any) -> dict[str, Any]:
    identity = user_pool_identity()
    identity["claims"].update(claims)
    return identity


# --- the DSL ------------------------------------------------------------------------------------


def test_owner_rules_add_amplifys_implicit_fields_after_the_declared_ones() -> None:
    model = a.schema(
        {
            "Note": a.model({"title": a.string()}).authorization(
                lambda allow: [allow.owner(), allow.owners_defined_in("editors")]
            )
        }
    ).models["Note"]
    assert model.all_field_names == ("title", "id", "createdAt", "updatedAt", "owner", "editors")
    assert (model.fields["owner"].type_name, model.fields["owner"].is_array) == ("String", False)
    assert (model.fields["editors"].type_name, model.fields["editors"].is_array) == ("String", True)


def test_camel_case_aliases_build_the_same_rules() -> None:
    snake = rules(
        lambda allow: [
            allow.owner_defined_in("author").identity_claim("email"),
            allow.groups(["Staff"], "oidc").with_claim_in("roles"),
            allow.public_api_key().to(["read"]),
        ]
    )
    camel = rules(
        lambda allow: [
            allow.ownerDefinedIn("author").identityClaim("email"),
            allow.groups(["Staff"], "oidc").withClaimIn("roles"),
            allow.publicApiKey().to(["read"]),
        ]
    )
    assert snake == camel
    assert snake[0].owner_claim == "email" and snake[1].group_claim == "roles"


@pytest.mark.parametrize(
    ("callback", "message"),
    [
        (lambda allow: [allow.owner("identityPool")], "allow.owner_defined_in('identityPool')"),
        (lambda allow: [allow.groups([])], "expected one or more group names"),
        (lambda allow: [allow.authenticated().identity_claim("email")], "only owner rules"),
        (lambda allow: [allow.owner().with_claim_in("roles")], "only group rules"),
        (lambda allow: [allow.custom("apiKey")], "allow.custom('apiKey')"),
        (lambda allow: [allow.owner_defined_in("bad name")], "expected a field name"),
    ],
)
def test_wrong_rules_are_refused_at_import(callback: RulesCallback, message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rules(callback)


def test_an_owner_field_of_another_type_is_refused_naming_model_and_field() -> None:
    with pytest.raises(SchemaError, match=r"model 'Note'.*field 'editors' must hold a list"):
        a.schema(
            {
                "Note": a.model({"editors": a.string()}).authorization(
                    lambda allow: [allow.owners_defined_in("editors")]
                )
            }
        )


def test_custom_operations_refuse_owner_rules() -> None:
    with pytest.raises(SchemaError, match=r"custom query 'mine'.*needs an item"):
        a.schema(
            {
                "M": a.model({"x": a.string()}).authorization(lambda allow: [allow.owner()]),
                "mine": a.query()
                .returns(a.string())
                .authorization(lambda allow: [allow.owner()])
                .handler(a.handler.function("fn")),
            }
        )


def test_a_custom_rule_needs_a_lambda_authorizer() -> None:
    schema = a.schema({"M": a.model({"x": a.string()}).authorization(lambda a_: [a_.custom()])})
    with pytest.raises(SchemaError, match="needs a Lambda authorizer"):
        schema.require_authorized_operations()
    schema.authorization_modes(
        lambda_authorizer=a.handler.function("authorizer")
    ).require_authorized_operations()


# --- what a token says ---------------------------------------------------------------------------


def test_owner_values_of_sub_username_put_the_stored_form_first() -> None:
    claims = user_pool_claims()
    assert owner_values(claims, "sub::username") == (ALICE, USER_SUB, USER_NAME)
    assert owner_values({"sub": "s", "cognito:username": "u"}, "sub::username") == (
        "s::u",
        "s",
        "u",
    )
    # No username (an OIDC token): the sub alone admits, as Amplify's read resolvers admit it,
    # but nothing is stored for it (the oracle's oidcOwner cells).
    assert owner_values({"sub": "s"}, "sub::username") == ("s",)
    assert owner_stored_value({"sub": "s"}, "sub::username") is None
    assert owner_stored_value({"sub": "s", "username": "u"}, "sub::username") == "s::u"
    assert owner_values({"email": "a@example.com"}, "email") == ("a@example.com",)
    assert owner_values({"email": ["a"]}, "email") == ()


@pytest.mark.parametrize(
    ("claim", "groups"),
    [
        (["Admins", "Staff"], ("Admins", "Staff")),
        ('["Admins", "Staff"]', ("Admins", "Staff")),
        ("Admins", ("Admins",)),
        (None, ()),
        (7, ()),
    ],
)
def test_group_values_read_a_list_a_json_list_or_one_name(claim: Any, groups: tuple[str]) -> None:
    assert group_values({"cognito:groups": claim}, "cognito:groups") == groups


# --- the decision --------------------------------------------------------------------------------


def test_an_owner_rule_scopes_every_operation_to_the_callers_items() -> None:
    for operation in ("get", "list", "update", "delete", "listen"):
        found = decision(lambda allow: [allow.owner()], operation, alice())
        assert found.allowed and found.scope is not None
        assert found.scope.admits({"owner": ALICE})
        assert found.scope.admits({"owner": USER_SUB})  # an item stored with the sub alone
        assert not found.scope.admits({"owner": "someone::else"})
        assert not found.scope.admits({})


def test_a_static_group_admits_every_item_and_still_records_the_owner() -> None:
    found = decision(
        lambda allow: [allow.owner(), allow.groups(["Admins"])],
        "get",
        alice(**{"cognito:groups": ["Admins"]}),
    )
    assert found.allowed and found.scope is None
    assert [m.stored for m in found.owners] == [ALICE]


def test_create_fills_the_owner_and_refuses_naming_someone_else() -> None:
    owner_rule: RulesCallback = lambda allow: [allow.owner()]  # noqa: E731
    found = decision(owner_rule, "create", alice())
    assert authorize_create(found, {"x": "1"}, "Mutation", "createM") == {"x": "1", "owner": ALICE}
    assert (
        authorize_create(found, {"owner": USER_NAME}, "Mutation", "createM")["owner"] == USER_NAME
    )
    with pytest.raises(Unauthorized, match="Not Authorized to access createM on type Mutation"):
        authorize_create(found, {"owner": "bob"}, "Mutation", "createM")
    editors = decision(lambda allow: [allow.owners_defined_in("editors")], "create", alice())
    assert authorize_create(editors, {}, "Mutation", "createM") == {"editors": [ALICE]}


def test_dynamic_groups_match_the_callers_groups() -> None:
    caller = alice(**{"cognito:groups": ["Blue"]})
    one = decision(lambda allow: [allow.group_defined_in("team")], "get", caller)
    many = decision(lambda allow: [allow.groups_defined_in("teams")], "get", caller)
    assert one.scope is not None and one.scope.admits({"team": "Blue"})
    assert not one.scope.admits({"team": "Red"})
    assert many.scope is not None and many.scope.admits({"teams": ["Red", "Blue"]})
    assert not decision(lambda allow: [allow.group_defined_in("team")], "get", alice()).allowed


def test_oidc_rules_read_their_own_claims_and_refuse_user_pool_callers() -> None:
    staff: RulesCallback = lambda allow: [allow.groups(["Staff"], "oidc").with_claim_in("roles")]  # noqa: E731
    with_roles = oidc_identity()
    with_roles["claims"]["roles"] = ["Staff"]
    with_groups = oidc_identity()
    with_groups["claims"]["groups"] = ["Staff"]  # the wrong claim
    assert decision(staff, "get", with_roles).allowed
    assert not decision(staff, "get", with_groups).allowed
    assert not decision(staff, "get", alice(roles=["Staff"])).allowed


def test_public_guest_and_custom_rules_admit_only_their_callers() -> None:
    api_key: RulesCallback = lambda allow: [allow.public_api_key()]  # noqa: E731
    guest: RulesCallback = lambda allow: [allow.guest()]  # noqa: E731
    custom: RulesCallback = lambda allow: [allow.custom()]  # noqa: E731
    guest_identity = identity_pool_identity(auth_type="unauthenticated")
    other_pool_guest = identity_pool_identity(
        auth_type="unauthenticated", identity_pool_id="us-east-1:x"
    )
    assert decision(api_key, "get", None).allowed
    assert not decision(api_key, "get", alice()).allowed
    assert not decision(api_key, "get", "not an identity").allowed
    assert decision(guest, "list", guest_identity).allowed
    assert not decision(guest, "list", other_pool_guest).allowed
    assert not decision(guest, "list", identity_pool_identity()).allowed
    assert decision(custom, "get", lambda_identity({"tenant": "t1"})).allowed
    assert not decision(custom, "get", None).allowed


def test_field_rules_hide_fields_per_item() -> None:
    schema = a.schema(
        {
            "Profile": a.model(
                {"name": a.string(), "ssn": a.string().authorization(lambda al: [al.owner()])}
            ).authorization(lambda allow: [allow.authenticated().to(["read"]), allow.owner()])
        }
    )
    model, settings = schema.models["Profile"], our_settings()
    caller = caller_from_identity(alice(), settings)
    decisions = {n: decide(r, "get", caller, settings) for n, r in model.field_rules.items()}
    assert hidden_fields(decisions, {"owner": ALICE, "ssn": "1"}) == ()
    assert hidden_fields(decisions, {"owner": "bob", "ssn": "2"}) == ("ssn",)

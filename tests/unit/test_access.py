"""appsync_data.access: a decision applied to items (pure): the subscription filter of a scope,
owner arguments of a subscription, redaction, and the input fields a create or update may carry."""

from __future__ import annotations

from appsync_data import a
from appsync_data.access import (
    Access,
    access_for,
    auth_filter,
    redacted_result,
    refused_create_fields,
    refused_update_fields,
    subscription_scope,
)
from appsync_data.auth import Decision, FieldMatch, ItemScope, caller_from_identity, decide
from identities import USER_SUB, our_settings, plain_iam_identity, user_pool_identity

SETTINGS = our_settings()
ALICE = f"{USER_SUB}::alice"
PROFILE = a.schema(
    {
        "Profile": a.model(
            {
                "name": a.string(),
                "ssn": a.string().authorization(lambda allow: [allow.owner()]),
                "owner": a.string().authorization(
                    lambda allow: [allow.owner().to(["read", "delete"])]
                ),
            }
        ).authorization(lambda allow: [allow.owner(), allow.authenticated().to(["read"])])
    }
).model("Profile")


def access(operation: str, identity: object) -> Access:
    caller = caller_from_identity(identity, SETTINGS)
    decision = decide(PROFILE.rules, operation, caller, SETTINGS)  # type: ignore[arg-type]
    assert decision.allowed
    return access_for(
        PROFILE,
        operation,
        caller,
        SETTINGS,
        decision,
        "Mutation",
        f"{operation}Profile",  # type: ignore[arg-type]
    )


def test_auth_filter_is_in_per_field_and_contains_per_list_value() -> None:
    scope = ItemScope(
        (
            FieldMatch("owner", False, tuple(f"v{n}" for n in range(7))),
            FieldMatch("editors", True, ("a", "b")),
        )
    )
    assert auth_filter(scope) == {
        "or": [
            {"owner": {"in": ["v0", "v1", "v2", "v3", "v4"]}},  # AppSync: 5 values per `in`
            {"owner": {"in": ["v5", "v6"]}},
            {"editors": {"contains": "a"}},
            {"editors": {"contains": "b"}},
        ]
    }


def test_an_owner_argument_must_name_the_subscriber() -> None:
    scope = ItemScope((FieldMatch("owner", False, (ALICE, USER_SUB, "alice"), ALICE, True),))
    assert subscription_scope(scope, {}) is scope
    assert subscription_scope(scope, {"owner": "alice"}) is scope
    assert subscription_scope(scope, {"owner": ""}) is scope  # an empty argument is none
    assert subscription_scope(scope, {"owner": "bob"}) is None


def test_fields_the_caller_may_not_read_are_null_with_an_error_each() -> None:
    bob = access("get", user_pool_identity(sub="b0b", username="bob"))
    item = {"id": "p", "name": "n", "ssn": "1", "owner": ALICE, "__typename": "Profile"}

    shown, errors = redacted_result(bob, item, ["getProfile"])

    assert shown == {**item, "ssn": None, "owner": None}
    assert [e["path"] for e in errors] == [["getProfile", "ssn"], ["getProfile", "owner"]]
    assert errors[0]["message"] == "Not Authorized to access ssn on type Profile"
    mine, none = redacted_result(access("get", user_pool_identity()), item, ["getProfile"])
    assert (mine, none) == (item, [])


def test_a_plain_iam_principal_passes_field_rules_as_in_amplify() -> None:
    iam = access("update", plain_iam_identity())
    assert refused_update_fields(iam, ["owner", "ssn"]) == ()


def test_create_fields_of_an_owner_scoped_caller_as_amplify_lists_them() -> None:
    alice = access("create", user_pool_identity())
    item = {"id": "p", "name": "n", "owner": ALICE}
    # Amplify's create resolver lists name and ssn (not id, not owner) for the owner rule.
    assert refused_create_fields(alice, PROFILE, ["name"], item) == ()
    assert refused_create_fields(alice, PROFILE, ["id", "name", "owner"], item) == ("id", "owner")
    assert refused_update_fields(access("update", user_pool_identity()), ["name", "owner"]) == (
        "owner",
    )


def test_no_field_rules_no_field_decisions() -> None:
    decision = Decision(True, "every item")
    assert refused_create_fields(Access(decision), PROFILE, ["id", "owner"], {}) == ()

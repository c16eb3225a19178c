"""The one table of API names and the one table of scalars."""

from __future__ import annotations

import pytest
from appsync_data import scalars
from appsync_data.local.scalars import BEHAVIOUR
from appsync_data.naming import api_names, root_type
from appsync_data.schema import a
from graphql import build_schema


def test_api_names_are_amplifys() -> None:
    schema = a.schema({"Story": a.model({"title": a.string()})})
    names = api_names(schema.model("Story"))
    assert names.fields() == {
        "getStory": "get",
        "listStories": "list",
        "createStory": "create",
        "updateStory": "update",
        "deleteStory": "delete",
    }
    assert names.subscriptions() == {
        "onCreateStory": "create",
        "onUpdateStory": "update",
        "onDeleteStory": "delete",
    }
    assert names.connection == "ModelStoryConnection"
    assert names.filter_input == "ModelStoryFilterInput"
    assert names.condition_input == "ModelStoryConditionInput"
    assert names.subscription_filter_input == "ModelSubscriptionStoryFilterInput"
    assert names.mutation_input("update") == "UpdateStoryInput"
    assert [root_type(op) for op in ("get", "list", "create")] == ["Query", "Query", "Mutation"]


def test_a_read_side_operation_without_a_field_is_refused() -> None:
    names = api_names(a.schema({"Todo": a.model({})}).model("Todo"))
    with pytest.raises(ValueError, match="listen"):
        names.field("listen")


def test_every_appsync_scalar_has_local_behaviour_and_nothing_else_does() -> None:
    assert set(BEHAVIOUR) == set(scalars.APPSYNC_SCALARS)


def test_every_filter_family_has_operators_and_functions() -> None:
    families = {s.filter_family for s in scalars.SCALARS.values()}
    assert families == set(scalars.FILTER_OPERATORS) == set(scalars.FILTER_FUNCTIONS)


def test_the_prelude_declares_every_appsync_scalar_and_directive() -> None:
    sdl = scalars.APPSYNC_PRELUDE + "type Query { at: AWSDateTime @aws_iam @aws_oidc }\n"
    schema = build_schema(sdl)
    assert set(scalars.APPSYNC_SCALARS) <= set(schema.type_map)
    assert {d.name for d in schema.directives} >= set(scalars.APPSYNC_DIRECTIVES)


def test_the_prelude_leaves_out_what_the_sdl_declares() -> None:
    prelude = scalars.appsync_prelude({"AWSJSON", "aws_iam"})
    assert "scalar AWSJSON" not in prelude and "@aws_iam " not in prelude
    assert "scalar AWSDate\n" in prelude

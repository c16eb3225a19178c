"""The one table of API names and the one table of scalars."""

from __future__ import annotations

from typing import Any

import pytest
from appsync_data import scalars
from appsync_data.generate.function_scaffold import render_app
from appsync_data.generate.sdl import USER_POOLS, render_sdl
from appsync_data.local.graphql_schema import build_executable_schema
from appsync_data.local.scalars import BEHAVIOUR
from appsync_data.naming import api_names, root_type
from appsync_data.schema import Field, SchemaError, a
from appsync_data.store import table_attributes
from appsync_data.tables import attribute_type
from graphql import GraphQLInputObjectType, GraphQLScalarType, build_schema
from pynamodb.attributes import NumberAttribute


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


# --- one row of the scalar table is the whole scalar ----------------------------------------------


def _is_label(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("#")


# A scalar the project does not have: stored as a number, filtered as Int, two builder names.
TEST_SCALAR = scalars.Scalar(
    "AWSTestCount", _is_label, "N", "Int", True, ("test_count", "testCount"), "int"
)


@pytest.fixture
def test_scalar(monkeypatch: pytest.MonkeyPatch) -> scalars.Scalar:
    monkeypatch.setitem(scalars.SCALARS, TEST_SCALAR.name, TEST_SCALAR)
    return TEST_SCALAR


def test_one_row_adds_the_builders_and_the_value_check(test_scalar: scalars.Scalar) -> None:
    assert a.test_count() == a.testCount() == Field("AWSTestCount")
    assert "test_count" in dir(a)
    assert a.test_count().accepts("#1") and not a.test_count().accepts("1")


def test_one_row_adds_the_sdl_type_and_its_filter_input(test_scalar: scalars.Scalar) -> None:
    schema = a.schema({"Tally": a.model({"count": a.test_count().required()})})
    sdl = render_sdl(schema)
    assert "count: AWSTestCount!" in sdl
    parsed = build_schema(scalars.appsync_prelude() + sdl)
    assert isinstance(parsed.type_map["AWSTestCount"], GraphQLScalarType)
    for filter_input in ("ModelTallyFilterInput", "ModelTallyConditionInput"):
        input_type = parsed.type_map[filter_input]
        assert isinstance(input_type, GraphQLInputObjectType)
        assert str(input_type.fields["count"].type) == "ModelIntInput"


def test_one_row_adds_the_dynamodb_kind_and_key_type(test_scalar: scalars.Scalar) -> None:
    schema = a.schema({"Tally": a.model({"count": a.test_count().required()})})
    model = schema.model("Tally")
    assert type(table_attributes(model)["count"]) is NumberAttribute
    assert attribute_type(model.fields["count"]) == "N"
    keyed = a.schema({"Tally": a.model({"count": a.test_count().required()}).identifier(["count"])})
    assert keyed.model("Tally").identifier == ("count",)


def test_one_row_adds_the_local_servers_scalar(test_scalar: scalars.Scalar) -> None:
    sdl = render_sdl(a.schema({"Tally": a.model({"count": a.test_count()})}))
    executable = build_executable_schema(sdl, USER_POOLS)
    assert isinstance(executable.schema.type_map["AWSTestCount"], GraphQLScalarType)


def test_one_row_adds_the_python_type_of_generated_stubs(test_scalar: scalars.Scalar) -> None:
    schema = a.schema(
        {
            "Tally": a.model({}),
            "countUp": a.query()
            .arguments({"by": a.test_count()})
            .returns(a.test_count().required())
            .authorization(lambda allow: [allow.authenticated()])
            .handler(a.handler.function("count_up")),
        }
    )
    assert "def count_up(call: OperationCall) -> int:" in render_app("count_up", schema, "f")


def test_without_the_row_the_builder_does_not_exist() -> None:
    assert scalars.scalar_of_builder("test_count") is None
    with pytest.raises(AttributeError, match=r"a\.test_count"):
        a.test_count()


def test_a_boolean_or_json_scalar_cannot_be_a_key() -> None:
    for builder in (a.boolean, a.json):
        with pytest.raises(SchemaError, match="cannot be a DynamoDB key"):
            a.schema({"T": a.model({"k": builder().required()}).identifier(["k"])})


def test_every_builder_of_the_table_builds_its_row() -> None:
    for row in scalars.SCALARS.values():
        for name in row.builders:
            assert getattr(a, name)() == Field(row.name)

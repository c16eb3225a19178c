"""The checks around a custom operation's code (appsync_data.functions), on any JSON input:
arguments either match their declared types or are refused with InvalidArguments; results
either match `.returns(...)` exactly (declared fields only, `__typename`) or are a ResultError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from appsync_data.errors import InvalidArguments
from appsync_data.functions import ResultError, read_arguments, shape_result
from appsync_data.schema import Schema
from appsync_data.schema_file import load_schema
from hypothesis import given, settings
from hypothesis import strategies as st

CUSTOM_RESOURCE = Path(__file__).parents[1] / "deploy" / "custom_operations_resource.py"
SCHEMA: Schema = load_schema(CUSTOM_RESOURCE)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["total", "done", "ratio", "id", "x"]), inner, max_size=4)
    ),
    max_leaves=8,
)
argument_maps = st.dictionaries(
    st.sampled_from(["message", "times", "ids", "other"]), json_values, max_size=3
)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@settings(max_examples=400, deadline=None)
@given(argument_maps)
def test_echo_arguments_are_typed_or_refused(given_arguments: dict[str, Any]) -> None:
    try:
        values = read_arguments(SCHEMA.operation("echo"), given_arguments, SCHEMA)
    except InvalidArguments:
        return
    assert set(values) == {"message", "times"}
    assert isinstance(values["message"], str)
    assert values["times"] is None or is_int(values["times"])


@settings(max_examples=400, deadline=None)
@given(argument_maps)
def test_complete_all_ids_are_a_list_of_strings_or_refused(given_arguments: dict[str, Any]) -> None:
    try:
        values = read_arguments(SCHEMA.operation("completeAll"), given_arguments, SCHEMA)
    except InvalidArguments:
        return
    assert isinstance(values["ids"], list)
    assert all(isinstance(i, str) for i in values["ids"])


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_todo_stats_results_are_exactly_a_todo_stats_or_refused(result: Any) -> None:
    try:
        shaped = shape_result(SCHEMA.operation("todoStats"), result, SCHEMA)
    except ResultError:
        return
    if shaped is None:
        return
    assert set(shaped) == {"total", "done", "ratio", "__typename"}
    assert shaped["__typename"] == "TodoStats"
    assert is_int(shaped["total"]) and is_int(shaped["done"])
    assert shaped["ratio"] is None or isinstance(shaped["ratio"], float)


@pytest.mark.parametrize(
    ("result", "shaped"),
    [
        (None, None),
        ([], []),
        (
            [{"id": "a", "createdAt": "t", "updatedAt": "t", "__typename": "Todo"}, None],
            [
                {
                    "content": None,
                    "done": None,
                    "id": "a",
                    "createdAt": "t",
                    "updatedAt": "t",
                    "__typename": "Todo",
                },
                None,
            ],
        ),
    ],
)
def test_complete_all_results_are_lists_of_whole_todos(result: Any, shaped: Any) -> None:
    assert shape_result(SCHEMA.operation("completeAll"), result, SCHEMA) == shaped


def test_a_todo_without_its_required_fields_is_refused() -> None:
    with pytest.raises(ResultError, match=r"Todo.createdAt: null for a required AWSDateTime"):
        shape_result(SCHEMA.operation("completeAll"), [{"id": "a", "updatedAt": "t"}], SCHEMA)

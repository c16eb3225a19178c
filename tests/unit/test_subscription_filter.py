"""The subscription `filter` argument: every operator of the SDL's ModelSubscription*Input types,
and/or/not, missing fields and type mismatches."""

from __future__ import annotations

from typing import Any

import pytest
from appsync_data.subscription_filter import (
    MAX_FILTER_CONDITIONS,
    MAX_FILTER_DEPTH,
    OPERATORS,
    FilterError,
    check_filter,
    matches,
)

ITEM = {"id": "a1", "content": "hello world", "rank": 5, "score": 2.5, "done": True, "tags": ["x"]}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"content": {"eq": "hello world"}}, True),
        ({"content": {"eq": "hello"}}, False),
        ({"content": {"ne": "hello"}}, True),
        ({"content": {"ne": "hello world"}}, False),
        ({"rank": {"le": 5}}, True),
        ({"rank": {"lt": 5}}, False),
        ({"rank": {"ge": 5}}, True),
        ({"rank": {"gt": 5}}, False),
        ({"score": {"gt": 2}}, True),
        ({"content": {"contains": "lo wo"}}, True),
        ({"content": {"contains": "bye"}}, False),
        ({"tags": {"contains": "x"}}, True),
        ({"content": {"notContains": "bye"}}, True),
        ({"content": {"notContains": "hello"}}, False),
        ({"rank": {"between": [1, 5]}}, True),
        ({"rank": {"between": [6, 9]}}, False),
        ({"content": {"beginsWith": "hell"}}, True),
        ({"content": {"beginsWith": "world"}}, False),
        ({"rank": {"in": [1, 5]}}, True),
        ({"rank": {"in": [1, 2]}}, False),
        ({"rank": {"notIn": [1, 2]}}, True),
        ({"rank": {"notIn": [5]}}, False),
        ({"done": {"eq": True}}, True),
        ({"done": {"ne": True}}, False),
        ({"rank": {"eq": "5"}}, False),  # types never coerce
        ({"rank": {"gt": "1"}}, False),
        ({"done": {"eq": 1}}, False),  # a boolean is not a number
        ({"missing": {"eq": "x"}}, False),
        ({"missing": {"ne": "x"}}, True),
        ({"missing": {"notIn": ["x"]}}, True),
        ({"missing": {"notContains": "x"}}, True),
        ({"content": {"eq": None}}, True),  # an unset operator is no condition
        ({"content": {"beginsWith": "hello", "contains": "world"}}, True),
        ({"content": {"beginsWith": "hello", "contains": "bye"}}, False),
        ({"content": {"eq": "hello world"}, "rank": {"eq": 4}}, False),
        ({"or": [{"rank": {"eq": 4}}, {"rank": {"eq": 5}}]}, True),
        ({"or": [{"rank": {"eq": 4}}, {"rank": {"eq": 6}}]}, False),
        ({"and": [{"rank": {"eq": 5}}, {"content": {"contains": "hello"}}]}, True),
        ({"and": [{"rank": {"eq": 5}}, {"content": {"contains": "bye"}}]}, False),
        ({"not": {"rank": {"eq": 5}}}, False),
        ({"not": {"rank": {"eq": 4}}}, True),
        ({"or": [{"and": [{"rank": {"gt": 1}}, {"not": {"done": {"eq": False}}}]}]}, True),
        ({}, True),
    ],
)
def test_matches(condition: dict[str, Any], expected: bool) -> None:
    check_filter(condition)
    assert matches(condition, ITEM) is expected


def test_every_operator_of_the_sdl_is_known() -> None:
    sdl_operators = {"ne", "eq", "le", "lt", "ge", "gt", "contains", "notContains", "between"}
    sdl_operators |= {"beginsWith", "in", "notIn"}
    assert sdl_operators == OPERATORS


def _nested(levels: int) -> dict[str, Any]:
    filter_: dict[str, Any] = {"rank": {"eq": 1}}
    for _ in range(levels):
        filter_ = {"or": [filter_]}
    return filter_


@pytest.mark.parametrize(
    "bad",
    [
        {"content": {"regex": ".*"}},
        {"content": "hello"},
        {"rank": {"between": [1]}},
        {"and": {"rank": {"eq": 1}}},
        _nested(MAX_FILTER_DEPTH + 1),
        {"or": [{"rank": {"eq": i}} for i in range(MAX_FILTER_CONDITIONS + 1)]},
    ],
)
def test_filters_that_cannot_be_evaluated_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(FilterError):
        check_filter(bad)

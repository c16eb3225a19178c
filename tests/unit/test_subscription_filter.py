"""The subscription `filter` argument: every operator of the SDL's ModelSubscription*Input types,
and/or, missing fields and type mismatches; the conversion to AppSync's filter groups and its limits
(the deployed subscription_filter.js refuses the same filters with the same messages)."""

from __future__ import annotations

from typing import Any

import pytest
from appsync_data.subscription_filter import (
    MAX_FIELDS,
    MAX_GROUPS,
    MAX_LIST_VALUES,
    MAX_NESTING,
    OPERATORS,
    FilterError,
    check_filter,
    filter_groups,
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
        ({"content": {"beginsWith": "hello"}, "tags": {"contains": "x"}}, True),
        ({"content": {"beginsWith": "hello"}, "tags": {"contains": "y"}}, False),
        ({"content": {"eq": "hello world"}, "rank": {"eq": 4}}, False),
        ({"or": [{"rank": {"eq": 4}}, {"rank": {"eq": 5}}]}, True),
        ({"or": [{"rank": {"eq": 4}}, {"rank": {"eq": 6}}]}, False),
        ({"and": [{"rank": {"eq": 5}}, {"content": {"contains": "hello"}}]}, True),
        ({"and": [{"rank": {"eq": 5}}, {"content": {"contains": "bye"}}]}, False),
        ({"or": [{"and": [{"rank": {"gt": 1}}, {"done": {"ne": False}}]}]}, True),
        ({"or": [{"and": [{"rank": {"gt": 1}}, {"done": {"eq": False}}]}]}, False),
        ({"or": []}, True),  # an empty or is no condition
        ({"or": [{"rank": {"eq": 4}}, {}]}, True),  # an alternative without conditions
        ({"and": []}, True),
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
    """`levels` and/or lists inside each other around one condition."""
    filter_: dict[str, Any] = {"rank": {"eq": 1}}
    for level in range(levels):
        filter_ = {("or", "and")[level % 2]: [filter_]}
    return filter_


def _refusal(filter_: Any) -> str:
    with pytest.raises(FilterError) as refused:
        check_filter(filter_)
    return str(refused.value)


def test_filter_groups_are_appsyncs_enhanced_filter() -> None:
    def cond(field: str, operator: str, value: Any) -> dict[str, Any]:
        return {"fieldName": field, "operator": operator, "value": value}

    assert filter_groups({"a": {"gt": 1}, "b": {"eq": "x", "ne": None}}) == [
        [cond("a", "gt", 1), cond("b", "eq", "x")]
    ]
    assert filter_groups({"a": {"eq": 1}, "or": [{"b": {"eq": 2}}, {"c": {"eq": 3}}]}) == [
        [cond("a", "eq", 1), cond("b", "eq", 2)],
        [cond("a", "eq", 1), cond("c", "eq", 3)],
    ]
    nested = {
        "and": [
            {"or": [{"a": {"eq": 1}}, {"a": {"eq": 2}}]},
            {"or": [{"b": {"eq": 3}}, {"b": {"eq": 4}}]},
        ]
    }
    assert filter_groups(nested) == [
        [cond("a", "eq", 1), cond("b", "eq", 3)],
        [cond("a", "eq", 1), cond("b", "eq", 4)],
        [cond("a", "eq", 2), cond("b", "eq", 3)],
        [cond("a", "eq", 2), cond("b", "eq", 4)],
    ]
    assert filter_groups(None) is None
    assert filter_groups({}) is None
    assert filter_groups({"or": [{"a": {"eq": 1}}, {}]}) is None


def test_alternatives_allowed_up_to_the_limit_refused_past_it() -> None:
    check_filter({"or": [{"rank": {"eq": i}} for i in range(MAX_GROUPS)]})
    assert _refusal({"or": [{"rank": {"eq": i}} for i in range(MAX_GROUPS + 1)]}) == (
        "it needs more than 10 alternatives (or-groups)"
    )
    # a product of ors: 2 x 5 is the limit, 3 x 4 is past it
    two = {"or": [{"a": {"eq": 1}}, {"a": {"eq": 2}}]}
    five = {"or": [{"b": {"eq": i}} for i in range(5)]}
    assert len(filter_groups({"and": [two, five]}) or []) == MAX_GROUPS
    three = {"or": [{"a": {"eq": i}} for i in range(3)]}
    four = {"or": [{"b": {"eq": i}} for i in range(4)]}
    assert "more than 10 alternatives" in _refusal({"and": [three, four]})


def test_fields_allowed_up_to_the_limit_refused_past_it() -> None:
    check_filter({f"f{i}": {"eq": i} for i in range(MAX_FIELDS)})
    check_filter({"or": [{f"f{i % MAX_FIELDS}": {"eq": i}} for i in range(MAX_GROUPS)]})
    assert _refusal({"or": [{f"f{i}": {"eq": i}} for i in range(MAX_FIELDS + 1)]}) == (
        "it names 6 fields, more than AppSync's 5"
    )


def test_one_field_twice_in_an_alternative_is_refused() -> None:
    message = (
        "'rating' has two conditions in one alternative, which AppSync's filters cannot hold "
        "(use 'between' for a range)"
    )
    check_filter({"rating": {"between": [1, 5]}})
    check_filter({"or": [{"rating": {"ge": 1}}, {"rating": {"le": 5}}]})  # two alternatives
    assert _refusal({"rating": {"ge": 1, "le": 5}}) == message
    assert _refusal({"and": [{"rating": {"ge": 1}}, {"rating": {"le": 5}}]}) == message
    assert _refusal({"rating": {"ge": 1}, "or": [{"rating": {"le": 5}}]}) == message


@pytest.mark.parametrize("operator", ["in", "notIn"])
def test_list_values_allowed_up_to_the_limit_refused_past_it(operator: str) -> None:
    check_filter({"rank": {operator: list(range(MAX_LIST_VALUES))}})
    message = f"'{operator}' on 'rank' takes 1 to 5 values"
    assert _refusal({"rank": {operator: list(range(MAX_LIST_VALUES + 1))}}) == message
    assert _refusal({"rank": {operator: []}}) == message
    assert _refusal({"rank": {operator: 1}}) == message


def test_nesting_allowed_up_to_the_limit_refused_past_it() -> None:
    check_filter(_nested(MAX_NESTING))
    assert _refusal(_nested(MAX_NESTING + 1)) == "and/or nest deeper than 3 levels"
    # an empty list at the limit's depth nests nothing
    check_filter({"or": [{"and": [{"or": [{"and": []}]}]}]})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"content": {"regex": ".*"}}, "unsupported operator 'regex' on 'content'"),
        ({"content": "hello"}, "the condition on 'content' must be an object of operators"),
        ({"rank": {"between": [1]}}, "'between' on 'rank' takes two values"),
        ({"rank": {"between": "ab"}}, "'between' on 'rank' takes two values"),
        ({"and": {"rank": {"eq": 1}}}, "'and' takes a list of filters"),
        ({"or": [5]}, "a filter is an object of fields and and/or lists"),
        ("x", "a filter is an object of fields and and/or lists"),
        # the subscription filter input has no `not`: a field of that name, as the JS reads it
        ({"not": {"rank": {"eq": 5}}}, "unsupported operator 'rank' on 'not'"),
    ],
)
def test_filters_of_the_wrong_shape_are_refused(bad: Any, message: str) -> None:
    assert _refusal(bad) == message

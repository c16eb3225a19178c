"""The `filter` argument of onCreateX/onUpdateX/onDeleteX: AppSync's filter groups, and matching.

Pure functions (no I/O), the local real-time server's half of what the deployed resolver
(functions/resolvers/subscription_filter.js) does: `filter_groups` turns a filter into AppSync's
enhanced subscription filter groups (alternatives OR-ed, the conditions of one group AND-ed) with
the same steps, limits and messages as the JS, so a filter `make dev` accepts is one AppSync
accepts; `matches` evaluates an item against those groups. The operators are those of the SDL's
`ModelSubscription*Input` types (eq, ne, le, lt, ge, gt, contains, notContains, between,
beginsWith, in, notIn) combined with `and` / `or`, with the meaning AppSync gives them:

- fields of one filter object are AND-ed, as are the operators of one field;
- a condition on a field the item does not have holds only for `ne`, `notContains` and `notIn`;
- `contains` / `notContains` test a substring of a string or an element of a list;
- `between: [low, high]` is inclusive; values of different types never compare (no match);
- a `null` operator value is no condition (the client sends what the user left unset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appsync_data.scalars import COMPARISON_OPERATORS

# AppSync's limits on an enhanced filter, as subscription_filter.js states them: filter groups
# (its "combinations"), distinct fields in the whole filter (its "attributes"), values of in /
# notIn; and a field may appear once in a group ("filter uses same fieldName multiple time").
MAX_GROUPS = 10
MAX_FIELDS = 5
MAX_LIST_VALUES = 5
MAX_NESTING = 3  # and/or inside and/or
ERROR_TYPE = "InvalidFilterError"  # the refusal's errorType, deployed and local


class FilterError(ValueError):
    """A filter AppSync cannot hold: refused at subscribe time with `Invalid filter: <this>`."""


_COMPARISONS = COMPARISON_OPERATORS
_ABSENT_MATCHES = frozenset({"ne", "notContains", "notIn"})
OPERATORS = frozenset(
    {*_COMPARISONS, "contains", "notContains", "between", "beginsWith", "in", "notIn"}
)

Condition = dict[str, Any]  # {"fieldName", "operator", "value"}: one entry of AppSync's `filters`
Group = list[Condition]


def _comparable(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return True
    return type(a) is type(b)


def _contains(value: Any, operand: Any) -> bool:
    if isinstance(value, str):
        return isinstance(operand, str) and operand in value
    if isinstance(value, list):
        return any(_comparable(v, operand) and v == operand for v in value)
    return False


def _condition(operator: str, value: Any, operand: Any) -> bool:
    if operator in _COMPARISONS:
        if operator in ("eq", "ne") and not _comparable(value, operand):
            return operator == "ne"
        return _comparable(value, operand) and _COMPARISONS[operator](value, operand)
    if operator == "contains":
        return _contains(value, operand)
    if operator == "notContains":
        return not _contains(value, operand)
    if operator == "beginsWith":
        return isinstance(value, str) and isinstance(operand, str) and value.startswith(operand)
    if operator == "between":
        low, high = operand
        return _comparable(value, low) and _comparable(value, high) and bool(low <= value <= high)
    if operator == "in":
        return any(_comparable(value, o) and value == o for o in operand)
    if operator == "notIn":
        return not any(_comparable(value, o) and value == o for o in operand)
    raise FilterError(f"unsupported filter operator {operator!r}")


def _conditions_of(field_name: str, operators: Any) -> Group:
    """The conditions on one field, AND-ed: one group of them."""
    if not isinstance(operators, Mapping):
        raise FilterError(f"the condition on '{field_name}' must be an object of operators")
    conditions: Group = []
    for operator, value in operators.items():
        if value is None:  # an operator the client left unset is no condition
            continue
        if operator not in OPERATORS:
            raise FilterError(f"unsupported operator '{operator}' on '{field_name}'")
        if operator == "between" and (not isinstance(value, list) or len(value) != 2):
            raise FilterError(f"'between' on '{field_name}' takes two values")
        if operator in ("in", "notIn") and (
            not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST_VALUES
        ):
            raise FilterError(f"'{operator}' on '{field_name}' takes 1 to {MAX_LIST_VALUES} values")
        conditions.append({"fieldName": field_name, "operator": operator, "value": value})
    return conditions


def _product(left: list[Group], right: list[Group]) -> list[Group]:
    """Every group of `left` AND-ed with every group of `right`, within AppSync's limits."""
    if len(left) * len(right) > MAX_GROUPS:
        raise FilterError(f"it needs more than {MAX_GROUPS} alternatives (or-groups)")
    return [a + b for a in left for b in right]


def _check_fields(groups: list[Group]) -> None:
    """AppSync refuses more than MAX_FIELDS fields in a filter, or one field twice in a group."""
    fields: list[str] = []
    for group in groups:
        seen: set[str] = set()
        for condition in group:
            name = condition["fieldName"]
            if name in seen:
                raise FilterError(
                    f"'{name}' has two conditions in one alternative, which AppSync's "
                    "filters cannot hold (use 'between' for a range)"
                )
            seen.add(name)
            if name not in fields:
                fields.append(name)
    if len(fields) > MAX_FIELDS:
        raise FilterError(f"it names {len(fields)} fields, more than AppSync's {MAX_FIELDS}")


@dataclass
class _Node:
    """One filter object of the tree, with its and/or children and, once known, its groups."""

    filter: Any
    children: dict[str, list[_Node]] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)


def _levels_of(filter_: Any) -> list[list[_Node]]:
    """The filter objects level by level (level 0: the argument itself), as the JS walks them (it
    has no recursion): the same order of checks, so the same first refusal and message."""
    levels = [[_Node(filter_)]]
    for depth in range(1, MAX_NESTING + 2):  # the last pass only refuses
        below: list[_Node] = []
        for node in levels[-1]:
            if not isinstance(node.filter, Mapping):
                raise FilterError("a filter is an object of fields and and/or lists")
            for key in ("and", "or"):
                parts = node.filter.get(key)
                if parts is None:
                    continue
                if not isinstance(parts, list):
                    raise FilterError(f"'{key}' takes a list of filters")
                if depth > MAX_NESTING and parts:
                    raise FilterError(f"and/or nest deeper than {MAX_NESTING} levels")
                node.children[key] = [_Node(part) for part in parts]
                below.extend(node.children[key])
        levels.append(below)
    return levels


def _groups_of_node(node: _Node) -> list[Group]:
    """One filter object -> its alternatives, its and/or children's being known already."""
    groups: list[Group] = [[]]
    for key, value in node.filter.items():
        if value is None:
            continue
        alternatives: list[Group]
        if key == "and":
            alternatives = [[]]
            for child in node.children["and"]:
                alternatives = _product(alternatives, child.groups)
        elif key == "or":
            children = node.children["or"]
            # an empty or is no condition
            alternatives = [g for child in children for g in child.groups] if children else [[]]
        else:
            alternatives = [_conditions_of(key, value)]
        groups = _product(groups, alternatives)
    return groups


def filter_groups(filter_: Any) -> list[Group] | None:
    """AppSync's filter groups for a `filter` argument (each group a list of conditions
    `{"fieldName", "operator", "value"}`, as subscription_filter.js sets them); None when it lets
    every item through. Raises FilterError, with the JS's message, for what AppSync cannot hold."""
    if filter_ is None:
        return None
    groups = _all_groups(filter_)
    _check_fields(groups)
    if any(not group for group in groups):
        return None  # one alternative without conditions: every item matches
    return groups


def combined_groups(client_filter: Any, auth_filter: Any) -> list[Group] | None:
    """The groups of the client's `filter` AND-ed with the data Lambda's `authFilter` (an owner- or
    group-scoped subscriber's scope, in the same filter language), as subscription_filter.js sets
    them: each filter walked on its own (the client keeps its nesting), then every pair of
    alternatives, within AppSync's limits (FilterError past them: never widened). None when the
    combination lets every item through."""
    if client_filter is None and auth_filter is None:
        return None
    left = [[]] if client_filter is None else _all_groups(client_filter)
    right = [[]] if auth_filter is None else _all_groups(auth_filter)
    groups = _product(left, right)
    _check_fields(groups)
    if any(not group for group in groups):
        return None
    return groups


def _all_groups(filter_: Any) -> list[Group]:
    """A filter's alternatives (unchecked against the field limits)."""
    levels = _levels_of(filter_)
    for level in reversed(levels):  # deepest first: children's groups are known to parents
        for node in level:
            node.groups = _groups_of_node(node)
    return levels[0][0].groups


def check_filter(filter_: Any) -> None:
    """Raise FilterError for a filter the deployed API refuses (shape, operators, limits)."""
    filter_groups(filter_)


def groups_match(groups: list[Group] | None, item: Mapping[str, Any]) -> bool:
    """AppSync's reading of filter groups: some group whose every condition holds for `item`."""
    if groups is None:
        return True
    return any(all(_holds(condition, item) for condition in group) for group in groups)


def _holds(condition: Condition, item: Mapping[str, Any]) -> bool:
    name, operator = condition["fieldName"], condition["operator"]
    if item.get(name) is None:
        return operator in _ABSENT_MATCHES
    return _condition(operator, item[name], condition["value"])


def matches(filter_: Any, item: Mapping[str, Any]) -> bool:
    """Whether `item` (a mutation's result) passes `filter_` (accepted by `check_filter`)."""
    return groups_match(filter_groups(filter_), item)

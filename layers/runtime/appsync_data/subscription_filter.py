"""The `filter` argument of onCreateX/onUpdateX/onDeleteX: does a mutation's result match it?

Pure functions (no I/O), shared by the local real-time server and anything that needs the same
semantics. The operators are those of the SDL's `ModelSubscription*Input` types (eq, ne, le, lt,
ge, gt, contains, notContains, between, beginsWith, in, notIn) combined with `and` / `or` / `not`,
with the meaning AppSync's enhanced subscription filters give them:

- fields of one filter object are AND-ed, as are the operators of one field;
- a condition on a field the item does not have holds only for `ne`, `notContains` and `notIn`;
- `contains` / `notContains` test a substring of a string or an element of a list;
- `between: [low, high]` is inclusive; values of different types never compare (no match);
- a `null` operator value is no condition (the client sends what the user left unset).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from appsync_data.scalars import COMPARISON_OPERATORS

MAX_FILTER_DEPTH = 10  # nested and/or/not levels (AppSync: 5 levels of filter groups)
MAX_FILTER_CONDITIONS = 100  # leaf conditions in one filter


class FilterError(ValueError):
    """A filter this module cannot evaluate: refused at subscribe time, with this message."""


_COMPARISONS = COMPARISON_OPERATORS
_ABSENT_MATCHES = frozenset({"ne", "notContains", "notIn"})
OPERATORS = frozenset(
    {*_COMPARISONS, "contains", "notContains", "between", "beginsWith", "in", "notIn"}
)
GROUPS = frozenset({"and", "or", "not"})


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


def check_filter(filter_: Any, depth: int = 0, count: list[int] | None = None) -> None:
    """Raise FilterError for a filter that cannot be evaluated (shape, operators, size)."""
    counter = count if count is not None else [0]
    if depth > MAX_FILTER_DEPTH:
        raise FilterError(f"the filter nests deeper than {MAX_FILTER_DEPTH} levels")
    if not isinstance(filter_, Mapping):
        raise FilterError("a filter is an object of fields and and/or/not groups")
    for key, value in filter_.items():
        if value is None:
            continue
        if key in ("and", "or"):
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise FilterError(f"'{key}' takes a list of filters")
            for item in value:
                check_filter(item, depth + 1, counter)
        elif key == "not":
            check_filter(value, depth + 1, counter)
        else:
            if not isinstance(value, Mapping):
                raise FilterError(f"the condition on '{key}' must be an object of operators")
            for operator, operand in value.items():
                if operand is None:
                    continue
                if operator not in OPERATORS:
                    raise FilterError(f"unsupported filter operator {operator!r} on '{key}'")
                if operator == "between" and (
                    not isinstance(operand, Sequence) or len(operand) != 2
                ):
                    raise FilterError(f"'between' on '{key}' takes two values")
                if operator in ("in", "notIn") and not isinstance(operand, Sequence):
                    raise FilterError(f"'{operator}' on '{key}' takes a list")
                counter[0] += 1
                if counter[0] > MAX_FILTER_CONDITIONS:
                    raise FilterError(
                        f"the filter has more than {MAX_FILTER_CONDITIONS} conditions"
                    )


def matches(filter_: Mapping[str, Any] | None, item: Mapping[str, Any]) -> bool:
    """Whether `item` (a mutation's result) passes `filter_` (checked by `check_filter`)."""
    if not filter_:
        return True
    for key, value in filter_.items():
        if value is None:
            continue
        if key == "and":
            if not all(matches(f, item) for f in value):
                return False
        elif key == "or":
            if value and not any(matches(f, item) for f in value):
                return False
        elif key == "not":
            if matches(value, item):
                return False
        else:
            present = key in item and item[key] is not None
            for operator, operand in value.items():
                if operand is None:
                    continue
                if not present:
                    if operator not in _ABSENT_MATCHES:
                        return False
                    continue
                if not _condition(operator, item[key], operand):
                    return False
    return True

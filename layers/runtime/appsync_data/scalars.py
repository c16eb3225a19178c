"""The scalar types a model field may have, and the filter operators of each: one table.

Per GraphQL scalar: the Python check its values pass (defaults, inputs, filter values), the
DynamoDB attribute kind it is stored as, and the filter input family the SDL filters it with
(Amplify's DEFAULT_SCALARS), its `a.<name>()` builders and its Python type in generated stubs. Per
filter family: its operators and functions (Amplify's *_CONDITIONS). Adding a scalar is one row of
`SCALARS`: the builders, SDL, store, key checks and the local server's schema read the table (an
AppSync scalar with a format also gets its check in `local/scalars.py`, which a test demands).
Pure data; imports nothing of the package.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

# "JSON": the parsed value in DynamoDB's own type (M, L, N, S, BOOL, NULL), as Amplify stores it.
DynamoKind = Literal["S", "N", "BOOL", "JSON"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


@dataclass(frozen=True)
class Scalar:
    """What one GraphQL scalar is in Python, in DynamoDB, in the SDL's filter inputs and in `a`."""

    name: str
    check: Callable[[Any], bool]  # a valid value in Python (as AppSync passes it)
    dynamodb: DynamoKind  # the attribute type items store it as
    filter_family: str  # `Model{family}Input` filters it
    appsync: bool  # AppSync's own scalar (declared by the prelude), not a GraphQL built-in
    builders: tuple[str, ...]  # its `a.<name>()` builders: snake_case, then Amplify's camelCase
    python: str  # the Python type generated function stubs annotate it with

    @property
    def keyable(self) -> bool:
        """DynamoDB keys are strings (S) or numbers (N): booleans and JSON cannot be keys."""
        return self.dynamodb in ("S", "N")


SCALARS: dict[str, Scalar] = {
    s.name: s
    for s in (
        Scalar("String", _is_str, "S", "String", False, ("string",), "str"),
        Scalar("ID", _is_str, "S", "ID", False, ("id",), "str"),
        Scalar("Int", _is_int, "N", "Int", False, ("integer",), "int"),
        Scalar("Float", _is_number, "N", "Float", False, ("float",), "float"),
        Scalar("Boolean", _is_bool, "BOOL", "Boolean", False, ("boolean",), "bool"),
        Scalar("AWSDate", _is_str, "S", "String", True, ("date",), "str"),
        Scalar("AWSTime", _is_str, "S", "String", True, ("time",), "str"),
        Scalar("AWSDateTime", _is_str, "S", "String", True, ("datetime",), "str"),
        Scalar("AWSTimestamp", _is_int, "N", "Int", True, ("timestamp",), "int"),
        Scalar("AWSEmail", _is_str, "S", "String", True, ("email",), "str"),
        Scalar("AWSJSON", _is_json, "JSON", "String", True, ("json",), "Any"),
        Scalar("AWSURL", _is_str, "S", "String", True, ("url",), "str"),
        Scalar("AWSPhone", _is_str, "S", "String", True, ("phone",), "str"),
        Scalar("AWSIPAddress", _is_str, "S", "String", True, ("ip_address", "ipAddress"), "str"),
    )
}


def appsync_scalars() -> tuple[str, ...]:
    """The rows of `SCALARS` that AppSync itself declares (AWSDate...), in the table's order."""
    return tuple(name for name, s in SCALARS.items() if s.appsync)


def scalar_of_builder(builder: str) -> Scalar | None:
    """The scalar `a.<builder>()` declares, or None when no row names that builder."""
    return next((s for s in SCALARS.values() if builder in s.builders), None)


APPSYNC_SCALARS: tuple[str, ...] = appsync_scalars()

# --- filter operators ---------------------------------------------------------------------------

# What each comparison means, as Python's operator: applied to values (subscription filters) or to
# PynamoDB attribute paths (condition expressions), in the SDL's order.
COMPARISON_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "ne": operator.ne,
    "eq": operator.eq,
    "le": operator.le,
    "lt": operator.lt,
    "ge": operator.ge,
    "gt": operator.gt,
}
COMPARISONS = tuple(COMPARISON_OPERATORS)
_STRING_OPS = (*COMPARISONS, "contains", "notContains", "between", "beginsWith")
NUMBER_OPS = (*COMPARISONS, "between")
# Operators of each scalar filter input (Amplify's *_CONDITIONS), in the SDL's order.
FILTER_OPERATORS: dict[str, tuple[str, ...]] = {
    "String": _STRING_OPS,
    "Int": NUMBER_OPS,
    "Float": NUMBER_OPS,
    "Boolean": ("ne", "eq"),
    "ID": _STRING_OPS,
}
# Functions of each filter input, after its operators.
FILTER_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "String": ("attributeExists", "attributeType", "size"),
    "Int": ("attributeExists", "attributeType"),
    "Float": ("attributeExists", "attributeType"),
    "Boolean": ("attributeExists", "attributeType"),
    "ID": ("attributeExists", "attributeType", "size"),
}
# The GraphQL type of each function's argument.
FUNCTION_TYPES = {
    "attributeExists": "Boolean",
    "attributeType": "ModelAttributeTypes",
    "size": "ModelSizeInput",
}
# Operators taking a list of values; subscriptions add `in`/`notIn` to every family but Boolean.
LIST_OPERATORS = frozenset({"between", "in", "notIn"})
SUBSCRIPTION_ONLY_OPERATORS = ("in", "notIn")
# ModelAttributeTypes values -> DynamoDB type codes, in the SDL's order.
ATTRIBUTE_TYPES = {
    "binary": "B",
    "binarySet": "BS",
    "bool": "BOOL",
    "list": "L",
    "map": "M",
    "number": "N",
    "numberSet": "NS",
    "string": "S",
    "stringSet": "SS",
    "_null": "NULL",
}

# --- the AppSync prelude ------------------------------------------------------------------------

# AppSync's directives, by name: what a GraphQL library needs, with the scalars, to parse the SDL.
APPSYNC_DIRECTIVES: dict[str, str] = {
    "aws_iam": "directive @aws_iam on OBJECT | FIELD_DEFINITION",
    "aws_cognito_user_pools": (
        "directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION"
    ),
    "aws_oidc": "directive @aws_oidc on OBJECT | FIELD_DEFINITION",
    "aws_api_key": "directive @aws_api_key on OBJECT | FIELD_DEFINITION",
    "aws_lambda": "directive @aws_lambda on OBJECT | FIELD_DEFINITION",
    "aws_auth": "directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION",
    "aws_subscribe": "directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION",
}


def appsync_prelude(declared: frozenset[str] | set[str] = frozenset()) -> str:
    """AppSync's scalars and directives as SDL, leaving out the names `declared` already."""
    lines = [f"scalar {name}" for name in appsync_scalars() if name not in declared]
    lines += [text for name, text in APPSYNC_DIRECTIVES.items() if name not in declared]
    return "".join(line + "\n" for line in lines)


APPSYNC_PRELUDE = appsync_prelude()

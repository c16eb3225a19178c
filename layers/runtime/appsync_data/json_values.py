"""AWSJSON values <-> DynamoDB attribute values, as Amplify stores them.

Amplify's resolvers write an AWSJSON field with `util.dynamodb.toMapValues`: the parsed value in
DynamoDB's own types (object M, array L, number N, string S, boolean BOOL, null NULL), not JSON
text. `to_attribute_value` does the same and refuses what DynamoDB would refuse (nesting deeper
than 32 levels, numbers beyond 38 digits or 1E+126, an empty object key) with a clear
message; `from_attribute_value` reads any attribute value back as JSON, numbers as int when
whole, else float. `JSONAttribute` is the PynamoDB attribute of an AWSJSON field (or list of
AWSJSON): its values go to DynamoDB already in their attribute value form. Pure; no I/O.
"""

from __future__ import annotations

import decimal
import json
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import MAP

MAX_DEPTH = 32  # DynamoDB's limit of nested maps and lists in one attribute

# DynamoDB's numbers: 38 significant digits, magnitude 1E-130 to 9.99...E+125 (boto3's context).
_DYNAMODB_NUMBERS = decimal.Context(
    Emin=-128,
    Emax=126,
    prec=38,
    traps=[decimal.Clamped, decimal.Overflow, decimal.Inexact, decimal.Rounded, decimal.Underflow],
)


class JSONValueError(ValueError):
    """A JSON value DynamoDB cannot store; the message says why."""


class JSONAttribute(Attribute[Any]):
    """An AWSJSON field: any JSON value, each in DynamoDB's own type (the type varies by item)."""

    attr_type = MAP  # nominal: requests and conditions pass values as `to_attribute_value` made

    def get_value(self, value: dict[str, Any]) -> Any:
        return value  # the whole attribute value: its type says how to read it

    def deserialize(self, value: Any) -> Any:
        return from_attribute_value(value)


def to_attribute_value(value: Any, depth: int = 0) -> dict[str, Any]:
    """`value` (parsed JSON) as a DynamoDB attribute value, as `util.dynamodb.toDynamoDB`."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": _number_text(value)}
    if isinstance(value, str):
        return {"S": _text(value)}
    if depth >= MAX_DEPTH:
        raise JSONValueError(f"JSON nested more than {MAX_DEPTH} levels deep (DynamoDB's limit)")
    if isinstance(value, list):
        return {"L": [to_attribute_value(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"M": {_key(k): to_attribute_value(v, depth + 1) for k, v in value.items()}}
    raise JSONValueError(f"not a JSON value: {type(value).__name__}")


def from_attribute_value(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as JSON (sets as arrays, binary as its base64 text)."""
    [(kind, content)] = value.items()
    if kind == "M":
        return {k: from_attribute_value(v) for k, v in content.items()}
    if kind == "L":
        return [from_attribute_value(v) for v in content]
    if kind == "N":
        return _number(content)
    if kind == "NS":
        return [_number(n) for n in content]
    if kind == "NULL":
        return None
    return content  # S, BOOL, SS (a list of strings), B and BS (base64 text over the wire)


def parse_json_text(text: str) -> Any:
    """Strict JSON text -> value (no NaN or Infinity: DynamoDB cannot store them).

    Raises ValueError (JSONDecodeError) for text that is not JSON."""
    return json.loads(text, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    raise JSONValueError(f"{name} is not a JSON number")


def _text(text: str) -> str:
    """A string DynamoDB can store: UTF-8 text (JSON can carry a lone surrogate, UTF-8 cannot)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        raise JSONValueError("a string in it is not valid Unicode text") from None
    return text


def _key(key: Any) -> str:
    """An object key as a map attribute's name, which DynamoDB wants at least 1 character long."""
    if not isinstance(key, str) or not key:
        raise JSONValueError("an object key is empty (DynamoDB names need at least 1 character)")
    return _text(key)


def _number_text(number: int | float) -> str:
    if isinstance(number, float) and (number != number or number in (float("inf"), -float("inf"))):
        raise JSONValueError("NaN and Infinity are not JSON numbers")
    try:
        # repr: the shortest text that reads back as the same float.
        given = repr(number) if isinstance(number, float) else number
        exact = _DYNAMODB_NUMBERS.create_decimal(given)
    except decimal.DecimalException:
        raise JSONValueError(
            f"the number {number!r} is out of DynamoDB's range (38 significant digits, "
            "magnitude 1E-130 to 1E+126)"
        ) from None
    return str(exact)


def _number(text: str) -> int | float:
    """DynamoDB's number text as JSON: an int when it is whole, else the nearest float."""
    number = decimal.Decimal(text)
    if number == number.to_integral_value():
        return int(number)
    return float(number)

"""Amplify filter and condition inputs -> PynamoDB conditions.

`{"content": {"beginsWith": "a"}, "or": [...], "not": {...}}` becomes a PynamoDB `Condition`, which
PynamoDB renders with `#name` / `:value` placeholders: user input never reaches the expression text.
Every operator of the reference SDL is supported: ne eq le lt ge gt contains notContains between
beginsWith attributeExists attributeType size (itself with ne eq le lt ge gt between), and/or/not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.operand import Path

from appsync_data.errors import InvalidArguments
from appsync_data.json_values import parse_json_text, to_attribute_value
from appsync_data.scalars import ATTRIBUTE_TYPES, COMPARISON_OPERATORS, NUMBER_OPS, SCALARS
from appsync_data.schema import Field

MAX_DEPTH = 16  # and/or/not nesting; deeper inputs are refused rather than recursed into
MAX_OPERATORS = 300  # DynamoDB's limit of operators in one expression; more is refused up front

# A PynamoDB path compared with a value is that comparison's Condition.
_COMPARISONS = COMPARISON_OPERATORS
_SIZE_OPERATORS = frozenset(NUMBER_OPS)  # ModelSizeInput's operators


class FieldPaths:
    """What conditions need to know of a model: its fields and their PynamoDB attributes."""

    def __init__(
        self,
        model_name: str,
        fields: Mapping[str, Field],
        attributes: Mapping[str, Attribute[Any]],
        enums: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.model_name = model_name
        self.fields = fields
        self.attributes = attributes
        self.enums = enums


def build_condition(
    spec: Any, paths: FieldPaths, *, argument: str, allowed_fields: frozenset[str] | None = None
) -> Condition | None:
    """The PynamoDB condition for a filter/condition input, or None when it constrains nothing."""
    if spec is None:
        return None
    if _operator_count(spec) > MAX_OPERATORS:
        raise InvalidArguments(
            f"{argument}: more than {MAX_OPERATORS} operators (DynamoDB's limit for one expression)"
        )
    return _group(spec, paths, argument, allowed_fields, depth=0)


def _operator_count(spec: Any) -> int:
    """Field operators in a filter, counted without recursion (the input may be nested deep)."""
    count, pending = 0, [spec]
    while pending and count <= MAX_OPERATORS:
        node = pending.pop()
        if not isinstance(node, Mapping):
            continue
        for key, value in node.items():
            if key in ("and", "or") and isinstance(value, list):
                pending.extend(value)
            elif key == "not":
                pending.append(value)
            elif isinstance(value, Mapping):
                count += len(value)
    return count


def _group(
    spec: Any, paths: FieldPaths, where: str, allowed: frozenset[str] | None, depth: int
) -> Condition | None:
    if depth > MAX_DEPTH:
        raise InvalidArguments(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if not isinstance(spec, Mapping):
        raise InvalidArguments(f"{where}: expected an object, got {_kind(spec)}")
    parts: list[Condition] = []
    for key, value in spec.items():
        here = f"{where}.{key}"
        if value is None:
            continue  # GraphQL null: the same as leaving the key out
        if key in ("and", "or"):
            if not isinstance(value, list):
                raise InvalidArguments(f"{here}: expected a list, got {_kind(value)}")
            members = [
                _group(v, paths, f"{here}[{i}]", allowed, depth + 1) for i, v in enumerate(value)
            ]
            present = [m for m in members if m is not None]
            if present:
                parts.append(_combine(present, "and" if key == "and" else "or"))
        elif key == "not":
            inner = _group(value, paths, here, allowed, depth + 1)
            if inner is not None:
                parts.append(~inner)
        else:
            parts.extend(_field_conditions(key, value, paths, here, allowed))
    return _combine(parts, "and") if parts else None


def _combine(conditions: list[Condition], how: str) -> Condition:
    # Pair neighbours level by level: the tree is log2(n) deep, where a chain would be n deep and
    # overflow the recursion of PynamoDB's serializer on a long `or` list.
    level = list(conditions)
    while len(level) > 1:
        paired = [
            (level[i] & level[i + 1]) if how == "and" else (level[i] | level[i + 1])
            for i in range(0, len(level) - 1, 2)
        ]
        level = paired + level[len(paired) * 2 :]
    return level[0]


def _field_conditions(
    name: str, ops: Any, paths: FieldPaths, where: str, allowed: frozenset[str] | None
) -> list[Condition]:
    field = paths.fields.get(name)
    if field is None or (allowed is not None and name not in allowed):
        raise InvalidArguments(f"{where}: {paths.model_name} has no field {name!r} to filter on")
    if not isinstance(ops, Mapping):
        raise InvalidArguments(f"{where}: expected an object of operators, got {_kind(ops)}")
    attribute = paths.attributes[name]
    conditions: list[Condition] = []
    for op, value in ops.items():
        here = f"{where}.{op}"
        if value is None:
            continue
        if op in _COMPARISONS:
            conditions.append(_comparison(op, attribute, field, value, paths, here))
        elif op in ("contains", "notContains"):
            element = _element_or_substring(field, value, paths, here)
            contains = attribute.contains(element)
            conditions.append(contains if op == "contains" else ~contains)
        elif op == "beginsWith":
            # On a list field too (the SDL allows it): DynamoDB finds no list beginning with a
            # string, so it matches nothing there, as with Amplify.
            if not isinstance(value, str) or not _is_string_like(field):
                raise InvalidArguments(f"{here}: beginsWith takes a string on a string field")
            conditions.append(attribute.startswith(_text_value(field, value)))
        elif op == "between":
            low, high = _pair(value, here)
            low, high = (
                _ordered_value(field, low, paths, here),
                _ordered_value(field, high, paths, here),
            )
            conditions.append(_same_type_only(field, attribute, low, attribute.between(low, high)))
        elif op == "attributeExists":
            if not isinstance(value, bool):
                raise InvalidArguments(f"{here}: expected true or false")
            conditions.append(attribute.exists() if value else attribute.does_not_exist())
        elif op == "attributeType":
            if not isinstance(value, str) or value not in ATTRIBUTE_TYPES:
                raise InvalidArguments(
                    f"{here}: expected one of {', '.join(ATTRIBUTE_TYPES)}, got {value!r}"
                )
            conditions.append(Path(attribute).is_type(ATTRIBUTE_TYPES[value]))
        elif op == "size":
            conditions.extend(_size_conditions(attribute, value, here))
        else:
            raise InvalidArguments(f"{here}: unknown operator {op!r}")
    return conditions


def _size_conditions(attribute: Attribute[Any], ops: Any, where: str) -> list[Condition]:
    if not isinstance(ops, Mapping):
        raise InvalidArguments(f"{where}: expected an object of operators, got {_kind(ops)}")
    # size() of a missing attribute is false in DynamoDB; saying so explicitly also keeps moto
    # (which raises on it) in step with DynamoDB.
    conditions: list[Condition] = [attribute.exists()]
    for op, value in ops.items():
        here = f"{where}.{op}"
        if value is None:
            continue
        if op not in _SIZE_OPERATORS:
            raise InvalidArguments(f"{here}: unknown size operator {op!r}")
        measured = size(attribute)  # type: ignore[no-untyped-call]
        if op == "between":
            low, high = _pair(value, here)
            conditions.append(measured.between(_size(low, here), _size(high, here)))
        else:
            conditions.append(_COMPARISONS[op](measured, _size(value, here)))
    return conditions if len(conditions) > 1 else []


def _size(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArguments(f"{where}: expected an integer size, got {_kind(value)}")
    return value


def _pair(value: Any, where: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2 or None in value:
        raise InvalidArguments(f"{where}: between takes a list of exactly two values")
    return value[0], value[1]


def _is_string_like(field: Field) -> bool:
    return field.is_enum or field.accepts("")


def is_json_field(field: Field) -> bool:
    """Whether the field is AWSJSON (or a list of it), stored as its parsed value."""
    return not field.is_enum and SCALARS[field.type_name].dynamodb == "JSON"


def _comparison(
    op: str, attribute: Attribute[Any], field: Field, value: Any, paths: FieldPaths, where: str
) -> Condition:
    if is_json_field(field) and op in ("eq", "ne"):
        # The filter input takes JSON as text (String): it equals a stored value that is the
        # same JSON (Amplify's storage), or that is this text itself (what Amplify compares, and
        # how this API stored AWSJSON before it stored it as Amplify does).
        text = _json_filter_text(value, where)
        parsed = _json_value(text)
        candidates = [{"S": text}]
        if parsed is not None and parsed != candidates[0]:
            candidates.insert(0, parsed)
        if op == "eq":
            return _combine([attribute == c for c in candidates], "or")
        return _combine([attribute != c for c in candidates], "and")
    compared = _ordered_value(field, value, paths, where)
    condition = _COMPARISONS[op](attribute, compared)
    return (
        condition if op in ("eq", "ne") else _same_type_only(field, attribute, compared, condition)
    )


def _same_type_only(
    field: Field, attribute: Attribute[Any], compared: Any, condition: Condition
) -> Condition:
    """An ordered comparison on a list or AWSJSON field, first requiring the attribute to be of
    the compared value's type. DynamoDB finds values of different types unordered (false) either
    way; saying so keeps moto, which raises on them, in step (as for `size` below)."""
    if not (field.is_array or is_json_field(field)) or isinstance(compared, list):
        return condition
    if isinstance(compared, dict):  # an attribute value made for AWSJSON: its type is its key
        [kind] = compared
    else:
        kind = "N" if isinstance(compared, (int, float)) and not isinstance(compared, bool) else "S"
    return _combine([Path(attribute).is_type(kind), condition], "and")


def _ordered_value(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    """The value of an ordered comparison (or eq/ne off JSON fields) with the attribute.

    On a list field, a list compares with the whole list and an element with the list itself,
    which DynamoDB finds unequal (a string is never a list): it matches nothing, as Amplify's
    filter does. On AWSJSON, a JSON number or string compares as one, other text as a string.
    """
    if is_json_field(field):
        text = _json_filter_text(value, where)
        parsed = _json_value(text)
        return parsed if parsed is not None and ("N" in parsed or "S" in parsed) else {"S": text}
    if field.is_array and isinstance(value, list):
        return [_element(field, v, paths, where) for v in value]
    return _element(field, value, paths, where)


def _text_value(field: Field, value: str) -> Any:
    # Strings go to DynamoDB as strings, also for a JSON or list field (whose attribute would
    # encode them otherwise).
    return {"S": value} if is_json_field(field) or field.is_array else value


def _element_or_substring(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    """contains/notContains: on a list, membership of an element; on a string or AWSJSON, a
    substring (or, on a stored JSON array, membership of that string), as DynamoDB does."""
    if is_json_field(field):
        return {"S": _json_filter_text(value, where)}
    if field.is_array:
        return _element(field, value, paths, where)
    if not isinstance(value, str) or not _is_string_like(field):
        raise InvalidArguments(f"{where}: contains takes a string on a string field")
    return value


def _json_filter_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidArguments(f"{where}: {_kind(value)} is not a valid AWSJSON text")
    return value


def _json_value(text: str) -> dict[str, Any] | None:
    """JSON text as the attribute value Amplify would store; None when it is not storable JSON
    (it can then only equal a string)."""
    try:
        return to_attribute_value(parse_json_text(text))
    except (ValueError, RecursionError):
        return None


def _element(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    if not field.accepts(value, paths.enums.get(field.type_name, ())):
        raise InvalidArguments(f"{where}: {_kind(value)} is not a valid {field.type_name}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"

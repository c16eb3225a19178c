"""Amplify filter and condition inputs -> PynamoDB conditions.

`{"content": {"beginsWith": "a"}, "or": [...], "not": {...}}` becomes a PynamoDB `Condition`, which
PynamoDB renders with `#name` / `:value` placeholders: user input never reaches the expression text.
Every operator of the reference SDL is supported: ne eq le lt ge gt contains notContains between
beginsWith attributeExists attributeType size (itself with ne eq le lt ge gt between), and/or/not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.operand import Path

from appsync_data.errors import InvalidArguments
from appsync_data.scalars import ATTRIBUTE_TYPES, COMPARISONS, NUMBER_OPS, SCALARS
from appsync_data.schema import Field

MAX_DEPTH = 16  # and/or/not nesting; deeper inputs are refused rather than recursed into
MAX_OPERATORS = 300  # DynamoDB's limit of operators in one expression; more is refused up front

# How each comparison of the filter inputs (appsync_data.scalars.COMPARISONS) is built.
_COMPARISON_BUILDERS: dict[str, Callable[[Any, Any], Condition]] = {
    "eq": lambda path, v: path == v,
    "ne": lambda path, v: path != v,
    "le": lambda path, v: path <= v,
    "lt": lambda path, v: path < v,
    "ge": lambda path, v: path >= v,
    "gt": lambda path, v: path > v,
}
_COMPARISONS = {op: _COMPARISON_BUILDERS[op] for op in COMPARISONS}
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
            conditions.append(_COMPARISONS[op](attribute, _whole_value(field, value, paths, here)))
        elif op in ("contains", "notContains"):
            element = _element_or_substring(field, value, paths, here)
            contains = attribute.contains(element)
            conditions.append(contains if op == "contains" else ~contains)
        elif op == "beginsWith":
            if field.is_array or not isinstance(value, str) or not _is_string_like(field):
                raise InvalidArguments(f"{here}: beginsWith takes a string on a string field")
            conditions.append(attribute.startswith(value))
        elif op == "between":
            low, high = _pair(value, here)
            conditions.append(
                attribute.between(
                    _whole_value(field, low, paths, here), _whole_value(field, high, paths, here)
                )
            )
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


def _whole_value(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    """A value compared with the whole attribute: a list for list fields, else one element."""
    if field.is_array:
        if not isinstance(value, list):
            raise InvalidArguments(f"{where}: {field.type_name} list field compares with a list")
        return [_element(field, v, paths, where) for v in value]
    return _element(field, value, paths, where)


def _element_or_substring(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    if field.is_array:
        return _element(field, value, paths, where)
    if not isinstance(value, str) or not _is_string_like(field):
        raise InvalidArguments(f"{where}: contains takes a string on a string field")
    return value


def stored_json(value: Any) -> str:
    """AWSJSON as the table keeps it: compact JSON text (AppSync passes text or parsed JSON).
    Raises ValueError (or RecursionError) for text that is not JSON."""
    parsed = json.loads(value) if isinstance(value, str) else value
    return json.dumps(parsed, separators=(",", ":"))


def _element(field: Field, value: Any, paths: FieldPaths, where: str) -> Any:
    scalar = None if field.is_enum else SCALARS[field.type_name]
    if scalar is not None and scalar.json_text:
        # Stored as compact JSON text: compare with the same text the write stored.
        if not isinstance(value, str):
            raise InvalidArguments(f"{where}: {_kind(value)} is not a valid AWSJSON text")
        try:
            return stored_json(value)
        except (ValueError, RecursionError):
            return value  # not JSON: it can match nothing stored, as the client asked
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

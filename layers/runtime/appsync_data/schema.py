"""The data-schema DSL: models, fields and authorization rules, as plain declarations.

The Python twin of Amplify Gen 2's `a.schema` builder::

    schema = a.schema({
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
    })

Everything here is pure and immutable once `a.schema(...)` returns; a wrong declaration raises
`SchemaError` at import time, naming the model and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from appsync_data.scalars import SCALARS

Provider = Literal["userPools", "identityPool", "oidc"]
Operation = Literal["create", "update", "delete", "get", "list", "listen", "sync", "search"]
RuleOperation = Literal[
    "create", "update", "delete", "read", "get", "list", "listen", "sync", "search"
]

PROVIDERS: tuple[str, ...] = get_args(Provider)
RULE_OPERATIONS: tuple[str, ...] = get_args(RuleOperation)
# Amplify expands "read" into every read-side operation.
READ_OPERATIONS: tuple[Operation, ...] = ("get", "list", "listen", "sync", "search")
DEFAULT_RULE_OPERATIONS: tuple[RuleOperation, ...] = ("create", "update", "delete", "read")
# The fields Amplify adds to every model.
IMPLICIT_FIELDS = ("id", "createdAt", "updatedAt")

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
_RESERVED_FIELD_NAMES = frozenset({"__typename", "and", "or", "not"})
_BUILT_IN_TYPES = frozenset({"Query", "Mutation", "Subscription", "ModelAttributeTypes"})


class SchemaError(ValueError):
    """A schema declaration that cannot work; raised when the schema is built."""


# --- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a model: a GraphQL scalar or an enum, optionally a list, required, defaulted."""

    type_name: str
    is_required: bool = False
    is_array: bool = False
    is_array_required: bool = False
    default_value: Any = None
    has_default: bool = False
    enum_values: tuple[str, ...] | None = None  # inline `a.enum([...])`

    @property
    def is_enum(self) -> bool:
        return self.enum_values is not None or self.type_name not in SCALARS

    def required(self) -> Field:
        # `.required()` before `.array()` marks the elements, after it the list itself (Amplify).
        if self.is_array:
            return replace(self, is_array_required=True)
        return replace(self, is_required=True)

    def array(self) -> Field:
        return replace(self, is_array=True)

    def default(self, value: Any = None) -> Field:
        return replace(self, default_value=value, has_default=True)

    def with_type_name(self, type_name: str) -> Field:
        return replace(self, type_name=type_name)

    def accepts(self, value: Any, enum_values: Sequence[str] = ()) -> bool:
        """Whether `value` is a valid value of this field's element type."""
        if self.is_enum:
            return isinstance(value, str) and value in (self.enum_values or enum_values)
        return SCALARS[self.type_name].check(value)


# --- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthRule:
    """`allow.authenticated(provider)` with the operations it grants (Amplify's `private` rule)."""

    provider: Provider = "userPools"
    operations: tuple[RuleOperation, ...] = DEFAULT_RULE_OPERATIONS
    strategy: Literal["private"] = "private"

    def to(self, operations: Iterable[str]) -> AuthRule:
        ops = tuple(operations)
        unknown = [op for op in ops if op not in RULE_OPERATIONS]
        if unknown or not ops:
            raise SchemaError(
                f"allow.authenticated(...).to({list(ops)!r}): unknown operation(s) {unknown!r}; "
                f"expected some of {list(RULE_OPERATIONS)}"
            )
        return replace(self, operations=ops)  # type: ignore[arg-type]

    def grants(self, operation: Operation) -> bool:
        return operation in self.expanded_operations

    @property
    def expanded_operations(self) -> frozenset[Operation]:
        expanded: set[Operation] = set()
        for op in self.operations:
            expanded.update(READ_OPERATIONS if op == "read" else (op,))  # type: ignore[arg-type]
        return frozenset(expanded)


class Allow:
    """The `allow` object handed to `.authorization(lambda allow: [...])`."""

    @staticmethod
    def authenticated(provider: str = "userPools") -> AuthRule:
        if provider not in PROVIDERS:
            raise SchemaError(
                f"allow.authenticated({provider!r}): unknown provider; expected one of "
                f"{list(PROVIDERS)}"
            )
        return AuthRule(provider=provider)  # type: ignore[arg-type]


RulesCallback = Callable[[Allow], Sequence[AuthRule]]


def _collect_rules(callback: RulesCallback, where: str) -> tuple[AuthRule, ...]:
    rules = callback(Allow())
    if isinstance(rules, AuthRule):
        rules = [rules]
    rules = tuple(rules)
    for rule in rules:
        if not isinstance(rule, AuthRule):
            raise SchemaError(f"{where}: authorization must return allow.* rules, got {rule!r}")
    return rules


# --- models and schema --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelBuilder:
    """`a.model({...})` before the schema gives it a name."""

    fields: Mapping[str, Field]
    rules: tuple[AuthRule, ...] = ()

    def authorization(self, callback: RulesCallback) -> ModelBuilder:
        return replace(self, rules=_collect_rules(callback, "model"))


@dataclass(frozen=True)
class Model:
    """A named model with its declared fields plus Amplify's implicit id/createdAt/updatedAt."""

    name: str
    fields: Mapping[str, Field]  # every field, implicit ones included, in SDL order
    rules: tuple[AuthRule, ...]

    @property
    def plural_name(self) -> str:
        return _plural(self.name)

    @property
    def user_fields(self) -> dict[str, Field]:
        """Declared fields other than the implicit ones (what create/update inputs carry)."""
        return {n: f for n, f in self.fields.items() if n not in IMPLICIT_FIELDS}

    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for rule in self.rules:
            seen.setdefault(rule.provider)
        return tuple(seen)


@dataclass(frozen=True)
class Schema:
    """The app schema: models and named enums, validated."""

    models: Mapping[str, Model]
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def authorization(self, callback: RulesCallback) -> Schema:
        """Schema-wide rules: added to every model's own rules as alternatives."""
        extra = _collect_rules(callback, "schema")
        models = {n: replace(m, rules=m.rules + extra) for n, m in self.models.items()}
        return replace(self, models=models)

    def model(self, name: str) -> Model:
        return self.models[name]

    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for model in self.models.values():
            for provider in model.providers():
                seen.setdefault(provider)
        return tuple(seen)


def _plural(name: str) -> str:
    # Amplify's pluralize for the common English endings.
    lower = name.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    if lower.endswith("y") and len(name) > 1 and lower[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


_IMPLICIT_TYPES = {"id": "ID", "createdAt": "AWSDateTime", "updatedAt": "AWSDateTime"}


def _build_model(
    name: str,
    builder: ModelBuilder,
    enums: dict[str, tuple[str, ...]],
    model_names: frozenset[str],
) -> Model:
    if not _NAME.match(name):
        raise SchemaError(f"model {name!r}: not a valid GraphQL type name")
    declared: dict[str, Field] = {}
    for field_name, spec in builder.fields.items():
        where = f"model {name!r}, field {field_name!r}"
        if not isinstance(field_name, str) or not _NAME.match(field_name):
            raise SchemaError(f"{where}: not a valid GraphQL field name")
        if field_name in _RESERVED_FIELD_NAMES or field_name.startswith("__"):
            raise SchemaError(f"{where}: the name is reserved")
        if not isinstance(spec, Field):
            raise SchemaError(f"{where}: expected a field builder such as a.string(), got {spec!r}")
        if field_name in _IMPLICIT_TYPES:
            expected = _IMPLICIT_TYPES[field_name]
            if spec.type_name != expected or spec.is_array or spec.is_enum:
                raise SchemaError(
                    f"{where}: Amplify adds {field_name} as {expected}; "
                    f"it cannot be redefined as {spec.type_name}"
                )
        if spec.enum_values is not None:
            enum_name = name + field_name[0].upper() + field_name[1:]
            if enum_name in enums and enums[enum_name] != spec.enum_values:
                raise SchemaError(f"{where}: enum {enum_name} is declared twice")
            if enum_name in model_names:
                raise SchemaError(
                    f"{where}: its enum type {enum_name} clashes with model {enum_name}"
                )
            enums[enum_name] = spec.enum_values
            spec = spec.with_type_name(enum_name)
        elif spec.type_name not in SCALARS and spec.type_name not in enums:
            raise SchemaError(f"{where}: unknown type {spec.type_name!r}")
        if spec.has_default:
            _check_default(where, spec, enums)
        declared[field_name] = spec

    # Amplify's order: declared fields, then the implicit ones it adds.
    fields: dict[str, Field] = {}
    fields.update({n: f for n, f in declared.items() if n not in _IMPLICIT_TYPES})
    fields["id"] = declared.get("id", Field("ID", is_required=True)).required()
    fields["createdAt"] = Field("AWSDateTime", is_required=True)
    fields["updatedAt"] = Field("AWSDateTime", is_required=True)
    return Model(name=name, fields=fields, rules=builder.rules)


def _check_default(where: str, spec: Field, enums: Mapping[str, tuple[str, ...]]) -> None:
    if spec.is_array:
        raise SchemaError(f"{where}: .default() is only supported on scalar fields, not arrays")
    value = spec.default_value
    if value is None:
        raise SchemaError(f"{where}: .default() needs a value")
    if not spec.accepts(value, enums.get(spec.type_name, ())):
        raise SchemaError(f"{where}: default {value!r} is not a valid {spec.type_name}")


def build_schema(types: Mapping[str, ModelBuilder | Field]) -> Schema:
    if not isinstance(types, Mapping) or not types:
        raise SchemaError("a.schema({...}) needs a mapping of type names to a.model()/a.enum()")
    enums: dict[str, tuple[str, ...]] = {}
    for type_name, value in types.items():
        if not isinstance(type_name, str) or not _NAME.match(type_name):
            raise SchemaError(f"type {type_name!r}: not a valid GraphQL type name")
        if type_name in SCALARS or type_name in _BUILT_IN_TYPES:
            raise SchemaError(f"type {type_name!r}: the name is a built-in GraphQL or AppSync type")
        if isinstance(value, Field) and value.enum_values is not None:
            enums[type_name] = value.enum_values
    models: dict[str, Model] = {}
    model_names = frozenset(n for n, v in types.items() if isinstance(v, ModelBuilder))
    for type_name, value in types.items():
        if isinstance(value, ModelBuilder):
            models[type_name] = _build_model(type_name, value, enums, model_names)
        elif not (isinstance(value, Field) and value.enum_values is not None):
            raise SchemaError(f"type {type_name!r}: expected a.model(...) or a.enum(...)")
    if not models:
        raise SchemaError("a.schema({...}) declares no model")
    return Schema(models=models, enums=enums)


# --- the `a` builder namespace ------------------------------------------------------------------


def _scalar(type_name: str) -> Callable[[], Field]:
    def build() -> Field:
        return Field(type_name)

    build.__name__ = type_name
    return build


class _Builders:
    """`a`: Amplify's builder names, in snake_case with the camelCase originals as aliases."""

    string = staticmethod(_scalar("String"))
    integer = staticmethod(_scalar("Int"))
    float = staticmethod(_scalar("Float"))
    boolean = staticmethod(_scalar("Boolean"))
    id = staticmethod(_scalar("ID"))
    date = staticmethod(_scalar("AWSDate"))
    time = staticmethod(_scalar("AWSTime"))
    datetime = staticmethod(_scalar("AWSDateTime"))
    timestamp = staticmethod(_scalar("AWSTimestamp"))
    email = staticmethod(_scalar("AWSEmail"))
    json = staticmethod(_scalar("AWSJSON"))
    phone = staticmethod(_scalar("AWSPhone"))
    url = staticmethod(_scalar("AWSURL"))
    ip_address = staticmethod(_scalar("AWSIPAddress"))
    ipAddress = ip_address  # noqa: N815 - Amplify's name

    @staticmethod
    def enum(values: Iterable[str]) -> Field:
        names = tuple(values)
        bad = [v for v in names if not isinstance(v, str) or not _NAME.match(v)]
        if not names or bad or len(set(names)) != len(names):
            raise SchemaError(
                f"a.enum({list(names)!r}): values must be distinct GraphQL names, bad: {bad!r}"
            )
        return Field("", enum_values=names)

    @staticmethod
    def ref(type_name: str) -> Field:
        """A field whose type is an enum declared at the top level of the schema."""
        return Field(type_name)

    @staticmethod
    def model(fields: Mapping[str, Field]) -> ModelBuilder:
        if not isinstance(fields, Mapping):
            raise SchemaError("a.model({...}) needs a mapping of field names to field builders")
        return ModelBuilder(fields=dict(fields))

    @staticmethod
    def schema(types: Mapping[str, ModelBuilder | Field]) -> Schema:
        return build_schema(types)


a = _Builders()

"""The data-schema DSL: models, fields and authorization rules, as plain declarations.

The Python twin of Amplify Gen 2's `a.schema` builder::

    schema = a.schema({
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
    })

Models may be related (`a.has_many` / `a.belongs_to` / `a.has_one`), keyed by a custom
`.identifier([...])` and queried through `.secondary_indexes(...)`, as in Amplify Gen 2. Custom
queries and mutations (`a.query()` / `a.mutation()`, handled by `a.handler.function(NAME)`) return
scalars, models or `a.custom_type({...})` objects under their own rules.

Everything here is pure and immutable once `a.schema(...)` returns; a wrong declaration raises
`SchemaError` at import time, naming the model and field (or the operation and argument).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar, get_args

from appsync_data.naming import Operation as Operation  # re-exported: the rules' vocabulary
from appsync_data.naming import (
    default_index_name,
    default_index_query_field,
    names_of,
    plural,
    upper_first,
)
from appsync_data.scalars import SCALARS, scalar_of_builder

# Amplify Gen 2's providers and strategies (data-schema's Authorization.ts).
Provider = Literal["userPools", "identityPool", "oidc", "apiKey", "function"]
Strategy = Literal["public", "private", "owner", "groups", "custom"]
RuleOperation = Literal[
    "create", "update", "delete", "read", "get", "list", "listen", "sync", "search", "custom"
]
CUSTOM_OPERATION: Operation = "custom"

PROVIDERS: tuple[str, ...] = get_args(Provider)
PRIVATE_PROVIDERS: tuple[Provider, ...] = ("userPools", "oidc", "identityPool")
# Owner and group rules read claims of a JWT: a user pool's or an OIDC issuer's.
TOKEN_PROVIDERS: tuple[Provider, ...] = ("userPools", "oidc")
DEFAULT_OWNER_FIELD = "owner"
# Amplify Gen 2's default identity claim: the value stored is `<sub>::<username>`.
DEFAULT_IDENTITY_CLAIM = "sub::username"
DEFAULT_GROUP_CLAIM = "cognito:groups"
# What `.to([...])` accepts on a model's rule.
RULE_OPERATIONS: tuple[str, ...] = tuple(
    op for op in get_args(RuleOperation) if op != CUSTOM_OPERATION
)
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
    rules: tuple[AuthRule, ...] = ()  # field-level rules; none: the model's rules apply

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

    def authorization(self, callback: RulesCallback) -> Field:
        """Field-level rules: who may read and write this field, instead of the model's rules."""
        return replace(self, rules=_collect_rules(callback, "field"))

    def accepts(self, value: Any, enum_values: Sequence[str] = ()) -> bool:
        """Whether `value` is a valid value of this field's element type."""
        if self.is_enum:
            return isinstance(value, str) and value in (self.enum_values or enum_values)
        return SCALARS[self.type_name].check(value)


# --- rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthRule:
    """One `allow.*` rule and the operations it grants.

    Static rules admit a caller to every item: `private` (`allow.authenticated`), `public`
    (`allow.guest` / `allow.public_api_key`), `groups` with fixed `groups`, `custom` (a Lambda
    authorizer). Dynamic rules admit a caller to the items whose `field_name` holds them: `owner`
    (their identity claim) and `groups` with a field (one of their groups); `is_list` when the
    field holds a list (`owners_defined_in`, `groups_defined_in`).
    """

    provider: Provider = "userPools"
    operations: tuple[RuleOperation, ...] = DEFAULT_RULE_OPERATIONS
    strategy: Strategy = "private"
    field_name: str | None = None
    is_list: bool = False
    groups: tuple[str, ...] = ()
    claim: str | None = None  # identityClaim (owner) or withClaimIn (groups); None: the default
    has_operations: bool = False  # `.to([...])` was called

    @property
    def is_dynamic(self) -> bool:
        """Whether the rule admits per item, by what the item's field holds."""
        return self.field_name is not None

    @property
    def owner_claim(self) -> str:
        return self.claim or DEFAULT_IDENTITY_CLAIM

    @property
    def group_claim(self) -> str:
        return self.claim or DEFAULT_GROUP_CLAIM

    def describe(self) -> str:
        """The rule as it was written, for error messages: `allow.owner_defined_in('author')`."""
        if self.strategy == "public":
            return "allow.guest()" if self.provider == "identityPool" else "allow.public_api_key()"
        return _RULE_NAMES[(self.strategy, self.is_dynamic, self.is_list)].format(
            field=self.field_name, groups=list(self.groups), provider=self.provider
        )

    def to(self, operations: Iterable[str]) -> AuthRule:
        ops = tuple(operations)
        unknown = [op for op in ops if op not in RULE_OPERATIONS]
        if unknown or not ops:
            raise SchemaError(
                f"{self.describe()}.to({list(ops)!r}): unknown operation(s) {unknown!r}; "
                f"expected some of {list(RULE_OPERATIONS)}"
            )
        return replace(self, operations=ops, has_operations=True)  # type: ignore[arg-type]

    def identity_claim(self, claim: str) -> AuthRule:
        """The token claim that names the owner, instead of Amplify's `sub::username`."""
        if self.strategy != "owner":
            raise SchemaError(f"{self.describe()}.identity_claim(...): only owner rules take one")
        return replace(self, claim=_claim(claim, f"{self.describe()}.identity_claim"))

    def with_claim_in(self, claim: str) -> AuthRule:
        """The token claim that lists the caller's groups, instead of `cognito:groups`."""
        if self.strategy != "groups":
            raise SchemaError(f"{self.describe()}.with_claim_in(...): only group rules take one")
        return replace(self, claim=_claim(claim, f"{self.describe()}.with_claim_in"))

    identityClaim = identity_claim  # noqa: N815 - Amplify's name
    withClaimIn = with_claim_in  # noqa: N815 - Amplify's name

    def grants(self, operation: Operation) -> bool:
        return operation in self.expanded_operations

    @property
    def expanded_operations(self) -> frozenset[Operation]:
        expanded: set[Operation] = set()
        for op in self.operations:
            expanded.update(READ_OPERATIONS if op == "read" else (op,))  # type: ignore[arg-type]
        return frozenset(expanded)


# (strategy, dynamic, list field) -> how the rule is written.
_RULE_NAMES = {
    ("private", False, False): "allow.authenticated({provider!r})",
    ("custom", False, False): "allow.custom()",
    ("owner", True, False): "allow.owner_defined_in({field!r})",
    ("owner", True, True): "allow.owners_defined_in({field!r})",
    ("groups", False, False): "allow.groups({groups!r})",
    ("groups", True, False): "allow.group_defined_in({field!r})",
    ("groups", True, True): "allow.groups_defined_in({field!r})",
}


def _claim(claim: Any, where: str) -> str:
    if not isinstance(claim, str) or not claim.strip():
        raise SchemaError(f"{where}({claim!r}): expected the name of a token claim")
    return claim


def _provider(provider: Any, allowed: tuple[Provider, ...], where: str) -> Provider:
    if provider not in allowed:
        raise SchemaError(
            f"{where}({provider!r}): unknown provider; expected one of {list(allowed)}"
        )
    return provider  # type: ignore[no-any-return]


def _rule_field(field_name: Any, where: str) -> str:
    if not isinstance(field_name, str) or not _NAME.match(field_name):
        raise SchemaError(f"{where}({field_name!r}): expected a field name")
    return field_name


class Allow:
    """The `allow` object handed to `.authorization(lambda allow: [...])`: Amplify Gen 2's rules,
    in snake_case with the camelCase originals as aliases."""

    @staticmethod
    def authenticated(provider: str = "userPools") -> AuthRule:
        """Any signed-in user of the provider (Amplify's `private` strategy)."""
        return AuthRule(provider=_provider(provider, PRIVATE_PROVIDERS, "allow.authenticated"))

    @staticmethod
    def guest() -> AuthRule:
        """Unauthenticated callers with the identity pool's guest role."""
        return AuthRule(provider="identityPool", strategy="public")

    @staticmethod
    def public_api_key() -> AuthRule:
        """Anyone with the API's key."""
        return AuthRule(provider="apiKey", strategy="public")

    @staticmethod
    def owner(provider: str = "userPools") -> AuthRule:
        """The user named in the item's implicit `owner` field."""
        return Allow.owner_defined_in(DEFAULT_OWNER_FIELD, provider)

    @staticmethod
    def owner_defined_in(field_name: str, provider: str = "userPools") -> AuthRule:
        """The user named in the item's `field_name` (a string field)."""
        where = "allow.owner_defined_in"
        return AuthRule(
            provider=_provider(provider, TOKEN_PROVIDERS, where),
            strategy="owner",
            field_name=_rule_field(field_name, where),
        )

    @staticmethod
    def owners_defined_in(field_name: str, provider: str = "userPools") -> AuthRule:
        """Each user listed in the item's `field_name` (a list of strings)."""
        where = "allow.owners_defined_in"
        return AuthRule(
            provider=_provider(provider, TOKEN_PROVIDERS, where),
            strategy="owner",
            field_name=_rule_field(field_name, where),
            is_list=True,
        )

    @staticmethod
    def group(group: str, provider: str = "userPools") -> AuthRule:
        """Members of one user group."""
        return Allow.groups([group], provider)

    @staticmethod
    def groups(groups: Sequence[str], provider: str = "userPools") -> AuthRule:
        """Members of any of these user groups (`cognito:groups`, or `.with_claim_in(claim)`)."""
        names = (groups,) if isinstance(groups, str) else tuple(groups)
        if not names or any(not isinstance(g, str) or not g for g in names):
            raise SchemaError(f"allow.groups({list(names)!r}): expected one or more group names")
        return AuthRule(
            provider=_provider(provider, TOKEN_PROVIDERS, "allow.groups"),
            strategy="groups",
            groups=names,
        )

    @staticmethod
    def group_defined_in(field_name: str, provider: str = "userPools") -> AuthRule:
        """Members of the group named in the item's `field_name`."""
        where = "allow.group_defined_in"
        return AuthRule(
            provider=_provider(provider, TOKEN_PROVIDERS, where),
            strategy="groups",
            field_name=_rule_field(field_name, where),
        )

    @staticmethod
    def groups_defined_in(field_name: str, provider: str = "userPools") -> AuthRule:
        """Members of any group listed in the item's `field_name`."""
        where = "allow.groups_defined_in"
        return AuthRule(
            provider=_provider(provider, TOKEN_PROVIDERS, where),
            strategy="groups",
            field_name=_rule_field(field_name, where),
            is_list=True,
        )

    @staticmethod
    def custom(provider: str = "function") -> AuthRule:
        """Callers the API's Lambda authorizer admitted."""
        return AuthRule(
            provider=_provider(provider, ("function",), "allow.custom"), strategy="custom"
        )

    publicApiKey = public_api_key  # noqa: N815 - Amplify's name
    ownerDefinedIn = owner_defined_in  # noqa: N815 - Amplify's name
    ownersDefinedIn = owners_defined_in  # noqa: N815 - Amplify's name
    groupDefinedIn = group_defined_in  # noqa: N815 - Amplify's name
    groupsDefinedIn = groups_defined_in  # noqa: N815 - Amplify's name


RulesCallback = Callable[[Allow], Sequence[AuthRule]]
_T = TypeVar("_T")


def _returned(answer: Any, kind: type[_T], refusal: str) -> tuple[_T, ...]:
    """A callback's answer (one `kind`, or a sequence of them, as Amplify allows) as a tuple;
    SchemaError `refusal, got X` for anything else in it."""
    values = (answer,) if isinstance(answer, kind) else tuple(answer)
    for value in values:
        if not isinstance(value, kind):
            raise SchemaError(f"{refusal}, got {value!r}")
    return values


def _collect_rules(callback: RulesCallback, where: str) -> tuple[AuthRule, ...]:
    refusal = f"{where}: authorization must return allow.* rules"
    return _returned(callback(Allow()), AuthRule, refusal)


# --- relationships and secondary indexes -------------------------------------------------------

RelationshipKind = Literal["hasMany", "belongsTo", "hasOne"]


@dataclass(frozen=True)
class Relationship:
    """A relationship field: `a.has_many`, `a.belongs_to` or `a.has_one` (Gen 2 `references`).

    `references` are fields of the child model (the one with the belongsTo) that hold the
    parent's identifier: on hasMany/hasOne they name the related model's fields, on belongsTo
    this model's own.
    """

    kind: RelationshipKind
    related_model: str
    references: tuple[str, ...]

    @property
    def is_array(self) -> bool:
        return self.kind == "hasMany"


def _references(kind: str, related_model: str, references: str | Sequence[str]) -> Relationship:
    refs = (references,) if isinstance(references, str) else tuple(references)
    where = f"a.{kind}({related_model!r}, {list(refs)!r})"
    if not isinstance(related_model, str) or not _NAME.match(related_model):
        raise SchemaError(f"{where}: the related model must be a model name")
    if not refs or any(not isinstance(r, str) or not _NAME.match(r) for r in refs):
        raise SchemaError(f"{where}: references must be one or more field names")
    if len(set(refs)) != len(refs):
        raise SchemaError(f"{where}: a reference field is named twice")
    return Relationship(kind=kind, related_model=related_model, references=refs)  # type: ignore[arg-type]


def _field_names(value: str | Sequence[str], where: str) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else tuple(value)
    if any(not isinstance(n, str) or not _NAME.match(n) for n in names):
        raise SchemaError(f"{where}: expected field names, got {list(names)!r}")
    if len(set(names)) != len(names):
        raise SchemaError(f"{where}: a field is named twice in {list(names)!r}")
    return names


@dataclass(frozen=True)
class SecondaryIndex:
    """`index("category").sort_keys(["rating"]).query_field("listPostsByCategory")`.

    `index_name` and `query_field_name` are None until the schema fills in Amplify's defaults
    (`postsByCategoryAndRating`, `listPostByCategoryAndRating`).
    """

    partition_key: str
    sort_key_fields: tuple[str, ...] = ()
    index_name: str | None = None
    query_field_name: str | None = None

    def sort_keys(self, fields: Sequence[str]) -> SecondaryIndex:
        where = f"index({self.partition_key!r}).sort_keys(...)"
        return replace(self, sort_key_fields=_field_names(fields, where))

    def name(self, index_name: str) -> SecondaryIndex:
        if not isinstance(index_name, str) or not re.match(r"^[A-Za-z0-9_.-]{3,255}$", index_name):
            raise SchemaError(
                f"index({self.partition_key!r}).name({index_name!r}): not a DynamoDB index name"
            )
        return replace(self, index_name=index_name)

    def query_field(self, field_name: str) -> SecondaryIndex:
        if not isinstance(field_name, str) or not _NAME.match(field_name):
            raise SchemaError(
                f"index({self.partition_key!r}).query_field({field_name!r}): "
                "not a valid GraphQL field name"
            )
        return replace(self, query_field_name=field_name)

    sortKeys = sort_keys  # noqa: N815 - Amplify's name
    queryField = query_field  # noqa: N815 - Amplify's name

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The partition key, then the sort key fields."""
        return (self.partition_key, *self.sort_key_fields)


def index(partition_key: str) -> SecondaryIndex:
    """The `index` function handed to `.secondary_indexes(lambda index: [...])`."""
    return SecondaryIndex(partition_key=_field_names(partition_key, "index(...)")[0])


IndexesCallback = Callable[[Callable[[str], SecondaryIndex]], Sequence[SecondaryIndex]]


# --- custom types and custom operations ---------------------------------------------------------

OperationType = Literal["Query", "Mutation"]
# What a custom operation's return type names: a GraphQL scalar, a model, a custom type, an enum.
ReturnKind = Literal["scalar", "model", "customType", "enum"]

# A function's folder under functions/: lower case so it is the same folder on every file system,
# and usable as a Lambda function name part. `data` is the models' own Lambda.
_FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_RESERVED_FUNCTION_NAMES = frozenset({"data", "resolvers"})
# functions/ is first on the Lambda's sys.path (/var/task): a function's package named like one of
# these modules would shadow it for every import, the runtime's own included.
SHADOWED_MODULE_NAMES = frozenset(
    {
        *sys.stdlib_module_names,
        "appsync_data",
        "aws_lambda_powertools",
        "aws_xray_sdk",
        "awslambdaric",
        "boto3",
        "botocore",
        "bootstrap",
        "dateutil",
        "jmespath",
        "pynamodb",
        "s3transfer",
        "six",
        "snapshot_restore_py",
        "typing_extensions",
        "urllib3",
        "wrapt",
    }
)


@dataclass(frozen=True)
class FunctionHandler:
    """`a.handler.function("stats")`: the function in `functions/stats/` runs the operation."""

    function_name: str


class _Handlers:
    """`a.handler`: how a custom operation is handled."""

    @staticmethod
    def function(function_name: str) -> FunctionHandler:
        if not isinstance(function_name, str) or not _FUNCTION_NAME.match(function_name):
            raise SchemaError(
                f"a.handler.function({function_name!r}): a function name is its folder under "
                "functions/: lower-case letters, digits, '-' or '_', starting with a letter, "
                "at most 63 characters"
            )
        if function_name in _RESERVED_FUNCTION_NAMES:
            raise SchemaError(
                f"a.handler.function({function_name!r}): functions/{function_name}/ is the "
                "project's own; choose another name"
            )
        if function_name in SHADOWED_MODULE_NAMES:
            raise SchemaError(
                f"a.handler.function({function_name!r}): functions/{function_name}/ would shadow "
                f"the Python module {function_name!r} on Lambda; choose another name"
            )
        return FunctionHandler(function_name)


@dataclass(frozen=True)
class CustomTypeBuilder:
    """`a.custom_type({...})` before the schema gives it a name."""

    fields: Mapping[str, Any]


@dataclass(frozen=True)
class CustomType:
    """A named non-model object type (Amplify's `a.customType`): returned by custom operations,
    never stored. Fields are scalars, enums or other custom types (by `a.ref`)."""

    name: str
    fields: Mapping[str, Field]


@dataclass(frozen=True)
class CustomOperationBuilder:
    """`a.query()` / `a.mutation()` before the schema gives it a name."""

    operation_type: OperationType
    argument_specs: Mapping[str, Any] = field(default_factory=dict)
    return_spec: Any = None
    rule_values: tuple[Any, ...] | None = None  # None: `.authorization(...)` not called
    handler_spec: Any = None

    def arguments(self, arguments: Mapping[str, Field]) -> CustomOperationBuilder:
        return replace(self, argument_specs=arguments)

    def returns(self, return_type: Field) -> CustomOperationBuilder:
        return replace(self, return_spec=return_type)

    def authorization(self, callback: RulesCallback) -> CustomOperationBuilder:
        rules = callback(Allow())
        values = (rules,) if isinstance(rules, AuthRule) else tuple(rules)
        return replace(self, rule_values=values)

    def handler(self, handler: FunctionHandler) -> CustomOperationBuilder:
        return replace(self, handler_spec=handler)


@dataclass(frozen=True)
class CustomOperation:
    """A custom query or mutation: its arguments and return type, who may run it (rules that
    grant `CUSTOM_OPERATION`), and the function under functions/ that runs it."""

    name: str
    operation_type: OperationType
    arguments: Mapping[str, Field]
    returns: Field
    return_kind: ReturnKind
    rules: tuple[AuthRule, ...]
    function_name: str

    @property
    def is_query(self) -> bool:
        return self.operation_type == "Query"

    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for rule in self.rules:
            seen.setdefault(rule.provider)
        return tuple(seen)


def _as_custom_rule(rule: AuthRule) -> AuthRule:
    return replace(rule, operations=(CUSTOM_OPERATION,))


# --- models and schema --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelBuilder:
    """`a.model({...})` before the schema gives it a name."""

    fields: Mapping[str, Field | Relationship]
    rules: tuple[AuthRule, ...] = ()
    identifier_fields: tuple[str, ...] = ("id",)
    index_specs: tuple[SecondaryIndex, ...] = ()

    def authorization(self, callback: RulesCallback) -> ModelBuilder:
        return replace(self, rules=_collect_rules(callback, "model"))

    def identifier(self, fields: Sequence[str]) -> ModelBuilder:
        """The primary key: a partition key field, then optional sort key fields."""
        names = _field_names(fields, f"model.identifier({fields!r})")
        if not names:
            raise SchemaError("model.identifier([]): name at least one field")
        return replace(self, identifier_fields=names)

    def secondary_indexes(self, callback: IndexesCallback) -> ModelBuilder:
        refusal = "secondary_indexes must return index(...) entries"
        indexes = _returned(callback(index), SecondaryIndex, refusal)
        return replace(self, index_specs=indexes)

    secondaryIndexes = secondary_indexes  # noqa: N815 - Amplify's name


@dataclass(frozen=True)
class Model:
    """A named model with its declared fields plus Amplify's implicit id/createdAt/updatedAt."""

    name: str
    fields: Mapping[str, Field]  # every stored field, implicit ones included, in SDL order
    rules: tuple[AuthRule, ...]
    identifier: tuple[str, ...] = ("id",)  # partition key field, then sort key fields
    secondary_indexes: tuple[SecondaryIndex, ...] = ()  # names and query fields filled in
    relationships: Mapping[str, Relationship] = field(default_factory=dict)
    # Every field name, relationship fields included, in SDL order (empty: `fields`' order).
    field_order: tuple[str, ...] = ()

    @property
    def plural_name(self) -> str:
        return plural(self.name)

    @property
    def all_field_names(self) -> tuple[str, ...]:
        return self.field_order or tuple(self.fields)

    @property
    def has_custom_identifier(self) -> bool:
        return self.identifier != ("id",)

    @property
    def sort_key_fields(self) -> tuple[str, ...]:
        """The identifier's sort key fields (none for a partition key alone)."""
        return self.identifier[1:]

    @property
    def user_fields(self) -> dict[str, Field]:
        """Declared fields other than the implicit ones (what create/update inputs carry)."""
        return {n: f for n, f in self.fields.items() if n not in IMPLICIT_FIELDS}

    @property
    def field_rules(self) -> dict[str, tuple[AuthRule, ...]]:
        """Field name -> its field-level rules, for the fields that have them."""
        return {n: f.rules for n, f in self.fields.items() if f.rules}

    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for rule in (*self.rules, *(r for rules in self.field_rules.values() for r in rules)):
            seen.setdefault(rule.provider)
        return tuple(seen)


DefaultMode = Literal["userPool", "identityPool", "iam", "oidc", "apiKey", "lambda"]
DEFAULT_MODES: tuple[str, ...] = get_args(DefaultMode)


@dataclass(frozen=True)
class AuthorizationModes:
    """`schema.authorization_modes(...)`: Amplify's `defineData({authorizationModes})`."""

    default: str | None = None  # None: userPool, or oidc when OIDC is the schema's only JWT
    api_key_expires_in_days: int = 7
    lambda_authorizer: str | None = None  # the function under functions/
    lambda_ttl_seconds: int = 300

    def check(self) -> None:
        where = "schema.authorization_modes"
        if self.default is not None and self.default not in DEFAULT_MODES:
            raise SchemaError(
                f"{where}(default_authorization_mode={self.default!r}): expected one of "
                f"{list(DEFAULT_MODES)}"
            )
        days = self.api_key_expires_in_days
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
            raise SchemaError(
                f"{where}(api_key_expires_in_days={days!r}): AppSync keys last 1 to 365 days"
            )
        ttl = self.lambda_ttl_seconds
        if not isinstance(ttl, int) or isinstance(ttl, bool) or not 0 <= ttl <= 3600:
            raise SchemaError(
                f"{where}(lambda_ttl_seconds={ttl!r}): AppSync caches 0 to 3600 seconds"
            )


@dataclass(frozen=True)
class Schema:
    """The app schema: models, named enums, custom types and custom operations, validated."""

    models: Mapping[str, Model]
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom_types: Mapping[str, CustomType] = field(default_factory=dict)
    operations: Mapping[str, CustomOperation] = field(default_factory=dict)
    modes: AuthorizationModes = AuthorizationModes()

    def authorization(self, callback: RulesCallback) -> Schema:
        """Schema-wide rules: added to every model's own rules as alternatives; the rules of a
        custom operation that declares none (as Amplify does). A rule narrowed with `.to(...)`
        names model operations, so it admits no one to a custom operation."""
        extra = _collect_rules(callback, "schema")
        for rule in extra:
            if rule.is_dynamic:
                raise SchemaError(
                    f"schema: {rule.describe()} names a field of an item; declare it on the "
                    "models whose items hold it"
                )
        models = {n: replace(m, rules=m.rules + extra) for n, m in self.models.items()}
        operation_rules = tuple(
            _as_custom_rule(r) for r in extra if not r.has_operations and not r.is_dynamic
        )
        operations = {
            n: op if op.rules else replace(op, rules=operation_rules)
            for n, op in self.operations.items()
        }
        return replace(self, models=models, operations=operations)

    def authorization_modes(
        self,
        *,
        default_authorization_mode: str | None = None,
        api_key_expires_in_days: int = 7,
        lambda_authorizer: FunctionHandler | None = None,
        lambda_ttl_seconds: int = 300,
    ) -> Schema:
        """The API's auth modes, as Amplify's `defineData({authorizationModes})`: the default
        mode, the API key's lifetime, and the function under functions/ that authorizes
        `allow.custom()` callers (the Lambda authorizer) with how long AppSync caches its answer."""
        modes = AuthorizationModes(
            default=default_authorization_mode,
            api_key_expires_in_days=api_key_expires_in_days,
            lambda_authorizer=lambda_authorizer.function_name if lambda_authorizer else None,
            lambda_ttl_seconds=lambda_ttl_seconds,
        )
        modes.check()
        return replace(self, modes=modes)

    authorizationModes = authorization_modes  # noqa: N815 - Amplify's name

    def model(self, name: str) -> Model:
        return self.models[name]

    def operation(self, name: str) -> CustomOperation:
        return self.operations[name]

    @property
    def queries(self) -> dict[str, CustomOperation]:
        """The custom queries, in declaration order."""
        return {n: op for n, op in self.operations.items() if op.operation_type == "Query"}

    @property
    def mutations(self) -> dict[str, CustomOperation]:
        """The custom mutations, in declaration order."""
        return {n: op for n, op in self.operations.items() if op.operation_type == "Mutation"}

    def function_names(self) -> tuple[str, ...]:
        """Each function under functions/ that handles a custom operation, once, in order."""
        return tuple(dict.fromkeys(op.function_name for op in self.operations.values()))

    def require_authorized_operations(self) -> None:
        """Every custom operation needs a rule (its own or the schema's), as Amplify requires,
        and a `allow.custom()` rule needs a Lambda authorizer; checked when the schema is used,
        since schema-wide rules and modes come after `a.schema(...)`."""
        if "function" in self.providers() and self.modes.lambda_authorizer is None:
            raise SchemaError(
                "allow.custom() needs a Lambda authorizer: add .authorization_modes("
                'lambda_authorizer=a.handler.function("NAME")) to the schema'
            )
        for op in self.operations.values():
            if not op.rules:
                raise SchemaError(
                    f"custom {op.operation_type.lower()} {op.name!r}: add .authorization(lambda "
                    "allow: [...]): an operation no rule covers would be refused to everyone"
                )

    def providers(self) -> tuple[Provider, ...]:
        seen: dict[Provider, None] = {}
        for model in self.models.values():
            for provider in model.providers():
                seen.setdefault(provider)
        for op in self.operations.values():
            for provider in op.providers():
                seen.setdefault(provider)
        return tuple(seen)


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
    relationships: dict[str, Relationship] = {}
    for field_name, spec in builder.fields.items():
        where = f"model {name!r}, field {field_name!r}"
        if not isinstance(field_name, str) or not _NAME.match(field_name):
            raise SchemaError(f"{where}: not a valid GraphQL field name")
        if field_name in _RESERVED_FIELD_NAMES or field_name.startswith("__"):
            raise SchemaError(f"{where}: the name is reserved")
        if isinstance(spec, Relationship):
            if field_name in _IMPLICIT_TYPES:
                raise SchemaError(
                    f"{where}: Amplify adds {field_name}; it cannot be a relationship"
                )
            if spec.related_model not in model_names:
                raise SchemaError(
                    f"{where}: a.{spec.kind}({spec.related_model!r}, ...) names no model "
                    "of this schema"
                )
            relationships[field_name] = spec
            continue
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

    # Amplify's order: declared fields, then the implicit ones it adds (`id` only when the
    # identifier is the default or names it), then the owner and group fields its rules name
    # that are not declared.
    fields: dict[str, Field] = {}
    fields.update({n: f for n, f in declared.items() if n not in _IMPLICIT_TYPES})
    implied = _rule_fields(name, builder.rules, declared)
    if "id" in declared or "id" in builder.identifier_fields:
        fields["id"] = declared.get("id", Field("ID", is_required=True)).required()
    fields["createdAt"] = Field("AWSDateTime", is_required=True)
    fields["updatedAt"] = Field("AWSDateTime", is_required=True)
    fields.update(implied)
    order = [n for n in builder.fields if n not in _IMPLICIT_TYPES]
    order += [n for n in ("id", "createdAt", "updatedAt") if n in fields]
    order += list(implied)
    identifier = _check_identifier(name, builder.identifier_fields, fields)
    indexes = tuple(_check_index(name, spec, fields) for spec in builder.index_specs)
    return Model(
        name=name,
        fields=fields,
        rules=builder.rules,
        identifier=identifier,
        secondary_indexes=indexes,
        relationships=relationships,
        field_order=tuple(order),
    )


def _rule_fields(
    model_name: str, rules: tuple[AuthRule, ...], declared: Mapping[str, Field]
) -> dict[str, Field]:
    """The owner and group fields the rules (the model's and its fields') name: each declared one
    checked, each other one added as Amplify adds it (`owner: String`, `editors: [String]`)."""
    implied: dict[str, Field] = {}
    field_rules = [(n, r) for n, f in declared.items() for r in f.rules]
    for where_field, rule in [(None, r) for r in rules] + field_rules:
        if rule.field_name is None:
            continue
        where = f"model {model_name!r}"
        if where_field is not None:
            where += f", field {where_field!r}"
        where += f", rule {rule.describe()}"
        spec = declared.get(rule.field_name) or implied.get(rule.field_name)
        if spec is None:
            implied[rule.field_name] = Field("String", is_array=rule.is_list)
            continue
        kind = "a list of strings" if rule.is_list else "a string"
        if spec.type_name not in ("String", "ID") or spec.is_array != rule.is_list:
            raise SchemaError(
                f"{where}: field {rule.field_name!r} must hold {kind} (String or ID"
                f"{', .array()' if rule.is_list else ''}), not {spec.type_name}"
                f"{'[]' if spec.is_array else ''}"
            )
    return implied


def _check_key_field(where: str, field_name: str, fields: Mapping[str, Field]) -> Field:
    spec = fields.get(field_name)
    if spec is None:
        raise SchemaError(f"{where}: no such field {field_name!r} on the model")
    scalar = SCALARS.get(spec.type_name)  # enums are keyed as strings
    if spec.is_array or (scalar is not None and not scalar.keyable):
        raise SchemaError(
            f"{where}: field {field_name!r} of type {spec.type_name}"
            f"{'[]' if spec.is_array else ''} cannot be a DynamoDB key; use a string, ID, "
            "number, date/time or enum field"
        )
    return spec


def _check_identifier(
    model_name: str, identifier: tuple[str, ...], fields: Mapping[str, Field]
) -> tuple[str, ...]:
    for field_name in identifier:
        where = f"model {model_name!r}, identifier field {field_name!r}"
        spec = _check_key_field(where, field_name, fields)
        if not spec.is_required:
            raise SchemaError(f"{where}: an identifier field must be .required()")
    return identifier


def _check_index(
    model_name: str, spec: SecondaryIndex, fields: Mapping[str, Field]
) -> SecondaryIndex:
    for field_name in spec.key_fields:
        where = f"model {model_name!r}, secondary index on field {field_name!r}"
        _check_key_field(where, field_name, fields)
    # Amplify's defaults: the transformer names the index, data-schema names the query.
    index_name = spec.index_name or default_index_name(model_name, spec.key_fields)
    query_field = spec.query_field_name or default_index_query_field(model_name, spec.key_fields)
    return replace(spec, index_name=index_name, query_field_name=query_field)


def _check_relationships(models: Mapping[str, Model]) -> None:
    """Each relationship names real fields of the right types and has its other half."""
    for model in models.values():
        for field_name, rel in model.relationships.items():
            where = f"model {model.name!r}, field {field_name!r}"
            related = models[rel.related_model]
            # The child holds the references; the parent's identifier is what they hold.
            child, parent = (model, related) if rel.kind == "belongsTo" else (related, model)
            for ref in rel.references:
                if ref not in child.fields:
                    raise SchemaError(
                        f"{where}: reference field {ref!r} is not a field of model {child.name!r}"
                    )
            if len(rel.references) != len(parent.identifier):
                raise SchemaError(
                    f"{where}: {len(rel.references)} reference field(s) {list(rel.references)} "
                    f"for model {parent.name!r} whose identifier has "
                    f"{len(parent.identifier)} field(s) {list(parent.identifier)}"
                )
            for ref, key in zip(rel.references, parent.identifier, strict=True):
                ref_field, key_field = child.fields[ref], parent.fields[key]
                if ref_field.is_array or ref_field.type_name != key_field.type_name:
                    raise SchemaError(
                        f"{where}: reference field {child.name}.{ref} is "
                        f"{ref_field.type_name}{'[]' if ref_field.is_array else ''} but "
                        f"{parent.name}.{key} is {key_field.type_name}"
                    )
    # Only then the pairs, so a misspelt reference is reported as such, not as a missing half.
    for model in models.values():
        for field_name, rel in model.relationships.items():
            where = f"model {model.name!r}, field {field_name!r}"
            related = models[rel.related_model]
            wanted = ("belongsTo",) if rel.kind != "belongsTo" else ("hasMany", "hasOne")
            pairs = [
                other_name
                for other_name, other in related.relationships.items()
                if other.kind in wanted
                and other.related_model == model.name
                and other.references == rel.references
            ]
            if not pairs:
                other_kind = " or ".join(f"a.{k}" for k in wanted)
                raise SchemaError(
                    f"{where}: a.{rel.kind}({rel.related_model!r}, {list(rel.references)}) needs "
                    f"{other_kind}({model.name!r}, {list(rel.references)}) on model "
                    f"{related.name!r}"
                )
            if rel.kind == "belongsTo" and len(pairs) > 1:
                raise SchemaError(
                    f"{where}: model {related.name!r} has several relationships "
                    f"{pairs} with the references {list(rel.references)}"
                )


def _check_query_fields(models: Mapping[str, Model]) -> None:
    """Index query fields must not clash with each other or with get/list fields."""
    taken: dict[str, str] = {}
    for model in models.values():
        for generated in names_of(model.name, model.plural_name).query_fields():
            taken[generated] = model.name
    for model in models.values():
        names: set[str | None] = set()
        for spec in model.secondary_indexes:
            query = spec.query_field_name or ""
            where = f"model {model.name!r}, secondary index on field {spec.partition_key!r}"
            if query in taken:
                raise SchemaError(
                    f"{where}: query field {query!r} is already a query of model {taken[query]!r}"
                )
            if spec.index_name in names:
                raise SchemaError(f"{where}: index name {spec.index_name!r} is used twice")
            names.add(spec.index_name)
            taken[query] = model.name


def _check_default(where: str, spec: Field, enums: Mapping[str, tuple[str, ...]]) -> None:
    if spec.is_array:
        raise SchemaError(f"{where}: .default() is only supported on scalar fields, not arrays")
    value = spec.default_value
    if value is None:
        raise SchemaError(f"{where}: .default() needs a value")
    if not spec.accepts(value, enums.get(spec.type_name, ())):
        raise SchemaError(f"{where}: default {value!r} is not a valid {spec.type_name}")


SchemaEntry = ModelBuilder | Field | CustomTypeBuilder | CustomOperationBuilder


def build_schema(types: Mapping[str, SchemaEntry]) -> Schema:
    if not isinstance(types, Mapping) or not types:
        raise SchemaError("a.schema({...}) needs a mapping of type names to a.model()/a.enum()")
    enums: dict[str, tuple[str, ...]] = {}
    for type_name, value in types.items():
        if isinstance(value, CustomOperationBuilder):
            _check_operation_name(type_name, value)
            continue
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
        elif not (
            isinstance(value, (CustomTypeBuilder, CustomOperationBuilder))
            or (isinstance(value, Field) and value.enum_values is not None)
        ):
            raise SchemaError(
                f"type {type_name!r}: expected a.model(...), a.enum(...), a.custom_type(...), "
                "a.query() or a.mutation()"
            )
    if not models:
        raise SchemaError("a.schema({...}) declares no model")
    _check_relationships(models)
    _check_query_fields(models)
    custom_type_names = frozenset(n for n, v in types.items() if isinstance(v, CustomTypeBuilder))
    custom_types = {
        name: _build_custom_type(name, value, enums, model_names, custom_type_names)
        for name, value in types.items()
        if isinstance(value, CustomTypeBuilder)
    }
    _check_custom_type_names(custom_types, models, enums)
    operations = {
        name: _build_operation(name, value, enums, model_names, custom_type_names)
        for name, value in types.items()
        if isinstance(value, CustomOperationBuilder)
    }
    _check_operation_fields(operations, models)
    return Schema(models=models, enums=enums, custom_types=custom_types, operations=operations)


# --- custom types and operations: checks ---------------------------------------------------------


def _check_operation_name(name: Any, builder: CustomOperationBuilder) -> None:
    kind = builder.operation_type.lower()
    if not isinstance(name, str) or not _NAME.match(name) or name.startswith("__"):
        raise SchemaError(f"custom {kind} {name!r}: not a valid GraphQL field name")


def _build_custom_type(
    name: str,
    builder: CustomTypeBuilder,
    enums: dict[str, tuple[str, ...]],
    model_names: frozenset[str],
    custom_type_names: frozenset[str],
) -> CustomType:
    if not isinstance(builder.fields, Mapping) or not builder.fields:
        raise SchemaError(f"custom type {name!r}: a.custom_type({{...}}) needs at least one field")
    fields: dict[str, Field] = {}
    for field_name, spec in builder.fields.items():
        where = f"custom type {name!r}, field {field_name!r}"
        if not isinstance(field_name, str) or not _NAME.match(field_name):
            raise SchemaError(f"{where}: not a valid GraphQL field name")
        if field_name.startswith("__"):
            raise SchemaError(f"{where}: the name is reserved")
        if not isinstance(spec, Field):
            raise SchemaError(
                f"{where}: expected a scalar, a.enum([...]) or a.ref(...) of an enum or custom "
                f"type, got {spec!r}"
            )
        if spec.has_default:
            raise SchemaError(f"{where}: a custom type is never stored, so it has no .default()")
        if spec.enum_values is not None:
            enum_name = name + upper_first(field_name)
            if enum_name in enums and enums[enum_name] != spec.enum_values:
                raise SchemaError(f"{where}: enum {enum_name} is declared twice")
            if enum_name in model_names or enum_name in custom_type_names:
                raise SchemaError(
                    f"{where}: its enum type {enum_name} clashes with type {enum_name}"
                )
            enums[enum_name] = spec.enum_values
            spec = spec.with_type_name(enum_name)
        elif spec.type_name in model_names:
            raise SchemaError(
                f"{where}: a.ref({spec.type_name!r}) names a model; a custom type cannot hold one"
            )
        elif spec.type_name not in (*SCALARS, *enums, *custom_type_names):
            raise SchemaError(f"{where}: unknown type {spec.type_name!r}")
        fields[field_name] = spec
    return CustomType(name=name, fields=fields)


def _generated_type_names(models: Mapping[str, Model]) -> dict[str, str]:
    """Type name -> model of each type Amplify generates for the models."""
    names: dict[str, str] = {}
    for model in models.values():
        for pattern in (
            "Model{}Connection",
            "Model{}FilterInput",
            "Model{}ConditionInput",
            "Create{}Input",
            "Update{}Input",
            "Delete{}Input",
            "ModelSubscription{}FilterInput",
        ):
            names[pattern.format(model.name)] = model.name
    return names


def _check_custom_type_names(
    custom_types: Mapping[str, CustomType],
    models: Mapping[str, Model],
    enums: Mapping[str, tuple[str, ...]],
) -> None:
    generated = _generated_type_names(models)
    for name in custom_types:
        if name in enums:
            raise SchemaError(f"custom type {name!r}: the name is an enum's (a.enum on a field)")
        if name in generated:
            raise SchemaError(
                f"custom type {name!r}: the name is a type Amplify generates for model "
                f"{generated[name]!r}"
            )
        if (name.startswith("Model") and name.endswith("Input")) or name == "ModelSortDirection":
            raise SchemaError(f"custom type {name!r}: the name is a generated filter type's")


def _type_kind(
    spec: Field,
    enums: Mapping[str, tuple[str, ...]],
    model_names: frozenset[str],
    custom_type_names: frozenset[str],
) -> ReturnKind | None:
    if spec.type_name in SCALARS:
        return "scalar"
    if spec.type_name in model_names:
        return "model"
    if spec.type_name in custom_type_names:
        return "customType"
    if spec.type_name in enums:
        return "enum"
    return None


def _build_operation(
    name: str,
    builder: CustomOperationBuilder,
    enums: Mapping[str, tuple[str, ...]],
    model_names: frozenset[str],
    custom_type_names: frozenset[str],
) -> CustomOperation:
    where = f"custom {builder.operation_type.lower()} {name!r}"
    arguments: dict[str, Field] = {}
    if not isinstance(builder.argument_specs, Mapping):
        raise SchemaError(f"{where}: .arguments({{...}}) needs a mapping of names to scalars")
    for arg_name, spec in builder.argument_specs.items():
        arg_where = f"{where}, argument {arg_name!r}"
        if not isinstance(arg_name, str) or not _NAME.match(arg_name) or arg_name.startswith("__"):
            raise SchemaError(f"{arg_where}: not a valid GraphQL argument name")
        if not isinstance(spec, Field):
            raise SchemaError(f"{arg_where}: expected a scalar such as a.string(), got {spec!r}")
        if spec.enum_values is not None:
            raise SchemaError(
                f"{arg_where}: an inline a.enum([...]) argument is not supported; declare the "
                "enum in the schema and use a.ref(...)"
            )
        if spec.has_default:
            raise SchemaError(f"{arg_where}: arguments take no .default()")
        kind = _type_kind(spec, enums, model_names, custom_type_names)
        if kind not in ("scalar", "enum"):
            raise SchemaError(
                f"{arg_where}: unsupported argument type {spec.type_name!r}; arguments are "
                "scalars or enums (a.ref of a model or custom type is not an input)"
            )
        arguments[arg_name] = spec

    returns = builder.return_spec
    if returns is None:
        raise SchemaError(f"{where}: add .returns(...): a custom operation needs a return type")
    if not isinstance(returns, Field) or returns.enum_values is not None or returns.has_default:
        raise SchemaError(
            f"{where}: .returns(...) takes a scalar or a.ref(...) of a model, custom type or "
            f"enum, got {returns!r}"
        )
    return_kind = _type_kind(returns, enums, model_names, custom_type_names)
    if return_kind is None:
        raise SchemaError(f"{where}: .returns(a.ref({returns.type_name!r})) names no type")

    handler = builder.handler_spec
    if handler is None:
        raise SchemaError(
            f"{where}: add .handler(a.handler.function(NAME)): a custom operation needs a handler"
        )
    if not isinstance(handler, FunctionHandler):
        raise SchemaError(f"{where}: .handler(...) takes a.handler.function(NAME), got {handler!r}")

    rules: list[AuthRule] = []
    for rule in builder.rule_values or ():
        if not isinstance(rule, AuthRule):
            raise SchemaError(f"{where}: authorization must return allow.* rules, got {rule!r}")
        if rule.has_operations:
            raise SchemaError(
                f"{where}: a rule of a custom operation takes no .to([...]); it admits the "
                "caller to the whole operation"
            )
        if rule.is_dynamic:
            raise SchemaError(
                f"{where}: {rule.describe()} needs an item to read the owner or group from; a "
                "custom operation takes allow.authenticated, guest, public_api_key, groups or "
                "custom"
            )
        rules.append(_as_custom_rule(rule))
    return CustomOperation(
        name=name,
        operation_type=builder.operation_type,
        arguments=arguments,
        returns=returns,
        return_kind=return_kind,
        rules=tuple(rules),
        function_name=handler.function_name,
    )


def _check_operation_fields(
    operations: Mapping[str, CustomOperation], models: Mapping[str, Model]
) -> None:
    """A custom operation must not take the name of a field Amplify generates for a model."""
    generated: dict[str, tuple[str, str]] = {}
    for model in models.values():
        names = names_of(model.name, model.plural_name)
        for query in names.query_fields():
            generated[query] = ("Query", model.name)
        for spec in model.secondary_indexes:
            generated[spec.query_field_name or ""] = ("Query", model.name)
        for mutation in names.mutation_fields():
            generated[mutation] = ("Mutation", model.name)
    for op in operations.values():
        clash = generated.get(op.name)
        if clash is not None:
            root, model_name = clash
            raise SchemaError(
                f"custom {op.operation_type.lower()} {op.name!r}: the name is the "
                f"{root} field Amplify generates for model {model_name!r}"
            )


# --- the `a` builder namespace ------------------------------------------------------------------


def _scalar(type_name: str) -> Callable[[], Field]:
    def build() -> Field:
        return Field(type_name)

    build.__name__ = type_name
    return build


class _Builders:
    """`a`: Amplify's builder names, in snake_case with the camelCase originals as aliases.

    The scalar builders (`a.string()`, `a.ip_address()` / `a.ipAddress()`, ...) are the `builders`
    column of `appsync_data.scalars.SCALARS`: a row there is a builder here.
    """

    def __getattr__(self, name: str) -> Callable[[], Field]:
        scalar = scalar_of_builder(name)
        if scalar is None:
            raise AttributeError(f"a.{name}: no such builder")
        return _scalar(scalar.name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(b for s in SCALARS.values() for b in s.builders)})

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
        """A type declared at the top level of the schema: an enum (fields, arguments, return
        types), a custom type (custom type fields, return types) or a model (return types)."""
        return Field(type_name)

    @staticmethod
    def has_many(related_model: str, references: str | Sequence[str]) -> Relationship:
        """A list of `related_model` items whose `references` fields hold this one's identifier."""
        return _references("hasMany", related_model, references)

    @staticmethod
    def has_one(related_model: str, references: str | Sequence[str]) -> Relationship:
        """The one `related_model` item whose `references` fields hold this one's identifier."""
        return _references("hasOne", related_model, references)

    @staticmethod
    def belongs_to(related_model: str, references: str | Sequence[str]) -> Relationship:
        """The `related_model` item whose identifier this model's `references` fields hold."""
        return _references("belongsTo", related_model, references)

    hasMany = has_many  # noqa: N815 - Amplify's name
    hasOne = has_one  # noqa: N815 - Amplify's name
    belongsTo = belongs_to  # noqa: N815 - Amplify's name

    handler = _Handlers()

    @staticmethod
    def query() -> CustomOperationBuilder:
        """A custom query: `.arguments({...}).returns(...).authorization(...).handler(...)`."""
        return CustomOperationBuilder(operation_type="Query")

    @staticmethod
    def mutation() -> CustomOperationBuilder:
        """A custom mutation: `.arguments({...}).returns(...).authorization(...).handler(...)`."""
        return CustomOperationBuilder(operation_type="Mutation")

    @staticmethod
    def custom_type(fields: Mapping[str, Field]) -> CustomTypeBuilder:
        """A non-model object type, returned by custom operations."""
        if not isinstance(fields, Mapping):
            raise SchemaError("a.custom_type({...}) needs a mapping of field names to fields")
        return CustomTypeBuilder(fields=dict(fields))

    customType = custom_type  # noqa: N815 - Amplify's name

    @staticmethod
    def model(fields: Mapping[str, Field | Relationship]) -> ModelBuilder:
        if not isinstance(fields, Mapping):
            raise SchemaError("a.model({...}) needs a mapping of field names to field builders")
        return ModelBuilder(fields=dict(fields))

    @staticmethod
    def schema(types: Mapping[str, SchemaEntry]) -> Schema:
        return build_schema(types)


a = _Builders()

"""The AppSync SDL Amplify's GraphQL transformer emits for a schema (`schema.graphql`).

Same types, fields, arguments, input types, filter operators, enum values and auth directives
as `@aws-amplify/graphql-transformer` (shared/reference/amplify/*/output-appsync-schema.graphql),
laid out in the transformer's order so a diff against Amplify's output stays small.
"""

from __future__ import annotations

from collections.abc import Iterable

from appsync_data import scalars
from appsync_data.naming import (
    api_names,
    composite_key_condition_input,
    composite_key_input,
    connection_type,
    enum_filter_input,
    filter_input,
    key_condition_input,
    key_name,
    scalar_filter_input,
)
from appsync_data.naming import (
    sort_key_argument as sort_key_argument_name,
)
from appsync_data.schema import (
    AuthRule,
    CustomOperation,
    CustomType,
    Field,
    Model,
    Operation,
    Provider,
    Relationship,
    Schema,
)

USER_POOLS = "AMAZON_COGNITO_USER_POOLS"
IAM = "AWS_IAM"
OIDC = "OPENID_CONNECT"
API_KEY = "API_KEY"
LAMBDA = "AWS_LAMBDA"

# AppSync's built-in scalars and directives (kept importable here for the SDL's readers).
APPSYNC_PRELUDE = scalars.APPSYNC_PRELUDE
# The filter input families Amplify declares once, in this order.
_FILTER_FAMILIES = tuple(scalars.FILTER_OPERATORS)
# Each rule provider's directive, in the order Amplify's auth transformer writes them
# (AUTH_PROVIDER_DIRECTIVE_MAP); identity-pool callers are IAM callers.
_PROVIDER_DIRECTIVES: dict[Provider, str] = {
    "apiKey": "@aws_api_key",
    "identityPool": "@aws_iam",
    "oidc": "@aws_oidc",
    "userPools": "@aws_cognito_user_pools",
    "function": "@aws_lambda",
}
# The AppSync auth type of each provider, and of each `default_authorization_mode`.
PROVIDER_MODES: dict[Provider, str] = {
    "apiKey": API_KEY,
    "identityPool": IAM,
    "oidc": OIDC,
    "userPools": USER_POOLS,
    "function": LAMBDA,
}
_DEFAULT_MODE_PROVIDERS: dict[str, Provider] = {
    "userPool": "userPools",
    "identityPool": "identityPool",
    "iam": "identityPool",
    "oidc": "oidc",
    "apiKey": "apiKey",
    "lambda": "function",
}
# The order Amplify's API construct lists the providers in (convertAuthConfigToAppSyncAuth).
_MODE_ORDER = (API_KEY, LAMBDA, OIDC, USER_POOLS, IAM)


def default_provider(schema: Schema) -> Provider:
    """The provider of the API's default auth mode: `authorization_modes(default_authorization_
    mode=...)`, else the user pool, or OIDC when OIDC is the schema's only JWT provider."""
    if schema.modes.default is not None:
        return _DEFAULT_MODE_PROVIDERS[schema.modes.default]
    providers = schema.providers()
    return "oidc" if "oidc" in providers and "userPools" not in providers else "userPools"


def api_auth_modes(schema: Schema) -> tuple[str, tuple[str, ...]]:
    """(default AppSync auth type, additional types), as Amplify configures the API.

    The user pool is always present (Amplify's `defineAuth`); IAM always (identity pool and
    backend roles); OIDC when a rule uses it; API_KEY when an `allow.public_api_key()` rule does;
    AWS_LAMBDA when the schema names a Lambda authorizer. Additional types in Amplify's order.
    """
    providers = schema.providers()
    default = PROVIDER_MODES[default_provider(schema)]
    present = {USER_POOLS, IAM, default}
    present |= {OIDC} if "oidc" in providers else set()
    present |= {API_KEY} if "apiKey" in providers else set()
    present |= {LAMBDA} if schema.modes.lambda_authorizer is not None else set()
    return default, tuple(m for m in _MODE_ORDER if m in present and m != default)


def service_directives(
    providers: Iterable[Provider], default: Provider, *, include_default: bool
) -> list[str]:
    """Amplify's getServiceDirectives: each non-default provider's directive in the map's order;
    the default's where the map puts it when `include_default` and another provider is there,
    else at the end when the default is among them beside another one."""
    present = set(providers)
    others = any(p != default for p in present)
    names: list[str] = []
    for provider, directive in _PROVIDER_DIRECTIVES.items():
        wanted = provider in present if provider != default else include_default and others
        if wanted and directive not in names:
            names.append(directive)
    default_directive = _PROVIDER_DIRECTIVES[default]
    if default in present and others and default_directive not in names:
        names.append(default_directive)
    return names


def field_type(f: Field) -> str:
    """The GraphQL type of a model field: `String`, `String!`, `[String!]`, `[String]!`..."""
    element = f.type_name + ("!" if f.is_required else "")
    if not f.is_array:
        return element
    return f"[{element}]" + ("!" if f.is_array_required else "")


def _nullable(type_text: str) -> str:
    return type_text[:-1] if type_text.endswith("!") else type_text


def all_rules(model: Model) -> tuple[AuthRule, ...]:
    """The model's rules, then its fields' rules (what Amplify's access matrix holds)."""
    return (*model.rules, *(r for rules in model.field_rules.values() for r in rules))


def implied_fields(model: Model) -> tuple[str, ...]:
    """The owner and group fields the rules name that the model does not declare (Amplify adds
    them after `updatedAt`)."""
    names = model.all_field_names
    return names[names.index("updatedAt") + 1 :] if "updatedAt" in names else ()


def owner_fields(model: Model) -> tuple[str, ...]:
    """The fields the owner rules name, once each, in rule order."""
    return tuple(
        dict.fromkeys(
            r.field_name for r in all_rules(model) if r.strategy == "owner" and r.field_name
        )
    )


def _sdl_field_names(model: Model) -> tuple[str, ...]:
    """The fields of the model's type: Amplify adds the implied owner fields, not group ones."""
    implied = set(implied_fields(model)) - set(owner_fields(model))
    return tuple(n for n in model.all_field_names if n not in implied)


def _declared_fields(model: Model) -> dict[str, Field]:
    """The stored fields but the implied ones (what the model transformer's inputs carry)."""
    implied = implied_fields(model)
    return {n: f for n, f in model.fields.items() if n not in implied}


def _input_fields(model: Model) -> dict[str, Field]:
    """Declared fields other than the implicit and implied ones (create/update inputs)."""
    implied = implied_fields(model)
    return {n: f for n, f in model.user_fields.items() if n not in implied}


def _operation_rules(model: Model, operation: Operation) -> list[AuthRule]:
    return [r for r in all_rules(model) if r.grants(operation)]


def _directives(model: Model, operations: Iterable[Operation], default: Provider) -> str:
    """Auth directives of a field that runs `operations` (Amplify's addServiceDirective)."""
    rules = [r for op in operations for r in _operation_rules(model, op)]
    include_default = any(r.provider == default for r in rules) or (
        not rules and default != "identityPool"
    )
    providers = [*(r.provider for r in rules), "identityPool"]
    return " ".join(service_directives(providers, default, include_default=include_default))


def _type_directives(model: Model, default: Provider) -> str:
    """Auth directives of the model's object type (and connection): every rule's provider."""
    providers = [*(r.provider for r in all_rules(model)), "identityPool"]
    return " ".join(service_directives(providers, default, include_default=False))


_ALL_OPERATIONS: tuple[Operation, ...] = ("create", "update", "delete", "get", "list", "listen")


def _input(name: str, fields: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"  {field_name}: {type_text}\n" for field_name, type_text in fields)
    return f"input {name} {{\n{body}}}\n"


def _scalar_filter_input(family: str, subscription: bool) -> str:
    operators = scalars.FILTER_OPERATORS[family]
    if subscription and family != "Boolean":
        operators = (*operators, *scalars.SUBSCRIPTION_ONLY_OPERATORS)
    fields = [(op, f"[{family}]" if op in scalars.LIST_OPERATORS else family) for op in operators]
    if not subscription:
        fields += [(fn, scalars.FUNCTION_TYPES[fn]) for fn in scalars.FILTER_FUNCTIONS[family]]
    return _input(scalar_filter_input(family, subscription=subscription), fields)


def _common_types() -> list[str]:
    blocks = [
        _input(
            "AmplifyAIConversationTurnErrorInput",
            [("errorType", "String!"), ("message", "String!")],
        )
    ]
    blocks += [_scalar_filter_input(s, subscription=False) for s in _FILTER_FAMILIES]
    blocks += [_scalar_filter_input(s, subscription=True) for s in _FILTER_FAMILIES]
    blocks.append(_enum("ModelAttributeTypes", scalars.ATTRIBUTE_TYPES))
    size_fields = [
        (op, "[Int]" if op in scalars.LIST_OPERATORS else "Int") for op in scalars.NUMBER_OPS
    ]
    blocks.append(_input("ModelSizeInput", size_fields))
    blocks.append(_enum("ModelSortDirection", ("ASC", "DESC")))
    return blocks


def _enum(name: str, values: Iterable[str]) -> str:
    body = "".join(f"  {value}\n" for value in values)
    return f"enum {name} {{\n{body}}}\n"


def _filter_type(f: Field, subscription: bool) -> str:
    if f.is_enum:
        if subscription:
            # Amplify filters enums in subscriptions as strings (element-wise for lists).
            return scalar_filter_input("String", subscription=True)
        return enum_filter_input(f.type_name, is_list=f.is_array)
    family = scalars.SCALARS[f.type_name].filter_family
    return scalar_filter_input(family, subscription=subscription)


def _enum_filter_inputs(model: Model) -> list[tuple[str, str]]:
    """(name, definition) of each `Model<Enum>Input` / `Model<Enum>ListInput` the filters use."""
    inputs = []
    for f in model.fields.values():
        if not f.is_enum:
            continue
        name = _filter_type(f, subscription=False)
        if f.is_array:
            fields = [
                ("eq", f"[{f.type_name}]"),
                ("ne", f"[{f.type_name}]"),
                ("contains", f.type_name),
                ("notContains", f.type_name),
            ]
        else:
            fields = [("eq", f.type_name), ("ne", f.type_name)]
        inputs.append((name, _input(name, fields)))
    return inputs


def _model_type(model: Model, default: Provider) -> str:
    body = "".join(f"  {type_field_definition(model, name)}\n" for name in _sdl_field_names(model))
    return f"type {model.name} {_type_directives(model, default)} {{\n{body}}}\n"


def _owner_inputs(model: Model, present: Iterable[str]) -> list[tuple[str, str]]:
    """The owner fields an input lacks, as Amplify's auth transformer appends them."""
    have = set(present)
    return [(n, "ModelStringInput") for n in owner_fields(model) if n not in have]


def subscription_filter_fields(model: Model) -> dict[str, Field]:
    """The subscription filter's own fields: the list filter's but those of the dynamic
    (owner and group field) rules, which the subscription's auth decides instead."""
    dynamic = {
        r.field_name
        for r in all_rules(model)
        if r.field_name and r.provider in ("userPools", "oidc")
    }
    return {n: f for n, f in filter_fields(model).items() if n not in dynamic}


def _model_inputs(model: Model, default: Provider) -> list[str]:
    name = model.name
    names = api_names(model)
    filter_name = names.filter_input
    condition_name = names.condition_input
    subscription_filter = names.subscription_filter_input
    blocks = [
        f"type {names.connection} {_directives(model, ('list',), default)} {{\n"
        f"  items: [{name}]!\n  nextToken: String\n}}\n",
        _input(
            filter_name,
            [(n, _filter_type(f, False)) for n, f in filter_fields(model).items()]
            + [("and", f"[{filter_name}]"), ("or", f"[{filter_name}]"), ("not", filter_name)]
            + _owner_inputs(model, filter_fields(model)),
        ),
        # Amplify builds the condition before it adds the timestamps, and leaves `id` out.
        _input(
            condition_name,
            [(n, _filter_type(f, False)) for n, f in condition_fields(model).items()]
            + [("and", f"[{condition_name}]"), ("or", f"[{condition_name}]")]
            + [("not", condition_name)]
            + [(n, _filter_type(model.fields[n], False)) for n in ("createdAt", "updatedAt")]
            + _owner_inputs(model, [*condition_fields(model), "createdAt", "updatedAt"]),
        ),
        _input(names.mutation_input("create"), create_input_fields(model)),
        _input(names.mutation_input("update"), update_input_fields(model)),
        _input(names.mutation_input("delete"), delete_input_fields(model)),
        _input(
            subscription_filter,
            [(n, _filter_type(f, True)) for n, f in subscription_filter_fields(model).items()]
            + [("and", f"[{subscription_filter}]"), ("or", f"[{subscription_filter}]")]
            + _owner_inputs(model, subscription_filter_fields(model)),
        ),
    ]
    return blocks


def query_fields(model: Model) -> dict[str, Operation]:
    """The model's Query fields and the operation each runs (index queries are lists)."""
    fields = api_names(model).query_fields()
    fields.update({query: "list" for query in index_query_fields(model)})
    return fields


def mutation_fields(model: Model) -> dict[str, Operation]:
    """The model's Mutation fields and the operation each runs."""
    return api_names(model).mutation_fields()


def _query_lines(model: Model, default: Provider) -> list[str]:
    name = model.name
    names = api_names(model)
    get_args = _arguments(get_arguments(model))
    list_args = _arguments(list_arguments(model))
    list_directives = _directives(model, ("list",), default)
    return [
        f"  {names.field('get')}({get_args}): {name} {_directives(model, ('get',), default)}",
        f"  {names.field('list')}({list_args}): {names.connection} {list_directives}",
    ] + [
        f"  {query}({_arguments(arguments)}): {names.connection} {list_directives}"
        for query, arguments in index_query_fields(model).items()
    ]


def _mutation_lines(model: Model, default: Provider) -> list[str]:
    name = model.name
    names = api_names(model)
    return [
        f"  {field}(input: {names.mutation_input(op)}!, condition: {names.condition_input})"
        f": {name} {_directives(model, (op,), default)}"
        for field, op in names.mutation_fields().items()
    ]


def subscription_owner_arguments(model: Model) -> tuple[str, ...]:
    """The owner arguments of the model's subscriptions: the field of each owner rule that grants
    `listen` and holds one owner (a list of owners takes none), as Amplify adds them."""
    return tuple(
        dict.fromkeys(
            r.field_name
            for r in _operation_rules(model, "listen")
            if r.strategy == "owner" and r.field_name and not r.is_list
        )
    )


def _subscription_lines(model: Model, default: Provider) -> list[str]:
    name = model.name
    names = api_names(model)
    arguments = _arguments(
        [("filter", names.subscription_filter_input)]
        + [(n, "String") for n in subscription_owner_arguments(model)]
    )
    directives = _directives(model, ("listen",), default)
    return [
        f"  {field}({arguments}): {name}"
        f' @aws_subscribe(mutations: ["{names.field(op)}"]) {directives}'
        for field, op in names.subscriptions().items()
    ]


def _root(name: str, lines: list[str]) -> str:
    return f"type {name} {{\n" + "".join(line + "\n" for line in lines) + "}\n"


def render_sdl(schema: Schema) -> str:
    """The whole AppSync schema for `schema`, as Amplify's transformer would emit it."""
    schema.require_authorized_operations()
    models = list(schema.models.values())
    default = default_provider(schema)
    model_lines = {
        "Query": [line for m in models for line in _query_lines(m, default)],
        "Mutation": [line for m in models for line in _mutation_lines(m, default)],
    }
    roots = {
        "Query": _root("Query", model_lines["Query"]),
        "Mutation": _root("Mutation", model_lines["Mutation"]),
        "Subscription": _root(
            "Subscription", [line for m in models for line in _subscription_lines(m, default)]
        ),
    }
    # Root types that carry custom operations are declared up front, as Amplify's input has them.
    declared = declared_root_types(schema, model_lines)
    roots.update(declared)
    blocks = [_model_type(m, default) for m in models]
    blocks += [_enum(name, values) for name, values in schema.enums.items()]
    blocks += custom_type_definitions(schema)
    blocks += declared.values()
    blocks += _common_types()
    seen_enum_inputs: set[str] = set()
    for index, model in enumerate(models):
        for name, definition in _enum_filter_inputs(model):
            if name not in seen_enum_inputs:
                seen_enum_inputs.add(name)
                blocks.append(definition)
        connection, filter_, condition, create, update, delete, subscription_filter = _model_inputs(
            model, default
        )
        blocks += [connection, filter_]
        if index == 0 and "Query" not in declared:
            # Amplify places each root type after the first model's inputs for it
            blocks.append(roots["Query"])
        blocks += [condition, create, update, delete]
        if index == 0 and "Mutation" not in declared:
            blocks.append(roots["Mutation"])
        blocks.append(subscription_filter)
        if index == 0:
            blocks.append(roots["Subscription"])
    blocks += key_condition_inputs(schema)
    return "\n".join(blocks)


# --- identifiers, secondary indexes and relationships ------------------------------------------
# Amplify's @primaryKey, @index, @hasMany, @hasOne and @belongsTo transformers: key arguments of
# get/list, index queries, sort-key condition inputs and relationship fields.

_CONNECTION_ARGUMENTS = (
    ("sortDirection", "ModelSortDirection"),
    ("limit", "Int"),
    ("nextToken", "String"),
)
# Operators of a sort-key condition per scalar family (Amplify's Model*KeyConditionInput).
_KEY_CONDITION_OPS: dict[str, tuple[str, ...]] = {
    "String": ("eq", "le", "lt", "ge", "gt", "between", "beginsWith"),
    "ID": ("eq", "le", "lt", "ge", "gt", "between", "beginsWith"),
    "Int": ("eq", "le", "lt", "ge", "gt", "between"),
    "Float": ("eq", "le", "lt", "ge", "gt", "between"),
}
_COMPOSITE_KEY_OPS = ("eq", "le", "lt", "ge", "gt", "between", "beginsWith")


def _arguments(arguments: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{name}: {type_text}" for name, type_text in arguments)


def type_field_definition(model: Model, name: str) -> str:
    """One field of the model's object type; relationship fields with their arguments."""
    relationship = model.relationships.get(name)
    if relationship is None:
        return f"{name}: {field_type(model.fields[name])}"
    return f"{name}{relationship_field_type(relationship)}"


def relationship_field_type(relationship: Relationship) -> str:
    """The arguments and type of a relationship field: a connection for hasMany (the child's
    filter, sortDirection, limit, nextToken), the related type for belongsTo and hasOne."""
    related = relationship.related_model
    if not relationship.is_array:
        return f": {related}"
    arguments = _arguments([("filter", filter_input(related)), *_CONNECTION_ARGUMENTS])
    return f"({arguments}): {connection_type(related)}"


def filter_fields(model: Model) -> dict[str, Field]:
    """The fields of the model's list and subscription filters: its stored fields, and `id`
    even when a custom identifier leaves it out of the type (as Amplify does)."""
    fields = {
        n: f for n, f in _declared_fields(model).items() if n not in ("createdAt", "updatedAt")
    }
    fields.setdefault("id", Field("ID", is_required=True))
    fields.update({n: model.fields[n] for n in ("createdAt", "updatedAt")})
    return fields


def condition_fields(model: Model) -> dict[str, Field]:
    """Fields a mutation's condition can test: the declared ones but the identifier's."""
    return {n: f for n, f in _input_fields(model).items() if n not in model.identifier}


def create_input_fields(model: Model) -> list[tuple[str, str]]:
    """Create input: declared fields (a default makes one optional), then an optional `id`
    when the model has one (a custom identifier without `id` names its key fields among them)."""
    fields = [
        (n, _nullable(field_type(f)) if f.has_default else field_type(f))
        for n, f in _input_fields(model).items()
    ]
    return fields + ([("id", "ID")] if "id" in model.fields else [])


def update_input_fields(model: Model) -> list[tuple[str, str]]:
    """Update input: every declared field optional but the identifier's, which are required."""
    fields = [
        (n, field_type(f) if n in model.identifier else _nullable(field_type(f)))
        for n, f in _input_fields(model).items()
    ]
    if "id" in model.fields:  # required when it is the key, optional beside another one
        fields.append(("id", "ID!" if "id" in model.identifier else "ID"))
    return fields


def delete_input_fields(model: Model) -> list[tuple[str, str]]:
    """Delete input: the identifier fields, required."""
    return [(n, field_type(model.fields[n])) for n in model.identifier]


def get_arguments(model: Model) -> list[tuple[str, str]]:
    """Arguments of `getX`: the identifier fields, required."""
    return delete_input_fields(model)


def sort_key_argument(model: Model, key: str, sort_fields: tuple[str, ...]) -> tuple[str, str]:
    """(argument, type) of a key's sort-key condition: `rating: ModelIntKeyConditionInput`, or
    for several fields `statusCreatedAt: Model<X><KeyName>CompositeKeyConditionInput`."""
    if len(sort_fields) == 1:
        return sort_fields[0], key_condition_input_name(model.fields[sort_fields[0]])
    return sort_key_argument_name(sort_fields), composite_key_condition_input(model.name, key)


def list_arguments(model: Model) -> list[tuple[str, str]]:
    """Arguments of `listXs`: with a custom identifier, its partition key (optional) and sort-key
    condition come first and `sortDirection` last, as Amplify orders them."""
    arguments = [("filter", filter_input(model.name)), ("limit", "Int")]
    arguments.append(("nextToken", "String"))
    if not model.has_custom_identifier:
        return arguments
    partition_key = model.identifier[0]
    keys = [(partition_key, _nullable(field_type(model.fields[partition_key])))]
    if model.sort_key_fields:
        keys.append(sort_key_argument(model, "Primary", model.sort_key_fields))
    return keys + arguments + [("sortDirection", "ModelSortDirection")]


def index_query_fields(model: Model) -> dict[str, list[tuple[str, str]]]:
    """Each secondary index's Query field and its arguments: the partition key (required),
    the sort-key condition, sortDirection, filter, limit, nextToken."""
    queries: dict[str, list[tuple[str, str]]] = {}
    for spec in model.secondary_indexes:
        partition_key = spec.partition_key
        arguments = [(partition_key, field_type(model.fields[partition_key]).rstrip("!") + "!")]
        if spec.sort_key_fields:
            index_key = key_name(spec.index_name or "")
            arguments.append(sort_key_argument(model, index_key, spec.sort_key_fields))
        arguments += [("sortDirection", "ModelSortDirection")]
        arguments += [("filter", filter_input(model.name))]
        arguments += [("limit", "Int"), ("nextToken", "String")]
        queries[spec.query_field_name or ""] = arguments
    return queries


def _key_scalar(f: Field) -> str:
    # Enums and string-like AWS scalars are keyed as strings, AWSTimestamp as Int.
    return "String" if f.is_enum else scalars.SCALARS[f.type_name].filter_family


def key_condition_input_name(f: Field) -> str:
    return key_condition_input(_key_scalar(f))


def _composite_inputs(model: Model, key: str, sort_fields: tuple[str, ...]) -> list[str]:
    condition = composite_key_condition_input(model.name, key)
    key_input = composite_key_input(model.name, key)
    return [
        _input(
            condition,
            [(op, f"[{key_input}]" if op == "between" else key_input) for op in _COMPOSITE_KEY_OPS],
        ),
        _input(key_input, [(n, _nullable(field_type(model.fields[n]))) for n in sort_fields]),
    ]


def key_condition_inputs(schema: Schema) -> list[str]:
    """The sort-key condition inputs the key arguments use, once each: the identifiers' first,
    then the secondary indexes' (Amplify's primary-key transformer runs before the index one)."""
    keys: list[tuple[Model, str, tuple[str, ...]]] = [
        (m, "Primary", m.sort_key_fields) for m in schema.models.values() if m.sort_key_fields
    ]
    for model in schema.models.values():
        for spec in model.secondary_indexes:
            if spec.sort_key_fields:
                name = spec.index_name or ""
                keys.append((model, key_name(name), spec.sort_key_fields))
    blocks: dict[str, str] = {}
    for model, key, sort_fields in keys:
        if len(sort_fields) > 1:
            for block in _composite_inputs(model, key, sort_fields):
                blocks.setdefault(block.split()[1], block)
            continue
        scalar = _key_scalar(model.fields[sort_fields[0]])
        name = key_condition_input(scalar)
        ops = _KEY_CONDITION_OPS[scalar]
        blocks.setdefault(
            name, _input(name, [(op, f"[{scalar}]" if op == "between" else scalar) for op in ops])
        )
    return list(blocks.values())


# --- custom types and custom operations ----------------------------------------------------------
# `a.custom_type`, `a.query()` and `a.mutation()`: the root types that hold custom operations are
# declared in Amplify's input (Mutation before Query) and come out first, marked @aws_iam; each
# custom field carries the directives of its rules; a custom type inherits the directives of the
# operations that return it (and of the custom types that hold it).


def operation_directives(operation: CustomOperation, default: Provider = "userPools") -> str:
    """Auth directives of a custom operation's field: IAM (Amplify marks every custom field
    first), then the service directives of its rules' providers."""
    providers = [*operation.providers(), "identityPool"]
    names = ["@aws_iam"]
    names += [
        d for d in service_directives(providers, default, include_default=False) if d not in names
    ]
    return " ".join(names)


def operation_field_definition(operation: CustomOperation, default: Provider = "userPools") -> str:
    """`echo(message: String!, times: Int): String @aws_iam @aws_cognito_user_pools`."""
    arguments = _arguments((n, field_type(f)) for n, f in operation.arguments.items())
    signature = f"{operation.name}({arguments})" if arguments else operation.name
    directives = operation_directives(operation, default)
    return f"{signature}: {field_type(operation.returns)} {directives}"


def declared_root_types(schema: Schema, model_lines: dict[str, list[str]]) -> dict[str, str]:
    """The Mutation and Query types that hold custom operations (model fields first), in
    Amplify's order; a root type with no custom operation is not in it."""
    roots: dict[str, str] = {}
    for root, operations in (("Mutation", schema.mutations), ("Query", schema.queries)):
        if not operations:
            continue
        default = default_provider(schema)
        lines = model_lines[root] + [
            f"  {operation_field_definition(op, default)}" for op in operations.values()
        ]
        roots[root] = f"type {root} @aws_iam {{\n" + "".join(line + "\n" for line in lines) + "}\n"
    return roots


# A custom type's directives name the provider of each inherited rule (an identity-pool rule is
# an IAM one), as Amplify's schema processor writes them; the transformer then adds @aws_iam.
_CUSTOM_TYPE_DIRECTIVES: dict[Provider, str] = {
    "apiKey": "@aws_api_key",
    "function": "@aws_lambda",
    "userPools": "@aws_cognito_user_pools",
    "identityPool": "@aws_iam",
    "oidc": "@aws_oidc",
}


def inherited_rules(schema: Schema) -> dict[str, list[AuthRule]]:
    """Custom type -> the rules of the operations that return it, directly or through the
    custom type fields of a custom type they return."""
    inherited: dict[str, list[AuthRule]] = {name: [] for name in schema.custom_types}
    for operation in schema.operations.values():
        if operation.return_kind != "customType":
            continue
        pending, seen = [operation.returns.type_name], set()
        while pending:
            name = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            inherited[name] += operation.rules
            pending += [
                f.type_name
                for f in schema.custom_types[name].fields.values()
                if f.type_name in schema.custom_types
            ]
    return inherited


def custom_type_directives(rules: Iterable[AuthRule]) -> str:
    names: list[str] = []
    for rule in rules:
        directive = _CUSTOM_TYPE_DIRECTIVES[rule.provider]
        if directive not in names:
            names.append(directive)
    if "@aws_iam" not in names:
        names.append("@aws_iam")
    return " ".join(names)


def custom_type_definition(custom_type: CustomType, rules: Iterable[AuthRule]) -> str:
    body = "".join(f"  {n}: {field_type(f)}\n" for n, f in custom_type.fields.items())
    return f"type {custom_type.name} {custom_type_directives(rules)} {{\n{body}}}\n"


def custom_type_definitions(schema: Schema) -> list[str]:
    """Each custom type's object type, in declaration order."""
    inherited = inherited_rules(schema)
    return [custom_type_definition(t, inherited[n]) for n, t in schema.custom_types.items()]

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

# AppSync's built-in scalars and directives (kept importable here for the SDL's readers).
APPSYNC_PRELUDE = scalars.APPSYNC_PRELUDE
# The filter input families Amplify declares once, in this order.
_FILTER_FAMILIES = tuple(scalars.FILTER_OPERATORS)
_PROVIDER_DIRECTIVES: dict[Provider, str] = {
    "userPools": "@aws_cognito_user_pools",
    "oidc": "@aws_oidc",
    # identityPool callers are IAM callers: covered by @aws_iam, which every model carries
    # (Amplify always admits IAM principals; the Lambda narrows them).
    "identityPool": "",
}


def api_auth_modes(schema: Schema) -> tuple[str, tuple[str, ...]]:
    """(default AppSync auth type, additional types), as Amplify configures the API.

    The user pool is always present (Amplify's `defineAuth`); IAM always (identity pool and
    backend roles); OIDC when a rule uses it, and then it is the default unless user-pool rules
    exist too.
    """
    providers = schema.providers()
    modes = [USER_POOLS, IAM] + ([OIDC] if "oidc" in providers else [])
    default = OIDC if "oidc" in providers and "userPools" not in providers else USER_POOLS
    return default, tuple(m for m in modes if m != default)


def field_type(f: Field) -> str:
    """The GraphQL type of a model field: `String`, `String!`, `[String!]`, `[String]!`..."""
    element = f.type_name + ("!" if f.is_required else "")
    if not f.is_array:
        return element
    return f"[{element}]" + ("!" if f.is_array_required else "")


def _nullable(type_text: str) -> str:
    return type_text[:-1] if type_text.endswith("!") else type_text


def _directives(model: Model, operations: Iterable[Operation]) -> str:
    """Auth directives of a field that runs `operations`: IAM plus every provider granting one."""
    ops = tuple(operations)
    names = ["@aws_iam"]
    for rule in model.rules:
        directive = _PROVIDER_DIRECTIVES[rule.provider]
        if directive and directive not in names and any(rule.grants(op) for op in ops):
            names.append(directive)
    return " ".join(names)


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


def _model_type(model: Model) -> str:
    body = "".join(f"  {type_field_definition(model, name)}\n" for name in model.all_field_names)
    return f"type {model.name} {_directives(model, _ALL_OPERATIONS)} {{\n{body}}}\n"


def _model_inputs(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    filter_name = names.filter_input
    condition_name = names.condition_input
    subscription_filter = names.subscription_filter_input
    blocks = [
        f"type {names.connection} {_directives(model, ('list',))} {{\n"
        f"  items: [{name}]!\n  nextToken: String\n}}\n",
        _input(
            filter_name,
            [(n, _filter_type(f, False)) for n, f in filter_fields(model).items()]
            + [("and", f"[{filter_name}]"), ("or", f"[{filter_name}]"), ("not", filter_name)],
        ),
        # Amplify builds the condition before it adds the timestamps, and leaves `id` out.
        _input(
            condition_name,
            [(n, _filter_type(f, False)) for n, f in condition_fields(model).items()]
            + [("and", f"[{condition_name}]"), ("or", f"[{condition_name}]")]
            + [("not", condition_name)]
            + [(n, _filter_type(model.fields[n], False)) for n in ("createdAt", "updatedAt")],
        ),
        _input(names.mutation_input("create"), create_input_fields(model)),
        _input(names.mutation_input("update"), update_input_fields(model)),
        _input(names.mutation_input("delete"), delete_input_fields(model)),
        _input(
            subscription_filter,
            [(n, _filter_type(f, True)) for n, f in filter_fields(model).items()]
            + [("and", f"[{subscription_filter}]"), ("or", f"[{subscription_filter}]")],
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


def _query_lines(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    get_args = _arguments(get_arguments(model))
    list_args = _arguments(list_arguments(model))
    return [
        f"  {names.field('get')}({get_args}): {name} {_directives(model, ('get',))}",
        f"  {names.field('list')}({list_args}): {names.connection} {_directives(model, ('list',))}",
    ] + [
        f"  {query}({_arguments(arguments)}): {names.connection} {_directives(model, ('list',))}"
        for query, arguments in index_query_fields(model).items()
    ]


def _mutation_lines(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    return [
        f"  {field}(input: {names.mutation_input(op)}!, condition: {names.condition_input})"
        f": {name} {_directives(model, (op,))}"
        for field, op in names.mutation_fields().items()
    ]


def _subscription_lines(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    return [
        f"  {field}(filter: {names.subscription_filter_input}): {name}"
        f' @aws_subscribe(mutations: ["{names.field(op)}"]) {_directives(model, ("listen",))}'
        for field, op in names.subscriptions().items()
    ]


def _root(name: str, lines: list[str]) -> str:
    return f"type {name} {{\n" + "".join(line + "\n" for line in lines) + "}\n"


def render_sdl(schema: Schema) -> str:
    """The whole AppSync schema for `schema`, as Amplify's transformer would emit it."""
    schema.require_authorized_operations()
    models = list(schema.models.values())
    model_lines = {
        "Query": [line for m in models for line in _query_lines(m)],
        "Mutation": [line for m in models for line in _mutation_lines(m)],
    }
    roots = {
        "Query": _root("Query", model_lines["Query"]),
        "Mutation": _root("Mutation", model_lines["Mutation"]),
        "Subscription": _root(
            "Subscription", [line for m in models for line in _subscription_lines(m)]
        ),
    }
    # Root types that carry custom operations are declared up front, as Amplify's input has them.
    declared = declared_root_types(schema, model_lines)
    roots.update(declared)
    blocks = [_model_type(m) for m in models]
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
            model
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
    fields = {n: f for n, f in model.fields.items() if n not in ("createdAt", "updatedAt")}
    fields.setdefault("id", Field("ID", is_required=True))
    fields.update({n: model.fields[n] for n in ("createdAt", "updatedAt")})
    return fields


def condition_fields(model: Model) -> dict[str, Field]:
    """Fields a mutation's condition can test: the declared ones but the identifier's."""
    return {n: f for n, f in model.user_fields.items() if n not in model.identifier}


def create_input_fields(model: Model) -> list[tuple[str, str]]:
    """Create input: declared fields (a default makes one optional), then an optional `id`
    when the model has one (a custom identifier without `id` names its key fields among them)."""
    fields = [
        (n, _nullable(field_type(f)) if f.has_default else field_type(f))
        for n, f in model.user_fields.items()
    ]
    return fields + ([("id", "ID")] if "id" in model.fields else [])


def update_input_fields(model: Model) -> list[tuple[str, str]]:
    """Update input: every declared field optional but the identifier's, which are required."""
    fields = [
        (n, field_type(f) if n in model.identifier else _nullable(field_type(f)))
        for n, f in model.user_fields.items()
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


def operation_directives(operation: CustomOperation) -> str:
    """Auth directives of a custom operation's field: IAM, then each provider of its rules."""
    names = ["@aws_iam"]
    for rule in operation.rules:
        directive = _PROVIDER_DIRECTIVES[rule.provider]
        if directive and directive not in names:
            names.append(directive)
    return " ".join(names)


def operation_field_definition(operation: CustomOperation) -> str:
    """`echo(message: String!, times: Int): String @aws_iam @aws_cognito_user_pools`."""
    arguments = _arguments((n, field_type(f)) for n, f in operation.arguments.items())
    signature = f"{operation.name}({arguments})" if arguments else operation.name
    return f"{signature}: {field_type(operation.returns)} {operation_directives(operation)}"


def declared_root_types(schema: Schema, model_lines: dict[str, list[str]]) -> dict[str, str]:
    """The Mutation and Query types that hold custom operations (model fields first), in
    Amplify's order; a root type with no custom operation is not in it."""
    roots: dict[str, str] = {}
    for root, operations in (("Mutation", schema.mutations), ("Query", schema.queries)):
        if not operations:
            continue
        lines = model_lines[root] + [
            f"  {operation_field_definition(op)}" for op in operations.values()
        ]
        roots[root] = f"type {root} @aws_iam {{\n" + "".join(line + "\n" for line in lines) + "}\n"
    return roots


# A custom type's directives name the provider of each inherited rule (an identity-pool rule is
# an IAM one), as Amplify's schema processor writes them; the transformer then adds @aws_iam.
_CUSTOM_TYPE_DIRECTIVES: dict[Provider, str] = {
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

"""The AppSync SDL Amplify's GraphQL transformer emits for a schema (`schema.graphql`).

Same types, fields, arguments, input types, filter operators, enum values and auth directives
as `@aws-amplify/graphql-transformer` (shared/reference/amplify/*/output-appsync-schema.graphql),
laid out in the transformer's order so a diff against Amplify's output stays small.
"""

from __future__ import annotations

from collections.abc import Iterable

from appsync_data import scalars
from appsync_data.naming import api_names, enum_filter_input, scalar_filter_input
from appsync_data.schema import Field, Model, Operation, Provider, Schema

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
    body = "".join(f"  {name}: {field_type(f)}\n" for name, f in model.fields.items())
    return f"type {model.name} {_directives(model, _ALL_OPERATIONS)} {{\n{body}}}\n"


def _model_inputs(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    user_fields = model.user_fields
    filter_name = names.filter_input
    condition_name = names.condition_input
    subscription_filter = names.subscription_filter_input
    blocks = [
        f"type {names.connection} {_directives(model, ('list',))} {{\n"
        f"  items: [{name}]!\n  nextToken: String\n}}\n",
        _input(
            filter_name,
            [(n, _filter_type(f, False)) for n, f in model.fields.items()]
            + [("and", f"[{filter_name}]"), ("or", f"[{filter_name}]"), ("not", filter_name)],
        ),
        # Amplify builds the condition before it adds the timestamps, and leaves `id` out.
        _input(
            condition_name,
            [(n, _filter_type(f, False)) for n, f in user_fields.items()]
            + [("and", f"[{condition_name}]"), ("or", f"[{condition_name}]")]
            + [("not", condition_name)]
            + [(n, _filter_type(model.fields[n], False)) for n in ("createdAt", "updatedAt")],
        ),
        _input(
            names.mutation_input("create"),
            [
                (n, _nullable(field_type(f)) if f.has_default else field_type(f))
                for n, f in user_fields.items()
            ]
            + [("id", "ID")],
        ),
        _input(
            names.mutation_input("update"),
            [(n, _nullable(field_type(f))) for n, f in user_fields.items()] + [("id", "ID!")],
        ),
        _input(names.mutation_input("delete"), [("id", "ID!")]),
        _input(
            subscription_filter,
            [(n, _filter_type(f, True)) for n, f in model.fields.items()]
            + [("and", f"[{subscription_filter}]"), ("or", f"[{subscription_filter}]")],
        ),
    ]
    return blocks


def query_fields(model: Model) -> dict[str, Operation]:
    """The model's Query fields and the operation each runs."""
    return api_names(model).query_fields()


def mutation_fields(model: Model) -> dict[str, Operation]:
    """The model's Mutation fields and the operation each runs."""
    return api_names(model).mutation_fields()


def _query_lines(model: Model) -> list[str]:
    name = model.name
    names = api_names(model)
    return [
        f"  {names.field('get')}(id: ID!): {name} {_directives(model, ('get',))}",
        f"  {names.field('list')}(filter: {names.filter_input}, limit: Int, nextToken: String)"
        f": {names.connection} {_directives(model, ('list',))}",
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
    models = list(schema.models.values())
    roots = {
        "Query": _root("Query", [line for m in models for line in _query_lines(m)]),
        "Mutation": _root("Mutation", [line for m in models for line in _mutation_lines(m)]),
        "Subscription": _root(
            "Subscription", [line for m in models for line in _subscription_lines(m)]
        ),
    }
    blocks = [_model_type(m) for m in models]
    blocks += [_enum(name, values) for name, values in schema.enums.items()]
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
        if index == 0:  # Amplify places each root type after the first model's inputs for it
            blocks.append(roots["Query"])
        blocks += [condition, create, update, delete]
        if index == 0:
            blocks.append(roots["Mutation"])
        blocks.append(subscription_filter)
        if index == 0:
            blocks.append(roots["Subscription"])
    return "\n".join(blocks)

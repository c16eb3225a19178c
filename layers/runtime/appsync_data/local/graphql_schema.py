"""The generated AppSync SDL as an executable graphql-core schema, with AppSync's built-ins.

AppSync predefines its scalars and auth directives; the SDL it is given (and our `schema.graphql`)
uses them without declaring them, so we declare whichever the SDL does not. Auth directives decide
which auth modes may read each field: the field's own directives, else its type's, else only the
API's default mode (AppSync's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    TypeDefinitionNode,
    build_ast_schema,
    concat_ast,
    parse,
)

from appsync_data.generate.sdl import IAM, OIDC, USER_POOLS
from appsync_data.local.scalars import install_scalar_behaviour
from appsync_data.scalars import appsync_prelude

API_KEY = "API_KEY"
LAMBDA = "AWS_LAMBDA"

_DIRECTIVE_MODES: Mapping[str, str] = {
    "aws_cognito_user_pools": USER_POOLS,
    "aws_auth": USER_POOLS,
    "aws_iam": IAM,
    "aws_oidc": OIDC,
    "aws_api_key": API_KEY,
    "aws_lambda": LAMBDA,
}


def _modes_of(directives: tuple[DirectiveNode, ...]) -> frozenset[str]:
    return frozenset(
        _DIRECTIVE_MODES[d.name.value] for d in directives if d.name.value in _DIRECTIVE_MODES
    )


@dataclass(frozen=True)
class ExecutableSchema:
    schema: GraphQLSchema
    default_mode: str
    # (type name, field name) -> auth modes that may read the field
    field_modes: Mapping[tuple[str, str], frozenset[str]]

    def admits(self, type_name: str, field_name: str, mode: str) -> bool:
        if field_name.startswith("__"):
            return True  # introspection and __typename
        modes = self.field_modes.get((type_name, field_name))
        return mode in (modes if modes is not None else frozenset({self.default_mode}))


def build_executable_schema(sdl: str, default_mode: str) -> ExecutableSchema:
    document = parse(sdl)
    names = {
        node.name.value
        for node in document.definitions
        if isinstance(node, (TypeDefinitionNode, DirectiveDefinitionNode))
    }
    prelude = appsync_prelude(names)
    full = concat_ast([parse(prelude), document]) if prelude else document
    schema = build_ast_schema(full)
    for named_type in schema.type_map.values():
        if isinstance(named_type, GraphQLScalarType):
            install_scalar_behaviour(named_type)

    field_modes: dict[tuple[str, str], frozenset[str]] = {}
    for named_type in schema.type_map.values():
        if not isinstance(named_type, GraphQLObjectType) or named_type.name.startswith("__"):
            continue
        type_directives: tuple[DirectiveNode, ...] = ()
        for node in (named_type.ast_node, *named_type.extension_ast_nodes):
            if node is not None:
                type_directives += tuple(node.directives or ())
        type_modes = _modes_of(type_directives)
        for field_name, field in named_type.fields.items():
            own = _modes_of(tuple(field.ast_node.directives or ())) if field.ast_node else None
            field_modes[(named_type.name, field_name)] = (
                own or type_modes or frozenset({default_mode})
            )
    return ExecutableSchema(schema=schema, default_mode=default_mode, field_modes=field_modes)

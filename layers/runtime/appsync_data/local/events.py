"""The Lambda event AppSync sends a direct Lambda resolver, built from a resolved field.

`info.selectionSetList` lists the selected fields by response name (alias when aliased, as AppSync
documents), nested ones as `parent/child`, fragments flattened; `info.selectionSetGraphQL` is the
field's selection set printed as GraphQL, fragment spreads kept as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    print_ast,
)

from appsync_data.events import function_event, resolver_event


def selection_set_list(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    prefix: str = "",
    seen: list[str] | None = None,
) -> list[str]:
    paths: list[str] = [] if seen is None else seen
    if selection_set is None:
        return paths
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # __typename and introspection are not data
            key = (selection.alias or selection.name).value
            path = f"{prefix}{key}"
            if path not in paths:
                paths.append(path)
            selection_set_list(selection.selection_set, fragments, path + "/", paths)
        elif isinstance(selection, InlineFragmentNode):
            selection_set_list(selection.selection_set, fragments, prefix, paths)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                selection_set_list(fragment.selection_set, fragments, prefix, paths)
    return paths


def build_event(
    info: GraphQLResolveInfo[Any],
    arguments: Mapping[str, Any],
    *,
    identity: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    variables: Mapping[str, Any],
    source: Any = None,
) -> dict[str, Any]:
    """AppSync's direct Lambda resolver event for the field `info` is resolving; `source` is the
    parent item of a nested field (None for a root field)."""
    field_node = info.field_nodes[0]
    selection_list: list[str] = []
    for node in info.field_nodes:
        selection_set_list(node.selection_set, info.fragments, "", selection_list)
    event = resolver_event(
        info.parent_type.name,
        info.field_name,
        arguments,
        identity=identity,
        # As functions/resolvers/invoke_data.js: the trace id only, never the Authorization header.
        headers={k: v for k, v in headers.items() if k == "x-amzn-trace-id"},
        variables=variables,
        selection_set_list=selection_list,
        selection_set_graphql=(
            print_ast(field_node.selection_set) if field_node.selection_set else ""
        ),
    )
    event["source"] = source
    return event


def build_function_event(
    info: GraphQLResolveInfo[Any],
    arguments: Mapping[str, Any],
    *,
    identity: Mapping[str, Any] | None,
    headers: Mapping[str, str],
) -> dict[str, Any]:
    """The event Amplify hands the function of the custom operation `info` is resolving."""
    return function_event(
        info.parent_type.name, info.field_name, arguments, identity=identity, headers=headers
    )

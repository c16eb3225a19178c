"""AppSync's per-request limits, checked on the parsed query as AppSync does before running it.

- `QueryDepthLimit` (API setting, 1..75; 0 = no limit): how deeply fields nest, fragments inlined;
- `ResolverCountLimit` (API setting, 1..10000; 0 = AppSync's default of 10000): how many resolvers
  one request invokes. Only root fields have resolvers here, one per response key;
- 30 s per request (see `execution`). `cli` repeats these numbers for its help.

Also `without_repeats`: a selection repeated verbatim in the same selection set (1,000 copies of
`listTodos { ... }`) is one field under GraphQL's field collection, so it is dropped before
validation, whose pairwise overlap check would otherwise spend its whole work budget on copies
("Validation aborted." for a valid query).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    print_ast,
    visit,
)
from graphql.language import Visitor

APPSYNC_DEFAULT_RESOLVER_COUNT_LIMIT = 10_000
MAX_QUERY_DEPTH_LIMIT = 75


class _DropRepeats(Visitor):
    def leave_selection_set(self, node: SelectionSetNode, *_args: Any) -> Any:
        keys = [_response_key(selection) for selection in node.selections]
        if len(set(keys)) == len(keys) and None not in keys:
            return None  # every field has its own response key: nothing can repeat
        seen: set[str] = set()
        kept = []
        for selection in node.selections:
            text = print_ast(selection)
            if text not in seen:
                seen.add(text)
                kept.append(selection)
        if len(kept) == len(node.selections):
            return None  # unchanged
        return SelectionSetNode(selections=tuple(kept), loc=node.loc)


def _response_key(selection: Any) -> str | None:
    if isinstance(selection, FieldNode):
        return (selection.alias or selection.name).value
    return None  # a fragment: compared in full


def without_repeats(document: DocumentNode) -> DocumentNode:
    """`document` with verbatim repeats of a selection in one selection set removed."""
    result: DocumentNode = visit(document, _DropRepeats())
    return result


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def query_depth(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """The deepest field nesting of `operation` (a root field alone is depth 1)."""
    fragments = _fragments(document)

    def depth(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                deepest = max(deepest, 1 + depth(selection.selection_set, visiting))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, depth(selection.selection_set, visiting))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in visiting:  # validation refuses cycles
                    deepest = max(deepest, depth(fragments[name].selection_set, visiting | {name}))
        return deepest

    return depth(operation.selection_set, frozenset())


def resolver_count(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """How many resolvers `operation` invokes: its root response keys (fragments inlined)."""
    fragments = _fragments(document)
    keys: set[str] = set()

    def collect(selection_set: SelectionSetNode, visiting: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):  # introspection: no resolver
                    keys.add((selection.alias or selection.name).value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in visiting:
                    collect(fragments[name].selection_set, visiting | {name})

    collect(operation.selection_set, frozenset())
    return len(keys)


def effective_resolver_count_limit(setting: int) -> int:
    """AppSync's reading of the `ResolverCountLimit` setting: 0 means its default, 10000."""
    return setting or APPSYNC_DEFAULT_RESOLVER_COUNT_LIMIT

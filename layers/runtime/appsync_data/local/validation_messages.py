"""AppSync's wording for GraphQL validation errors, where the reference shows it.

AppSync validates with graphql-java, whose messages name the error type and the field's path:

    Validation error of type FieldUndefined: Field 'bogus' in type 'Todo' is undefined
    @ 'listTodos/items/bogus'

graphql-core says "Cannot query field 'bogus' on type 'Todo'." for the same error; other messages
are kept as graphql-core words them (no reference to copy).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLError, Visitor, visit

_FIELD_UNDEFINED = re.compile(r"^Cannot query field '([^']+)' on type '([^']+)'\.")


class _PathTo(Visitor):
    """The field names from the operation (or fragment) root down to one field node."""

    def __init__(self, target: FieldNode) -> None:
        super().__init__()
        self.target = target
        self.stack: list[str] = []
        self.found: list[str] | None = None

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        self.stack.append(node.name.value)
        if node is self.target:
            self.found = list(self.stack)
            return self.BREAK
        return None

    def leave_field(self, *_args: Any) -> None:
        self.stack.pop()


def appsync_message(error: GraphQLError, document: DocumentNode) -> str:
    match = _FIELD_UNDEFINED.match(error.message)
    node = error.nodes[0] if error.nodes else None
    if match is None or not isinstance(node, FieldNode):
        return error.message
    finder = _PathTo(node)
    visit(document, finder)
    path = "/".join(finder.found or [match.group(1)])
    return (
        f"Validation error of type FieldUndefined: Field '{match.group(1)}' in type "
        f"'{match.group(2)}' is undefined @ '{path}'"
    )

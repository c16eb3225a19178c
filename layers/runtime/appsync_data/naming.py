"""The GraphQL names Amplify gives a model's API: the one place they are spelled.

`getTodo`, `listTodos`, `createTodo`/`updateTodo`/`deleteTodo`, `onCreateTodo`...,
`ModelTodoConnection`, `ModelTodoFilterInput`, `ModelTodoConditionInput`, `CreateTodoInput`...,
`ModelSubscriptionTodoFilterInput`. The resolver routes by them, the SDL and the template declare
them, the store labels its pages with them: all read them from `api_names(model)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from appsync_data.schema import Model, Operation

RootType = Literal["Query", "Mutation", "Subscription"]
# The operations a model's Query and Mutation fields run, in Amplify's field order.
QUERY_OPERATIONS: tuple[Operation, ...] = ("get", "list")
MUTATION_OPERATIONS: tuple[Operation, ...] = ("create", "update", "delete")
FIELD_OPERATIONS: tuple[Operation, ...] = (*QUERY_OPERATIONS, *MUTATION_OPERATIONS)


def root_type(operation: Operation) -> RootType:
    """The root type holding the field of a get/list/create/update/delete operation."""
    return "Query" if operation in QUERY_OPERATIONS else "Mutation"


@dataclass(frozen=True)
class ApiNames:
    """Every name of one model's API, as Amplify's GraphQL transformer spells it."""

    model: str
    plural: str

    def field(self, operation: Operation) -> str:
        """The Query/Mutation field of a get/list/create/update/delete operation."""
        if operation == "list":
            return f"list{self.plural}"
        if operation in FIELD_OPERATIONS:
            return f"{operation}{self.model}"
        raise ValueError(f"{operation!r} has no Query or Mutation field")

    def fields(self) -> dict[str, Operation]:
        """Every Query and Mutation field of the model and the operation it runs."""
        return {self.field(op): op for op in FIELD_OPERATIONS}

    def query_fields(self) -> dict[str, Operation]:
        return {self.field(op): op for op in QUERY_OPERATIONS}

    def mutation_fields(self) -> dict[str, Operation]:
        return {self.field(op): op for op in MUTATION_OPERATIONS}

    def subscription(self, mutation: Operation) -> str:
        """`onCreateX` for "create": the subscription fed by a mutation."""
        return f"on{mutation.capitalize()}{self.model}"

    def subscriptions(self) -> dict[str, Operation]:
        """Every subscription field and the mutation that feeds it."""
        return {self.subscription(op): op for op in MUTATION_OPERATIONS}

    def mutation_input(self, mutation: Operation) -> str:
        """`CreateXInput` / `UpdateXInput` / `DeleteXInput`."""
        return f"{mutation.capitalize()}{self.model}Input"

    @property
    def connection(self) -> str:
        return f"Model{self.model}Connection"

    @property
    def filter_input(self) -> str:
        return f"Model{self.model}FilterInput"

    @property
    def condition_input(self) -> str:
        return f"Model{self.model}ConditionInput"

    @property
    def subscription_filter_input(self) -> str:
        return f"ModelSubscription{self.model}FilterInput"


@cache
def _names(model: str, plural: str) -> ApiNames:
    return ApiNames(model, plural)


def api_names(model: Model) -> ApiNames:
    """The API names of `model`."""
    return _names(model.name, model.plural_name)


def scalar_filter_input(family: str, *, subscription: bool = False) -> str:
    """`ModelStringInput` / `ModelSubscriptionStringInput` for a filter input family."""
    return f"ModelSubscription{family}Input" if subscription else f"Model{family}Input"


def enum_filter_input(enum: str, *, is_list: bool = False) -> str:
    """`ModelStatusInput` / `ModelStatusListInput`: the filter input of an enum field."""
    return f"Model{enum}{'List' if is_list else ''}Input"


def sort_key_argument(sort_key_fields: tuple[str, ...] | list[str]) -> str:
    """The argument of a key's sort-key condition: the field's name, or for a composite sort key
    the names joined in camelCase (`status`, `createdAt` -> `statusCreatedAt`)."""
    first, *rest = sort_key_fields
    return first + "".join(n[:1].upper() + n[1:] for n in rest)

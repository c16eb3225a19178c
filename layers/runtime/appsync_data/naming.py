"""The GraphQL names Amplify gives a model's API: the one place they are spelled.

`getTodo`, `listTodos`, `createTodo`/`updateTodo`/`deleteTodo`, `onCreateTodo`...,
`ModelTodoConnection`, `ModelTodoFilterInput`, `ModelTodoConditionInput`, `CreateTodoInput`...,
`ModelSubscriptionTodoFilterInput`; the plural (`pluralize`), the default names of a secondary
index and its query (`postsByCategoryAndRating`, `listPostByCategoryAndRating`), sort-key
arguments and their condition inputs. The resolver routes by them, the SDL and the template
declare them, the store labels its pages with them, the schema checks them for clashes.

Functions take names (strings), not schema objects, so that schema.py can use them too: this
module imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

# Amplify's operation names: a model's fields run get/list/create/update/delete, subscriptions
# "listen"; "custom" is running a custom query or mutation (`a.query()` / `a.mutation()`): only the
# rules of such an operation grant it, and they grant nothing else. (schema.py re-exports it.)
Operation = Literal[
    "create", "update", "delete", "get", "list", "listen", "sync", "search", "custom"
]


class NamedModel(Protocol):
    """What the names need of a model (`schema.Model` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def plural_name(self) -> str: ...


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


def api_names(model: NamedModel) -> ApiNames:
    """The API names of `model`."""
    return _names(model.name, model.plural_name)


def names_of(model_name: str, plural: str) -> ApiNames:
    """The API names of a model given by its name and plural."""
    return _names(model_name, plural)


def plural(name: str) -> str:
    """Amplify's pluralize for the common English endings (`Inventory` -> `Inventories`)."""
    lower = name.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    if lower.endswith("y") and len(name) > 1 and lower[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def default_index_name(model_name: str, key_fields: Sequence[str]) -> str:
    """The GSI name Amplify's index transformer gives `index("category").sort_keys(["rating"])`
    of Post: `postsByCategoryAndRating`."""
    return f"{lower_first(plural(model_name))}By{'And'.join(upper_first(n) for n in key_fields)}"


def default_index_query_field(model_name: str, key_fields: Sequence[str]) -> str:
    """The Query field data-schema gives an index without `.query_field(...)`:
    `listCustomerByAccountRepresentativeId`."""
    return f"list{upper_first(model_name)}By{'And'.join(upper_first(n) for n in key_fields)}"


def connection_type(model_name: str) -> str:
    """`ModelPostConnection`: a list's page of a model."""
    return f"Model{model_name}Connection"


def filter_input(model_name: str) -> str:
    """`ModelPostFilterInput`."""
    return f"Model{model_name}FilterInput"


def key_name(index_name: str) -> str:
    """The key's name in its composite inputs: `Primary` for the table, else the index name
    with a capital (`PostsByCategoryAndRating`)."""
    return upper_first(index_name)


def key_condition_input(scalar_family: str) -> str:
    """`ModelIntKeyConditionInput`: the condition on a one-field sort key."""
    return f"Model{scalar_family}KeyConditionInput"


def composite_key_condition_input(model_name: str, key: str) -> str:
    """`ModelOrderByStatusCompositeKeyConditionInput`: the condition on a composite sort key."""
    return f"Model{model_name}{key}CompositeKeyConditionInput"


def composite_key_input(model_name: str, key: str) -> str:
    """`ModelOrderByStatusCompositeKeyInput`: the fields of a composite sort key's value."""
    return f"Model{model_name}{key}CompositeKeyInput"


def scalar_filter_input(family: str, *, subscription: bool = False) -> str:
    """`ModelStringInput` / `ModelSubscriptionStringInput` for a filter input family."""
    return f"ModelSubscription{family}Input" if subscription else f"Model{family}Input"


def enum_filter_input(enum: str, *, is_list: bool = False) -> str:
    """`ModelStatusInput` / `ModelStatusListInput`: the filter input of an enum field."""
    return f"Model{enum}{'List' if is_list else ''}Input"


def sort_key_argument(sort_key_fields: Sequence[str]) -> str:
    """The argument of a key's sort-key condition: the field's name, or for a composite sort key
    the names joined in camelCase (`status`, `createdAt` -> `statusCreatedAt`)."""
    first, *rest = sort_key_fields
    return first + "".join(upper_first(n) for n in rest)

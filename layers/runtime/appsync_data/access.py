"""A decision applied to one operation's items: what the caller may read and write of them.

Pure functions, no I/O. `access_for` gathers, for an allowed operation, the model's decision
(its `scope`: the items an owner or group-field rule admits) and the field-level decisions
(`Field.rules`): which fields each item shows (`redacted`: the others null, with an error each),
which input fields a create or update may carry (`refused_create_fields`,
`refused_update_fields`), and the scope as a subscription's runtime filter (`auth_filter`).
ModelStore turns the scope into DynamoDB conditions; api.py answers the refusals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from appsync_data.auth import (
    Caller,
    Decision,
    ItemScope,
    field_decisions,
    hidden_fields,
    is_plain_iam_admitted,
)
from appsync_data.config import Settings
from appsync_data.schema import Model, Operation

# AppSync's limit of values of one `in` condition of a subscription filter.
_MAX_IN_VALUES = 5


@dataclass(frozen=True)
class Access:
    """An allowed operation of `type_name.field_name` as it applies to items.

    `decision`: the model's (`scope` None: every item). `reads`: the field-level read decision of
    each field with rules; `writes`: its decision for this operation (create/update). A plain IAM
    principal the deployment admits passes the field rules too, as Amplify's resolvers pass it.
    """

    decision: Decision
    type_name: str = ""
    field_name: str = ""
    reads: Mapping[str, Decision] = field(default_factory=dict)
    writes: Mapping[str, Decision] = field(default_factory=dict)

    @property
    def scope(self) -> ItemScope | None:
        return self.decision.scope


# The app's own code (custom operations' ModelItems): every item, every field.
FULL_ACCESS = Access(Decision(True, "the app's own code"))


def access_for(
    model: Model,
    operation: Operation,
    caller: Caller,
    settings: Settings,
    decision: Decision,
    type_name: str,
    field_name: str,
) -> Access:
    """The `Access` of an allowed `operation`: reads decided as get/list (a mutation's result
    is read as a get), writes as the operation itself."""
    rules = model.field_rules
    if not rules or is_plain_iam_admitted(caller, settings):
        return Access(decision, type_name, field_name)
    read_as: Operation = operation if operation in ("get", "list", "listen") else "get"
    reads = field_decisions(rules, read_as, caller, settings)
    writes = (
        field_decisions(rules, operation, caller, settings)
        if operation in ("create", "update")
        else {}
    )
    return Access(decision, type_name, field_name, reads, writes)


# --- reads --------------------------------------------------------------------------------------


def redacted(
    access: Access, item: Mapping[str, Any], path: Sequence[str | int]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`item` with the fields the caller may not read set to null, and one error each, at
    `path` + the field (`fieldErrors` of the Lambda's envelope)."""
    hidden = hidden_fields(access.reads, item) if access.reads else ()
    if not hidden:
        return dict(item), []
    shown = dict(item)
    errors = []
    type_name = str(item.get("__typename") or "")
    for name in hidden:
        shown[name] = None
        errors.append(
            {
                "path": [*path, name],
                "type": "Unauthorized",
                "message": f"Not Authorized to access {name} on type {type_name}",
            }
        )
    return shown, errors


def redacted_result(
    access: Access, result: Any, path: Sequence[str | int]
) -> tuple[Any, list[dict[str, Any]]]:
    """A get/mutation result (an item or null) or a list page (`items`) redacted item by item."""
    if not access.reads or not isinstance(result, Mapping):
        return result, []
    if isinstance(result.get("items"), list):
        items, errors = [], []
        for position, item in enumerate(result["items"]):
            shown, item_errors = redacted(access, item, [*path, "items", position])
            items.append(shown)
            errors.extend(item_errors)
        return {**result, "items": items}, errors
    return redacted(access, result, path)


# --- writes -------------------------------------------------------------------------------------


def refused_create_fields(
    access: Access, model: Model, input_names: Iterable[str], item: Mapping[str, Any]
) -> tuple[str, ...]:
    """The input fields a create may not carry (`item`: what it would store, owner defaults
    applied). A caller admitted through an owner or group field (a scope) may write the fields
    without rules of their own and those whose rules admit the new item, as Amplify's create
    resolver lists them: the id is not among them (`Unauthorized on [id]`, Amplify's answer to
    an id chosen by such a caller on a model with field rules)."""
    if not access.writes:
        return ()

    def writable(name: str) -> bool:
        decision = access.writes.get(name)
        if decision is None:
            return True
        return decision.allowed and (decision.scope is None or decision.scope.admits(item))

    names = tuple(input_names)
    if access.scope is None:
        return tuple(name for name in names if not writable(name))
    allowed = {name for name in model.fields if name != "id" and writable(name)}
    return tuple(name for name in names if name not in allowed)


def refused_update_fields(access: Access, input_names: Iterable[str]) -> tuple[str, ...]:
    """The input fields an update may not write whatever the item holds (no rule admits)."""
    return tuple(
        name
        for name in input_names
        if (decision := access.writes.get(name)) is not None and not decision.allowed
    )


def written_field_scopes(
    access: Access, input_names: Iterable[str]
) -> tuple[tuple[str, ItemScope], ...]:
    """(field, scope) of each written field whose rules admit only some items: the update's
    condition carries them beside the model's scope."""
    scopes = []
    for name in input_names:
        decision = access.writes.get(name)
        if decision is not None and decision.allowed and decision.scope is not None:
            scopes.append((name, decision.scope))
    return tuple(scopes)


# --- subscriptions ------------------------------------------------------------------------------


def auth_filter(scope: ItemScope) -> dict[str, Any]:
    """A scoped subscriber's runtime filter, in the subscription filter language: the items any
    match admits (`{"owner": {"in": [...]}}`; a list field: `{"editors": {"contains": v}}` per
    value). subscription_filter.js (deployed) ANDs it with the client's filter."""
    alternatives: list[dict[str, Any]] = []
    for match in scope.matches:
        if match.is_list:
            alternatives.extend({match.field: {"contains": value}} for value in match.values)
            continue
        for start in range(0, len(match.values), _MAX_IN_VALUES):
            chunk = list(match.values[start : start + _MAX_IN_VALUES])
            alternatives.append({match.field: {"in": chunk}})
    return {"or": alternatives}


def subscription_scope(scope: ItemScope, arguments: Mapping[str, Any]) -> ItemScope | None:
    """The scope a subscriber keeps (None: refused), as Amplify's subscription resolvers decide:
    an owner argument (`onCreateTodo(owner: ...)`) must name the caller."""
    for match in scope.matches:
        if not match.is_owner or match.is_list:
            continue
        named = arguments.get(match.field)
        if named is not None and named != "" and named not in match.values:
            return None
    return scope

"""The data Lambda against Amplify's own answers: every cell of the authorization truth table.

tests/reference/authorization/truth-table.json (README beside it) renders Amplify Gen 2's resolvers
for the reference schema (tests/deploy/authorization_resource.py) for every operation x caller x
item. Each cell here loads the cell's dataset (`items`) into moto's tables, sends the operation to
the data Lambda's handler (the custom operations to their function's handler) as AppSync sends it,
with the caller's identity, and checks what Amplify answered: the decision, the error (type and
message), the ids a get/list/subscription shows (`visible`), what a create/update stores
(`stored`), the fields returned null with an error (`redacted`), and, for every refusal, that the
table is byte-for-byte what it was (a scan before and after).

Cells of gate `api` (AppSync's HTTP 401, before any resolver) are not the Lambda's and are tested
against `make dev`. Where we answer differently on purpose, `DIVERGENCES` names the cells and the
reason; where the oracle itself did not render Amplify's answer, `ORACLE_ARTIFACTS` says how the
expectation is read. Nothing else is excused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from appsync_data.api import DataApi, logger
from appsync_data.config import Settings
from appsync_data.events import LambdaContextStub, function_event, resolver_event
from appsync_data.functions import FunctionApi, LambdaHandler, OperationCall
from appsync_data.schema_file import load_schema
from appsync_data.store import key_schema
from appsync_data.subscription_filter import combined_groups, groups_match
from moto import mock_aws

REFERENCE = Path(__file__).parents[1] / "reference" / "authorization"
RESOURCE = Path(__file__).parents[1] / "deploy" / "authorization_resource.py"
TABLE = json.loads((REFERENCE / "truth-table.json").read_text())
CALLERS: dict[str, Any] = TABLE["callers"]
ITEMS: dict[str, list[dict[str, Any]]] = TABLE["items"]
_ORACLE = TABLE["generatedBy"]["settings"]


def _role(session_arn: str) -> str:
    """arn:aws:sts::ACCT:assumed-role/NAME/session -> arn:aws:iam::ACCT:role/NAME."""
    _, partition, _, _, account, resource = session_arn.split(":", 5)
    return f"arn:{partition}:iam::{account}:role/{resource.split('/')[1]}"


# The deployment the oracle rendered for (its generatedBy.settings); IAM_ACCESS=all (Amplify's).
SETTINGS = Settings(
    region=_ORACLE["region"],
    user_pool_id=_ORACLE["userPoolId"],
    identity_pool_id=_ORACLE["identityPoolId"],
    auth_role_arn=_role(_ORACLE["authRoleArn"]),
    unauth_role_arn=_role(_ORACLE["unauthRoleArn"]),
    oidc_issuer=_ORACLE["oidcIssuer"],
    next_token_secret=b"oracle-secret",
)

# Where we answer differently from Amplify on purpose: a predicate on the cell, and the reason.
# Each listed cell must really differ (it is checked to, with `strict` xfail).
DIVERGENCES: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    (
        "security: Amplify's VTL tests a JSON-string cognito:groups claim with `contains` on the "
        "string, so '[\"NotAdmins\"]' holds the substring Admins and gets the Admins group's "
        "access (Todo, Report, adminReport); we compare group names exactly (auth.group_values)",
        lambda c: (
            c["caller"] == "jsonGroupsLookalike"
            and (c["model"] in ("Todo", "Report") or c["field"] == "adminReport")
            # as a plain user, hal may create his own todos and get a missing one (null) too
            and not (c["field"] == "createTodo" and c["variant"] != "someone-else")
            and not (c["field"] == "getTodo" and c["id"] == "todo-missing")
            and (
                c["decision"] == "allow" or "Conditional" in (c["error"] or {}).get("errorType", "")
            )
        ),
    ),
    (
        "security: deny by default (auth.decide): an operation no rule grants is refused to every "
        "caller, plain IAM principals included; Amplify's IAM admission lets a backend role run "
        "it (Order has no update rule)",
        lambda c: c["caller"] == "iamRole" and c["field"] == "updateOrder",
    ),
    (
        "security: an operation no rule grants is refused before any DynamoDB request, naming "
        "the operation; Amplify's update resolver reads the item first and tells its owner "
        "'Unauthorized on [item]' (which also tells them the item is theirs)",
        lambda c: (
            c["caller"] == "emailUser" and c["field"] == "updateOrder" and c["id"] == "order-eve"
        ),
    ),
    (
        "owner values as published: Amplify's owner-field resolvers (Todo.owner, Article.owner, "
        "Profile.owner) rewrite `<sub>::<username>` to `<username>` in every result, and AppSync "
        "matches a subscription's owner argument (and Amplify's `owner eq <username>` runtime "
        "filter) against that; we publish the stored value, and our authFilter admits every "
        "owner value get/list admit (todo-alice-sub too). Not yet done: returning the username "
        "in owner fields",
        lambda c: (
            c["operation"] == "listen"
            and c["decision"] == "allow"
            and c["model"] in ("Todo", "Article", "Profile")
            and (
                c.get("variant") == "owner-argument-alice-full"
                # Profile.owner is null to all but its owner (a field rule): others match nothing
                or (
                    c.get("variant") == "owner-argument-alice"
                    and (c["model"] != "Profile" or c["caller"] in ("alice", "iamRole"))
                )
                or (c["field"] == "onCreateTodo" and c["caller"] == "alice")
            )
            and not (c["caller"] == "jsonGroupsLookalike" and c["model"] == "Todo")
        ),
    ),
    (
        "oracle artifact: the simulator could not render Note.editors.res.vtl (see the Note "
        "get/list cells' note), so the published editors were no list and no item matched the "
        "subscriber's `editors contains` filter; on AppSync the field resolver returns the "
        "editors' usernames, which the filter matches, as our authFilter does",
        lambda c: c["field"] == "onCreateNote" and c["caller"] in ("alice", "bob", "carol"),
    ),
)


def _without_editors_artifact(cell: dict[str, Any]) -> dict[str, Any]:
    """The simulator could not render Note.editors.res.vtl (`Cannot read properties of undefined`,
    the cell's note): it reported the field redacted. On AppSync the resolver returns the editors
    (their usernames); no field rule covers Note.editors, so we return them."""
    if "Note.editors did not render" not in (cell.get("note") or ""):
        return cell
    fixed = dict(cell)
    if fixed.get("redacted") is not None:
        fixed["redacted"] = [f for f in fixed["redacted"] if f != "editors"]
    if fixed.get("redactedByItem") is not None:
        by_item = {k: [f for f in v if f != "editors"] for k, v in fixed["redactedByItem"].items()}
        fixed["redactedByItem"] = {k: v for k, v in by_item.items() if v}
    return fixed


ORACLE_ARTIFACTS = (_without_editors_artifact,)


def _cell_id(cell: dict[str, Any]) -> str:
    parts = [cell["field"], cell["caller"], cell["id"] or "", cell.get("variant") or ""]
    return ":".join(p for p in parts if p)


def _params() -> Iterator[Any]:
    for cell in TABLE["cells"]:
        if cell["gate"] == "api":
            continue
        marks = []
        if cell["decision"] is None:
            marks.append(
                pytest.mark.skip(reason=f"the oracle recorded no decision: {cell['note']}")
            )
        for reason, applies in DIVERGENCES:
            if applies(cell):
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
        yield pytest.param(cell, id=_cell_id(cell), marks=marks)


# --- the deployment under test: one moto, the tables loaded once per dataset change ---------


class Stats:
    """The custom operations' function: answers that name the operation."""

    def __init__(self, schema: Any) -> None:
        api = FunctionApi(schema, "stats")
        self.runs: list[str] = []

        def answer(name: str, value: Any) -> Callable[[OperationCall], Any]:
            def run(call: OperationCall) -> Any:
                self.runs.append(name)
                return value

            return run

        api.operation("adminReport")(answer("adminReport", "report"))
        api.operation("publicEcho")(answer("publicEcho", "hi"))
        api.operation("vaultCount")(answer("vaultCount", 1))
        self.handler: LambdaHandler = api.lambda_handler(SETTINGS)


@dataclass
class Deployment:
    api: DataApi
    stats: Stats
    dirty: dict[str, set[str]]  # model -> ids a write may have touched (table != dataset)
    baseline: dict[str, list[dict[str, Any]]]  # a model's table scan holding its dataset

    @property
    def client(self) -> Any:
        return self.api.connection.client

    def scan(self, model: str) -> list[dict[str, Any]]:
        client, items = self.client, []
        kwargs: dict[str, Any] = {"TableName": self.api.stores[model].table_name}
        while True:
            page = client.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def load(self, model: str) -> list[dict[str, Any]]:
        """The table holds exactly the dataset of `model` (rewritten only after a write, the
        ids it touched removed): its scan."""
        if model in self.dirty:
            table = self.api.stores[model].table_name
            ids = {item["id"] for item in ITEMS[model]} | self.dirty.pop(model)
            deletes = [{"DeleteRequest": {"Key": {"id": {"S": i}}}} for i in sorted(ids)]
            self.client.batch_write_item(RequestItems={table: deletes})
            store = self.api.stores[model]
            puts = [
                {"PutRequest": {"Item": {**store._encode(item), "__typename": {"S": model}}}}
                for item in ITEMS[model]
            ]
            self.client.batch_write_item(RequestItems={table: puts})
        if model not in self.baseline:
            self.baseline[model] = self.scan(model)
        return self.baseline[model]

    def stored(self, model: str, item_id: str) -> dict[str, Any] | None:
        store = self.api.stores[model]
        raw = self.client.get_item(TableName=store.table_name, Key={"id": {"S": item_id}})
        if "Item" not in raw:
            return None
        decoded = store._decode(raw["Item"])
        return {k: v for k, v in decoded.items() if v is not None or k in raw["Item"]}


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    try:
        with mock_aws():
            schema = load_schema(RESOURCE)
            api = DataApi(schema, SETTINGS)
            for store in api.stores.values():
                api.connection.client.create_table(
                    **key_schema(store.table_name, store.layout), BillingMode="PAY_PER_REQUEST"
                )
            # The calls' log lines (thousands) are not what this test reads.
            level = logger.log_level
            logger.setLevel("WARNING")
            try:
                yield Deployment(
                    api, Stats(schema), dirty={m: set() for m in schema.models}, baseline={}
                )
            finally:
                logger.setLevel(level)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- one cell -----------------------------------------------------------------------------------

_PARENTS = {"get": "Query", "list": "Query", "listen": "Subscription", "custom": "Query"}


def _arguments(cell: dict[str, Any]) -> dict[str, Any]:
    operation = cell["operation"]
    if operation == "get":
        return {"id": cell["id"]}
    if operation == "list":
        return {}
    if operation in ("create", "update", "delete"):
        return {"input": dict(cell["input"])}
    return dict(cell["input"] or {})


def _send(deployment: Deployment, cell: dict[str, Any]) -> dict[str, Any]:
    identity = CALLERS[cell["caller"]]["identity"]
    parent = _PARENTS.get(cell["operation"], "Mutation")
    context = LambdaContextStub()
    if cell["operation"] == "custom":
        event = function_event(parent, cell["field"], _arguments(cell), identity=identity)
        return deployment.stats.handler(event, context)  # type: ignore[arg-type]
    event = resolver_event(
        parent,
        cell["field"],
        _arguments(cell),
        identity=identity,
        selection_set_list=["id"],
        selection_set_graphql="{ id }",
    )
    return deployment.api.handle(event, context)  # type: ignore[arg-type,no-any-return]


def _check_error(response: dict[str, Any], expected: dict[str, Any]) -> None:
    assert "error" in response, response
    error = response["error"]
    assert error["type"] == expected["errorType"], error
    if expected["errorType"] == "DynamoDB:ConditionalCheckFailedException":
        # AppSync's message ends with DynamoDB's request id, which the simulator leaves out.
        prefix = expected["message"].removesuffix(")")
        assert error["message"].startswith(prefix), error
    else:
        assert error["message"] == expected["message"], error


def _redacted_fields(response: dict[str, Any]) -> dict[str, set[str]]:
    """Item id -> the fields null with an error: the last element of each error's path, the item
    the `data` at the path's prefix."""
    by_item: dict[str, set[str]] = {}
    for error in response.get("fieldErrors", []):
        assert error["type"] == "Unauthorized", error
        *path, name = error["path"]
        node: Any = {path[0]: response["data"]}
        for step in path:
            node = node[step]
        assert node[name] is None, (name, node)
        type_name = node["__typename"]
        assert error["message"] == f"Not Authorized to access {name} on type {type_name}", error
        by_item.setdefault(node["id"], set()).add(name)
    return by_item


def _check_redacted(response: dict[str, Any], cell: dict[str, Any]) -> None:
    got = _redacted_fields(response)
    if cell.get("redactedByItem") is not None:
        expected = {k: set(v) for k, v in cell["redactedByItem"].items()}
        assert got == expected, got
    elif cell.get("redacted") is not None:
        assert set().union(*got.values()) == set(cell["redacted"]), got


def _visible_to_subscriber(response: dict[str, Any], cell: dict[str, Any]) -> list[str]:
    """The dataset items AppSync would deliver: the Lambda's authFilter (AND the client's
    filter, none here) and the subscription's arguments equal to the published fields."""
    groups = combined_groups(None, response.get("authFilter"))
    arguments = cell["input"] or {}
    return [
        item["id"]
        for item in ITEMS[cell["model"]]
        if (groups is None or groups_match(groups, item))
        and all(item.get(name) == value for name, value in arguments.items())
    ]


@pytest.mark.parametrize("cell", list(_params()))
def test_cell(deployment: Deployment, cell: dict[str, Any]) -> None:
    for artifact in ORACLE_ARTIFACTS:
        cell = artifact(cell)
    model, operation = cell["model"], cell["operation"]
    before = deployment.load(model) if model is not None else None
    runs = len(deployment.stats.runs)

    response = _send(deployment, cell)
    if operation in ("create", "update", "delete"):
        deployment.dirty.setdefault(model, set()).add(cell["id"])  # reloaded before the next

    if cell["decision"] == "deny":
        _check_error(response, cell["error"])
        if model is not None:
            assert deployment.scan(model) == before, "a refusal changed the table"
        assert len(deployment.stats.runs) == runs, "a refused operation's code ran"
        return
    assert "error" not in response, response
    if model is None:  # a custom operation: its code ran, once
        assert deployment.stats.runs[runs:] == [cell["field"]]
        assert response["data"] is not None
        return
    _check_redacted(response, cell)
    data = response["data"]
    if operation == "get":
        assert ([data["id"]] if data is not None else []) == cell["visible"], data
    elif operation == "list":
        ids = [item["id"] for item in data["items"]]
        assert sorted(ids) == sorted(cell["visible"]), ids
        assert data["nextToken"] is None
    elif operation == "listen":
        assert data is None
        assert sorted(_visible_to_subscriber(response, cell)) == sorted(cell["visible"])
    elif operation == "delete":
        assert data["id"] == cell["id"]
        assert deployment.stored(model, cell["id"]) is None
    else:  # create, update: what is stored (timestamps are the rendering's fixed clock)
        stored = deployment.stored(model, cell["id"])
        assert stored is not None
        ignored = {"createdAt", "updatedAt", "__typename"}
        got = {k: v for k, v in stored.items() if k not in ignored}
        expected = {k: v for k, v in cell["stored"].items() if k not in ignored}
        assert got == expected

"""The local GraphQL execution in-process: the event the real DataApi receives, AppSync scalars,
and auth directives per field. DynamoDB is moto (in-process); no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from appsync_data import a
from appsync_data.api import DataApi
from appsync_data.config import Settings
from appsync_data.generate.sdl import api_auth_modes, render_sdl
from appsync_data.local.authn import AuthContext
from appsync_data.local.dynamodb import create_tables
from appsync_data.local.execution import GraphQLExecutor, GraphQLResponse
from appsync_data.local.graphql_schema import build_executable_schema
from appsync_data.schema import Schema
from appsync_data.tables import table_layouts
from moto import mock_aws

POOL = "us-east-1_LOCALDEV"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
USER = AuthContext(
    "AMAZON_COGNITO_USER_POOLS",
    {
        "sub": "sub-1",
        "issuer": ISSUER,
        "username": "alice",
        "claims": {"sub": "sub-1", "iss": ISSUER, "token_use": "access", "username": "alice"},
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": None,
    },
)
KITCHEN = a.schema(
    {
        "Kitchen": a.model(
            {
                "when": a.datetime(),
                "day": a.date(),
                "at": a.time(),
                "stamp": a.timestamp(),
                "mail": a.email(),
                "meta": a.json(),
                "site": a.url(),
                "phone": a.phone(),
                "ip": a.ip_address(),
            }
        ).authorization(lambda allow: [allow.authenticated()])
    }
)


class Recorder:
    """Keeps each event, then lets the real handler answer it."""

    def __init__(self, api: DataApi) -> None:
        self.api = api
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return self.api.handle(event, context)


@pytest.fixture
def run() -> Iterator[Any]:
    with mock_aws():
        built: dict[str, tuple[GraphQLExecutor, Recorder]] = {}

        def execute(
            schema: Schema, query: str, variables: dict[str, Any] | None = None
        ) -> tuple[GraphQLResponse, Recorder]:
            key = ",".join(schema.models)
            if key not in built:
                create_tables(
                    boto3.client("dynamodb", region_name="us-east-1"), table_layouts(schema)
                )
                settings = Settings(user_pool_id=POOL, next_token_secret=b"k" * 32)
                recorder = Recorder(DataApi(schema, settings))
                default_mode, _ = api_auth_modes(schema)
                executable = build_executable_schema(render_sdl(schema), default_mode)
                built[key] = (GraphQLExecutor(executable, recorder), recorder)
            executor, recorder = built[key]
            payload = {"query": query, "variables": variables or {}}
            headers = {"authorization": "token", "x-amz-user-agent": "test"}
            return executor.run(payload, USER, headers), recorder

        yield execute


def test_event_is_appsyncs(run: Any) -> None:
    seed = a.schema(
        {"Todo": a.model({"content": a.string()}).authorization(lambda al: [al.authenticated()])}
    )
    query = """
    mutation Make($input: CreateTodoInput!) {
      made: createTodo(input: $input) { id ...Parts meta: __typename }
    }
    fragment Parts on Todo { words: content createdAt }
    """
    response, recorder = run(seed, query, {"input": {"content": "hi"}})
    assert response.status == 200, response.body
    assert response.body["data"]["made"]["words"] == "hi"
    (event,) = recorder.events
    assert event["arguments"] == {"input": {"content": "hi"}}
    assert event["identity"] == USER.identity
    assert event["source"] is None and event["prev"] is None and event["stash"] == {}
    # As the deployed APPSYNC_JS function: the trace id only, never the Authorization header.
    assert event["request"] == {"headers": {}, "domainName": None}
    info = event["info"]
    assert info["fieldName"] == "createTodo"
    assert info["parentTypeName"] == "Mutation"
    assert info["variables"] == {"input": {"content": "hi"}}
    assert info["selectionSetList"] == ["id", "words", "createdAt"]
    assert info["selectionSetGraphQL"] == "{\n  id\n  ...Parts\n  meta: __typename\n}"


def test_nested_selection_paths(run: Any) -> None:
    seed = a.schema(
        {"Todo": a.model({"content": a.string()}).authorization(lambda al: [al.authenticated()])}
    )
    response, recorder = run(seed, "{ listTodos(limit: 2) { items { id content } nextToken } }")
    assert response.status == 200
    assert recorder.events[0]["info"]["selectionSetList"] == [
        "items",
        "items/id",
        "items/content",
        "nextToken",
    ]
    assert recorder.events[0]["arguments"] == {"limit": 2}


VALID = {
    "when": "2024-05-01T10:20:30.123Z",
    "day": "2024-05-01",
    "at": "10:20:30",
    "stamp": 1714558830,
    "mail": "a@example.com",
    "meta": '{"k":[1,2]}',
    "site": "https://example.com/x?y=1",
    "phone": "+1 555-123-4567",
    "ip": "10.0.0.0/8",
}
CREATE_KITCHEN = """mutation ($input: CreateKitchenInput!) {
  createKitchen(input: $input) { id when day at stamp mail meta site phone ip }
}"""


def test_valid_appsync_scalars_pass_and_json_reaches_the_resolver_parsed(run: Any) -> None:
    response, recorder = run(KITCHEN, CREATE_KITCHEN, {"input": VALID})
    assert response.status == 200, response.body
    created = response.body["data"]["createKitchen"]
    assert {k: created[k] for k in VALID if k != "meta"} == {
        k: v for k, v in VALID.items() if k != "meta"
    }
    assert recorder.events[0]["arguments"]["input"]["meta"] == {"k": [1, 2]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("when", "2024-05-01T10:20:30"),  # AWSDateTime needs a time zone
        ("when", "2024-13-01T10:20:30Z"),
        ("day", "01/05/2024"),
        ("at", "25:00:00"),
        ("stamp", "1714558830"),
        ("mail", "not-an-email"),
        ("meta", "{not json"),
        ("site", "example.com"),
        ("phone", "call me"),
        ("ip", "999.1.1.1"),
    ],
)
def test_invalid_appsync_scalars_are_refused_before_the_resolver(
    run: Any, field: str, value: Any
) -> None:
    response, recorder = run(KITCHEN, CREATE_KITCHEN, {"input": {**VALID, field: value}})
    assert response.status == 400
    assert response.body["data"] is None
    assert recorder.events == []


def test_invalid_scalar_literal_is_a_validation_error(run: Any) -> None:
    response, recorder = run(KITCHEN, 'mutation { createKitchen(input: {mail: "nope"}) { id } }')
    assert response.status == 400
    assert recorder.events == []


@pytest.mark.parametrize(
    ("variant", "mode", "admitted"),
    [
        ("userPools", "AMAZON_COGNITO_USER_POOLS", True),
        ("userPools", "AWS_IAM", True),
        ("userPools", "OPENID_CONNECT", False),
        ("identityPool", "AMAZON_COGNITO_USER_POOLS", False),
        ("identityPool", "AWS_IAM", True),
        ("oidc", "OPENID_CONNECT", True),
        ("oidc", "AMAZON_COGNITO_USER_POOLS", False),
    ],
)
def test_directives_of_generated_sdl(variant: str, mode: str, admitted: bool) -> None:
    schema = a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated(variant)]
            )
        }
    )
    default_mode, _ = api_auth_modes(schema)
    executable = build_executable_schema(render_sdl(schema), default_mode)
    for type_name, field_name in (("Mutation", "createTodo"), ("Todo", "content")):
        assert executable.admits(type_name, field_name, mode) is admitted
    assert executable.admits("Todo", "__typename", mode)


def test_field_without_directives_takes_the_default_mode() -> None:
    executable = build_executable_schema(
        "type Query { open: String, iamOnly: String @aws_iam }", "AMAZON_COGNITO_USER_POOLS"
    )
    assert executable.admits("Query", "open", "AMAZON_COGNITO_USER_POOLS")
    assert not executable.admits("Query", "open", "AWS_IAM")
    assert executable.admits("Query", "iamOnly", "AWS_IAM")
    assert not executable.admits("Query", "iamOnly", "AMAZON_COGNITO_USER_POOLS")

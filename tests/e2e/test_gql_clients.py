"""The Python `gql` client with AppSync's JWT and IAM authentication, against `dev`."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.credentials import Credentials
from e2e_helpers import DevServerProcess
from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import (
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.exceptions import TransportQueryError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CREATE = """
mutation Create($input: CreateTodoInput!) {
  createTodo(input: $input) { id content createdAt updatedAt }
}"""
GET = "query Get($id: ID!) { getTodo(id: $id) { id content } }"
LIST = """
query List($filter: ModelTodoFilterInput, $limit: Int, $nextToken: String) {
  listTodos(filter: $filter, limit: $limit, nextToken: $nextToken) {
    items { id content }
    nextToken
  }
}"""
UPDATE = """
mutation Update($input: UpdateTodoInput!) { updateTodo(input: $input) { id content updatedAt } }"""
DELETE = "mutation Delete($input: DeleteTodoInput!) { deleteTodo(input: $input) { id content } }"


def _client(server: DevServerProcess, auth: AppSyncAuthentication) -> Client:
    transport = AIOHTTPTransport(url=server.graphql_url, auth=auth, ssl=False)
    return Client(transport=transport, fetch_schema_from_transport=False, execute_timeout=30)


def jwt_client(server: DevServerProcess, token: str) -> Client:
    return _client(server, AppSyncJWTAuthentication(host=server.url.split("//")[1], jwt=token))


def iam_client(server: DevServerProcess, dev: dict[str, Any]) -> Client:
    credentials = Credentials(dev["accessKeyId"], dev["secretAccessKey"], dev["sessionToken"])
    auth = AppSyncIAMAuthentication(
        host=server.url.split("//")[1], credentials=credentials, region_name="us-east-1"
    )
    return _client(server, auth)


def run(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    request = gql(query)
    request.variable_values = variables
    result: dict[str, Any] = client.execute(request)
    return result


def crud(client: Client) -> None:
    """create, get, list (filtered), update, delete, get: what the seed's client code does."""
    created = run(client, CREATE, input={"content": "from gql"})["createTodo"]
    assert created["content"] == "from gql"
    assert created["createdAt"] == created["updatedAt"]
    assert created["createdAt"].endswith("Z")
    todo_id = created["id"]

    assert run(client, GET, id=todo_id)["getTodo"] == {"id": todo_id, "content": "from gql"}
    listed = run(client, LIST, filter={"content": {"eq": "from gql"}}, limit=100)["listTodos"]
    assert {"id": todo_id, "content": "from gql"} in listed["items"]

    updated = run(client, UPDATE, input={"id": todo_id, "content": "changed"})["updateTodo"]
    assert updated["content"] == "changed"
    assert updated["updatedAt"] >= created["updatedAt"]

    deleted = run(client, DELETE, input={"id": todo_id})["deleteTodo"]
    assert deleted == {"id": todo_id, "content": "changed"}
    assert run(client, GET, id=todo_id)["getTodo"] is None


def assert_list_unauthorized(client: Client) -> None:
    """listTodos is refused by the resolver: AppSync's Unauthorized error, the field null."""
    with pytest.raises(TransportQueryError) as refused:
        run(client, LIST)
    errors = refused.value.errors or []
    assert [e["errorType"] for e in errors] == ["Unauthorized"]
    assert errors[0]["message"] == "Not Authorized to access listTodos on type Query"
    assert refused.value.data == {"listTodos": None}


def assert_refused_by_api(client: Client) -> None:
    """HTTP 401 UnauthorizedException, as gql reports it (the raw response: test_http.py)."""
    with pytest.raises(TransportQueryError) as refused:
        run(client, LIST)
    assert refused.value.errors == [
        {
            "errorType": "UnauthorizedException",
            "message": "Valid authorization header not provided.",
        }
    ]
    assert refused.value.data is None


# --- user pools (the seed) ----------------------------------------------------------------------


def test_user_pool_access_token_runs_crud(userpool_server: DevServerProcess) -> None:
    crud(jwt_client(userpool_server, userpool_server.token("alice")))


def test_user_pool_id_token_is_accepted(userpool_server: DevServerProcess) -> None:
    client = jwt_client(userpool_server, userpool_server.token("bob", "--id-token"))
    assert "items" in run(client, LIST)["listTodos"]


def test_expired_user_pool_token_is_refused(userpool_server: DevServerProcess) -> None:
    assert_refused_by_api(
        jwt_client(userpool_server, userpool_server.token("alice", "--expires-in", "-5"))
    )


def test_oidc_token_on_user_pool_api_is_refused(userpool_server: DevServerProcess) -> None:
    # The seed API has no OPENID_CONNECT mode: AppSync refuses the request itself.
    assert_refused_by_api(jwt_client(userpool_server, userpool_server.token("alice", "--oidc")))


def test_identity_pool_credentials_on_user_pool_rule_are_unauthorized(
    userpool_server: DevServerProcess,
) -> None:
    # AWS_IAM is an API mode (the directive admits it); the rule then refuses the identity.
    client = iam_client(userpool_server, userpool_server.credentials("--user", "alice"))
    assert_list_unauthorized(client)


# --- identity pool (IAM) ------------------------------------------------------------------------


def test_identity_pool_credentials_run_crud(identitypool_server: DevServerProcess) -> None:
    crud(iam_client(identitypool_server, identitypool_server.credentials("--user", "carol")))


def test_guest_credentials_are_unauthorized(identitypool_server: DevServerProcess) -> None:
    guest = identitypool_server.credentials("--user", "visitor", "--guest")
    assert_list_unauthorized(iam_client(identitypool_server, guest))


def test_plain_iam_role_is_admitted_like_amplify(identitypool_server: DevServerProcess) -> None:
    role = identitypool_server.credentials("--role", "BackendRole")
    assert "items" in run(iam_client(identitypool_server, role), LIST)["listTodos"]


def test_forged_secret_is_refused(identitypool_server: DevServerProcess) -> None:
    dev = identitypool_server.credentials("--user", "carol")
    forged = {**dev, "secretAccessKey": "A" * 40}
    assert_refused_by_api(iam_client(identitypool_server, forged))


def test_session_token_of_other_key_is_refused(identitypool_server: DevServerProcess) -> None:
    first = identitypool_server.credentials("--user", "carol")
    second = identitypool_server.credentials("--user", "mallory")
    mixed = {**first, "sessionToken": second["sessionToken"]}
    assert_refused_by_api(iam_client(identitypool_server, mixed))


def test_user_pool_token_on_iam_only_fields_is_unauthorized(
    identitypool_server: DevServerProcess,
) -> None:
    # User pools is the API's default mode, but the fields carry @aws_iam only.
    assert_list_unauthorized(jwt_client(identitypool_server, identitypool_server.token("alice")))


# --- OIDC ---------------------------------------------------------------------------------------


def test_oidc_token_runs_crud(oidc_server: DevServerProcess) -> None:
    crud(jwt_client(oidc_server, oidc_server.token("dave", "--oidc")))


def test_oidc_id_token_is_accepted(oidc_server: DevServerProcess) -> None:
    client = jwt_client(oidc_server, oidc_server.token("dave", "--oidc", "--id-token"))
    assert "items" in run(client, LIST)["listTodos"]


def test_expired_oidc_token_is_refused(oidc_server: DevServerProcess) -> None:
    assert_refused_by_api(
        jwt_client(oidc_server, oidc_server.token("dave", "--oidc", "--expires-in", "-1"))
    )


def test_user_pool_token_on_oidc_fields_is_unauthorized(oidc_server: DevServerProcess) -> None:
    assert_list_unauthorized(jwt_client(oidc_server, oidc_server.token("alice")))

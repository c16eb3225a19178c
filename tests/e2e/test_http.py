"""GraphQL over HTTP as AppSync serves it: status codes, headers, bodies, GraphQL features."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
import requests
from e2e_helpers import DevServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "Valid authorization header not provided.",
        }
    ]
}
LIST = "{ listTodos { items { id } } }"


def assert_401(response: requests.Response) -> None:
    assert response.status_code == 401
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert response.json() == UNAUTHORIZED


def test_no_authorization_header_is_401(userpool_server: DevServerProcess) -> None:
    assert_401(userpool_server.post(LIST))


def test_garbage_token_is_401(userpool_server: DevServerProcess) -> None:
    assert_401(userpool_server.post(LIST, token="not-a-jwt"))


def test_tampered_token_is_401(userpool_server: DevServerProcess) -> None:
    header, payload, signature = userpool_server.token("alice").split(".")
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    claims["username"] = "admin"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    assert_401(userpool_server.post(LIST, token=f"{header}.{forged_payload}.{signature}"))


def test_unsigned_token_is_401(userpool_server: DevServerProcess) -> None:
    claims = jwt.decode(userpool_server.token("alice"), options={"verify_signature": False})
    assert_401(userpool_server.post(LIST, token=jwt.encode(claims, key=None, algorithm="none")))


def test_validation_error_is_400_without_data(userpool_server: DevServerProcess) -> None:
    response = userpool_server.post(
        "{ listTodos { items { bogus } } }", token=userpool_server.token("alice")
    )
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] is None
    assert "bogus" in body["errors"][0]["message"]
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 23, "sourceName": None}]


def test_variable_of_wrong_type_is_400(userpool_server: DevServerProcess) -> None:
    response = userpool_server.post(
        "query ($id: ID!) { getTodo(id: $id) { id } }", {}, token=userpool_server.token("alice")
    )
    assert response.status_code == 400
    assert response.json()["data"] is None


def test_body_over_one_mib_is_413(userpool_server: DevServerProcess) -> None:
    response = requests.post(
        userpool_server.graphql_url,
        data=b"{" + b" " * (1 << 20) + b"}",
        headers={"authorization": userpool_server.token("alice")},
        timeout=30,
    )
    assert response.status_code == 413


def test_aliases_fragments_and_several_root_fields(userpool_server: DevServerProcess) -> None:
    token = userpool_server.token("alice")
    created = userpool_server.post(
        "mutation ($c: String) { first: createTodo(input: {content: $c}) { id } "
        'second: createTodo(input: {content: "two"}) { ...TodoParts } } '
        "fragment TodoParts on Todo { id text: content }",
        {"c": "one"},
        token=token,
    )
    assert created.status_code == 200
    data = created.json()["data"]
    assert data["second"]["text"] == "two"
    first_id, second_id = data["first"]["id"], data["second"]["id"]

    fetched = userpool_server.post(
        "query ($a: ID!, $b: ID!) { a: getTodo(id: $a) { id content } "
        "b: getTodo(id: $b) { ... on Todo { id content __typename } } }",
        {"a": first_id, "b": second_id},
        token=token,
    )
    assert fetched.json() == {
        "data": {
            "a": {"id": first_id, "content": "one"},
            "b": {"id": second_id, "content": "two", "__typename": "Todo"},
        }
    }


def test_resolver_error_is_200_with_appsync_error_entry(userpool_server: DevServerProcess) -> None:
    response = userpool_server.post(
        'mutation { updateTodo(input: {id: "missing", content: "x"}) { id } }',
        token=userpool_server.token("alice"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"updateTodo": None}
    (error,) = body["errors"]
    assert error["errorType"] == "DynamoDB:ConditionalCheckFailedException"
    assert error["path"] == ["updateTodo"]
    assert error["locations"] == [{"line": 1, "column": 12, "sourceName": None}]
    assert set(error) == {"path", "data", "errorType", "errorInfo", "locations", "message"}


def test_local_issuer_documents_are_published(userpool_server: DevServerProcess) -> None:
    # The published JWKS verifies what the token command prints.
    jwks_url = f"{userpool_server.url}/us-east-1_LOCALDEV/.well-known/jwks.json"
    keys = jwt.PyJWKClient(jwks_url)
    token = userpool_server.token("alice")
    claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"])
    assert claims["iss"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCALDEV"
    assert claims["token_use"] == "access"
    oidc = requests.get(
        f"{userpool_server.url}/oidc/.well-known/openid-configuration", timeout=5
    ).json()
    assert oidc["issuer"] == f"{userpool_server.url}/oidc"
    assert requests.get(oidc["jwks_uri"], timeout=5).json()["keys"]


def test_subscriptions_over_http_are_refused(userpool_server: DevServerProcess) -> None:
    response = userpool_server.post(
        "subscription { onCreateTodo { id } }", token=userpool_server.token("alice")
    )
    assert response.status_code == 400


def test_concurrent_requests_are_all_served(userpool_server: DevServerProcess) -> None:
    token = userpool_server.token("alice")

    def create(n: int) -> int:
        query = "mutation ($c: String) { createTodo(input: {content: $c}) { content } }"
        response = userpool_server.post(query, {"c": f"parallel {n}"}, token=token)
        assert response.json()["data"]["createTodo"]["content"] == f"parallel {n}"
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(create, range(16))) == [200] * 16

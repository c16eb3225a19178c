"""AppSync's real-time protocol against `python -m appsync_data dev`, over wss:// with the local
CA, spoken by the `websockets` library as the real client speaks it (realtime.md)."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
from e2e_helpers import TEST_CA, DevServerProcess, sigv4_headers
from websockets.asyncio.client import ClientConnection, connect

SUBSCRIBE = """subscription S($filter: ModelSubscriptionTodoFilterInput) {
  onCreateTodo(filter: $filter) { id content __typename }
}"""
ON_UPDATE = "subscription { onUpdateTodo { id content } }"
ON_DELETE = "subscription { onDeleteTodo { id } }"
CREATE = "mutation C($c: String) { createTodo(input: {content: $c}) { id } }"
TIMEOUT = 10.0


def _b64(value: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(TEST_CA.ca_cert))


def _host(server: DevServerProcess) -> str:
    return server.url.split("//", 1)[1]


def jwt_headers(server: DevServerProcess, token: str) -> dict[str, str]:
    return {"Authorization": token, "host": _host(server)}


@asynccontextmanager
async def realtime(
    server: DevServerProcess, connect_auth: Mapping[str, Any] | None
) -> AsyncIterator[ClientConnection]:
    url = server.url.replace("https://", "wss://") + "/graphql/realtime"
    protocols: list[Any] = ["graphql-ws"]
    if connect_auth is not None:
        protocols.append("header-" + _b64(connect_auth))
    async with connect(url, ssl=_tls(), subprotocols=protocols, open_timeout=TIMEOUT) as ws:
        yield ws


async def receive(ws: ClientConnection, skip_ka: bool = True) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if not (skip_ka and message.get("type") == "ka"):
            return message


async def init(ws: ClientConnection) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "connection_init"}))
    return await receive(ws)


async def start(
    ws: ClientConnection,
    query: str,
    auth: Mapping[str, Any],
    variables: Mapping[str, Any] | None = None,
    sub_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    sub_id = sub_id or str(uuid.uuid4())
    data = json.dumps({"query": query, "variables": variables or {}})
    payload = {"data": data, "extensions": {"authorization": dict(auth)}}
    await ws.send(json.dumps({"id": sub_id, "type": "start", "payload": payload}))
    return sub_id, await receive(ws)


def create(server: DevServerProcess, token: str, content: str) -> str:
    response = server.post(CREATE, {"c": content}, token=token)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["createTodo"]["id"])


def test_filtered_subscription_receives_only_matching_creates_in_order(
    userpool_server: DevServerProcess,
) -> None:
    server = userpool_server
    alice, bob = server.token("alice"), server.token("bob")

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, alice)) as ws:
            ack = await init(ws)
            assert ack == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
            variables = {"filter": {"content": {"beginsWith": "match"}}}
            sub_id, started = await start(ws, SUBSCRIBE, jwt_headers(server, alice), variables)
            assert started == {"type": "start_ack", "id": sub_id}
            _, other = await start(ws, ON_UPDATE, jwt_headers(server, alice))
            assert other["type"] == "start_ack"  # several subscriptions on one connection
            ids = []
            for content in ("match-1", "other", "match-2", "match-3"):
                created = await asyncio.to_thread(create, server, bob, content)
                if content.startswith("match"):
                    ids.append(created)
            got = [await receive(ws) for _ in ids]
            assert [m["payload"]["data"]["onCreateTodo"]["id"] for m in got] == ids
            assert got[0] == {
                "type": "data",
                "id": sub_id,
                "payload": {
                    "data": {
                        "onCreateTodo": {"id": ids[0], "content": "match-1", "__typename": "Todo"}
                    }
                },
            }
            await ws.send(json.dumps({"type": "stop", "id": sub_id}))
            assert await receive(ws) == {"type": "complete", "id": sub_id}
            await asyncio.to_thread(create, server, bob, "match-after-stop")
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(receive(ws), 1.0)

    asyncio.run(scenario())


def test_a_filter_appsync_cannot_hold_is_refused_at_start(
    userpool_server: DevServerProcess,
) -> None:
    """What the deployed resolver refuses (subscription_filter.js), refused alike, then a filter
    at the limits accepted on the same connection."""
    server = userpool_server
    alice = server.token("alice")
    two_on_one_field = {"content": {"beginsWith": "a", "contains": "b"}}
    six_values = {"content": {"in": ["a", "b", "c", "d", "e", "f"]}}

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, alice)) as ws:
            await init(ws)
            auth = jwt_headers(server, alice)
            sub_id, refused = await start(ws, SUBSCRIBE, auth, {"filter": two_on_one_field})
            assert refused == {
                "type": "error",
                "id": sub_id,
                "payload": {
                    "errors": [
                        {
                            "errorType": "InvalidFilterError",
                            "message": "Invalid filter: 'content' has two conditions in one "
                            "alternative, which AppSync's filters cannot hold (use 'between' "
                            "for a range)",
                        }
                    ]
                },
            }, refused
            _, refused = await start(ws, SUBSCRIBE, auth, {"filter": six_values})
            assert refused["payload"]["errors"] == [
                {
                    "errorType": "InvalidFilterError",
                    "message": "Invalid filter: 'in' on 'content' takes 1 to 5 values",
                }
            ]
            five_values = {"content": {"in": ["a", "b", "c", "d", "e"]}}
            sub_id, started = await start(ws, SUBSCRIBE, auth, {"filter": five_values})
            assert started == {"type": "start_ack", "id": sub_id}

    asyncio.run(scenario())


def test_keep_alive_follows_the_ack(userpool_server: DevServerProcess) -> None:
    server = userpool_server

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, server.token("alice"))) as ws:
            await init(ws)
            assert await receive(ws, skip_ka=False) == {"type": "ka"}

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "connect_auth",
    [
        pytest.param(None, id="no-header"),
        pytest.param({"Authorization": "not-a-jwt"}, id="garbage-token"),
        pytest.param("expired", id="expired-token"),
    ],
)
def test_connect_is_refused_without_valid_credentials(
    userpool_server: DevServerProcess, connect_auth: Any
) -> None:
    server = userpool_server
    if connect_auth == "expired":
        connect_auth = jwt_headers(server, server.token("alice", "--expires-in", "-60"))

    async def scenario() -> None:
        async with realtime(server, connect_auth) as ws:
            refused = await init(ws)
            assert refused["type"] == "connection_error"
            assert refused["payload"]["errors"][0]["errorType"] == "UnauthorizedException"

    asyncio.run(scenario())


def test_start_with_a_bad_token_is_refused(userpool_server: DevServerProcess) -> None:
    server = userpool_server

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, server.token("alice"))) as ws:
            await init(ws)
            sub_id, refused = await start(ws, SUBSCRIBE, {"Authorization": "x.y.z"})
            assert refused["type"] == "error" and refused["id"] == sub_id
            assert refused["payload"]["errors"][0]["errorType"] == "UnauthorizedException"

    asyncio.run(scenario())


def test_iam_caller_the_model_refuses_gets_the_subscription_error(
    userpool_server: DevServerProcess,
) -> None:
    """The seed model allows user-pool users only; its subscriptions also admit AWS_IAM, so an
    identity-pool user passes the directive and the Lambda's `listen` decision refuses them."""
    server = userpool_server
    creds = server.credentials("--user", "alice")
    connect_url = server.graphql_url + "/connect"

    async def scenario() -> None:
        connect_auth = sigv4_headers(server, creds, connect_url, "{}")
        async with realtime(server, connect_auth) as ws:
            assert (await init(ws))["type"] == "connection_ack"
            data = json.dumps({"query": ON_DELETE, "variables": {}})
            auth = sigv4_headers(server, creds, server.graphql_url, data)
            sub_id = str(uuid.uuid4())
            payload = {"data": data, "extensions": {"authorization": auth}}
            await ws.send(json.dumps({"id": sub_id, "type": "start", "payload": payload}))
            refused = await receive(ws)
            assert refused["type"] == "error", refused
            error = refused["payload"]["errors"][0]
            assert error["errorType"] == "Unauthorized"
            assert error["message"] == "Not Authorized to access onDeleteTodo on type Subscription"

    asyncio.run(scenario())


def test_identity_pool_user_listens_and_guest_is_refused(
    identitypool_server: DevServerProcess,
) -> None:
    server = identitypool_server
    user = server.credentials("--user", "alice")
    guest = server.credentials("--user", "visitor", "--guest")
    connect_url = server.graphql_url + "/connect"

    async def scenario() -> None:
        async with realtime(server, sigv4_headers(server, user, connect_url, "{}")) as ws:
            assert (await init(ws))["type"] == "connection_ack"
            data = json.dumps({"query": ON_DELETE, "variables": {}})
            auth = sigv4_headers(server, user, server.graphql_url, data)
            payload = {"data": data, "extensions": {"authorization": auth}}
            await ws.send(json.dumps({"id": "u1", "type": "start", "payload": payload}))
            assert await receive(ws) == {"type": "start_ack", "id": "u1"}
        async with realtime(server, sigv4_headers(server, guest, connect_url, "{}")) as ws:
            assert (await init(ws))["type"] == "connection_ack"  # signed right: connects
            auth = sigv4_headers(server, guest, server.graphql_url, data)
            payload = {"data": data, "extensions": {"authorization": auth}}
            await ws.send(json.dumps({"id": "g1", "type": "start", "payload": payload}))
            refused = await receive(ws)
            assert refused["type"] == "error"
            assert refused["payload"]["errors"][0]["errorType"] == "Unauthorized"

    asyncio.run(scenario())


def test_bad_start_messages_get_clear_errors(userpool_server: DevServerProcess) -> None:
    server = userpool_server
    token = server.token("alice")

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, token)) as ws:
            await init(ws)
            auth = jwt_headers(server, token)
            _, not_sub = await start(ws, "{ listTodos { items { id } } }", auth)
            assert not_sub["type"] == "error"
            _, unknown = await start(ws, "subscription { onCreateTodo { bogus } }", auth)
            assert unknown["payload"]["errors"][0]["message"].startswith(
                "Validation error of type FieldUndefined: Field 'bogus' in type 'Todo'"
            )
            await start(ws, ON_DELETE, auth, sub_id="dup")
            _, dup = await start(ws, ON_DELETE, auth, sub_id="dup")
            assert dup["type"] == "error" and "Duplicate" in dup["payload"]["errors"][0]["message"]
            await ws.send(b"\x00binary")
            binary = await receive(ws)
            assert binary["type"] == "error" and binary["payload"]["errors"][0]["errorType"]
            await ws.send("x" * (241 * 1024))
            too_large = await receive(ws)
            assert too_large["payload"]["errors"][0]["errorType"] == "MaxMessageSizeExceeded"

    asyncio.run(scenario())


def test_subscriptions_per_connection_are_bounded(userpool_server: DevServerProcess) -> None:
    server = userpool_server
    token = server.token("alice")

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, token)) as ws:
            await init(ws)
            auth = jwt_headers(server, token)
            for index in range(100):
                _, answer = await start(ws, ON_DELETE, auth, sub_id=f"s{index}")
                assert answer["type"] == "start_ack", answer
            _, refused = await start(ws, ON_DELETE, auth, sub_id="one-too-many")
            assert refused["payload"]["errors"][0]["errorType"] == "MaxSubscriptionsReachedError"

    asyncio.run(scenario())


def test_http_post_of_a_subscription_points_at_the_websocket(
    userpool_server: DevServerProcess,
) -> None:
    response = userpool_server.post(ON_DELETE, token=userpool_server.token("alice"))
    assert response.status_code == 400
    assert "/graphql/realtime" in response.json()["errors"][0]["message"]


OWNER_SCHEMA = """
from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model(
            {
                "content": a.string(),
                "secret": a.string().authorization(lambda allow: [allow.owner()]),
            }
        ).authorization(lambda allow: [allow.owner(), allow.authenticated().to(["read"])]),
        "Note": a.model({"title": a.string()}).authorization(lambda allow: [allow.owner()]),
    }
)
"""
ON_CREATE_NOTE = "subscription { onCreateNote { id title } }"
CREATE_NOTE = "mutation C($t: String) { createNote(input: {title: $t}) { id } }"


@pytest.fixture(scope="module")
def owner_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    workdir = tmp_path_factory.mktemp("owner")
    schema = workdir / "resource_owner.py"
    schema.write_text(OWNER_SCHEMA)
    server = DevServerProcess(schema=schema, workdir=workdir).start()
    try:
        yield server
    finally:
        server.stop()


def test_an_owner_scoped_subscriber_receives_only_their_items(
    owner_server: DevServerProcess,
) -> None:
    server = owner_server
    alice, bob = server.token("alice"), server.token("bob")

    async def scenario() -> None:
        async with realtime(server, jwt_headers(server, alice)) as ws:
            await init(ws)
            sub_id, started = await start(ws, ON_CREATE_NOTE, jwt_headers(server, alice))
            assert started == {"type": "start_ack", "id": sub_id}
            for token, title in ((bob, "bob's"), (alice, "alice's")):
                response = await asyncio.to_thread(
                    server.post, CREATE_NOTE, {"t": title}, token=token
                )
                assert response.status_code == 200, response.text
            # Bob's note is not delivered to alice (the Lambda's authFilter); hers is.
            message = await receive(ws)
            assert message["payload"]["data"]["onCreateNote"]["title"] == "alice's"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(receive(ws), 1.0)

    asyncio.run(scenario())


def test_a_field_the_caller_may_not_read_is_null_with_an_error(
    owner_server: DevServerProcess,
) -> None:
    server = owner_server
    alice, bob = server.token("alice"), server.token("bob")
    created = server.post(
        'mutation { createTodo(input: {content: "c", secret: "s"}) { id } }', token=alice
    )
    todo_id = created.json()["data"]["createTodo"]["id"]
    query = "query Q($id: ID!) { getTodo(id: $id) { id content secret } }"

    own = server.post(query, {"id": todo_id}, token=alice).json()
    other = server.post(query, {"id": todo_id}, token=bob).json()

    assert own == {"data": {"getTodo": {"id": todo_id, "content": "c", "secret": "s"}}}
    assert other["data"] == {"getTodo": {"id": todo_id, "content": "c", "secret": None}}
    assert [(e["errorType"], e["message"], e["path"]) for e in other["errors"]] == [
        ("Unauthorized", "Not Authorized to access secret on type Todo", ["getTodo"])
    ]

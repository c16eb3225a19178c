"""The real aws-amplify client's subscriptions (Node, `ws` as its WebSocket) against `make dev`:
the quickstart's `observeQuery()` and a filtered `onCreate`, in userPool and iam modes, with the
writes coming from a second client (HTTP, another user)."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_helpers import AmplifyProcess, DevServerProcess, npm_ready, sigv4_post

pytestmark = pytest.mark.usefixtures("node_modules")
CREATE = "mutation C($c: String) { createTodo(input: {content: $c}) { id } }"
UPDATE = "mutation U($i: UpdateTodoInput!) { updateTodo(input: $i) { id } }"
DELETE = "mutation D($i: DeleteTodoInput!) { deleteTodo(input: $i) { id } }"


@pytest.fixture(scope="module")
def node_modules() -> None:
    npm_ready()


def _subscriber(
    server: DevServerProcess, mode: str, scenario: str, filter_: dict[str, Any] | None = None
) -> AmplifyProcess:
    """Alice subscribes, with the server's auth mode."""
    if mode == "userPool":
        token = server.token("alice")
        return AmplifyProcess(server.outputs_path, mode, scenario, token=token, filter_=filter_)
    credentials = server.credentials("--user", "alice")
    return AmplifyProcess(
        server.outputs_path, mode, scenario, credentials=credentials, filter_=filter_
    )


@pytest.fixture(params=["userPool", "iam"])
def mode_server(
    request: pytest.FixtureRequest,
    userpool_server: DevServerProcess,
    identitypool_server: DevServerProcess,
) -> tuple[str, DevServerProcess]:
    mode = str(request.param)
    return mode, userpool_server if mode == "userPool" else identitypool_server


def test_on_create_with_filter_receives_only_matching_items(
    mode_server: tuple[str, DevServerProcess],
) -> None:
    mode, server = mode_server
    writer = _Writer(server, mode)
    with _subscriber(
        server, mode, "subscribe", filter_={"content": {"beginsWith": "wanted"}}
    ) as subscriber:
        assert subscriber.next() == {"ready": True}
        wanted = []
        for content in ("other-1", "wanted-1", "other-2", "wanted-2"):
            created = writer.create(content)
            if content.startswith("wanted"):
                wanted.append((created, content))
        got = [subscriber.next()["item"] for _ in wanted]
        assert [(item["id"], item["content"]) for item in got] == wanted
        assert subscriber.nothing_more(1.5)


def test_observe_query_follows_creates_updates_and_deletes(
    mode_server: tuple[str, DevServerProcess],
) -> None:
    mode, server = mode_server
    writer = _Writer(server, mode)
    for leftover in writer.list_ids():
        writer.delete(leftover)
    with _subscriber(server, mode, "observe") as observer:
        first = observer.next()
        assert first["snapshot"] == [] and first["isSynced"]
        assert observer.next() == {"ready": True}
        item = writer.create("first")
        assert observer.next()["snapshot"] == ["first"]
        writer.create("second")
        assert observer.next()["snapshot"] == ["first", "second"]
        writer.update(item, "changed")
        assert observer.next()["snapshot"] == ["changed", "second"]
        writer.delete(item)
        assert observer.next()["snapshot"] == ["second"]


def test_expired_token_is_refused_at_connect(userpool_server: DevServerProcess) -> None:
    server = userpool_server
    expired = server.token("alice", "--expires-in", "-60")
    with AmplifyProcess(server.outputs_path, "userPool", "subscribe", token=expired) as subscriber:
        event = subscriber.next()
        assert "error" in event, event
        assert "UnauthorizedException" in str(event["error"]), event


def test_identity_pool_guest_is_refused(identitypool_server: DevServerProcess) -> None:
    server = identitypool_server
    guest = server.credentials("--user", "visitor", "--guest")
    with AmplifyProcess(server.outputs_path, "iam", "subscribe", credentials=guest) as subscriber:
        event = subscriber.next()
        assert "error" in event, event
        assert "Unauthorized" in str(event["error"]), event


def test_caller_the_model_refuses_gets_the_subscription_error(
    userpool_server: DevServerProcess,
) -> None:
    """The seed model allows user-pool users; its subscriptions admit AWS_IAM too, so an
    identity-pool user connects and the `listen` decision refuses them."""
    server = userpool_server
    creds = server.credentials("--user", "alice")
    with AmplifyProcess(server.outputs_path, "iam", "subscribe", credentials=creds) as subscriber:
        event = subscriber.next()
        assert "error" in event, event
        assert "Not Authorized to access onCreateTodo on type Subscription" in str(event["error"])


class _Writer:
    """The second client: another user writing over HTTP with the server's own auth mode."""

    def __init__(self, server: DevServerProcess, mode: str) -> None:
        self.server = server
        self.iam = mode == "iam"
        self.token = None if self.iam else server.token("bob")
        self.credentials = server.credentials("--user", "bob") if self.iam else None

    def _post(self, query: str, variables: dict[str, object]) -> dict[str, object]:
        if self.iam:
            return sigv4_post(self.server, self.credentials or {}, query, variables)
        response = self.server.post(query, variables, token=self.token)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    def _id(self, query: str, variables: dict[str, object]) -> str:
        body = self._post(query, variables)
        assert "errors" not in body, body
        data = body["data"]
        assert isinstance(data, dict)
        return str(next(iter(data.values()))["id"])

    def create(self, content: str) -> str:
        return self._id(CREATE, {"c": content})

    def update(self, item: str, content: str) -> str:
        return self._id(UPDATE, {"i": {"id": item, "content": content}})

    def delete(self, item: str) -> str:
        return self._id(DELETE, {"i": {"id": item}})

    def list_ids(self) -> list[str]:
        body = self._post("{ listTodos(limit: 1000) { items { id } } }", {})
        data = body["data"]
        assert isinstance(data, dict)
        return [item["id"] for item in data["listTodos"]["items"]]

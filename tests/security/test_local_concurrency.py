"""Many clients writing one item at once through the running dev server: no update is lost.

- 50 writers each read the item and update it on the condition that it still holds what they read
  (optimistic compare-and-set), retrying a bounded number of times: every answer is the update or
  `DynamoDB:ConditionalCheckFailedException`; the applied updates form one chain from the seeded
  value (each was conditioned on the value the previous one wrote), the item ends with the last
  link's value, and no refused value was ever seen by anyone.
- 50 creates with one id: exactly one item, the other 49 refused.
- 50 deletes of one item: exactly one deletes it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import pytest
import requests
from e2e.e2e_helpers import SEED_SCHEMA
from local_server import HTTP_TIMEOUT_SECONDS, LocalApi, local_api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLIENTS: Final = 50
MAX_ATTEMPTS: Final = 6  # per writer; bounds the compare-and-set loop
RACE_TIMEOUT_SECONDS: Final = 60.0
REFUSED: Final = "DynamoDB:ConditionalCheckFailedException"

GET: Final = "query ($id: ID!) { getTodo(id: $id) { id content } }"
CREATE: Final = (
    "mutation ($id: ID!, $content: String) "
    "{ createTodo(input: {id: $id, content: $content}) { id content } }"
)
UPDATE: Final = (
    "mutation ($id: ID!, $new: String, $old: String) "
    "{ updateTodo(input: {id: $id, content: $new}, condition: {content: {eq: $old}}) "
    "{ id content } }"
)
DELETE: Final = "mutation ($id: ID!) { deleteTodo(input: {id: $id}) { id content } }"

Result = TypeVar("Result")


@dataclass(frozen=True)
class Client:
    api: LocalApi
    token: str

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        """One GraphQL request on a connection of its own; its JSON body (HTTP 200 expected)."""
        response = requests.post(
            self.api.url,
            json={"query": query, "variables": variables},
            headers={"authorization": self.token},
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    with local_api(tmp_path_factory.mktemp("concurrency"), SEED_SCHEMA) as api:
        yield Client(api, api.server.token("alice"))


def race(work: Callable[[int], Result]) -> list[Result]:
    """`work(n)` for n in 0..CLIENTS-1, all on their own threads, released together."""
    start = threading.Barrier(CLIENTS, timeout=RACE_TIMEOUT_SECONDS)

    def released(n: int) -> Result:
        start.wait()
        return work(n)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(released, n) for n in range(CLIENTS)]
        return [future.result(timeout=RACE_TIMEOUT_SECONDS) for future in futures]


def outcome(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The item a mutation returned, or None when it was refused by its condition; anything
    else (another error, a partial answer) fails the test."""
    if body.get("errors") is None:
        item = body["data"][field]
        assert isinstance(item, dict), body
        return item
    assert body["data"] == {field: None}, body
    assert [error["errorType"] for error in body["errors"]] == [REFUSED], body
    return None


@dataclass(frozen=True)
class Attempt:
    read: str  # the content this writer read, and put in its condition
    wrote: str  # the content it tried to set
    applied: bool


def test_concurrent_conditional_updates_lose_no_update(client: Client) -> None:
    item_id = f"cas-{uuid.uuid4()}"
    created = client.call(CREATE, id=item_id, content="v0")
    assert outcome(created, "createTodo") == {"id": item_id, "content": "v0"}

    def writer(n: int) -> list[Attempt]:
        attempts: list[Attempt] = []
        for attempt in range(MAX_ATTEMPTS):
            current = client.call(GET, id=item_id)["data"]["getTodo"]["content"]
            new = f"writer-{n}-attempt-{attempt}"
            item = outcome(client.call(UPDATE, id=item_id, new=new, old=current), "updateTodo")
            if item is not None:
                assert item == {"id": item_id, "content": new}
            attempts.append(Attempt(read=current, wrote=new, applied=item is not None))
            if item is not None:
                break
        return attempts

    attempts = [attempt for attempts in race(writer) for attempt in attempts]
    applied = [attempt for attempt in attempts if attempt.applied]
    assert len(applied) > 1, "too few updates applied to say anything"

    # Two updates applied on the same condition value would be a lost update.
    after = {attempt.read: attempt.wrote for attempt in applied}
    assert len(after) == len(applied)
    chain, value = ["v0"], "v0"
    while value in after:
        value = after[value]
        chain.append(value)
    assert len(chain) == len(applied) + 1, "the applied updates do not form one chain"

    final = client.call(GET, id=item_id)["data"]["getTodo"]["content"]
    assert final == chain[-1]
    # Only written values were ever read: a refused update left no trace.
    assert {attempt.read for attempt in attempts} | {final} == set(chain)
    assert set(client.api.scan()[item_id]) >= {"id", "content"}
    assert client.api.scan()[item_id]["content"] == {"S": final}


def test_concurrent_creates_of_one_id_make_one_item(client: Client) -> None:
    item_id = f"create-{uuid.uuid4()}"
    before = client.api.scan()

    results = race(
        lambda n: outcome(client.call(CREATE, id=item_id, content=f"creator-{n}"), "createTodo")
    )

    created = [item for item in results if item is not None]
    assert len(created) == 1, created
    assert results.count(None) == CLIENTS - 1
    after = client.api.scan()
    assert set(after) == set(before) | {item_id}
    assert after[item_id]["content"] == {"S": created[0]["content"]}


def test_concurrent_deletes_of_one_item_delete_once(client: Client) -> None:
    item_id = f"delete-{uuid.uuid4()}"
    assert outcome(client.call(CREATE, id=item_id, content="doomed"), "createTodo")
    before = client.api.scan()

    results = race(lambda n: outcome(client.call(DELETE, id=item_id), "deleteTodo"))

    deleted = [item for item in results if item is not None]
    assert deleted == [{"id": item_id, "content": "doomed"}]
    assert set(client.api.scan()) == set(before) - {item_id}

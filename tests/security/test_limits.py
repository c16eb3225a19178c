"""Size limits: items over DynamoDB's 400 KB, over-long IDs and strings, huge or deep arguments
all end in a clear error, with nothing written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from appsync_data import a
from appsync_data.conditions import MAX_DEPTH, MAX_OPERATORS
from backend import Backend

SCHEMA = a.schema(
    {
        "Doc": a.model(
            {"body": a.string(), "extra": a.string(), "tags": a.string().array()}
        ).authorization(lambda allow: [allow.authenticated()])
    }
)
KB = 1024
TOO_LARGE = "DynamoDB:ValidationException"


@pytest.fixture
def docs(backend_for: Callable[..., Backend]) -> Backend:
    backend = backend_for(SCHEMA)
    assert "data" in backend.call("createDoc", {"input": {"id": "small", "body": "x"}})
    return backend


def test_create_over_400_kb_is_refused_and_writes_nothing(docs: Backend) -> None:
    before = docs.scan("Doc")
    response = docs.call("createDoc", {"input": {"id": "big", "body": "a" * (401 * KB)}})
    assert response["error"]["type"] == TOO_LARGE
    assert response["error"]["message"].startswith(
        "Item size has exceeded the maximum allowed size"
    )
    assert docs.scan("Doc") == before


def test_many_elements_over_400_kb_are_refused(docs: Backend) -> None:
    before = docs.scan("Doc")
    tags = ["t" * 1000] * 420
    response = docs.call("createDoc", {"input": {"tags": tags}})
    assert response["error"]["type"] == TOO_LARGE
    assert docs.scan("Doc") == before


def test_multibyte_text_counts_in_bytes(docs: Backend) -> None:
    before = docs.scan("Doc")
    # 140,000 characters of 3 bytes each: 410 KB in UTF-8, though only 137 K characters.
    response = docs.call("createDoc", {"input": {"body": "\u20ac" * 140_000}})
    assert response["error"]["type"] == TOO_LARGE
    assert docs.scan("Doc") == before


def test_an_item_just_under_the_limit_is_stored(docs: Backend) -> None:
    response = docs.call("createDoc", {"input": {"id": "near", "body": "a" * (390 * KB)}})
    assert len(response["data"]["body"]) == 390 * KB


def test_update_that_grows_an_item_past_400_kb_is_refused(docs: Backend) -> None:
    assert "data" in docs.call("createDoc", {"input": {"id": "grow", "body": "a" * (300 * KB)}})
    before = docs.scan("Doc")
    response = docs.call("updateDoc", {"input": {"id": "grow", "extra": "b" * (150 * KB)}})
    assert response["error"]["type"] == TOO_LARGE
    assert docs.scan("Doc") == before


@pytest.mark.parametrize(
    "item_id",
    ["i" * 1025, "\u20ac" * 342, "\U0001f600" * 257],  # 1025, 1026 and 1028 bytes in UTF-8
    ids=["ascii", "three-byte", "four-byte"],
)
def test_an_id_over_1024_bytes_is_refused_everywhere(docs: Backend, item_id: str) -> None:
    before = docs.scan("Doc")
    sent = docs.count_requests("Doc")
    for field_name, arguments in [
        ("getDoc", {"id": item_id}),
        ("createDoc", {"input": {"id": item_id, "body": "x"}}),
        ("updateDoc", {"input": {"id": item_id, "body": "x"}}),
        ("deleteDoc", {"input": {"id": item_id}}),
    ]:
        assert docs.call(field_name, arguments)["error"] == {
            "type": "InvalidArgumentsError",
            "message": f"{'input.id' if 'input' in arguments else 'id'}: "
            "an ID is at most 1024 bytes",
        }
    assert sent == []
    assert docs.scan("Doc") == before


def test_an_id_of_exactly_1024_bytes_works(docs: Backend) -> None:
    item_id = "\u20ac" * 341 + "i"  # 1023 + 1 bytes
    assert docs.call("createDoc", {"input": {"id": item_id}})["data"]["id"] == item_id
    assert docs.call("getDoc", {"id": item_id})["data"]["id"] == item_id


def test_list_limit_is_bounded(docs: Backend) -> None:
    for limit in (0, -1, 1001, 10**12, True, 1.5, "10"):
        response = docs.call("listDocs", {"limit": limit})
        assert response["error"]["type"] == "InvalidArgumentsError", limit
    assert len(docs.call("listDocs", {"limit": 1000})["data"]["items"]) == 1


def test_a_filter_nested_too_deep_is_refused_without_recursing(docs: Backend) -> None:
    ok: dict[str, object] = {"body": {"eq": "x"}}
    for _ in range(MAX_DEPTH):
        ok = {"not": ok}
    assert "data" in docs.call("listDocs", {"filter": ok})
    deep: dict[str, object] = {"body": {"eq": "x"}}
    for _ in range(50_000):  # far past Python's recursion limit
        deep = {"not": deep}
    response = docs.call("listDocs", {"filter": deep})
    assert response["error"] == {
        "type": "InvalidArgumentsError",
        "message": "filter"
        + ".not" * (MAX_DEPTH + 1)
        + f": nested more than {MAX_DEPTH} levels deep",
    }


@pytest.mark.parametrize("how", ["or", "and"])
def test_a_huge_filter_is_refused_up_front(docs: Backend, how: str) -> None:
    """10,000 alternatives: far past DynamoDB's 300 operators per expression."""
    sent = docs.count_requests("Doc")
    wide = {how: [{"body": {"eq": f"value-{i}"}} for i in range(10_000)]}
    response = docs.call("listDocs", {"filter": wide})
    assert response["error"] == {
        "type": "InvalidArgumentsError",
        "message": f"filter: more than {MAX_OPERATORS} operators "
        "(DynamoDB's limit for one expression)",
    }
    assert sent == []


def test_a_filter_of_300_operators_works(docs: Backend) -> None:
    wide = {"or": [{"body": {"eq": f"value-{i}"}} for i in range(MAX_OPERATORS - 1)]}
    wide["or"].append({"body": {"eq": "x"}})
    assert [item["id"] for item in docs.call("listDocs", {"filter": wide})["data"]["items"]] == [
        "small"
    ]


def test_an_over_long_filter_value_is_a_clear_error_or_no_match(docs: Backend) -> None:
    response = docs.call("listDocs", {"filter": {"body": {"eq": "a" * (500 * KB)}}})
    assert (
        response == {"data": {"items": [], "nextToken": None, "__typename": "ModelDocConnection"}}
        or response["error"]["type"] == "InvalidArgumentsError"
    )

"""listXs: every filter operator of the reference SDL against moto, limits and nextToken paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import a
from backend import Backend

NOTES = a.schema(
    {
        "Note": a.model(
            {
                "title": a.string(),
                "rank": a.integer(),
                "score": a.float(),
                "done": a.boolean(),
                "tags": a.string().array(),
                "kind": a.enum(["A", "B"]),
            }
        ).authorization(lambda allow: [allow.authenticated()])
    }
)

ROWS: list[dict[str, Any]] = [
    {
        "id": "n1",
        "title": "apple pie",
        "rank": 1,
        "score": 0.5,
        "done": True,
        "tags": ["x"],
        "kind": "A",
    },
    {
        "id": "n2",
        "title": "apple tart",
        "rank": 2,
        "score": 1.5,
        "done": False,
        "tags": ["x", "y"],
        "kind": "B",
    },
    {"id": "n3", "title": "banana", "rank": 3, "score": 2.5, "done": True, "tags": [], "kind": "A"},
    {"id": "n4", "title": "cherry", "rank": 4, "score": 3.5, "done": False, "kind": "B"},
    {"id": "n5", "rank": 5},
]


@pytest.fixture
def notes(backend_for: Callable[..., Backend]) -> Backend:
    backend = backend_for(NOTES)
    for row in ROWS:
        assert "data" in backend.call("createNote", {"input": row}), row
    return backend


def matching(backend: Backend, filter: dict[str, Any]) -> list[str]:
    response = backend.call("listNotes", {"filter": filter})
    assert "data" in response, response
    assert response["data"]["nextToken"] is None
    return sorted(item["id"] for item in response["data"]["items"])


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"title": {"eq": "banana"}}, ["n3"]),
        # DynamoDB: `<>` and NOT contains() are true where the attribute is missing (n5).
        ({"title": {"ne": "banana"}}, ["n1", "n2", "n4", "n5"]),
        ({"rank": {"lt": 3}}, ["n1", "n2"]),
        ({"rank": {"le": 3}}, ["n1", "n2", "n3"]),
        ({"rank": {"gt": 3}}, ["n4", "n5"]),
        ({"rank": {"ge": 3}}, ["n3", "n4", "n5"]),
        ({"rank": {"between": [2, 4]}}, ["n2", "n3", "n4"]),
        ({"score": {"gt": 1.0, "lt": 3.0}}, ["n2", "n3"]),
        ({"title": {"between": ["b", "c"]}}, ["n3"]),
        ({"title": {"contains": "apple"}}, ["n1", "n2"]),
        ({"title": {"notContains": "apple"}}, ["n3", "n4", "n5"]),
        ({"title": {"beginsWith": "ch"}}, ["n4"]),
        ({"done": {"eq": True}}, ["n1", "n3"]),
        ({"done": {"ne": True}}, ["n2", "n4", "n5"]),
        ({"kind": {"eq": "B"}}, ["n2", "n4"]),
        ({"tags": {"contains": "y"}}, ["n2"]),
        ({"tags": {"notContains": "x"}}, ["n3", "n4", "n5"]),
        ({"title": {"attributeExists": False}}, ["n5"]),
        ({"tags": {"attributeExists": True}}, ["n1", "n2", "n3"]),
        ({"rank": {"attributeType": "number"}}, ["n1", "n2", "n3", "n4", "n5"]),
        ({"title": {"attributeType": "string"}}, ["n1", "n2", "n3", "n4"]),
        ({"tags": {"attributeType": "list"}}, ["n1", "n2", "n3"]),
        ({"done": {"attributeType": "bool"}}, ["n1", "n2", "n3", "n4"]),
        ({"title": {"size": {"eq": 6}}}, ["n3", "n4"]),
        ({"title": {"size": {"gt": 6}}}, ["n1", "n2"]),
        ({"tags": {"size": {"between": [1, 2]}}}, ["n1", "n2"]),
        ({"tags": {"size": {"le": 0}}}, ["n3"]),
        # A list field takes the element type's operators (the SDL's ModelStringInput); DynamoDB
        # compares the whole list with the string, which a list never equals, begins with or
        # orders against: these match nothing, as with Amplify; `ne` matches every item.
        ({"tags": {"eq": "x"}}, []),
        ({"tags": {"beginsWith": "x"}}, []),
        ({"tags": {"gt": "a"}}, []),
        ({"tags": {"between": ["a", "z"]}}, []),
        ({"tags": {"ne": "x"}}, ["n1", "n2", "n3", "n4", "n5"]),
        # Beyond the SDL, for direct callers: a list compares with the whole list.
        ({"tags": {"eq": ["x", "y"]}}, ["n2"]),
        ({"id": {"beginsWith": "n"}, "rank": {"ne": 5}}, ["n1", "n2", "n3", "n4"]),
        ({"and": [{"rank": {"gt": 1}}, {"rank": {"lt": 4}}]}, ["n2", "n3"]),
        ({"or": [{"rank": {"eq": 1}}, {"title": {"eq": "cherry"}}]}, ["n1", "n4"]),
        ({"not": {"done": {"eq": True}}}, ["n2", "n4", "n5"]),
        (
            {
                "or": [
                    {"and": [{"kind": {"eq": "A"}}, {"not": {"rank": {"eq": 1}}}]},
                    {"rank": {"eq": 5}},
                ]
            },
            ["n3", "n5"],
        ),
        (
            {"createdAt": {"attributeExists": True}, "updatedAt": {"ge": "2000"}},
            ["n1", "n2", "n3", "n4", "n5"],
        ),
        ({}, ["n1", "n2", "n3", "n4", "n5"]),
    ],
)
def test_filter_operator(notes: Backend, filter: dict[str, Any], expected: list[str]) -> None:
    assert matching(notes, filter) == expected


def test_user_input_stays_out_of_the_expression(notes: Backend) -> None:
    # Expression syntax inside values is just data.
    assert matching(notes, {"title": {"eq": "banana OR attribute_exists(id)"}}) == []
    assert matching(notes, {"title": {"contains": ") OR (1=1"}}) == []


def collect_pages(backend: Backend, filter: dict[str, Any] | None, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    token = None
    for _ in range(100):
        arguments: dict[str, Any] = {"limit": limit, "nextToken": token}
        if filter is not None:
            arguments["filter"] = filter
        response = backend.call("listNotes", arguments)
        assert "data" in response, response
        pages.append([item["id"] for item in response["data"]["items"]])
        token = response["data"]["nextToken"]
        if token is None:
            return pages
    raise AssertionError("paging did not end")


def test_paging_with_a_filter_loses_and_repeats_nothing(
    backend_for: Callable[..., Backend],
) -> None:
    backend = backend_for(NOTES)
    for i in range(57):
        backend.call("createNote", {"input": {"id": f"p{i:02d}", "rank": i}})
    wanted = sorted(f"p{i:02d}" for i in range(57) if i % 3 == 0)

    pages = collect_pages(
        backend,
        {"rank": {"attributeType": "number"}, "or": [{"rank": {"eq": i}} for i in range(0, 57, 3)]},
        limit=4,
    )

    returned = [item for page in pages for item in page]
    assert sorted(returned) == wanted
    assert len(returned) == len(set(returned))
    # Full pages: every page but the last holds `limit` matching items (beyond Amplify).
    assert all(len(page) == 4 for page in pages[:-1])


def test_paging_without_a_filter(backend_for: Callable[..., Backend]) -> None:
    backend = backend_for(NOTES)
    for i in range(23):
        backend.call("createNote", {"input": {"id": f"q{i:02d}"}})

    pages = collect_pages(backend, None, limit=5)

    returned = [item for page in pages for item in page]
    assert sorted(returned) == [f"q{i:02d}" for i in range(23)]
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]


def test_default_limit_is_100(backend_for: Callable[..., Backend]) -> None:
    backend = backend_for(NOTES)
    for i in range(105):
        backend.call("createNote", {"input": {"id": f"d{i:03d}"}})

    first = backend.call("listNotes", {})["data"]

    assert len(first["items"]) == 100 and first["nextToken"] is not None
    rest = backend.call("listNotes", {"nextToken": first["nextToken"]})["data"]
    assert len(rest["items"]) == 5 and rest["nextToken"] is None


def test_a_sparse_filter_stops_at_the_read_budget_with_a_token(
    backend_for: Callable[..., Backend],
) -> None:
    from dataclasses import replace

    from backend import SETTINGS

    backend = backend_for(NOTES, replace(SETTINGS, list_max_pages=2))
    for i in range(250):
        backend.call("createNote", {"input": {"id": f"s{i:03d}", "rank": i}})
    sent = backend.count_requests("Note")

    first = backend.call("listNotes", {"filter": {"rank": {"eq": -1}}, "limit": 10})["data"]

    assert first["items"] == [] and first["nextToken"] is not None
    assert sent == ["Scan", "Scan"]
    pages = collect_pages(backend, {"rank": {"eq": 249}}, limit=10)
    assert [item for page in pages for item in page] == ["s249"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": 0}, "limit: expected an integer from 1 to 1000"),
        ({"limit": 1001}, "limit: expected an integer from 1 to 1000"),
        ({"limit": "5"}, "limit: expected an integer from 1 to 1000"),
        ({"filter": {"bogus": {"eq": 1}}}, "filter.bogus: Note has no field 'bogus' to filter on"),
        ({"filter": {"rank": {"eq": "one"}}}, "filter.rank.eq: a string is not a valid Int"),
        (
            {"filter": {"rank": {"between": [1]}}},
            "filter.rank.between: between takes a list of exactly two values",
        ),
        ({"filter": {"rank": {"like": 1}}}, "filter.rank.like: unknown operator 'like'"),
        (
            {"filter": {"title": {"attributeType": "blob"}}},
            "filter.title.attributeType: expected one of",
        ),
        (
            {"filter": {"title": {"size": {"eq": "x"}}}},
            "filter.title.size.eq: expected an integer size",
        ),
        ({"filter": {"and": {"rank": {"eq": 1}}}}, "filter.and: expected a list"),
        ({"filter": "rank = 1"}, "filter: expected an object"),
        ({"nextToken": "not-a-token"}, "Invalid nextToken"),
        ({"bogus": 1}, "listXs: unknown argument 'bogus'"),
    ],
)
def test_bad_list_arguments_give_clear_errors(
    notes: Backend, arguments: dict[str, Any], message: str
) -> None:
    sent = notes.count_requests("Note")

    response = notes.call("listNotes", arguments)

    assert response["error"]["type"] in ("InvalidArgumentsError", "InvalidNextTokenError")
    assert response["error"]["message"].startswith(message)
    assert sent == []


def test_a_token_from_another_model_or_altered_is_refused(notes: Backend) -> None:
    token = notes.call("listNotes", {"limit": 1})["data"]["nextToken"]
    payload, signature = token.split(".")
    altered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature

    assert (
        notes.call("listNotes", {"nextToken": altered})["error"]["type"] == "InvalidNextTokenError"
    )
    assert "data" in notes.call("listNotes", {"nextToken": token})


def test_a_list_stops_reading_at_its_time_budget_with_a_token(
    backend_for: Callable[..., Backend],
) -> None:
    from dataclasses import replace

    from backend import SETTINGS

    backend = backend_for(NOTES, replace(SETTINGS, list_max_seconds=1e-9))
    for i in range(150):  # more than one page of a filtered scan (100 items)
        backend.call("createNote", {"input": {"id": f"t{i:03d}", "rank": i}})
    sent = backend.count_requests("Note")

    page = backend.call("listNotes", {"filter": {"rank": {"eq": -1}}, "limit": 10})["data"]

    # One page read, then the budget is spent: what we have, and where to go on.
    assert sent == ["Scan"]
    assert page["items"] == [] and page["nextToken"] is not None


JSON_POSTS = a.schema(
    {
        "Post": a.model({"meta": a.json(), "metas": a.json().array()}).authorization(
            lambda allow: [allow.authenticated()]
        )
    }
)


@pytest.fixture
def json_posts(backend_for: Callable[..., Backend]) -> Backend:
    backend = backend_for(JSON_POSTS)
    # As AppSync hands AWSJSON over: parsed (a map, a list, a string, a number, ...).
    for post_id, meta in [
        ("map", {"a": 1, "b": [True]}),
        ("list", [1, "x"]),
        ("string", "alpha"),
        ("number", 5),
        ("float", 2.5),
        ("bool", False),
    ]:
        assert "data" in backend.call("createPost", {"input": {"id": post_id, "meta": meta}})
    # An item as this API stored AWSJSON before (compact JSON text): still found by its text.
    backend.api.connection.client.put_item(
        TableName=backend.api.stores["Post"].table_name,
        Item={"id": {"S": "old"}, "meta": {"S": '{"a":1,"b":[true]}'}},
    )
    return backend


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        # The filter takes JSON as text: eq finds the same JSON stored as Amplify stores it, and
        # items holding the text itself (Amplify's comparison; this API's older storage).
        ({"eq": '{"a": 1, "b": [true]}'}, ["map"]),
        ({"eq": '{"a":1,"b":[true]}'}, ["map", "old"]),
        ({"eq": '[1, "x"]'}, ["list"]),
        ({"eq": "alpha"}, ["string"]),  # not JSON: compared as a string
        ({"eq": '"alpha"'}, ["string"]),
        ({"eq": "5"}, ["number"]),
        ({"eq": "false"}, ["bool"]),
        ({"eq": "{not json"}, []),
        ({"ne": '{"a":1,"b":[true]}'}, ["bool", "float", "list", "number", "string"]),
        ({"gt": "3"}, ["number"]),  # numbers compare as numbers, with numbers only
        ({"between": ["2", "3"]}, ["float"]),
        ({"lt": "b"}, ["string"]),
        ({"beginsWith": "al"}, ["string"]),
        ({"contains": "x"}, ["list"]),  # membership in a stored JSON array
        ({"contains": '"b"'}, ["old"]),  # a substring of stored text
        ({"attributeType": "map"}, ["map"]),
        ({"attributeType": "list"}, ["list"]),
        ({"attributeType": "number"}, ["float", "number"]),
        ({"attributeType": "bool"}, ["bool"]),
        ({"attributeType": "string"}, ["old", "string"]),
    ],
)
def test_an_awsjson_filter_compares_as_dynamodb_does_with_amplifys_storage(
    json_posts: Backend, filter: dict[str, Any], expected: list[str]
) -> None:
    response = json_posts.call("listPosts", {"filter": {"meta": filter}})
    assert "data" in response, response
    assert sorted(item["id"] for item in response["data"]["items"]) == expected


def test_a_json_list_field_filters_by_element(json_posts: Backend) -> None:
    json_posts.call("createPost", {"input": {"id": "many", "metas": ["t", {"k": 1}]}})
    found = json_posts.call("listPosts", {"filter": {"metas": {"contains": "t"}}})["data"]
    assert [item["id"] for item in found["items"]] == ["many"]
    none = json_posts.call("listPosts", {"filter": {"metas": {"eq": "t"}}})["data"]
    assert none["items"] == []

"""GraphQL arguments -> typed store requests: the pure part of every operation, without DynamoDB."""

from __future__ import annotations

import re
from typing import Any

import pytest
from appsync_data.errors import InvalidArguments, InvalidNextToken
from appsync_data.requests import (
    DEFAULT_LIST_LIMIT,
    MAX_LIST_LIMIT,
    ArgumentReader,
    CreateRequest,
    DeleteRequest,
    GetRequest,
    UpdateRequest,
)
from appsync_data.schema import a
from appsync_data.store import table_attributes
from appsync_data.tokens import encode_next_token

SCHEMA = a.schema(
    {
        "Status": a.enum(["OPEN", "DONE"]),
        "Note": a.model(
            {
                "title": a.string().required(),
                "body": a.string(),
                "meta": a.json(),
                "tags": a.json().array(),
                "rank": a.integer().default(3),
                "status": a.ref("Status"),
            }
        ),
    }
)
MODEL = SCHEMA.model("Note")
SECRET = b"unit-secret"
SCOPE = "Note:NoteTable"


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def reader() -> ArgumentReader:
    return ArgumentReader(
        MODEL, table_attributes(MODEL), enums=SCHEMA.enums, token_secret=SECRET, token_scope=SCOPE
    )


def test_get_reads_the_id() -> None:
    assert reader().get({"id": "n-1"}) == GetRequest({"id": "n-1"})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "id: expected a non-empty ID string"),
        ({"id": ""}, "id: expected a non-empty ID string"),
        ({"id": "\ud800"}, "valid Unicode"),
        ({"id": "x" * 1025}, "at most 1024 bytes"),
        ({"id": "n", "extra": 1}, "unknown argument 'extra'"),
    ],
)
def test_get_refuses_bad_arguments(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArguments, match=re.escape(message)):
        reader().get(arguments)


def test_list_defaults_and_reads_a_token() -> None:
    plain = reader().list({})
    assert (plain.limit, plain.filter, plain.start_key) == (DEFAULT_LIST_LIMIT, None, None)
    key = {"id": {"S": "n-9"}}
    token = encode_next_token(key, secret=SECRET, scope=SCOPE)
    paged = reader().list({"limit": 5, "nextToken": token, "filter": {"body": {"eq": "x"}}})
    assert paged.limit == 5 and paged.start_key == key and paged.filter is not None


@pytest.mark.parametrize("limit", [0, MAX_LIST_LIMIT + 1, True, "10", 1.5])
def test_list_refuses_a_limit_out_of_range(limit: Any) -> None:
    with pytest.raises(InvalidArguments, match="limit"):
        reader().list({"limit": limit})


def test_list_refuses_a_token_of_another_scope_or_key() -> None:
    other = encode_next_token({"id": {"S": "n"}}, secret=SECRET, scope="Other:OtherTable")
    with pytest.raises(InvalidNextToken):
        reader().list({"nextToken": other})
    not_a_key = encode_next_token({"body": {"S": "n"}}, secret=SECRET, scope=SCOPE)
    with pytest.raises(InvalidNextToken, match="key of this table"):
        reader().list({"nextToken": not_a_key})


def test_create_applies_defaults_and_keeps_json_as_appsync_parsed_it() -> None:
    # AppSync hands AWSJSON over parsed: a map stays a map, a string is a JSON string.
    request = reader().create(
        {"input": {"title": "t", "meta": {"a": 1}, "tags": [{"b": [2]}, None, "text"]}}
    )
    assert request == CreateRequest(
        id=None,
        values={"title": "t", "meta": {"a": 1}, "tags": [{"b": [2]}, None, "text"], "rank": 3},
        condition=None,
    )


def test_create_applies_a_default_to_a_null_value_as_amplify_does() -> None:
    # Amplify's @default: `$util.defaultIfNull($ctx.args.input.rank, 3)` in createX's init slot.
    request = reader().create({"input": {"title": "t", "rank": None}})
    assert request.values["rank"] == 3


def test_update_never_applies_a_default() -> None:
    # Amplify adds @default to the create resolver only: null on update removes the value.
    request = reader().update({"input": {"id": "n-1", "rank": None}})
    assert request.values == {"rank": None}


def test_create_keeps_a_given_id_and_reads_the_condition() -> None:
    request = reader().create(
        {"input": {"id": "n-1", "title": "t"}, "condition": {"body": {"attributeExists": False}}}
    )
    assert request.id == "n-1" and request.condition is not None


@pytest.mark.parametrize(
    ("input_", "message"),
    [
        ({}, "input.title: Note.title is required"),
        ({"title": "t", "nope": 1}, "no input field 'nope'"),
        ({"title": 5}, "input.title: not a valid String"),
        ({"title": "t", "status": "LATE"}, "input.status: not a valid Status"),
        ({"title": "t", "meta": float("nan")}, "input.meta: NaN and Infinity are not JSON"),
        ({"title": "t", "meta": 10**40}, "input.meta: the number 1" + "0" * 40 + " is out of"),
        ({"title": "t", "meta": {"a": [1.5, 2**130]}}, "out of DynamoDB's range"),
        ({"title": "t", "meta": _nested(33)}, "input.meta: JSON nested more than 32 levels"),
        ({"title": "t", "tags": [_nested(32)]}, "input.tags: JSON nested more than 32 levels"),
        ({"title": "t", "meta": {"a": {"": 1}}}, "input.meta: an object key is empty"),
        ({"title": "t", "meta": ["\ud800"]}, "input.meta: a string in it is not valid Unicode"),
        ({"title": "t", "tags": "[]"}, "expected a list of AWSJSON"),
    ],
)
def test_create_refuses_bad_input(input_: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArguments, match=re.escape(message)):
        reader().create({"input": input_})


def test_json_nested_32_levels_is_accepted() -> None:
    assert reader().create({"input": {"title": "t", "meta": _nested(32)}}).values["meta"]


def test_a_condition_may_not_name_the_id() -> None:
    with pytest.raises(InvalidArguments, match="no field 'id'"):
        reader().create({"input": {"title": "t"}, "condition": {"id": {"eq": "x"}}})


def test_update_sets_and_removes() -> None:
    request = reader().update({"input": {"id": "n-1", "body": None, "rank": 7}})
    assert request == UpdateRequest({"id": "n-1"}, {"body": None, "rank": 7}, None)


def test_update_needs_the_id_and_keeps_required_fields() -> None:
    with pytest.raises(InvalidArguments, match=r"input.id"):
        reader().update({"input": {"body": "b"}})
    with pytest.raises(InvalidArguments, match="required and cannot be null"):
        reader().update({"input": {"id": "n-1", "title": None}})


def test_delete_takes_only_the_id() -> None:
    assert reader().delete({"input": {"id": "n-1"}}) == DeleteRequest({"id": "n-1"}, None)
    with pytest.raises(InvalidArguments, match="unknown argument 'title'"):
        reader().delete({"input": {"id": "n-1", "title": "t"}})
    with pytest.raises(InvalidArguments, match="expected an object"):
        reader().delete({"input": "n-1"})

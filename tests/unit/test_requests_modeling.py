"""Typed requests of identifiers, key arguments, index queries and relationship fields (pure)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from appsync_data.errors import InvalidArguments, InvalidNextToken
from appsync_data.requests import ArgumentReader, KeyQuery, ListRequest, page_scope
from appsync_data.schema import a
from appsync_data.store import table_attributes
from appsync_data.tables import table_layout
from appsync_data.tokens import encode_next_token

SCHEMA = a.schema(
    {
        "Post": a.model(
            {
                "title": a.string().required(),
                "category": a.string(),
                "rating": a.integer(),
                "comments": a.has_many("Comment", "postId"),
            }
        ).secondary_indexes(
            lambda index: [
                index("category").sort_keys(["rating"]).query_field("listPostsByCategory")
            ]
        ),
        "Comment": a.model(
            {
                "content": a.string(),
                "kind": a.string().required(),
                "day": a.string().required(),
                "postId": a.id(),
                "post": a.belongs_to("Post", "postId"),
            }
        ).secondary_indexes(lambda index: [index("content").sort_keys(["kind", "day"])]),
        "Stock": a.model(
            {"shelf": a.id().required(), "slot": a.integer().required(), "n": a.integer()}
        ).identifier(["shelf", "slot"]),
    }
)
SECRET = b"unit-secret"


def reader(model: str) -> ArgumentReader:
    spec = SCHEMA.model(model)
    return ArgumentReader(
        spec,
        table_attributes(spec),
        enums=SCHEMA.enums,
        token_secret=SECRET,
        token_scope=f"{model}:T",
        layout=table_layout(SCHEMA, spec),
    )


def expression(request: ListRequest) -> tuple[str | None, str | None, dict[str, Any]]:
    """(key condition, filter) as DynamoDB expressions, and their values."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    query = request.query
    sort = query.sort_condition if query is not None else None
    key_text = sort.serialize(names, values) if sort is not None else None
    filter_text = request.filter.serialize(names, values) if request.filter is not None else None
    return key_text, filter_text, values


def test_a_composite_identifier_is_the_table_key() -> None:
    stock = reader("Stock")
    assert stock.get({"shelf": "s", "slot": 3}).key == {"shelf": "s", "slot": 3}
    assert stock.delete({"input": {"shelf": "s", "slot": 3}}).key == {"shelf": "s", "slot": 3}
    update = stock.update({"input": {"shelf": "s", "slot": 3, "n": 1}})
    assert update.key == {"shelf": "s", "slot": 3} and update.values == {"n": 1}
    with pytest.raises(InvalidArguments, match=r"slot: expected a number"):
        stock.get({"shelf": "s", "slot": "3"})
    with pytest.raises(InvalidArguments, match=r"input.slot: the slot of the item to update"):
        stock.update({"input": {"shelf": "s", "n": 1}})


def test_list_with_the_partition_key_is_a_query_else_a_scan() -> None:
    stock = reader("Stock")
    request = stock.list({"shelf": "s", "slot": {"between": [1, 4]}, "sortDirection": "DESC"})
    assert request.query is not None and request.query.partition_value == {"S": "s"}
    assert request.forward is False
    key_text, _, values = expression(request)
    assert key_text == "#0 BETWEEN :0 AND :1" and values == {":0": {"N": "1"}, ":1": {"N": "4"}}
    assert stock.list({}).query is None


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"eq": 3}, "#0 = :0"),
        ({"lt": 3}, "#0 < :0"),
        ({"le": 3}, "#0 <= :0"),
        ({"gt": 3}, "#0 > :0"),
        ({"ge": 3}, "#0 >= :0"),
    ],
)
def test_index_query_sort_key_comparisons(condition: dict[str, int], text: str) -> None:
    post = reader("Post")
    index = post.layout.index_for_query("listPostsByCategory")
    assert index is not None
    request = post.index_query(index, {"category": "news", "rating": condition})
    assert request.query == KeyQuery(
        "postsByCategoryAndRating",
        "category",
        {"S": "news"},
        request.query.sort_condition,  # type: ignore[union-attr]
    )
    assert expression(request)[0] == text


@pytest.mark.parametrize(
    ("condition", "text", "values"),
    [
        ({"eq": {"kind": "a", "day": "d"}}, "#0 = :0", ["a#d"]),
        ({"eq": {"kind": "a"}}, "begins_with (#0, :0)", ["a#"]),
        ({"beginsWith": {"kind": "a", "day": "2026-0"}}, "begins_with (#0, :0)", ["a#2026-0"]),
        ({"beginsWith": {"kind": "a"}}, "begins_with (#0, :0)", ["a"]),
        ({"between": [{"kind": "a"}, {"kind": "b", "day": "x"}]}, "#0 BETWEEN :0 AND :1",
         ["a", "b#x"]),
        ({"gt": {"kind": "a", "day": "d"}}, "#0 > :0", ["a#d"]),
    ],
)  # fmt: skip
def test_composite_sort_key_conditions(
    condition: dict[str, Any], text: str, values: list[str]
) -> None:
    comment = reader("Comment")
    index = comment.layout.index("commentsByContentAndKindAndDay")
    assert index.query_field is not None
    request = comment.index_query(index, {"content": "c", "kindDay": condition})
    key_text, _, given = expression(request)
    assert key_text == text and [v["S"] for v in given.values()] == values


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kindDay": {"eq": {"day": "d"}}}, "in order, from the first"),
        ({"kindDay": {"eq": {"kind": "a", "when": "d"}}}, "'when' is not a field"),
        ({"kindDay": {"eq": {"kind": "a"}, "gt": {"kind": "b"}}}, "exactly one"),
        ({"kindDay": {"near": {"kind": "a"}}}, "unknown operator 'near'"),
        ({"kindDay": {"between": [{"kind": "a"}]}}, "exactly two values"),
    ],
)
def test_bad_key_conditions_are_refused(arguments: dict[str, Any], message: str) -> None:
    comment = reader("Comment")
    index = comment.layout.index("commentsByContentAndKindAndDay")
    with pytest.raises(InvalidArguments, match=re.escape(message)):
        comment.index_query(index, {"content": "c", **arguments})


def test_an_equality_filter_on_a_relationship_key_becomes_a_query() -> None:
    comment = reader("Comment")
    lazy = comment.list({"filter": {"and": [{"postId": {"eq": "p"}}]}})
    assert lazy.query == KeyQuery("gsi-Post.comments", "postId", {"S": "p"})
    assert lazy.filter is None
    narrowed = comment.list({"filter": {"postId": {"eq": "p"}, "content": {"eq": "x"}}})
    assert narrowed.query is not None and narrowed.query.index == "gsi-Post.comments"
    assert expression(narrowed)[1] == "#0 = :0"  # the rest of the filter: content only
    # The index holds every item whose content is set (its sort keys are required fields).
    by_content = comment.list({"filter": {"content": {"eq": "x"}}})
    assert by_content.query is not None
    assert by_content.query.index == "commentsByContentAndKindAndDay"


@pytest.mark.parametrize(
    "filter_",
    [
        {"or": [{"postId": {"eq": "p"}}]},  # not a conjunction
        {"postId": {"eq": "p", "ne": "q"}},  # more than an equality
        {"postId": {"ne": "p"}},
        {"postId": {"eq": ""}},  # no key can be empty
    ],
)
def test_other_filters_scan(filter_: dict[str, Any]) -> None:
    assert reader("Comment").list({"filter": filter_}).query is None


def test_an_index_with_an_optional_sort_key_is_not_used_for_an_equality() -> None:
    # postsByCategoryAndRating leaves out posts without a rating.
    assert reader("Post").list({"filter": {"category": {"eq": "news"}}}).query is None


def test_tokens_are_scoped_to_the_index_and_hold_its_key() -> None:
    comment = reader("Comment")
    key = {"id": {"S": "c"}, "postId": {"S": "p"}}
    token = encode_next_token(
        key, secret=SECRET, scope=page_scope("Comment:T", "gsi-Post.comments")
    )
    lazy = {"filter": {"postId": {"eq": "p"}}, "nextToken": token}
    assert comment.list(lazy).start_key == key
    with pytest.raises(InvalidNextToken):
        comment.list({"nextToken": token})  # a Scan's token is the table's
    wrong_shape = encode_next_token(
        {"id": {"S": "c"}}, secret=SECRET, scope=page_scope("Comment:T", "gsi-Post.comments")
    )
    with pytest.raises(InvalidNextToken, match="key of this table"):
        comment.list({"filter": {"postId": {"eq": "p"}}, "nextToken": wrong_shape})


def test_a_partial_composite_update_is_refused_and_a_full_one_rebuilds_the_key() -> None:
    comment = reader("Comment")
    with pytest.raises(InvalidArguments, match="Missing key: 'day'"):
        comment.update({"input": {"id": "c", "kind": "b"}})
    request = comment.update({"input": {"id": "c", "kind": "b", "day": "d"}})
    assert request.composite == {"kind#day": "b#d"}
    assert comment.update({"input": {"id": "c", "postId": "p"}}).composite == {}
    created = comment.create({"input": {"kind": "a", "day": "d", "content": "x"}})
    assert created.composite == {"kind#day": "a#d"}


def test_has_many_arguments_read_on_the_childs_reader() -> None:
    comment = reader("Comment")
    index = comment.layout.relationship_index("Post", "comments")
    request = comment.related_list(index, {"postId": "p"}, {"limit": 5, "sortDirection": "DESC"})
    assert request.query == KeyQuery("gsi-Post.comments", "postId", {"S": "p"})
    assert (request.limit, request.forward) == (5, False)
    with pytest.raises(InvalidArguments, match="unknown argument 'postId'"):
        comment.related_list(index, {"postId": "p"}, {"postId": "q"})


def test_an_identifier_field_in_a_composite_index_key_is_not_a_change() -> None:
    schema = a.schema(
        {
            "Task": a.model(
                {
                    "owner": a.id().required(),
                    "status": a.string().required(),
                    "due": a.string().required(),
                    "note": a.string(),
                }
            )
            .identifier(["owner", "due"])
            .secondary_indexes(lambda index: [index("status").sort_keys(["owner", "due"])]),
        }
    )
    model = schema.model("Task")
    task = ArgumentReader(
        model,
        table_attributes(model),
        enums={},
        token_secret=SECRET,
        token_scope="Task:T",
        layout=table_layout(schema, model),
    )
    # owner and due are the item's key: an update of the note changes no index key.
    assert task.update({"input": {"owner": "o", "due": "d", "note": "n"}}).composite == {}
    with pytest.raises(InvalidArguments, match=r"at most 1024 bytes"):
        task.get({"owner": "o", "due": "d" * 1025})

"""Relationship fields in the local executor, as AppSync's BatchInvoke resolves them: every parent
of one field at one level in one handler call (up to MaxBatchSize parents), the envelopes mapped
back parent by parent, root fields one call each, auth-mode checks before any call. The handler is
a stand-in that records the events it receives (no DynamoDB)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from appsync_data import a
from appsync_data.generate.sdl import api_auth_modes, render_sdl
from appsync_data.local.authn import AuthContext
from appsync_data.local.execution import (
    GraphQLExecutor,
    GraphQLResponse,
    RequestLimits,
    relationship_fields,
)
from appsync_data.local.graphql_schema import build_executable_schema
from appsync_data.schema import Schema

SCHEMA = a.schema(
    {
        "Blog": a.model(
            {"name": a.string().required(), "posts": a.has_many("Post", "blogId")}
        ).authorization(lambda allow: [allow.authenticated()]),
        "Post": a.model(
            {
                "title": a.string().required(),
                "blogId": a.id(),
                "blog": a.belongs_to("Blog", "blogId"),
                "comments": a.has_many("Comment", "postId"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
        "Comment": a.model(
            {
                "content": a.string().required(),
                "postId": a.id(),
                "post": a.belongs_to("Post", "postId"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
    }
)
STAMP = {"createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
USER = AuthContext(
    "AMAZON_COGNITO_USER_POOLS",
    {"sub": "sub-1", "username": "alice", "claims": {"sub": "sub-1"}, "sourceIp": ["127.0.0.1"]},
)
NESTED = """
query {
  listBlogs {
    items {
      id
      posts(limit: 5) { items { id title comments { items { id content } } } }
    }
  }
}
"""


def blog(n: int) -> dict[str, Any]:
    return {"id": f"b{n}", "name": f"blog {n}", "__typename": "Blog", **STAMP}


def post(blog_id: str, n: int) -> dict[str, Any]:
    return {"id": f"{blog_id}-p{n}", "title": f"t{n}", "blogId": blog_id, **STAMP}


def comment(post_id: str, n: int) -> dict[str, Any]:
    return {"id": f"{post_id}-c{n}", "content": f"c{n}", "postId": post_id, **STAMP}


class FakeLambda:
    """Answers root fields and batches from canned data, keeping every payload it received."""

    def __init__(self, blogs: int = 3, posts: int = 2, comments: int = 2) -> None:
        self.blogs, self.posts, self.comments = blogs, posts, comments
        self.payloads: list[Any] = []
        self.fail: dict[str, dict[str, Any]] = {}  # parent id -> error envelope
        self.raise_on: str | None = None  # "Type.field" whose batch raises
        self.short = False  # answer a batch with one envelope too few

    def __call__(self, payload: Any, _context: Any) -> Any:
        self.payloads.append(payload)
        if isinstance(payload, dict):
            assert payload["info"]["parentTypeName"] in ("Query", "Mutation")
            items = [blog(n) for n in range(self.blogs)]
            return {"data": {"items": items, "nextToken": None}}
        assert isinstance(payload, list) and payload
        field = {f"{e['info']['parentTypeName']}.{e['info']['fieldName']}" for e in payload}
        assert len(field) == 1, field  # one batch, one field
        (name,) = field
        if name == self.raise_on:
            raise RuntimeError("boom")
        envelopes = [self.fail.get(e["source"]["id"]) or self.answer(name, e) for e in payload]
        return envelopes[:-1] if self.short else envelopes

    def answer(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        source = event["source"]
        if name == "Blog.posts":
            items = [post(source["id"], n) for n in range(self.posts)]
        elif name == "Post.comments":
            items = [comment(source["id"], n) for n in range(self.comments)]
        else:
            return {"data": blog(0) if name == "Post.blog" else None}
        return {"data": {"items": items, "nextToken": None}}

    def batches(self, name: str) -> list[list[dict[str, Any]]]:
        return [
            p
            for p in self.payloads
            if isinstance(p, list)
            and f"{p[0]['info']['parentTypeName']}.{p[0]['info']['fieldName']}" == name
        ]


def executor(handler: FakeLambda, schema: Schema = SCHEMA, **options: Any) -> GraphQLExecutor:
    default_mode, _ = api_auth_modes(schema)
    return GraphQLExecutor(
        build_executable_schema(render_sdl(schema), default_mode),
        handler,
        batched_fields=relationship_fields(schema),
        **options,
    )


def run(ex: GraphQLExecutor, query: str, auth: AuthContext = USER) -> GraphQLResponse:
    return ex.run({"query": query}, auth, {"authorization": "token"})


def test_relationship_fields_are_the_schemas() -> None:
    assert relationship_fields(SCHEMA) == {
        ("Blog", "posts"),
        ("Post", "blog"),
        ("Post", "comments"),
        ("Comment", "post"),
    }


def test_one_call_per_field_and_level_with_each_parent_as_source() -> None:
    handler = FakeLambda(blogs=3, posts=2, comments=2)
    response = run(executor(handler), NESTED)
    assert response.status == 200 and "errors" not in response.body, response.body
    # listBlogs, then Blog.posts for 3 blogs, then Post.comments for 6 posts: 3 calls, not 10.
    assert len(handler.payloads) == 3
    (posts_batch,) = handler.batches("Blog.posts")
    assert [e["source"] for e in posts_batch] == [blog(n) for n in range(3)]
    first = posts_batch[0]
    assert first["arguments"] == {"limit": 5}
    assert first["identity"] == USER.identity
    assert "authorization" not in first["request"]["headers"]  # as the APPSYNC_JS function forwards
    assert first["info"]["parentTypeName"] == "Blog" and first["info"]["fieldName"] == "posts"
    assert first["info"]["selectionSetList"] == [
        "items",
        "items/id",
        "items/title",
        "items/comments",
        "items/comments/items",
        "items/comments/items/id",
        "items/comments/items/content",
    ]
    (comments_batch,) = handler.batches("Post.comments")
    assert [e["source"]["id"] for e in comments_batch] == [
        f"b{b}-p{p}" for b in range(3) for p in range(2)
    ]
    assert comments_batch[0]["arguments"] == {}
    items = response.body["data"]["listBlogs"]["items"]
    assert [i["id"] for i in items] == ["b0", "b1", "b2"]
    assert items[2]["posts"]["items"][1]["comments"]["items"] == [
        {"id": "b2-p1-c0", "content": "c0"},
        {"id": "b2-p1-c1", "content": "c1"},
    ]


def test_batches_hold_at_most_max_batch_size_parents() -> None:
    handler = FakeLambda(blogs=5, posts=3, comments=1)
    response = run(executor(handler, max_batch_size=2), NESTED)
    assert "errors" not in response.body, response.body
    assert [len(b) for b in handler.batches("Blog.posts")] == [2, 2, 1]
    assert [len(b) for b in handler.batches("Post.comments")] == [2] * 7 + [1]
    assert len(handler.payloads) == 1 + 3 + 8
    titles = [
        [p["title"] for p in b["posts"]["items"]]
        for b in response.body["data"]["listBlogs"]["items"]
    ]
    assert titles == [["t0", "t1", "t2"]] * 5


def test_an_error_for_one_parent_nulls_that_field_only() -> None:
    handler = FakeLambda(blogs=3, posts=1, comments=1)
    handler.fail["b1"] = {"error": {"type": "Unauthorized", "message": "Not Authorized to x"}}
    response = run(executor(handler), NESTED)
    assert response.status == 200
    items = response.body["data"]["listBlogs"]["items"]
    assert items[1] == {"id": "b1", "posts": None}
    assert items[0]["posts"]["items"][0]["comments"]["items"] == [
        {"id": "b0-p0-c0", "content": "c0"}
    ]
    assert response.body["errors"] == [
        {
            "path": ["listBlogs", "items", 1, "posts"],
            "data": None,
            "errorType": "Unauthorized",
            "errorInfo": None,
            "locations": [{"line": 6, "column": 7, "sourceName": None}],
            "message": "Not Authorized to x",
        }
    ]
    # The failed parent's children are not asked for.
    (comments_batch,) = handler.batches("Post.comments")
    assert [e["source"]["id"] for e in comments_batch] == ["b0-p0", "b2-p0"]


@pytest.mark.parametrize("failure", ["raise", "short"])
def test_a_failed_batch_is_lambda_unhandled_for_each_parent(failure: str) -> None:
    handler = FakeLambda(blogs=2, posts=1)
    if failure == "raise":
        handler.raise_on = "Blog.posts"
    else:
        handler.short = True
    logging.disable(logging.ERROR)  # the executor logs the stack trace of a crash
    try:
        response = run(executor(handler), "{ listBlogs { items { id posts { items { id } } } } }")
    finally:
        logging.disable(logging.NOTSET)
    assert response.body["data"]["listBlogs"]["items"] == [
        {"id": "b0", "posts": None},
        {"id": "b1", "posts": None},
    ]
    errors = response.body["errors"]
    assert [e["path"] for e in errors] == [
        ["listBlogs", "items", 0, "posts"],
        ["listBlogs", "items", 1, "posts"],
    ]
    assert {e["errorType"] for e in errors} == {"Lambda:Unhandled"}
    expected = "boom" if failure == "raise" else "The Lambda returned 1 results for a batch of 2"
    assert {e["message"] for e in errors} == {expected}


def test_root_fields_keep_one_call_each_and_run_once() -> None:
    handler = FakeLambda(blogs=1, posts=1)
    query = "{ a: listBlogs { items { posts { items { id } } } } b: listBlogs { items { id } } }"
    response = run(executor(handler), query)
    assert "errors" not in response.body, response.body
    roots = [p for p in handler.payloads if isinstance(p, dict)]
    assert len(roots) == 2  # not repeated by the later pass
    assert len(handler.batches("Blog.posts")) == 1


def test_aliases_of_one_field_share_its_batch() -> None:
    handler = FakeLambda(blogs=2, posts=1)
    query = (
        "{ listBlogs { items { x: posts(limit: 1) { items { id } } y: posts { items { id } } } } }"
    )
    response = run(executor(handler), query)
    assert "errors" not in response.body, response.body
    (batch,) = handler.batches("Blog.posts")
    assert [e["arguments"] for e in batch] == [{"limit": 1}, {}, {"limit": 1}, {}]


def test_belongs_to_resolves_in_a_batch_too() -> None:
    handler = FakeLambda(blogs=2, posts=2)
    query = "{ listBlogs { items { posts { items { blog { name } } } } } }"
    response = run(executor(handler), query)
    assert "errors" not in response.body, response.body
    assert len(handler.batches("Post.blog")) == 1 and len(handler.batches("Post.blog")[0]) == 4
    first_posts = response.body["data"]["listBlogs"]["items"][0]["posts"]["items"]
    assert first_posts[0]["blog"] == {"name": "blog 0"}


def test_the_log_line_counts_lambda_calls(caplog: pytest.LogCaptureFixture) -> None:
    handler = FakeLambda(blogs=3, posts=2, comments=2)
    with caplog.at_level(logging.INFO, logger="appsync_data.local.requests"):
        run(executor(handler), NESTED)
        run(executor(handler), "{ listBlogs { items { id } } }")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].endswith("| 3 Lambda calls"), lines
    assert lines[1].endswith("| 1 Lambda call"), lines


def test_a_field_the_callers_mode_may_not_read_is_refused_before_any_call() -> None:
    """AppSync checks every nested field's auth directives: a user-pool caller reaching a model
    only OIDC users may read gets Unauthorized on that model's fields, and the parent resolves."""
    schema = a.schema(
        {
            "Blog": a.model(
                {"name": a.string().required(), "posts": a.has_many("Post", "blogId")}
            ).authorization(lambda allow: [allow.authenticated(), allow.authenticated("oidc")]),
            "Post": a.model(
                {
                    "title": a.string().required(),
                    "blogId": a.id(),
                    "blog": a.belongs_to("Blog", "blogId"),
                    "comments": a.has_many("Comment", "postId"),
                }
            ).authorization(lambda allow: [allow.authenticated("oidc")]),
            "Comment": a.model(
                {
                    "content": a.string().required(),
                    "postId": a.id(),
                    "post": a.belongs_to("Post", "postId"),
                }
            ).authorization(lambda allow: [allow.authenticated("oidc")]),
        }
    )
    handler = FakeLambda(blogs=1, posts=1, comments=1)
    query = "{ listBlogs { items { id posts { items { id comments { items { id } } } } } } }"
    response = run(executor(handler, schema), query)
    assert response.body["data"] == {"listBlogs": {"items": [{"id": "b0", "posts": None}]}}
    (error,) = response.body["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access items on type ModelPostConnection"
    assert error["path"] == ["listBlogs", "items", 0, "posts", "items"]
    assert handler.batches("Post.comments") == []  # refused before any call

    oidc = AuthContext("OPENID_CONNECT", {"sub": "o-1", "issuer": "https://oidc", "claims": {}})
    handler = FakeLambda(blogs=1, posts=1, comments=1)
    response = run(executor(handler, schema), query, oidc)
    assert "errors" not in response.body, response.body
    assert len(handler.payloads) == 3


def test_a_root_field_the_callers_mode_may_not_read_never_reaches_the_handler() -> None:
    """Regression: graphql-core 3.3 silently dropped the auth check given as a bound method."""
    schema = a.schema(
        {
            "Blog": a.model({"name": a.string().required()}).authorization(
                lambda allow: [allow.authenticated("identityPool")]
            )
        }
    )
    handler = FakeLambda()
    response = run(executor(handler, schema), "{ listBlogs { items { id } } }")
    assert response.body["data"] == {"listBlogs": None}
    (error,) = response.body["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access listBlogs on type Query"
    assert handler.payloads == []


def test_batches_past_the_time_limit_are_not_called_and_time_out() -> None:
    class SlowRoot(FakeLambda):
        def __call__(self, payload: Any, context: Any) -> Any:
            if isinstance(payload, dict):
                time.sleep(0.3)
            return super().__call__(payload, context)

    handler = SlowRoot(blogs=2)
    ex = executor(handler, limits=RequestLimits(timeout_seconds=0.2))
    response = run(ex, "{ listBlogs { items { id posts { items { id } } } } }")
    assert response.body["data"]["listBlogs"]["items"] == [
        {"id": "b0", "posts": None},
        {"id": "b1", "posts": None},
    ]
    assert {e["errorType"] for e in response.body["errors"]} == {"ExecutionTimeout"}
    assert len(handler.payloads) == 1  # the batch was never sent

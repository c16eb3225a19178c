"""DynamoDB requests, items read and Lambda calls of the data-modeling reads, beside Amplify's.

The reference modeling schema (tests/deploy/modeling_resource.py) served by the DataApi over
moto's DynamoDB, in this interpreter; requests and items read (ScannedCount, BatchGetItem's
responses) are counted with botocore events, Lambda calls as calls of the handler. Amplify's
column counts what its resolvers (tests/reference/amplify/modeling/resolvers) send for the same
GraphQL query on the same data, run with the same client:

- lazy load `post.comments()`: the aws-amplify client sends `listComments(filter: {and:
  [{postId: {eq}}]})`; Amplify's listComments is a Scan with limit 100 and the filter, so all the
  children are found only after paging through the whole table (one request per 100 items);
- index query `listPostsByCategory`: a Query of the GSI for both;
- nested `listBlogs { posts { comments } }`: Amplify's relationship fields are DynamoDB unit
  resolvers, one Query per parent (no Lambda); ours are one Lambda call per batch of parents;
- nested `listPosts { blog }`: Amplify's belongsTo is one Query per post; ours one BatchGetItem.

Usage: `python bench/modeling_counts.py [--items 10000] [--batch-size 100]`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "layers" / "runtime"), str(REPO / "tests")]
# Counting, not logging: the handler's per-call log lines would bury the table.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")

from appsync_data.api import DataApi  # noqa: E402
from appsync_data.events import LambdaContextStub, resolver_event  # noqa: E402
from appsync_data.schema_file import load_schema  # noqa: E402
from identities import our_settings, user_pool_identity  # noqa: E402
from moto import mock_aws  # noqa: E402

SCHEMA_FILE = REPO / "tests" / "deploy" / "modeling_resource.py"
AMPLIFY_PAGE = 100  # Amplify's default list limit: its Scan reads 100 items per request
IDENTITY = user_pool_identity()  # a signed-in user of the pool `our_settings` names


@dataclass
class Count:
    requests: int = 0
    items_read: int = 0
    lambda_calls: int = 0
    operations: set[str] = field(default_factory=set)

    def cells(self) -> str:
        return f"{self.requests:>9}{self.items_read:>8}{self.lambda_calls:>8}"


class Bench:
    def __init__(self, items: int, batch_size: int) -> None:
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        self.items = items
        self.batch_size = batch_size
        schema = load_schema(SCHEMA_FILE)
        self.api = DataApi(schema, our_settings(next_token_secret=b"bench"))
        self.client = self.api.connection.client
        for store in self.api.stores.values():
            self.client.create_table(
                TableName=store.table_name,
                BillingMode="PAY_PER_REQUEST",
                **store.layout.as_dynamodb(),
            )
        self.count: Count | None = None
        self.client.meta.events.register("before-call.dynamodb", self._before)
        self.client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, model: Any, **_: Any) -> None:
        if self.count is not None:
            self.count.requests += 1
            self.count.operations.add(model.name)

    def _after(self, model: Any, parsed: Any, **_: Any) -> None:
        if self.count is None:
            return
        if "ScannedCount" in parsed:
            self.count.items_read += int(parsed["ScannedCount"])
        elif model.name == "BatchGetItem":
            self.count.items_read += sum(len(v) for v in parsed.get("Responses", {}).values())

    @contextmanager
    def counting(self) -> Iterator[Count]:
        self.count = Count()
        try:
            yield self.count
        finally:
            self.count = None

    # --- data -----------------------------------------------------------------------------------

    def put(self, model: str, items: list[dict[str, Any]]) -> None:
        table = self.api.stores[model].table_name
        for start in range(0, len(items), 25):
            chunk = items[start : start + 25]
            requests = [{"PutRequest": {"Item": _attributes(item, model)}} for item in chunk]
            self.client.batch_write_item(RequestItems={table: requests})

    def seed(self) -> None:
        # 20 blogs x 5 posts x 3 comments, and filler up to `items` in the Post and Comment tables.
        self.put("Blog", [{"id": f"b{b}", "name": f"blog {b}"} for b in range(20)])
        posts = [
            {"id": f"b{b}p{p}", "title": "t", "blogId": f"b{b}", "category": "nested", "rating": p}
            for b in range(20)
            for p in range(5)
        ]
        filler_posts = self.items - len(posts)
        posts += [
            {"id": f"x{n}", "title": "t", "category": f"c{n % 100}", "rating": n % 10}
            for n in range(filler_posts)
        ]
        self.put("Post", posts)
        comments = [
            {"id": f"{post['id']}c{c}", "content": "x", "postId": post["id"]}
            for post in posts[:100]
            for c in range(3)
        ]
        comments += [{"id": f"lazy{c}", "content": "x", "postId": "lazy-post"} for c in range(5)]
        comments += [
            {"id": f"y{n}", "content": "x", "postId": f"x{n % 1000}"}
            for n in range(self.items - len(comments))
        ]
        self.put("Comment", comments)

    # --- ours -----------------------------------------------------------------------------------

    def call(self, count: Count, type_name: str, field_name: str, **arguments: Any) -> Any:
        count.lambda_calls += 1
        event = resolver_event(type_name, field_name, arguments, identity=IDENTITY)
        with quiet():
            result = self.api.handle(event, LambdaContextStub())
        assert "data" in result, result
        return result["data"]

    def batch(
        self, count: Count, type_name: str, field_name: str, sources: list[dict[str, Any]]
    ) -> list[Any]:
        results: list[Any] = []
        for start in range(0, len(sources), self.batch_size):
            events = []
            for source in sources[start : start + self.batch_size]:
                event = resolver_event(type_name, field_name, {}, identity=IDENTITY)
                event["source"] = source
                events.append(event)
            count.lambda_calls += 1
            with quiet():
                results_of_batch = self.api.handle(events, LambdaContextStub())
            for result in results_of_batch:
                assert "data" in result, result
                results.append(result["data"])
        return results

    def ours_lazy_load(self, count: Count) -> int:
        page = self.call(
            count, "Query", "listComments", filter={"and": [{"postId": {"eq": "lazy-post"}}]}
        )
        return len(page["items"])

    def ours_index_query(self, count: Count) -> int:
        page = self.call(count, "Query", "listPostsByCategory", category="c7", rating={"gt": 3})
        return len(page["items"])

    def ours_nested(self, count: Count, *, batched: bool) -> int:
        blogs = self.call(count, "Query", "listBlogs")["items"]
        size, self.batch_size = self.batch_size, self.batch_size if batched else 1
        try:
            posts = [p for c in self.batch(count, "Blog", "posts", blogs) for p in c["items"]]
            comments = self.batch(count, "Post", "comments", posts)
        finally:
            self.batch_size = size
        return len(blogs) * 10000 + len(posts) * 10 + sum(len(c["items"]) for c in comments) // 100

    def ours_belongs_to(self, count: Count) -> int:
        posts = self.call(count, "Query", "listPostsByCategory", category="nested")["items"]
        blogs = self.batch(count, "Post", "blog", posts)
        return sum(1 for b in blogs if b)

    # --- what Amplify's resolvers send ----------------------------------------------------------

    def amplify_lazy_load(self, count: Count) -> int:
        """listComments: Scan, limit 100, the filter; the client follows nextToken."""
        table = self.api.stores["Comment"].table_name
        found, start = 0, None
        while True:
            kwargs: dict[str, Any] = {
                "TableName": table,
                "Limit": AMPLIFY_PAGE,
                "FilterExpression": "#postId = :postId",
                "ExpressionAttributeNames": {"#postId": "postId"},
                "ExpressionAttributeValues": {":postId": {"S": "lazy-post"}},
            }
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.client.scan(**kwargs)
            found += len(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    def amplify_query(
        self, model: str, index: str | None, key: str, value: dict[str, Any], extra: str = ""
    ) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.api.stores[model].table_name,
            "KeyConditionExpression": f"#k = :k{extra}",
            "ExpressionAttributeNames": {"#k": key},
            "ExpressionAttributeValues": {":k": value},
            "Limit": AMPLIFY_PAGE,
        }
        if index:
            kwargs["IndexName"] = index
        if extra:
            kwargs["ExpressionAttributeNames"]["#s"] = "rating"
            kwargs["ExpressionAttributeValues"][":s"] = {"N": "3"}
        return self.client.query(**kwargs)["Items"]  # type: ignore[no-any-return]

    def amplify_index_query(self, count: Count) -> int:
        items = self.amplify_query(
            "Post", "postsByCategoryAndRating", "category", {"S": "c7"}, " AND #s > :s"
        )
        return len(items)

    def amplify_nested(self, count: Count) -> int:
        table = self.api.stores["Blog"].table_name
        blogs = self.client.scan(TableName=table, Limit=AMPLIFY_PAGE)["Items"]
        posts = [
            p
            for b in blogs
            for p in self.amplify_query("Post", "gsi-Blog.posts", "blogId", b["id"])
        ]
        comments = [
            self.amplify_query("Comment", "gsi-Post.comments", "postId", p["id"]) for p in posts
        ]
        return len(blogs) * 10000 + len(posts) * 10 + sum(len(c) for c in comments) // 100

    def amplify_belongs_to(self, count: Count) -> int:
        posts = self.amplify_query("Post", "postsByCategoryAndRating", "category", {"S": "nested"})
        # Post.blog: a Query of the Blog table by id, per post.
        blogs = [self.amplify_query("Blog", None, "id", p["blogId"]) for p in posts]
        return sum(1 for b in blogs if b)


@contextmanager
def quiet() -> Iterator[None]:
    """The handler's log lines and metrics (stdout) kept out of the printed table."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _attributes(item: dict[str, Any], model: str) -> dict[str, Any]:
    values: dict[str, Any] = {"__typename": {"S": model}}
    for name, value in item.items():
        values[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    values.setdefault("createdAt", {"S": "2026-01-01T00:00:00.000Z"})
    values.setdefault("updatedAt", {"S": "2026-01-01T00:00:00.000Z"})
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="items per Post/Comment table")
    parser.add_argument("--batch-size", type=int, default=100, help="AppSync's MaxBatchSize")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    with mock_aws():
        bench = Bench(args.items, args.batch_size)
        bench.seed()
        rows: list[tuple[str, Count, Count, int, int]] = []
        scenarios = [
            ("lazy load post.comments() (5)", bench.ours_lazy_load, bench.amplify_lazy_load),
            ("listPostsByCategory (Query)", bench.ours_index_query, bench.amplify_index_query),
            (
                "listBlogs{posts{comments}} 20x5x3",
                lambda c: bench.ours_nested(c, batched=True),
                bench.amplify_nested,
            ),
            ("posts{blog} (100 belongsTo)", bench.ours_belongs_to, bench.amplify_belongs_to),
        ]
        for label, ours, amplify in scenarios:
            with bench.counting() as our_count:
                our_result = ours(our_count)
            with bench.counting() as their_count:
                their_result = amplify(their_count)
            rows.append((label, our_count, their_count, our_result, their_result))
        with bench.counting() as unbatched:
            bench.ours_nested(unbatched, batched=False)
    print(f"machine: {_machine()}")
    print(
        f"Data modeling reads, {args.items} items per table (moto); ours beside Amplify's "
        "resolvers; requests / items read (ScannedCount) / Lambda calls"
    )
    print(f"{'query':36}{'ours: req':>9}{'read':>8}{'lambda':>8}   {'Amplify: req':>12}{'read':>8}"
          f"{'lambda':>8}  same result")  # fmt: skip
    for label, ours_count, theirs, our_result, their_result in rows:
        same = "yes" if our_result == their_result else f"NO ({our_result} vs {their_result})"
        print(f"{label:36}{ours_count.cells()}   {theirs.cells():>28}  {same}")
    batched = rows[2][1].lambda_calls
    print(
        f"Lambda calls for listBlogs{{posts{{comments}}}}: {batched} batched "
        f"(MaxBatchSize {args.batch_size}), {unbatched.lambda_calls} without batching "
        f"({unbatched.lambda_calls / batched:.2f}x)"
    )
    return 0


def _machine() -> str:
    uname = platform.uname()
    version = platform.python_version()
    return (
        f"{uname.system} {uname.release} {uname.machine}; {os.cpu_count()} cores; Python {version}"
    )


if __name__ == "__main__":
    raise SystemExit(main())

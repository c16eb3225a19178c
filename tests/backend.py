"""A DataApi over DynamoDB (moto in tests) and a `call` helper that sends AppSync's Lambda event.

Shared by the integration and security suites: ``from backend import Backend, make_backend``
(``tests`` is on pytest's ``pythonpath``). The fixtures that start moto live in each conftest.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from appsync_data.api import DataApi, logger
from appsync_data.config import Settings
from appsync_data.events import LambdaContextStub, resolver_event
from appsync_data.schema import Schema
from appsync_data.store import key_schema
from identities import our_settings, user_pool_identity

SETTINGS = our_settings(next_token_secret=b"test-secret")
_request_ids = itertools.count(1)


def lambda_context() -> LambdaContextStub:
    """A Lambda context with a request id of its own (`req-N`)."""
    return LambdaContextStub(aws_request_id=f"req-{next(_request_ids)}")


def appsync_event(
    field_name: str, arguments: dict[str, Any], identity: Any, parent: str | None = None
) -> dict[str, Any]:
    parent = parent or ("Query" if field_name.startswith(("get", "list")) else "Mutation")
    event = resolver_event(
        parent,
        field_name,
        arguments,
        identity=None,
        headers={"x-amzn-trace-id": "Root=1-test"},
        selection_set_list=["id"],
        selection_set_graphql="{ id }",
    )
    event["identity"] = identity  # as given: the tests send malformed identities too
    return event


Call = Callable[..., dict[str, Any]]


def unmarked(item: dict[str, Any]) -> dict[str, Any]:
    """A mutation's result without the `__operation: "Mutation"` mark Amplify's mutation
    resolvers add (relationship fields under it are not resolved): the item a get returns."""
    assert item.get("__operation") == "Mutation", item
    return {k: v for k, v in item.items() if k != "__operation"}


@dataclass
class Backend:
    api: DataApi
    call: Call

    def scan(self, model: str = "Todo") -> list[dict[str, Any]]:
        """Every raw item of a model's table, sorted: to compare the table before and after."""
        client = self.api.connection.client
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": self.api.stores[model].table_name}
        while True:
            page = client.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda item: item["id"]["S"])

    def count_requests(self, model: str = "Todo") -> list[str]:
        """Names of the DynamoDB operations sent from now on (botocore events)."""
        sent: list[str] = []
        client = self.api.connection.client

        def record(model: Any, **_: Any) -> None:
            sent.append(model.name)

        client.meta.events.register("before-call.dynamodb", record)
        return sent


def create_tables(api: DataApi) -> None:
    """Each model's table, as template.yaml declares it."""
    for store in api.stores.values():
        api.connection.client.create_table(
            **key_schema(store.table_name, store.layout), BillingMode="PAY_PER_REQUEST"
        )


def seed(api: DataApi, model: str, item_id: str, **strings: str) -> None:
    """Put an item straight into a model's table (string attributes only)."""
    item = {"id": {"S": item_id}, **{name: {"S": value} for name, value in strings.items()}}
    api.connection.client.put_item(TableName=api.stores[model].table_name, Item=item)


def make_backend(schema: Schema, settings: Settings = SETTINGS) -> Backend:
    api = DataApi(schema, settings)
    create_tables(api)

    def call(
        field_name: str, arguments: dict[str, Any] | None = None, identity: Any = "user"
    ) -> dict[str, Any]:
        if identity == "user":
            identity = user_pool_identity()
        event = appsync_event(field_name, arguments or {}, identity)
        return api.handle(event, lambda_context())  # type: ignore[arg-type]

    return Backend(api=api, call=call)


@contextlib.contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Everything the data Lambda's Powertools logger writes meanwhile, formatted as on Lambda."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)

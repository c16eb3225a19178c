"""Helpers of the modeling suites: the reference modeling schema, batched relationship events,
and a meter of DynamoDB requests and items read (botocore events, as the bench counts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appsync_data.api import DataApi
from backend import appsync_event, lambda_context
from identities import user_pool_identity


@dataclass
class Meter:
    """DynamoDB operations sent and items read (ScannedCount, or Responses for BatchGetItem)."""

    operations: list[str] = field(default_factory=list)
    items_read: int = 0

    def reset(self) -> None:
        self.operations.clear()
        self.items_read = 0


def meter(api: DataApi) -> Meter:
    counted = Meter()
    events = api.connection.client.meta.events

    def before(model: Any, **_: Any) -> None:
        counted.operations.append(model.name)

    def after(model: Any, parsed: Any, **_: Any) -> None:
        if "ScannedCount" in parsed:
            counted.items_read += int(parsed["ScannedCount"])
        elif model.name == "BatchGetItem":
            counted.items_read += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem":
            counted.items_read += 1 if "Item" in parsed else 0

    events.register("before-call.dynamodb", before)
    events.register("after-call.dynamodb", after)
    return counted


def field_events(
    type_name: str,
    field_name: str,
    sources: list[dict[str, Any]],
    arguments: dict[str, Any] | None = None,
    identity: Any = "user",
) -> list[dict[str, Any]]:
    """AppSync's BatchInvoke payload for `type_name.field_name` of several parent items."""
    if identity == "user":
        identity = user_pool_identity()
    events = []
    for source in sources:
        event = appsync_event(field_name, dict(arguments or {}), identity, parent=type_name)
        event["source"] = source
        events.append(event)
    return events


def call_batch(api: DataApi, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return api.handle(events, lambda_context())  # type: ignore[arg-type,no-any-return]

"""The yardstick: a minimal hand-written boto3 resolver doing the same DynamoDB operation per field.

What a careful engineer writes with nothing but boto3's low-level client: one shared client, one
request per field, the same conditions (`attribute_not_exists(id)` on create, `attribute_exists(id)`
on update and delete), no routing framework, no authorization, no logs, no metrics, no traces.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

client = boto3.client("dynamodb")
TABLE = os.environ["TODO_TABLE"]
_from_dynamodb = TypeDeserializer().deserialize
_to_dynamodb = TypeSerializer().serialize


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    return {name: _from_dynamodb(value) for name, value in raw.items()}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    field = event["info"]["fieldName"]
    arguments = event["arguments"]
    if field == "getTodo":
        got = client.get_item(TableName=TABLE, Key={"id": {"S": arguments["id"]}})
        return {"data": _item(got["Item"]) if "Item" in got else None}
    if field == "listTodos":
        page = client.scan(TableName=TABLE, Limit=arguments.get("limit", 100))
        return {"data": {"items": [_item(i) for i in page["Items"]], "nextToken": None}}
    if field == "createTodo":
        now = _now()
        item = {"id": str(uuid.uuid4()), **arguments["input"], "createdAt": now, "updatedAt": now}
        item["__typename"] = "Todo"
        client.put_item(
            TableName=TABLE,
            Item={name: _to_dynamodb(value) for name, value in item.items()},
            ConditionExpression="attribute_not_exists(id)",
        )
        return {"data": item}
    if field == "updateTodo":
        given = dict(arguments["input"])
        key = {"id": {"S": given.pop("id")}}
        given["updatedAt"] = _now()
        names = {f"#f{i}": name for i, name in enumerate(given)}
        values = {f":v{i}": _to_dynamodb(value) for i, value in enumerate(given.values())}
        updated = client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(given))),
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return {"data": _item(updated["Attributes"])}
    if field == "deleteTodo":
        deleted = client.delete_item(
            TableName=TABLE,
            Key={"id": {"S": arguments["input"]["id"]}},
            ConditionExpression="attribute_exists(id)",
            ReturnValues="ALL_OLD",
        )
        return {"data": _item(deleted["Attributes"])}
    raise ValueError(f"unknown field {field}")

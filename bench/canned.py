"""AppSync events and DynamoDB answers shared by the benchmarks (imported inside the children).

Only the standard library, botocore and the built artifact's appsync_data.events: it runs
next to the built artifact, never from .venv.
`answer_dynamodb_locally()` answers every DynamoDB request of clients created afterwards at the
HTTP layer (`before-send`), so the whole botocore pipeline (serialize, sign, parse) still runs.
"""

from __future__ import annotations

import json
from typing import Any

ITEM_ID = "7f0c6d1e-3a52-4b8e-9d5c-2f1a6b7e8c90"
ITEM = {
    "id": {"S": ITEM_ID},
    "content": {"S": "buy milk"},
    "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
    "updatedAt": {"S": "2026-01-01T00:00:00.000Z"},
    "__typename": {"S": "Todo"},
}
# The answers DynamoDB gives, per operation (botocore's parsed form = the wire JSON for strings).
RESPONSES: dict[str, dict[str, Any]] = {
    "GetItem": {"Item": ITEM},
    "Scan": {"Items": [ITEM] * 10, "Count": 10, "ScannedCount": 10},
    "PutItem": {},
    "UpdateItem": {"Attributes": ITEM},
    "DeleteItem": {"Attributes": ITEM},
}
# botocore's method name of each DynamoDB operation (what Stubber takes).
METHODS = {
    "GetItem": "get_item",
    "Scan": "scan",
    "PutItem": "put_item",
    "UpdateItem": "update_item",
    "DeleteItem": "delete_item",
}
# GraphQL operation -> (field, arguments, DynamoDB operation it needs)
OPERATIONS: dict[str, tuple[str, dict[str, Any], str]] = {
    "get": ("getTodo", {"id": ITEM_ID}, "GetItem"),
    "list": ("listTodos", {"limit": 10}, "Scan"),
    "create": ("createTodo", {"input": {"content": "buy milk"}}, "PutItem"),
    "update": ("updateTodo", {"input": {"id": ITEM_ID, "content": "buy oat milk"}}, "UpdateItem"),
    "delete": ("deleteTodo", {"input": {"id": ITEM_ID}}, "DeleteItem"),
}
USER_POOL_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench"


def user_pool_identity() -> dict[str, Any]:
    sub = "3c1b5e2a-8d4f-4f6e-9a7b-0e2d4c6f8a1b"
    return {
        "sub": sub,
        "issuer": USER_POOL_ISSUER,
        "username": sub,
        "claims": {
            "sub": sub,
            "iss": USER_POOL_ISSUER,
            "token_use": "access",
            "client_id": "benchclient",
            "username": sub,
        },
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": None,
    }


def appsync_event(operation: str) -> dict[str, Any]:
    """AppSync's direct Lambda resolver event for one operation on Todo by a signed-in user."""
    from appsync_data.events import resolver_event  # imported when used: the floor never is

    field, arguments, _ = OPERATIONS[operation]
    parent = "Query" if operation in ("get", "list") else "Mutation"
    selection = ["id", "content", "createdAt", "updatedAt"]
    if operation == "list":
        selection = ["items", "items/id", "items/content", "nextToken"]
    return resolver_event(
        parent,
        field,
        json.loads(json.dumps(arguments)),
        identity=user_pool_identity(),
        headers={"x-amzn-trace-id": "Root=1-bench"},
        selection_set_list=selection,
        selection_set_graphql="{ " + " ".join(s for s in selection if "/" not in s) + " }",
    )


def LambdaContext() -> Any:  # noqa: N802 - read as the class it stands for
    """The Lambda context the handler gets (appsync_data.events' stand-in, named for the bench)."""
    from appsync_data.events import LambdaContextStub

    return LambdaContextStub(
        aws_request_id="bench-request",
        function_name="appsync-data-dev-data",
        function_version="1",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:appsync-data-dev-data",
        memory_limit_in_mb=512,
        log_group_name="/aws/lambda/appsync-data-dev-data",
        log_stream_name="bench",
    )


def answer_dynamodb_locally() -> list[str]:
    """From now on, DynamoDB requests of new botocore clients get `RESPONSES` without a network.

    Returns the list the DynamoDB operations sent are appended to.
    """
    import botocore.session
    from botocore.awsrequest import AWSResponse

    sent: list[str] = []

    class Raw:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def stream(self, **_: Any) -> Any:
            yield self.body

    def respond(request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        sent.append(operation)
        body = json.dumps(RESPONSES[operation]).encode()
        headers = {"x-amzn-RequestId": "bench", "Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 200, headers, Raw(body))

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        if client.meta.service_model.service_name == "dynamodb":
            client.meta.events.register("before-send.dynamodb", respond)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    return sent

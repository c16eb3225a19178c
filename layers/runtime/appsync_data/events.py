"""AppSync's direct Lambda resolver event, the event Amplify hands a custom operation's function,
and a stand-in for Lambda's context: one builder each.

The local server (`local/execution.py`), the tests and the benchmarks all call the handler with
`resolver_event(...)` and `LambdaContextStub()`, so the event shape the handler reads is written
once. Standard library only: the benchmarks import it next to the built artifact.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Parents per BatchInvoke call of a relationship field (AppSync's MaxBatchSize, which allows up to
# 2000), deployed (template.yaml) and local (local/execution.py) alike. 100 keeps a batch's events
# (identity, headers and parent item each, a few KB) far below Lambda's 6 MB payload limit.
DEFAULT_MAX_BATCH_SIZE = 100
# AppSync's QueryDepthLimit and ResolverCountLimit of the API, deployed (template.yaml's parameter
# defaults) and local (`dev --query-depth-limit / --resolver-count-limit`) alike.
DEFAULT_QUERY_DEPTH_LIMIT = 10
DEFAULT_RESOLVER_COUNT_LIMIT = 1000


def resolver_event(
    type_name: str,
    field_name: str,
    arguments: Mapping[str, Any],
    *,
    identity: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None = None,
    variables: Mapping[str, Any] | None = None,
    selection_set_list: Sequence[str] = (),
    selection_set_graphql: str = "",
    source: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The event AppSync sends a direct Lambda resolver for `type_name.field_name`; `source` is
    the parent item of a nested field (a relationship field's events of one BatchInvoke differ
    only by it)."""
    return {
        "arguments": dict(arguments),
        "identity": dict(identity) if identity is not None else None,
        "source": dict(source) if source is not None else None,
        "request": {"headers": dict(headers or {}), "domainName": None},
        "info": {
            "fieldName": field_name,
            "parentTypeName": type_name,
            "variables": dict(variables or {}),
            "selectionSetList": list(selection_set_list),
            "selectionSetGraphQL": selection_set_graphql,
        },
        "prev": None,
        "stash": {},
    }


def function_event(
    type_name: str,
    field_name: str,
    arguments: Mapping[str, Any],
    *,
    identity: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The event Amplify's resolver hands the function of a custom operation (the payload of
    its `Invoke<Fn>LambdaDataSource.req.vtl`): after the field-auth step, whose empty result is
    `prev`."""
    return {
        "typeName": type_name,
        "fieldName": field_name,
        "arguments": dict(arguments),
        "identity": dict(identity) if identity is not None else None,
        "source": None,
        "request": {"headers": dict(headers or {}), "domainName": None},
        "prev": {"result": {}},
    }


@dataclass(frozen=True)
class LambdaContextStub:
    """What the Lambda runtime passes as `context`, for Powertools' logger and tracer."""

    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = "appsync-data-local"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:appsync-data-local"
    memory_limit_in_mb: int = 128
    log_group_name: str = "/aws/lambda/appsync-data-local"
    log_stream_name: str = "local"
    deadline: float = float("inf")  # when the invocation must end, on time.monotonic()

    def get_remaining_time_in_millis(self) -> int:
        if self.deadline == float("inf"):
            return 30_000
        return max(0, int((self.deadline - time.monotonic()) * 1000))

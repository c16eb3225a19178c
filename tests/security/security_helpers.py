"""What every security test checks of a Lambda response, and shared constants."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from identities import REGION

MOTO_ENV: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}

# The error types a caller may see (errors.py), except InternalFailure: that one means an
# exception nothing handled, which these tests must never provoke.
ERROR_TYPES: Final = frozenset(
    {
        "Unauthorized",
        "DynamoDB:ConditionalCheckFailedException",
        "InvalidArgumentsError",
        "InvalidNextTokenError",
        "DynamoDB:ValidationException",
        "DynamoDB:ServiceUnavailable",
    }
)

# Signs of an internal detail leaking into a message: a stack trace or a source path. (Messages
# may quote the caller's own keys, so library names alone would be no sign.)
_LEAKS: Final = re.compile(r"Traceback|File \"|\.py\", line|/work/|site-packages")

# Examples run by each property test, printed at the end of the run (conftest.py).
FUZZ_CASES: Counter[str] = Counter()


def check_envelope(response: Any) -> dict[str, Any] | None:
    """Assert `response` is the Lambda's envelope: `{"data": ...}` (returns None) or a documented
    `{"error": {"type", "message"}}` with no internals in it (returns the error)."""
    assert isinstance(response, dict), response
    assert set(response) in ({"data"}, {"error"}), response
    if "data" in response:
        return None
    error = response["error"]
    assert isinstance(error, dict) and set(error) == {"type", "message"}, error
    assert error["type"] in ERROR_TYPES, error
    assert isinstance(error["message"], str) and error["message"], error
    assert not _LEAKS.search(error["message"]), error
    return error


def moto_table_items(table_name: str) -> dict[str, dict[str, Any]]:
    """Every item of a table in moto's in-process DynamoDB, by id: the full scan, read straight
    from moto's store (moto's HTTP serializer makes a Scan of wide items ~50 ms)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table_name)
    items = (item.to_json()["Attributes"] for item in table.all_items())
    return {item["id"]["S"]: item for item in items}

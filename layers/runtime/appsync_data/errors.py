"""Errors a caller may see, each with the `errorType` AppSync shows for it (DESIGN.md's table)."""

from __future__ import annotations

from typing import Any


class DataError(Exception):
    """An error that reaches the GraphQL client as `{errorType, message}`; never a stack trace."""

    error_type = "InternalFailure"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_response(self) -> dict[str, Any]:
        """The Lambda's error envelope; the APPSYNC_JS function turns it into `util.error`."""
        return {"error": {"type": self.error_type, "message": self.message}}


class Unauthorized(DataError):
    error_type = "Unauthorized"

    @classmethod
    def for_field(cls, type_name: str, field_name: str) -> Unauthorized:
        return cls(f"Not Authorized to access {field_name} on type {type_name}")

    @classmethod
    def on_fields(cls, fields: tuple[str, ...]) -> Unauthorized:
        """Amplify's refusal of input fields the caller may not write."""
        return cls(f"Unauthorized on [{', '.join(fields)}]")


class OutOfScope(Exception):
    """The item lies outside the caller's scope (ModelStore): api.py answers it as Amplify does,
    `Unauthorized` naming the field (or, for `fields`, the input fields refused)."""

    def __init__(self, fields: tuple[str, ...] = ()) -> None:
        super().__init__("out of scope")
        self.fields = fields

    def unauthorized(self, type_name: str, field_name: str) -> Unauthorized:
        if self.fields:
            return Unauthorized.on_fields(self.fields)
        return Unauthorized.for_field(type_name, field_name)


class ConditionalCheckFailed(DataError):
    error_type = "DynamoDB:ConditionalCheckFailedException"

    @classmethod
    def with_request_id(cls, request_id: str | None) -> ConditionalCheckFailed:
        return cls(
            "The conditional request failed (Service: DynamoDb, Status Code: 400, "
            f"Request ID: {request_id or 'unknown'})"
        )


class InvalidArguments(DataError):
    error_type = "InvalidArgumentsError"


class InvalidNextToken(DataError):
    error_type = "InvalidNextTokenError"


class ItemTooLarge(DataError):
    error_type = "DynamoDB:ValidationException"


class StoreUnavailable(DataError):
    """DynamoDB kept failing (throttling, 5xx) after the retries botocore makes."""

    error_type = "DynamoDB:ServiceUnavailable"


class InternalFailure(DataError):
    error_type = "InternalFailure"

"""AppSync's scalars (AWSDateTime, AWSEmail, ...) with the checks AppSync makes on them.

Formats from the AppSync developer guide ("Scalar types in AWS AppSync"): dates are extended ISO
8601 (`AWSDateTime` needs a time zone offset, `AWSDate`/`AWSTime` may carry one), `AWSTimestamp` is
whole seconds since the epoch, `AWSJSON` is a string holding JSON (resolvers receive it parsed),
`AWSURL` needs a scheme, `AWSIPAddress` is IPv4 or IPv6 with an optional prefix length.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from graphql import GraphQLScalarType, IntValueNode, StringValueNode, ValueNode

_OFFSET = r"(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_DATETIME_RE = re.compile(rf"^({_DATE})T({_TIME})({_OFFSET})$")
_DATE_RE = re.compile(rf"^({_DATE})({_OFFSET})?$")
_TIME_RE = re.compile(rf"^({_TIME})({_OFFSET})?$")
_EMAIL_RE = re.compile(r"^[^@\s\"(),:;<>\[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_PHONE_RE = re.compile(r"^\+?[0-9](?:[0-9 ()-]{3,22})[0-9]$")
_TIMESTAMP_MIN, _TIMESTAMP_MAX = -(2**63), 2**63 - 1


def _text(value: Any, type_name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{type_name} must be a string")
    return value


def _calendar_time(text: str) -> None:
    """Check hours/minutes/seconds are in range (the regex only checks their shape)."""
    hours, minutes, *rest = text.split(":")
    seconds = rest[0].split(".")[0] if rest else "0"
    time(int(hours), int(minutes), int(seconds))


def aws_datetime(value: Any) -> str:
    text = _text(value, "AWSDateTime")
    match = _DATETIME_RE.match(text)
    if match is None:
        raise ValueError("AWSDateTime must be YYYY-MM-DDThh:mm:ss.sssZ (a time zone is required)")
    date.fromisoformat(match[1])
    _calendar_time(match[2])
    return text


def aws_date(value: Any) -> str:
    text = _text(value, "AWSDate")
    match = _DATE_RE.match(text)
    if match is None:
        raise ValueError("AWSDate must be YYYY-MM-DD")
    date.fromisoformat(match[1])
    return text


def aws_time(value: Any) -> str:
    text = _text(value, "AWSTime")
    match = _TIME_RE.match(text)
    if match is None:
        raise ValueError("AWSTime must be hh:mm:ss.sss")
    _calendar_time(match[1])
    return text


def aws_timestamp(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("AWSTimestamp must be a whole number of seconds")
    if not _TIMESTAMP_MIN <= value <= _TIMESTAMP_MAX:
        raise ValueError("AWSTimestamp out of range")
    return value


def aws_email(value: Any) -> str:
    text = _text(value, "AWSEmail")
    if _EMAIL_RE.match(text) is None:
        raise ValueError("AWSEmail must be an email address such as name@example.com")
    return text


def aws_url(value: Any) -> str:
    text = _text(value, "AWSURL")
    if _URL_SCHEME_RE.match(text) is None:
        raise ValueError("AWSURL must have a scheme, such as https://example.com")
    rest = text.split(":", 1)[1]
    path = rest[2:].split("/", 1)[1] if rest.startswith("//") and "/" in rest[2:] else rest
    if "//" in path:
        raise ValueError("AWSURL cannot contain // in its path")
    return text


def aws_phone(value: Any) -> str:
    text = _text(value, "AWSPhone")
    if _PHONE_RE.match(text) is None:
        raise ValueError("AWSPhone must be a phone number (digits, spaces, hyphens, optional +)")
    return text


def aws_ip_address(value: Any) -> str:
    text = _text(value, "AWSIPAddress")
    ipaddress.ip_interface(text)  # raises ValueError
    return text


def aws_json_input(value: Any) -> Any:
    """A variable or literal of type AWSJSON: a JSON string, handed to resolvers parsed."""
    return json.loads(_text(value, "AWSJSON"))


def aws_json_output(value: Any) -> str:
    """A resolver's AWSJSON value goes back to clients as JSON text."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _literal(parse: Callable[[Any], Any], *, integer: bool = False) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if integer and isinstance(node, IntValueNode):
            return parse(int(node.value))
        if not integer and isinstance(node, StringValueNode):
            return parse(node.value)
        raise TypeError("wrong literal kind")

    return parse_literal


def _output(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def serialize(value: Any) -> Any:
        if isinstance(value, datetime):
            value = value.isoformat()
        return check(value)

    return serialize


# AppSync scalar (appsync_data.scalars) -> (serialize, parse_value, parse_literal) here.
BEHAVIOUR: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], Callable[..., Any]]] = {
    "AWSDateTime": (_output(aws_datetime), aws_datetime, _literal(aws_datetime)),
    "AWSDate": (_output(aws_date), aws_date, _literal(aws_date)),
    "AWSTime": (_output(aws_time), aws_time, _literal(aws_time)),
    "AWSTimestamp": (aws_timestamp, aws_timestamp, _literal(aws_timestamp, integer=True)),
    "AWSEmail": (aws_email, aws_email, _literal(aws_email)),
    "AWSJSON": (aws_json_output, aws_json_input, _literal(aws_json_input)),
    "AWSURL": (aws_url, aws_url, _literal(aws_url)),
    "AWSPhone": (aws_phone, aws_phone, _literal(aws_phone)),
    "AWSIPAddress": (aws_ip_address, aws_ip_address, _literal(aws_ip_address)),
}


def install_scalar_behaviour(scalar: GraphQLScalarType) -> None:
    """Give a scalar declared in SDL its AppSync checks (no-op for other scalars)."""
    behaviour = BEHAVIOUR.get(scalar.name)
    if behaviour is None:
        return
    serialize, parse_value, parse_literal = behaviour
    # graphql-core 3.3 reads the coerce_* hooks; the legacy names are kept in step with them.
    scalar.serialize = scalar.coerce_output_value = serialize  # type: ignore[method-assign,assignment]
    scalar.parse_value = scalar.coerce_input_value = parse_value  # type: ignore[method-assign,assignment]
    scalar.parse_literal = scalar.coerce_input_literal = parse_literal  # type: ignore[method-assign]

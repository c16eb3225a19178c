"""Signed `nextToken`s: a page's resume key, authenticated so a client cannot forge or alter it.

A token is `base64url(payload).base64url(HMAC-SHA256(secret, scope + payload))`. The scope (the
table) binds a token to the list it came from; anything else is refused before DynamoDB is asked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from appsync_data.errors import InvalidNextToken

MAX_TOKEN_LENGTH = 4096
_VERSION = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, scope: str, payload: bytes) -> bytes:
    return hmac.new(secret, scope.encode() + b"\0" + payload, hashlib.sha256).digest()


def encode_next_token(start_key: dict[str, Any], *, secret: bytes, scope: str) -> str:
    payload = json.dumps({"v": _VERSION, "k": start_key}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_signature(secret, scope, payload))}"


def decode_next_token(token: Any, *, secret: bytes, scope: str) -> dict[str, Any]:
    """The DynamoDB start key a token carries; `InvalidNextToken` for anything not ours."""
    refused = InvalidNextToken("Invalid nextToken: it was not issued by this list or was altered")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise refused
    payload_text, _, signature_text = token.partition(".")
    try:
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise refused from None
    if not hmac.compare_digest(signature, _signature(secret, scope, payload)):
        raise refused
    try:
        decoded = json.loads(payload)
    except ValueError:
        raise refused from None
    if not isinstance(decoded, dict) or decoded.get("v") != _VERSION:
        raise refused
    start_key = decoded.get("k")
    if not isinstance(start_key, dict):
        raise refused
    return start_key

"""SigV4 checks of AWS_IAM requests: botocore recomputes the signature, we compare.

Only the headers the client listed in `SignedHeaders` enter the recomputation (as on AWS); the
request date must be within `MAX_CLOCK_SKEW_SECONDS` of now, the scope must name our region and the
`appsync` service, and the credentials must be dev credentials this local folder issued.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from calendar import timegm
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from appsync_data.local.credentials import CredentialsRejected, DevIdentity, resolve_credentials
from appsync_data.local.state import LocalState

SERVICE = "appsync"
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 300
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<akid>[A-Z0-9]{16,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z0-9-]+)/aws4_request,\s*"
    r"SignedHeaders=(?P<signed>[a-z0-9;_.-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureRejected(Exception):
    """A SigV4 request that does not check out (for logs, never sent to clients)."""


def is_sigv4(authorization: str | None) -> bool:
    return bool(authorization) and str(authorization).startswith(ALGORITHM + " ")


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str  # as sent, percent-encoded, without the query string
    query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def verify_sigv4(
    request: SignedRequest, state: LocalState, *, now: float | None = None
) -> DevIdentity:
    """The identity behind a correctly signed request; raises `SignatureRejected` otherwise."""
    match = _AUTHORIZATION.match(request.headers.get("authorization", "").strip())
    if match is None:
        raise SignatureRejected("malformed Authorization header")
    if match["service"] != SERVICE or match["region"] != state.region:
        raise SignatureRejected("credential scope names another service or region")
    signed_names = match["signed"].split(";")
    if "host" not in signed_names or "x-amz-date" not in signed_names:
        raise SignatureRejected("host and x-amz-date must be signed")
    missing = [name for name in signed_names if name not in request.headers]
    if missing:
        raise SignatureRejected("a signed header is missing")
    amz_date = request.headers["x-amz-date"]
    try:
        signed_at = timegm(time.strptime(amz_date, SIGV4_TIMESTAMP))
    except ValueError as exc:
        raise SignatureRejected("malformed x-amz-date") from exc
    current = time.time() if now is None else now
    if abs(current - signed_at) > MAX_CLOCK_SKEW_SECONDS:
        raise SignatureRejected("request time too far from server time")
    if match["date"] != amz_date[:8]:
        raise SignatureRejected("credential scope date differs from x-amz-date")
    try:
        secret, identity = resolve_credentials(
            state, match["akid"], request.headers.get("x-amz-security-token")
        )
    except CredentialsRejected as exc:
        raise SignatureRejected(str(exc)) from exc

    # botocore takes a present x-amz-content-sha256 as the body's hash without hashing the body:
    # it must be the body's real hash (no UNSIGNED-PAYLOAD), or a signature would not cover it.
    content_hash = request.headers.get("x-amz-content-sha256")
    if content_hash is not None and not hmac.compare_digest(
        content_hash, hashlib.sha256(request.body).hexdigest()
    ):
        raise SignatureRejected("x-amz-content-sha256 is not the hash of the body")

    url = f"http://{request.headers['host']}{request.path}"
    if request.query:
        url += "?" + request.query
    aws_request = AWSRequest(
        method=request.method,
        url=url,
        headers={name: request.headers[name] for name in signed_names},
        data=request.body,
    )
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(match["akid"], secret, request.headers.get("x-amz-security-token")),
        SERVICE,
        state.region,
    )
    if signer.signed_headers(signer.headers_to_sign(aws_request)) != match["signed"]:
        raise SignatureRejected("signed header list cannot be reproduced")
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureRejected("signature does not match")
    return identity

"""Dev AWS credentials, shaped like those Cognito identity pools hand out, and their lookup.

Stateless like STS: the session token is an HS256 JWT (keyed by the local folder's credentials
secret) that names the identity; the secret access key is derived from the access key id with the
same secret. So the server needs no list of issued credentials: it checks the session token, derives
the secret, and lets botocore recompute the SigV4 signature (see `sigv4`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import jwt

from appsync_data.local.state import LocalState

IdentityKind = Literal["authenticated", "unauthenticated", "role"]
DEFAULT_CREDENTIALS_SECONDS = 3600
_SESSION_AUDIENCE = "appsync-data-local-credentials"
_ACCESS_KEY_ALPHABET = string.ascii_uppercase + string.digits


class CredentialsRejected(Exception):
    """Credentials the server does not accept (for logs, never sent to clients)."""


@dataclass(frozen=True)
class DevIdentity:
    """Who a set of dev credentials stands for."""

    kind: IdentityKind
    name: str  # the user (identity-pool identities) or the role name (plain IAM)
    identity_id: str | None  # Cognito identity id; None for a plain IAM role

    def user_arn(self, state: LocalState) -> str:
        account = state.account_id
        if self.kind == "authenticated":
            role = state.auth_role_arn.rsplit("/", 1)[1]
            return f"arn:aws:sts::{account}:assumed-role/{role}/CognitoIdentityCredentials"
        if self.kind == "unauthenticated":
            role = state.unauth_role_arn.rsplit("/", 1)[1]
            return f"arn:aws:sts::{account}:assumed-role/{role}/CognitoIdentityCredentials"
        return f"arn:aws:sts::{account}:assumed-role/{self.name}/{self.name}-session"

    def role_id(self) -> str:
        # An IAM role id looks like AROA + 17 characters; stable per role.
        digest = hashlib.sha256(f"role#{self.kind}#{self.name}".encode()).digest()
        return "AROA" + base64.b32encode(digest).decode()[:17]

    def appsync_identity(self, state: LocalState, source_ip: list[str]) -> dict[str, Any]:
        """AppSync's `identity` for an AWS_IAM request signed with these credentials."""
        cognito = self.kind != "role"
        session = "CognitoIdentityCredentials" if cognito else f"{self.name}-session"
        provider = None
        if self.kind == "authenticated":
            # What an identity pool federated with our user pool reports for a signed-in user.
            idp = f"cognito-idp.{state.region}.amazonaws.com/{state.user_pool_id}"
            provider = f'"{idp}","{idp}:CognitoSignIn:{self.name}"'
        return {
            "accountId": state.account_id,
            "cognitoIdentityPoolId": state.identity_pool_id if cognito else None,
            "cognitoIdentityId": self.identity_id,
            "sourceIp": source_ip,
            "username": f"{self.role_id()}:{session}",
            "userArn": self.user_arn(state),
            "cognitoIdentityAuthType": self.kind if cognito else None,
            "cognitoIdentityAuthProvider": provider,
        }


def identity_for(state: LocalState, name: str, kind: IdentityKind) -> DevIdentity:
    if kind == "role":
        return DevIdentity(kind, name, None)
    seed = f"{state.identity_pool_id}#{kind}#{name}"
    return DevIdentity(kind, name, f"{state.region}:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}")


def _secret_for(state: LocalState, access_key_id: str) -> str:
    digest = hmac.new(state.credentials_secret, access_key_id.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()[:40]


@dataclass(frozen=True)
class DevCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    identity: DevIdentity
    expiration: datetime

    def to_json(self) -> dict[str, Any]:
        """The one-line JSON `python -m appsync_data credentials` prints."""
        return {
            "accessKeyId": self.access_key_id,
            "secretAccessKey": self.secret_access_key,
            "sessionToken": self.session_token,
            "identityId": self.identity.identity_id,
            "expiration": self.expiration.isoformat().replace("+00:00", "Z"),
        }


def mint_credentials(
    state: LocalState,
    identity: DevIdentity,
    *,
    expires_in: int = DEFAULT_CREDENTIALS_SECONDS,
    now: float | None = None,
) -> DevCredentials:
    issued_at = int(time.time() if now is None else now)
    access_key_id = "ASIA" + "".join(secrets.choice(_ACCESS_KEY_ALPHABET) for _ in range(16))
    expires_at = issued_at + expires_in
    claims = {
        "aud": _SESSION_AUDIENCE,
        "akid": access_key_id,
        "kind": identity.kind,
        "name": identity.name,
        "identityId": identity.identity_id,
        "pool": state.identity_pool_id,
        "iat": issued_at,
        "exp": expires_at,
    }
    token = jwt.encode(claims, state.credentials_secret, algorithm="HS256")
    return DevCredentials(
        access_key_id=access_key_id,
        secret_access_key=_secret_for(state, access_key_id),
        session_token=token,
        identity=identity,
        expiration=datetime.fromtimestamp(expires_at, UTC),
    )


def resolve_credentials(
    state: LocalState, access_key_id: str, session_token: str | None
) -> tuple[str, DevIdentity]:
    """The secret key and identity behind `access_key_id`, if its session token is ours and
    current; raises `CredentialsRejected` otherwise."""
    if not session_token:
        raise CredentialsRejected("no session token")
    try:
        claims = jwt.decode(
            session_token,
            state.credentials_secret,
            algorithms=["HS256"],
            audience=_SESSION_AUDIENCE,
            options={"require": ["exp", "iat", "akid", "kind", "name"]},
        )
    except jwt.PyJWTError as exc:
        raise CredentialsRejected(f"session token: {exc}") from exc
    if not hmac.compare_digest(str(claims["akid"]), access_key_id):
        raise CredentialsRejected("session token belongs to another access key")
    if claims.get("pool") != state.identity_pool_id:
        raise CredentialsRejected("credentials of another identity pool")
    kind = claims["kind"]
    if kind not in ("authenticated", "unauthenticated", "role"):
        raise CredentialsRejected("unknown identity kind")
    identity = DevIdentity(kind, str(claims["name"]), claims.get("identityId"))
    return _secret_for(state, access_key_id), identity

"""Dev JWTs: a local issuer that mints RS256 tokens, and the checks AppSync makes on any JWT.

Checks (PyJWT does the cryptography): RS256 signature against the issuer's JWKS, `exp`/`nbf`/`iat`,
`iss`; for Cognito user pools `token_use` (access or id) and the app client (`client_id` of an
access token, `aud` of an id token); for OIDC the client id when one is configured.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"
DEFAULT_EXPIRES_IN = 3600
_JWKS_TIMEOUT_SECONDS = 5.0


class TokenRejected(Exception):
    """A JWT that fails a check; the message says which (for logs, never sent to clients)."""


def key_id(key: rsa.RSAPublicKey) -> str:
    """A stable `kid`: the SHA-256 of the public key, shortened."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:32]


def jwks_document(*keys: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The public JWKS (`/.well-known/jwks.json`) for these signing keys."""
    entries = []
    for private_key in keys:
        public = private_key.public_key()
        jwk = json.loads(RSAAlgorithm.to_jwk(public))
        jwk.update({"kid": key_id(public), "alg": ALGORITHM, "use": "sig"})
        entries.append(jwk)
    return {"keys": entries}


def user_sub(issuer: str, user: str) -> str:
    """The same `sub` for the same user name and issuer, every time."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer}#{user}"))


@dataclass(frozen=True)
class LocalIssuer:
    """A local token issuer: Cognito-shaped (`cognito=True`) or a plain OpenID Connect one."""

    issuer: str
    client_id: str
    private_key: rsa.RSAPrivateKey
    cognito: bool = True

    def mint(
        self,
        user: str,
        *,
        id_token: bool = False,
        expires_in: int = DEFAULT_EXPIRES_IN,
        now: float | None = None,
    ) -> str:
        """A signed access token (or id token) for `user`; a negative `expires_in` gives one
        that has already expired."""
        issued_at = int(time.time() if now is None else now)
        if expires_in < 0:
            # Expired, yet issued before it expired: only `exp` is wrong.
            issued_at += expires_in - 60
        sub = user_sub(self.issuer, user)
        claims: dict[str, Any] = {
            "sub": sub,
            "iss": self.issuer,
            "iat": issued_at,
            "auth_time": issued_at,
            "exp": int(time.time() if now is None else now) + expires_in,
            "jti": str(uuid.uuid4()),
        }
        if self.cognito:
            claims["origin_jti"] = str(uuid.uuid4())
            claims["event_id"] = str(uuid.uuid4())
            if id_token:
                claims.update(
                    {
                        "aud": self.client_id,
                        "token_use": "id",
                        "cognito:username": user,
                        "email": f"{user}@example.com",
                        "email_verified": True,
                    }
                )
            else:
                claims.update(
                    {
                        "client_id": self.client_id,
                        "token_use": "access",
                        "scope": "aws.cognito.signin.user.admin",
                        "username": user,
                    }
                )
        else:
            claims["aud"] = self.client_id
            if id_token:
                claims.update({"name": user, "email": f"{user}@example.com"})
            else:
                claims.update({"client_id": self.client_id, "scope": "openid profile"})
        headers = {"kid": key_id(self.private_key.public_key())}
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers=headers)


class KeySource(Protocol):
    def key_for(self, token: str) -> Any: ...


@dataclass(frozen=True)
class LocalKeys:
    """Public keys held in memory (the local issuer's own)."""

    keys: Mapping[str, rsa.RSAPublicKey]

    @classmethod
    def of(cls, *private_keys: rsa.RSAPrivateKey) -> LocalKeys:
        return cls({key_id(k.public_key()): k.public_key() for k in private_keys})

    def key_for(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str) or kid not in self.keys:
            raise TokenRejected("unknown signing key")
        return self.keys[kid]


@dataclass
class RemoteJwks:
    """A real issuer's JWKS (a Cognito user pool, an OIDC provider), fetched and cached."""

    jwks_uri: str
    _client: jwt.PyJWKClient | None = field(default=None, init=False, repr=False)

    @classmethod
    def for_cognito(cls, issuer: str) -> RemoteJwks:
        return cls(f"{issuer}/.well-known/jwks.json")

    @classmethod
    def discover(cls, issuer: str) -> RemoteJwks:
        """Read `jwks_uri` from the issuer's OpenID configuration, as AppSync does."""
        config_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        with urllib.request.urlopen(config_url, timeout=_JWKS_TIMEOUT_SECONDS) as response:
            config = json.loads(response.read(1 << 20))
        jwks_uri = config.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise ValueError(f"{config_url}: no jwks_uri")
        return cls(jwks_uri)

    def key_for(self, token: str) -> Any:
        if self._client is None:
            self._client = jwt.PyJWKClient(self.jwks_uri, timeout=_JWKS_TIMEOUT_SECONDS)
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise TokenRejected(f"no signing key: {exc}") from exc


@dataclass(frozen=True)
class JwtVerifier:
    """The checks AppSync makes on a JWT of one configured issuer."""

    issuer: str
    keys: KeySource
    client_ids: tuple[str, ...] = ()
    cognito: bool = True
    leeway_seconds: float = 0.0

    def verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise TokenRejected("algorithm is not RS256")
            claims: dict[str, Any] = jwt.decode(
                token,
                self.keys.key_for(token),
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(str(exc)) from exc
        # RFC 7519: times are NumericDates; PyJWT would also take a numeric string.
        for name in ("exp", "nbf", "iat"):
            value = claims.get(name)
            if name in claims and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise TokenRejected(f"{name} is not a number")
        if self.cognito:
            token_use = claims.get("token_use")
            if token_use not in ("access", "id"):
                raise TokenRejected("token_use is neither access nor id")
            client = claims.get("client_id") if token_use == "access" else claims.get("aud")
            if self.client_ids and client not in self.client_ids:
                raise TokenRejected("token is for another app client")
        elif self.client_ids:
            audience = claims.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            audiences.append(claims.get("client_id"))
            if not any(a in self.client_ids for a in audiences):
                raise TokenRejected("token is for another client")
        return claims


def unverified_issuer(token: str) -> str | None:
    """The `iss` a JWT claims, read only to pick which verifier to run."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None

"""Which auth mode a request uses, whether its credentials hold, and AppSync's `identity` for it.

As AppSync: a SigV4 `Authorization` header is AWS_IAM; a JWT goes to the user pool or the OIDC
provider whose issuer it names; a mode the API does not have, or credentials that fail a check,
make the whole request fail with HTTP 401 (`Unauthenticated`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from appsync_data.generate.sdl import IAM, OIDC, USER_POOLS
from appsync_data.local.graphql_schema import API_KEY
from appsync_data.local.sigv4 import SignatureRejected, SignedRequest, is_sigv4, verify_sigv4
from appsync_data.local.state import LocalState
from appsync_data.local.tokens import JwtVerifier, TokenRejected, unverified_issuer

log = logging.getLogger(__name__)


class Unauthenticated(Exception):
    """No usable credentials: AppSync answers HTTP 401 UnauthorizedException."""


@dataclass(frozen=True)
class AuthContext:
    mode: str
    identity: dict[str, Any] | None


@dataclass(frozen=True)
class Authenticator:
    modes: frozenset[str]
    state: LocalState
    user_pool: JwtVerifier | None
    oidc: JwtVerifier | None

    def authenticate(self, request: SignedRequest, source_ip: str) -> AuthContext:
        authorization = request.headers.get("authorization")
        if is_sigv4(authorization):
            return self._iam(request, source_ip)
        if authorization:
            return self._jwt(authorization, source_ip)
        if request.headers.get("x-api-key") and API_KEY in self.modes:
            # The local server issues no API keys, so none can be valid.
            log.info("refused: API key mode is not served locally")
        else:
            log.info("refused: no Authorization header")
        raise Unauthenticated("no credentials")

    def _iam(self, request: SignedRequest, source_ip: str) -> AuthContext:
        if IAM not in self.modes:
            log.info("refused: the API has no AWS_IAM mode")
            raise Unauthenticated("AWS_IAM not enabled")
        try:
            identity = verify_sigv4(request, self.state)
        except SignatureRejected as exc:
            log.info("refused SigV4 request: %s", exc)
            raise Unauthenticated(str(exc)) from exc
        return AuthContext(IAM, identity.appsync_identity(self.state, [source_ip]))

    def _jwt(self, token: str, source_ip: str) -> AuthContext:
        issuer = unverified_issuer(token)
        for mode, verifier in ((USER_POOLS, self.user_pool), (OIDC, self.oidc)):
            if verifier is None or mode not in self.modes or issuer != verifier.issuer:
                continue
            try:
                claims = verifier.verify(token)
            except TokenRejected as exc:
                log.info("refused %s token: %s", mode, exc)
                raise Unauthenticated(str(exc)) from exc
            return AuthContext(mode, _jwt_identity(mode, claims, source_ip))
        log.info("refused: token issuer is not one this API trusts")
        raise Unauthenticated("unknown issuer")


def _jwt_identity(mode: str, claims: Mapping[str, Any], source_ip: str) -> dict[str, Any]:
    if mode == OIDC:
        return {"sub": claims["sub"], "issuer": claims["iss"], "claims": dict(claims)}
    username = claims.get("username") or claims.get("cognito:username") or claims["sub"]
    groups = claims.get("cognito:groups")
    return {
        "sub": claims["sub"],
        "issuer": claims["iss"],
        "username": username,
        "claims": dict(claims),
        "sourceIp": [source_ip],
        "defaultAuthStrategy": "ALLOW",
        "groups": list(groups) if isinstance(groups, list) else None,
    }

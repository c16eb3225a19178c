"""Forged, altered and foreign credentials against the running dev server, over HTTP.

Every attack sends a mutation that would write an item; each must get AppSync's HTTP 401
(`x-amzn-ErrorType: UnauthorizedException`, its fixed body) and leave the table exactly as it was
(a full scan of the server's DynamoDB before and after). The controls send the same mutation with
genuine credentials and see it written, so the refusals are the checks' doing, not the payload's.
Then the size bounds: bodies over 1 MiB are 413 (an announced huge body is refused unread) and
queries over 64 KiB of text are 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from unittest import mock
from urllib.parse import urlsplit

import jwt
import pytest
import requests
from appsync_data.local.credentials import DevCredentials, identity_for, mint_credentials
from appsync_data.local.state import LocalState
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from local_server import UNAUTHORIZED_BODY, LocalApi, local_api

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_BODY_BYTES: Final = 1 << 20  # SECURITY.md: "Request bodies over 1 MiB are refused with 413"
MAX_QUERY_CHARS: Final = 64 * 1024
FORGED_ID: Final = "written-by-an-attacker"
ATTACK: Final = json.dumps(
    {
        "query": 'mutation ($id: ID!) { createTodo(input: {id: $id, content: "pwned"}) { id } }',
        "variables": {"id": FORGED_ID},
    }
).encode()
LIST: Final = b'{"query": "{ listTodos { items { id content } } }"}'
JSON: Final = {"content-type": "application/json"}
DROP: Final = object()  # a claim to leave out


@dataclass
class Attacker:
    """What the tests forge with: the server, genuine material to start from, keys of their own."""

    api: LocalApi
    alice: Credentials  # this user's genuine dev credentials
    bob: Credentials  # another dev user's
    own_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    # --- JWTs -----------------------------------------------------------------------------------

    def claims(
        self, *, oidc: bool = False, id_token: bool = False, **changes: Any
    ) -> dict[str, Any]:
        """Genuine claims of a fresh token for "mallory", with `changes` (DROP removes one)."""
        issuer = self.api.oidc_issuer_of_server() if oidc else self.api.user_pool_issuer()
        token = issuer.mint("mallory", id_token=id_token)
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        for name, value in changes.items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def kid(self, *, oidc: bool = False) -> str:
        issuer = self.api.oidc_issuer_of_server() if oidc else self.api.user_pool_issuer()
        kid: str = jwt.get_unverified_header(issuer.mint("mallory"))["kid"]
        return kid

    def key(self, *, oidc: bool = False) -> rsa.RSAPrivateKey:
        return self.api.state.oidc_key if oidc else self.api.state.user_pool_key

    def rs256(
        self, claims: dict[str, Any], *, key: rsa.RSAPrivateKey | None = None, **header: Any
    ) -> str:
        """Signed with `key` (default: the genuine user-pool key) and the genuine kid unless
        `header` says otherwise (kid=DROP leaves it out)."""
        headers = {"kid": self.kid(), **header}
        headers = {name: value for name, value in headers.items() if value is not DROP}
        # PyJWS, not jwt.encode: it signs whatever payload it gets, even claims of the wrong type.
        payload = json.dumps(claims).encode()
        signed: str = jwt.api_jws.encode(payload, key or self.key(), "RS256", headers)
        return signed

    def published_jwks(self, *, oidc: bool = False) -> bytes:
        """The JWKS exactly as the server publishes it (what any attacker can fetch)."""
        path = "oidc" if oidc else self.api.state.user_pool_id
        url = f"{self.api.server.url}/{path}/.well-known/jwks.json"
        response = requests.get(url, timeout=10)
        response.raise_for_status()
        return response.content

    def public_pem(self, pem_format: serialization.PublicFormat) -> bytes:
        public = self.key().public_key()
        return public.public_bytes(serialization.Encoding.PEM, pem_format)

    # --- SigV4 ----------------------------------------------------------------------------------

    def sigv4(
        self,
        credentials: Credentials,
        body: bytes = ATTACK,
        *,
        at: datetime | None = None,
        region: str | None = None,
        service: str = "appsync",
        extra: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """Headers of a POST to /graphql signed by botocore's SigV4Auth (at `at`, default now)."""
        request = AWSRequest(
            method="POST", url=self.api.url, data=body, headers={**JSON, **(extra or {})}
        )
        signer = SigV4Auth(credentials, service, region or self.api.state.region)
        if at is None:
            signer.add_auth(request)
        else:
            # botocore reads the clock once per signature, through this function.
            with mock.patch("botocore.auth.get_current_datetime", return_value=at):
                signer.add_auth(request)
        return dict(request.headers.items())


def credentials_of(dev: DevCredentials) -> Credentials:
    return Credentials(dev.access_key_id, dev.secret_access_key, dev.session_token)


def b64(data: bytes) -> str:
    return jwt.utils.base64url_encode(data).decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """`header.payload` of a JWT, without its signature."""
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def hs256(secret: bytes, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """An HS256 JWT signed by hand: PyJWT itself refuses a PEM public key as an HMAC secret,
    which is exactly the confusion this attack hopes the server falls for."""
    signing_input = unsigned({**header, "alg": "HS256", "typ": "JWT"}, claims)
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def with_payload(token: str, claims: dict[str, Any]) -> str:
    """`token` with its payload replaced and its original signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def with_signature_altered(token: str) -> str:
    """`token` with the first character of its signature changed (not the last one: its low
    bits may be base64 padding, which decodes to the same bytes)."""
    head, signature = token.rsplit(".", 1)
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attacker]:
    with local_api(tmp_path_factory.mktemp("attacks")) as api:
        state = api.state
        alice = api.server.credentials("--user", "alice")  # as a user gets them
        bob = mint_credentials(state, identity_for(state, "bob", "authenticated"))
        seeded = api.post(
            b'{"query": "mutation { createTodo(input: {content: \\"seed\\"}) { id } }"}',
            {**JSON, "authorization": api.user_pool_issuer().mint("alice")},
        )
        assert seeded.status_code == 200 and seeded.json()["data"]["createTodo"], seeded.text
        yield Attacker(
            api=api,
            alice=Credentials(
                alice["accessKeyId"], alice["secretAccessKey"], alice["sessionToken"]
            ),
            bob=credentials_of(bob),
        )


def assert_refused(
    attacker: Attacker, headers: dict[str, str], body: bytes = ATTACK, query: str = ""
) -> None:
    api = attacker.api
    before = api.scan()
    assert before, "the table should hold the seeded item"
    response = requests.post(api.url + query, data=body, headers=headers, timeout=30)
    assert response.status_code == 401, response.text
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert response.json() == UNAUTHORIZED_BODY
    assert api.scan() == before


# --- controls: genuine credentials write ----------------------------------------------------------

GENUINE: Final[dict[str, Callable[[Attacker, bytes], dict[str, str]]]] = {
    "user-pool-access-token": lambda a, _: {
        "authorization": a.api.user_pool_issuer().mint("alice")
    },
    "user-pool-id-token": lambda a, _: {
        "authorization": a.api.user_pool_issuer().mint("alice", id_token=True)
    },
    "oidc-access-token": lambda a, _: {
        "authorization": a.api.oidc_issuer_of_server().mint("alice")
    },
    "oidc-id-token": lambda a, _: {
        "authorization": a.api.oidc_issuer_of_server().mint("alice", id_token=True)
    },
    "sigv4": lambda a, body: a.sigv4(a.alice, body),
    "sigv4-with-the-bodys-content-hash": lambda a, body: a.sigv4(
        a.alice, body, extra={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()}
    ),
    "sigv4-signed-4-minutes-ago": lambda a, body: a.sigv4(
        a.alice, body, at=datetime.now(UTC) - timedelta(minutes=4)
    ),
}


@pytest.mark.parametrize("name", list(GENUINE))
def test_genuine_credentials_write_the_attack_payload(attacker: Attacker, name: str) -> None:
    api = attacker.api
    item_id = f"genuine-{name}"
    body = ATTACK.replace(FORGED_ID.encode(), item_id.encode())
    before = api.scan()
    response = api.post(body, {**JSON, **GENUINE[name](attacker, body)})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"createTodo": {"id": item_id}}}
    assert set(api.scan()) == set(before) | {item_id}


# --- JWT attacks ----------------------------------------------------------------------------------

POOL_ISSUER: Final = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LOCALDEV"

JWT_ATTACKS: Final[dict[str, Callable[[Attacker], str]]] = {
    # no signature at all
    "alg-none": lambda a: jwt.encode(a.claims(), "", algorithm="none"),  # "": no key
    "alg-none-with-kid": lambda a: unsigned({"alg": "none", "kid": a.kid()}, a.claims()) + ".",
    "alg-None": lambda a: unsigned({"alg": "None", "kid": a.kid()}, a.claims()) + ".",
    "alg-NONE": lambda a: unsigned({"alg": "NONE", "kid": a.kid()}, a.claims()) + ".",
    "alg-none-keeping-a-genuine-signature": lambda a: (
        unsigned({"alg": "none", "kid": a.kid()}, a.claims())
        + "."
        + a.api.user_pool_issuer().mint("mallory").split(".")[2]
    ),
    # the public key used as an HMAC secret
    "hs256-with-public-key-pem": lambda a: hs256(
        a.public_pem(serialization.PublicFormat.SubjectPublicKeyInfo), {"kid": a.kid()}, a.claims()
    ),
    "hs256-with-public-key-pem-pkcs1": lambda a: hs256(
        a.public_pem(serialization.PublicFormat.PKCS1), {"kid": a.kid()}, a.claims()
    ),
    "hs256-with-published-jwks": lambda a: hs256(a.published_jwks(), {"kid": a.kid()}, a.claims()),
    "hs256-with-published-jwk": lambda a: hs256(
        json.dumps(json.loads(a.published_jwks())["keys"][0]).encode(),
        {"kid": a.kid()},
        a.claims(),
    ),
    # keys that are not the issuer's
    "unknown-kid": lambda a: a.rs256(a.claims(), kid="0" * 32),
    "no-kid": lambda a: a.rs256(a.claims(), kid=DROP),
    "another-key-with-the-genuine-kid": lambda a: a.rs256(a.claims(), key=a.own_key),
    "another-key-embedded-as-jwk-header": lambda a: a.rs256(
        a.claims(),
        key=a.own_key,
        jwk=json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(a.own_key.public_key())),
    ),
    "another-key-announced-by-jku-header": lambda a: a.rs256(
        a.claims(), key=a.own_key, kid="attacker", jku="http://127.0.0.1:9/jwks.json"
    ),
    "oidc-issuer-key-for-a-user-pool-token": lambda a: a.rs256(
        a.claims(), key=a.key(oidc=True), kid=a.kid(oidc=True)
    ),
    # time
    "expired": lambda a: a.rs256(a.claims(exp=int(time.time()) - 30)),
    "expired-id-token": lambda a: a.rs256(a.claims(id_token=True, exp=int(time.time()) - 30)),
    "not-yet-valid-nbf": lambda a: a.rs256(a.claims(nbf=int(time.time()) + 600)),
    "issued-in-the-future": lambda a: a.rs256(a.claims(iat=int(time.time()) + 600)),
    "no-exp": lambda a: a.rs256(a.claims(exp=DROP)),
    # issuer
    "iss-another-pool": lambda a: a.rs256(a.claims(iss=POOL_ISSUER.replace("LOCALDEV", "OTHER"))),
    "iss-trailing-slash": lambda a: a.rs256(a.claims(iss=POOL_ISSUER + "/")),
    "iss-pool-id-other-case": lambda a: a.rs256(
        a.claims(iss=POOL_ISSUER.replace("us-east-1_", "US-EAST-1_"))
    ),
    "iss-host-other-case": lambda a: a.rs256(
        a.claims(iss=POOL_ISSUER.replace("cognito-idp", "COGNITO-IDP"))
    ),
    "iss-other-region": lambda a: a.rs256(
        a.claims(iss=POOL_ISSUER.replace("idp.us-east-1", "idp.eu-west-1"))
    ),
    "iss-http": lambda a: a.rs256(a.claims(iss=POOL_ISSUER.replace("https:", "http:"))),
    "iss-explicit-port": lambda a: a.rs256(a.claims(iss=POOL_ISSUER.replace(".com/", ".com:443/"))),
    "iss-of-the-oidc-provider": lambda a: a.rs256(a.claims(iss=a.api.oidc_issuer)),
    "iss-missing": lambda a: a.rs256(a.claims(iss=DROP)),
    "iss-as-list": lambda a: a.rs256(a.claims(iss=[POOL_ISSUER])),
    # app client
    "access-token-of-another-client": lambda a: a.rs256(a.claims(client_id="someoneelse0000")),
    "access-token-without-client-id": lambda a: a.rs256(a.claims(client_id=DROP)),
    "access-token-client-in-aud-only": lambda a: a.rs256(
        a.claims(client_id=DROP, aud=a.api.state.user_pool_client_id)
    ),
    "id-token-of-another-client": lambda a: a.rs256(a.claims(id_token=True, aud="someoneelse0000")),
    "id-token-without-aud": lambda a: a.rs256(a.claims(id_token=True, aud=DROP)),
    "id-token-client-in-client-id-only": lambda a: a.rs256(
        a.claims(id_token=True, aud=DROP, client_id=a.api.state.user_pool_client_id)
    ),
    # token_use
    "token-use-refresh": lambda a: a.rs256(a.claims(token_use="refresh")),
    "token-use-other-case": lambda a: a.rs256(a.claims(token_use="Access")),
    "token-use-empty": lambda a: a.rs256(a.claims(token_use="")),
    "token-use-missing": lambda a: a.rs256(a.claims(token_use=DROP)),
    "token-use-as-list": lambda a: a.rs256(a.claims(token_use=["access"])),
    # a genuine token, altered
    "payload-tampered-username": lambda a: with_payload(
        a.api.user_pool_issuer().mint("mallory"), a.claims(username="alice")
    ),
    "payload-tampered-exp": lambda a: with_payload(
        a.api.user_pool_issuer().mint("mallory"), a.claims(exp=int(time.time()) + 10**7)
    ),
    "payload-tampered-token-use": lambda a: with_payload(
        a.api.user_pool_issuer().mint("mallory"), a.claims(token_use="id")
    ),
    "signature-altered": lambda a: with_signature_altered(a.api.user_pool_issuer().mint("m")),
    "signature-removed": lambda a: a.api.user_pool_issuer().mint("mallory").rsplit(".", 1)[0] + ".",
    "signature-truncated": lambda a: a.api.user_pool_issuer().mint("mallory")[:-8],
    # OIDC provider
    "oidc-alg-none": lambda a: jwt.encode(a.claims(oidc=True), "", algorithm="none"),
    "oidc-signed-with-user-pool-key": lambda a: a.rs256(a.claims(oidc=True)),
    "oidc-another-key-with-the-genuine-kid": lambda a: a.rs256(
        a.claims(oidc=True), key=a.own_key, kid=a.kid(oidc=True)
    ),
    "oidc-hs256-with-published-jwks": lambda a: hs256(
        a.published_jwks(oidc=True), {"kid": a.kid(oidc=True)}, a.claims(oidc=True)
    ),
    "oidc-another-client": lambda a: a.rs256(
        a.claims(oidc=True, aud="someoneelse", client_id="someoneelse"),
        key=a.key(oidc=True),
        kid=a.kid(oidc=True),
    ),
    "oidc-expired": lambda a: a.rs256(
        a.claims(oidc=True, exp=int(time.time()) - 30), key=a.key(oidc=True), kid=a.kid(oidc=True)
    ),
    "oidc-iss-trailing-slash": lambda a: a.rs256(
        a.claims(oidc=True, iss=a.api.oidc_issuer + "/"), key=a.key(oidc=True), kid=a.kid(oidc=True)
    ),
    # not a token
    "empty": lambda a: "",
    "garbage": lambda a: "not-a-jwt",
    "three-empty-segments": lambda a: "..",
    "three-garbage-segments": lambda a: "a.b.c",
    "two-genuine-tokens": lambda a: ",".join([a.api.user_pool_issuer().mint("m")] * 2),
    "bearer-scheme-with-garbage": lambda a: "Bearer not-a-jwt",
    "8-kib-of-base64": lambda a: b64(b"\xfb" * 6144),
}


@pytest.mark.parametrize("name", list(JWT_ATTACKS))
def test_forged_jwt_is_401_and_writes_nothing(attacker: Attacker, name: str) -> None:
    token = JWT_ATTACKS[name](attacker)
    assert_refused(attacker, {**JSON, "authorization": token})


def test_no_authorization_and_unissued_api_key_are_401(attacker: Attacker) -> None:
    assert_refused(attacker, JSON)
    assert_refused(attacker, {**JSON, "x-api-key": "da2-" + "a" * 26})


# --- SigV4 attacks --------------------------------------------------------------------------------


def _changed(headers: dict[str, str], name: str, value: str | None) -> dict[str, str]:
    """`headers` with one header (any case) replaced, or removed when `value` is None."""
    kept = {k: v for k, v in headers.items() if k.lower() != name.lower()}
    return kept if value is None else {**kept, name: value}


def _authorization_part(headers: dict[str, str], old: str, new: str) -> dict[str, str]:
    authorization = headers["Authorization"]
    assert old in authorization
    return _changed(headers, "Authorization", authorization.replace(old, new))


def _signature_flipped(headers: dict[str, str]) -> dict[str, str]:
    authorization = headers["Authorization"]
    head, signature = authorization.rsplit("Signature=", 1)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    return _changed(headers, "Authorization", f"{head}Signature={flipped}")


@dataclass(frozen=True)
class Sent:
    headers: dict[str, str]
    body: bytes = ATTACK
    query: str = ""


SIGV4_ATTACKS: Final[dict[str, Callable[[Attacker], Sent]]] = {
    # credentials that are not this user's
    "wrong-secret": lambda a: Sent(
        a.sigv4(Credentials(a.alice.access_key, "x" * 40, a.alice.token))
    ),
    "another-users-session-token-with-this-key": lambda a: Sent(
        a.sigv4(Credentials(a.alice.access_key, a.alice.secret_key, a.bob.token))
    ),
    "this-session-token-with-another-users-key": lambda a: Sent(
        a.sigv4(Credentials(a.bob.access_key, a.bob.secret_key, a.alice.token))
    ),
    "no-session-token": lambda a: Sent(
        a.sigv4(Credentials(a.alice.access_key, a.alice.secret_key))
    ),
    "expired-credentials": lambda a: Sent(
        a.sigv4(
            credentials_of(
                mint_credentials(
                    a.api.state,
                    identity_for(a.api.state, "alice", "authenticated"),
                    expires_in=-60,
                )
            )
        )
    ),
    "credentials-of-another-local-folder": lambda a: Sent(
        a.sigv4(
            credentials_of(
                mint_credentials(
                    LocalState.load(a.api.server.workdir / "other-folder"),
                    identity_for(a.api.state, "alice", "authenticated"),
                )
            )
        )
    ),
    # time: a replay of a request signed long ago, or a date in the future
    "signed-6-minutes-ago": lambda a: Sent(
        a.sigv4(a.alice, at=datetime.now(UTC) - timedelta(minutes=6))
    ),
    "signed-a-day-ago": lambda a: Sent(a.sigv4(a.alice, at=datetime.now(UTC) - timedelta(days=1))),
    "signed-6-minutes-ahead": lambda a: Sent(
        a.sigv4(a.alice, at=datetime.now(UTC) + timedelta(minutes=6))
    ),
    # a correctly signed request, altered afterwards
    "body-replaced-after-signing": lambda a: Sent(a.sigv4(a.alice, LIST), body=ATTACK),
    "body-extended-after-signing": lambda a: Sent(a.sigv4(a.alice), body=ATTACK + b" "),
    "query-string-added-after-signing": lambda a: Sent(a.sigv4(a.alice), query="?debug=1"),
    # botocore trusts a signed x-amz-content-sha256 instead of hashing the body: it must match
    "body-replaced-under-a-signed-content-hash": lambda a: Sent(
        a.sigv4(a.alice, LIST, extra={"x-amz-content-sha256": hashlib.sha256(LIST).hexdigest()}),
        body=ATTACK,
    ),
    "unsigned-payload": lambda a: Sent(
        a.sigv4(a.alice, LIST, extra={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}), body=ATTACK
    ),
    "session-token-swapped-after-signing": lambda a: Sent(
        _changed(a.sigv4(a.alice), "X-Amz-Security-Token", a.bob.token)
    ),
    "host-changed-after-signing": lambda a: Sent(
        _changed(a.sigv4(a.alice), "Host", f"localhost:{urlsplit(a.api.url).port}")
    ),
    "date-changed-after-signing": lambda a: Sent(
        _changed(
            a.sigv4(a.alice, at=datetime.now(UTC) - timedelta(seconds=10)),
            "X-Amz-Date",
            (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y%m%dT%H%M%SZ"),
        )
    ),
    "content-type-changed-after-signing": lambda a: Sent(
        _changed(a.sigv4(a.alice), "Content-Type", "application/json; charset=utf-8")
    ),
    # a signed header missing, or the Authorization header edited
    "signed-custom-header-dropped": lambda a: Sent(
        _changed(a.sigv4(a.alice, extra={"x-client-note": "1"}), "x-client-note", None)
    ),
    "session-token-dropped": lambda a: Sent(
        _changed(a.sigv4(a.alice), "X-Amz-Security-Token", None)
    ),
    "date-dropped": lambda a: Sent(_changed(a.sigv4(a.alice), "X-Amz-Date", None)),
    "host-left-out-of-signed-headers": lambda a: Sent(
        _authorization_part(
            a.sigv4(a.alice), "SignedHeaders=content-type;host;", "SignedHeaders=content-type;"
        )
    ),
    "signature-altered": lambda a: Sent(_signature_flipped(a.sigv4(a.alice))),
    "access-key-of-another-user-in-scope": lambda a: Sent(
        _authorization_part(a.sigv4(a.alice), a.alice.access_key, a.bob.access_key)
    ),
    "scope-of-another-region": lambda a: Sent(a.sigv4(a.alice, region="eu-west-1")),
    "scope-of-another-service": lambda a: Sent(a.sigv4(a.alice, service="execute-api")),
    "algorithm-in-lower-case": lambda a: Sent(
        _authorization_part(a.sigv4(a.alice), "AWS4-HMAC-SHA256", "aws4-hmac-sha256")
    ),
}


@pytest.mark.parametrize("name", list(SIGV4_ATTACKS))
def test_forged_sigv4_is_401_and_writes_nothing(attacker: Attacker, name: str) -> None:
    sent = SIGV4_ATTACKS[name](attacker)
    assert_refused(attacker, sent.headers, sent.body, sent.query)


# --- size bounds ----------------------------------------------------------------------------------


def padded(body: bytes, size: int) -> bytes:
    """A JSON body of exactly `size` bytes: `body` followed by spaces (still valid JSON)."""
    assert len(body) <= size
    return body + b" " * (size - len(body))


def test_body_of_exactly_the_limit_is_served(attacker: Attacker) -> None:
    response = attacker.api.post(
        padded(LIST, MAX_BODY_BYTES),
        {**JSON, "authorization": attacker.api.user_pool_issuer().mint("alice")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["listTodos"]["items"]


def test_body_over_the_limit_is_413_and_writes_nothing(attacker: Attacker) -> None:
    api = attacker.api
    before = api.scan()
    response = api.post(
        padded(ATTACK, MAX_BODY_BYTES + 1),
        {**JSON, "authorization": api.user_pool_issuer().mint("alice")},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"]
    assert api.scan() == before


def test_chunked_body_over_the_limit_is_413(attacker: Attacker) -> None:
    # No Content-Length: the server must stop reading at the limit rather than trust a header.
    def chunks() -> Iterator[bytes]:
        yield ATTACK
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b" " * 65536

    api = attacker.api
    before = api.scan()
    response = requests.post(
        api.url,
        data=chunks(),
        headers={**JSON, "authorization": api.user_pool_issuer().mint("alice")},
        timeout=30,
    )
    assert response.status_code == 413
    assert api.scan() == before


def test_huge_announced_body_is_refused_without_reading_it(attacker: Attacker) -> None:
    # 1 TB announced, nothing sent: an answer can only come if the server does not wait for it.
    url = urlsplit(attacker.api.url)
    assert url.hostname == "127.0.0.1" and url.port
    token = attacker.api.user_pool_issuer().mint("alice")
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        f"Authorization: {token}\r\nContent-Length: {10**12}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    tls = ssl.create_default_context()  # trusts the test CA (SSL_CERT_FILE, e2e_helpers)
    with (
        socket.create_connection((url.hostname, url.port), timeout=5) as raw,
        tls.wrap_socket(raw, server_hostname=url.hostname) as sock,
    ):
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and len(answer) < 65536:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert time.monotonic() - started < 5


def test_query_over_the_size_limit_is_400(attacker: Attacker) -> None:
    api = attacker.api
    headers = {**JSON, "authorization": api.user_pool_issuer().mint("alice")}
    query = 'mutation { createTodo(input: {content: "long"}) { id } }'
    before = api.scan()

    at_limit = query + " " * (MAX_QUERY_CHARS - len(query))
    response = api.post(json.dumps({"query": at_limit}).encode(), headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["createTodo"]["id"]
    after_one = api.scan()
    assert len(after_one) == len(before) + 1

    response = api.post(json.dumps({"query": at_limit + " "}).encode(), headers)
    assert response.status_code == 400
    body = response.json()
    assert body["data"] is None
    assert str(MAX_QUERY_CHARS) in body["errors"][0]["message"]
    assert api.scan() == after_one


def test_deeply_nested_json_body_is_400_not_a_crash(attacker: Attacker) -> None:
    headers = attacker.sigv4(attacker.alice, b"[" * 50_000)
    response = requests.post(attacker.api.url, data=b"[" * 50_000, headers=headers, timeout=10)
    assert response.status_code == 400
    assert "Traceback" not in response.text

"""The local server's JWT and SigV4 checks, one refusal reason at a time (no HTTP)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from appsync_data.local.credentials import identity_for, mint_credentials
from appsync_data.local.sigv4 import SignatureRejected, SignedRequest, verify_sigv4
from appsync_data.local.state import LocalState
from appsync_data.local.tokens import JwtVerifier, LocalIssuer, LocalKeys, TokenRejected
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.load(tmp_path_factory.mktemp("local"))


def user_pool_verifier(state: LocalState) -> JwtVerifier:
    return JwtVerifier(
        issuer=state.user_pool_issuer,
        keys=LocalKeys.of(state.user_pool_key),
        client_ids=(state.user_pool_client_id,),
    )


def issuer(state: LocalState, **changes: str) -> LocalIssuer:
    return LocalIssuer(
        changes.get("issuer", state.user_pool_issuer),
        changes.get("client_id", state.user_pool_client_id),
        state.user_pool_key,
    )


def test_state_is_kept_between_loads(state: LocalState) -> None:
    again = LocalState.load(state.folder)
    assert again.identity_pool_id == state.identity_pool_id
    assert again.user_pool_client_id == state.user_pool_client_id
    token = issuer(state).mint("alice")
    assert user_pool_verifier(again).verify(token)["username"] == "alice"


def test_access_and_id_tokens_verify(state: LocalState) -> None:
    verifier = user_pool_verifier(state)
    assert verifier.verify(issuer(state).mint("alice"))["token_use"] == "access"
    claims = verifier.verify(issuer(state).mint("alice", id_token=True))
    assert claims["token_use"] == "id"
    assert claims["aud"] == state.user_pool_client_id


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: issuer(s).mint("alice", expires_in=-1), id="expired"),
        pytest.param(lambda s: issuer(s, client_id="other").mint("alice"), id="other-client"),
        pytest.param(
            lambda s: issuer(s, issuer=s.user_pool_issuer + "x").mint("alice"), id="other-iss"
        ),
        pytest.param(
            lambda s: jwt.encode(
                {**jwt.decode(issuer(s).mint("a"), options={"verify_signature": False})},
                "s" * 32,
                algorithm="HS256",
            ),
            id="hs256",
        ),
        pytest.param(
            lambda s: jwt.encode(
                {
                    k: v
                    for k, v in jwt.decode(
                        issuer(s).mint("a"), options={"verify_signature": False}
                    ).items()
                    if k != "token_use"
                },
                s.user_pool_key,
                algorithm="RS256",
                headers={"kid": jwt.get_unverified_header(issuer(s).mint("a"))["kid"]},
            ),
            id="no-token-use",
        ),
        pytest.param(
            lambda s: LocalIssuer(s.user_pool_issuer, s.user_pool_client_id, s.oidc_key).mint("a"),
            id="wrong-key",
        ),
        pytest.param(
            lambda s: jwt.encode(
                {
                    **jwt.decode(issuer(s).mint("a"), options={"verify_signature": False}),
                    "exp": str(int(time.time()) + 3600),  # a NumericDate must be a number
                },
                s.user_pool_key,
                algorithm="RS256",
                headers={"kid": jwt.get_unverified_header(issuer(s).mint("a"))["kid"]},
            ),
            id="string-exp",
        ),
    ],
)
def test_bad_tokens_are_rejected(state: LocalState, make: object) -> None:
    with pytest.raises(TokenRejected):
        user_pool_verifier(state).verify(make(state))  # type: ignore[operator]


def signed_request(
    state: LocalState, *, region: str = "us-east-1", signed_at: float | None = None
) -> tuple[SignedRequest, str]:
    dev = mint_credentials(state, identity_for(state, "alice", "authenticated"))
    body = json.dumps({"query": "{ listTodos { items { id } } }"}).encode()
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:20002/graphql",
        headers={"content-type": "application/json", "host": "127.0.0.1:20002"},
        data=body,
    )
    signer = SigV4Auth(
        Credentials(dev.access_key_id, dev.secret_access_key, dev.session_token),
        "appsync",
        region,
    )
    if signed_at is None:
        signer.add_auth(request)
    else:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(signed_at))
        request.context["timestamp"] = stamp
        request.headers["X-Amz-Date"] = stamp
        request.headers["X-Amz-Security-Token"] = dev.session_token
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        names = signer.signed_headers(signer.headers_to_sign(request))
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
            f"SignedHeaders={names}, Signature={signature}"
        )
    headers = {k.lower(): v for k, v in request.headers.items()}
    return SignedRequest("POST", "/graphql", "", headers, body), dev.identity.identity_id or ""


def test_signed_request_maps_to_authenticated_identity(state: LocalState) -> None:
    request, identity_id = signed_request(state)
    identity = verify_sigv4(request, state)
    appsync = identity.appsync_identity(state, ["127.0.0.1"])
    assert appsync["cognitoIdentityId"] == identity_id
    assert appsync["cognitoIdentityPoolId"] == state.identity_pool_id
    assert appsync["cognitoIdentityAuthType"] == "authenticated"
    assert appsync["userArn"].endswith(":assumed-role/LocalDevAuthRole/CognitoIdentityCredentials")


def test_guest_and_role_identities(state: LocalState) -> None:
    guest = identity_for(state, "v", "unauthenticated").appsync_identity(state, ["1.2.3.4"])
    assert guest["cognitoIdentityAuthType"] == "unauthenticated"
    assert "LocalDevUnauthRole" in guest["userArn"]
    role = identity_for(state, "Backend", "role").appsync_identity(state, ["1.2.3.4"])
    assert role["cognitoIdentityPoolId"] is None and role["cognitoIdentityId"] is None
    assert role["userArn"] == "arn:aws:sts::000000000000:assumed-role/Backend/Backend-session"


def test_changed_body_is_rejected(state: LocalState) -> None:
    request, _ = signed_request(state)
    tampered = SignedRequest(request.method, request.path, "", request.headers, b"{}")
    with pytest.raises(SignatureRejected):
        verify_sigv4(tampered, state)


def test_other_region_is_rejected(state: LocalState) -> None:
    request, _ = signed_request(state, region="eu-west-1")
    with pytest.raises(SignatureRejected):
        verify_sigv4(request, state)


@pytest.mark.parametrize("skew", [-301, 301])
def test_clock_skew_beyond_five_minutes_is_rejected(state: LocalState, skew: int) -> None:
    request, _ = signed_request(state, signed_at=time.time() + skew)
    with pytest.raises(SignatureRejected):
        verify_sigv4(request, state)


def test_clock_skew_within_five_minutes_is_accepted(state: LocalState) -> None:
    request, _ = signed_request(state, signed_at=time.time() - 240)
    assert verify_sigv4(request, state).kind == "authenticated"


def test_credentials_of_another_local_folder_are_rejected(
    state: LocalState, tmp_path: Path
) -> None:
    request, _ = signed_request(LocalState.load(tmp_path / "other"))
    with pytest.raises(SignatureRejected):
        verify_sigv4(request, state)

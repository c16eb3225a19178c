"""amplify_outputs.json (schema version 1.4) for a deployed stack or the local server."""

from __future__ import annotations

from typing import Any

from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import api_auth_modes
from appsync_data.schema import Schema

OUTPUTS_VERSION = "1.4"

# What the generated template's user pool enforces (template.py); Amplify's defineAuth defaults.
_PASSWORD_POLICY = {
    "min_length": 8,
    "require_lowercase": True,
    "require_numbers": True,
    "require_symbols": True,
    "require_uppercase": True,
}


def _auth_section(
    region: str, user_pool_id: str, user_pool_client_id: str | None, identity_pool_id: str | None
) -> dict[str, Any]:
    auth: dict[str, Any] = {"user_pool_id": user_pool_id, "aws_region": region}
    if user_pool_client_id:
        auth["user_pool_client_id"] = user_pool_client_id
    if identity_pool_id:
        auth["identity_pool_id"] = identity_pool_id
    auth.update(
        {
            "mfa_methods": [],
            "standard_required_attributes": ["email"],
            "username_attributes": ["email"],
            "user_verification_types": ["email"],
            "groups": [],
            "mfa_configuration": "NONE",
            "password_policy": dict(_PASSWORD_POLICY),
            "unauthenticated_identities_enabled": identity_pool_id is not None,
        }
    )
    return auth


def amplify_outputs(
    schema: Schema,
    *,
    url: str,
    region: str,
    user_pool_id: str | None,
    user_pool_client_id: str | None,
    identity_pool_id: str | None,
    oidc_issuer: str | None = None,
) -> dict[str, Any]:
    """The whole amplify_outputs.json for an API serving `schema` at `url`.

    `oidc_issuer` is accepted so callers can pass what they know, but outputs 1.4 has no field
    for it: the client only needs `default_authorization_type` to send the OIDC token.
    """
    del oidc_issuer
    default_mode, additional_modes = api_auth_modes(schema)
    outputs: dict[str, Any] = {}
    if user_pool_id:
        outputs["auth"] = _auth_section(region, user_pool_id, user_pool_client_id, identity_pool_id)
    outputs["data"] = {
        "url": url,
        "aws_region": region,
        "default_authorization_type": default_mode,
        "authorization_types": list(additional_modes),
        "model_introspection": model_introspection(schema),
    }
    outputs["version"] = OUTPUTS_VERSION
    return outputs

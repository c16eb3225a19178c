"""The key that signs list nextTokens, read from AWS Secrets Manager once, at init.

The deployed Lambda gets the secret's ARN (NEXT_TOKEN_SECRET_ARN), never its value: a value in an
environment variable is readable by anyone allowed lambda:GetFunctionConfiguration. Read at init,
the key is part of the SnapStart snapshot, so no request pays for the call. A rotated secret is
used from the next init: with SnapStart, the next published version (README "Deploying").
"""

from __future__ import annotations

from collections.abc import Mapping

# The variable naming the secret (the template sets it).
SECRET_ARN_VARIABLE = "NEXT_TOKEN_SECRET_ARN"


class NextTokenKeyError(RuntimeError):
    """The secret could not be read; the message names it, never its value."""


def read_next_token_key(secret_id: str, region: str) -> bytes:
    """The current value of `secret_id` (ARN or name) as key bytes."""
    import botocore.session  # loaded anyway (PynamoDB): boto3 is not needed for one call

    client = botocore.session.get_session().create_client("secretsmanager", region_name=region)
    try:
        value = client.get_secret_value(SecretId=secret_id).get("SecretString") or ""
    except Exception as error:  # botocore's ClientError and connection errors alike
        raise NextTokenKeyError(f"cannot read the nextToken key {secret_id}: {error}") from error
    if not value:
        raise NextTokenKeyError(f"the nextToken key {secret_id} has no SecretString")
    return value.encode()


def key_from_secret(env: Mapping[str, str]) -> bytes:
    """The key from the secret NEXT_TOKEN_SECRET_ARN names (deployed), or b"" when none is named
    (local runs and tests set NEXT_TOKEN_SECRET itself)."""
    secret = env.get(SECRET_ARN_VARIABLE, "").strip()
    if not secret:
        return b""
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
    return read_next_token_key(secret, region)

"""Read a deployed stack's CloudFormation outputs and turn them into amplify_outputs.json."""

from __future__ import annotations

from typing import Any, Protocol

from appsync_data.generate.outputs import amplify_outputs
from appsync_data.schema import Schema

# Output keys of template.yaml (template.py) that amplify_outputs.json needs.
REQUIRED_OUTPUTS = ("GraphQLUrl", "Region", "UserPoolId", "UserPoolClientId")
OPTIONAL_OUTPUTS = ("IdentityPoolId", "OidcIssuer")


class StackError(RuntimeError):
    """The stack is missing, not deployed, or lacks an output the frontend needs."""


class CloudFormationClient(Protocol):
    def describe_stacks(self, *, StackName: str) -> Any: ...  # noqa: N803 - boto3's name


def read_stack_outputs(client: CloudFormationClient, stack_name: str) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}; StackError when there is no such stack."""
    # botocore's ClientError: imported here so the Lambda path never pays for it.
    from botocore.exceptions import ClientError

    try:
        response = client.describe_stacks(StackName=stack_name)
    except ClientError as exc:
        raise StackError(f"stack {stack_name!r}: {exc.response['Error']['Message']}") from exc
    stacks = response.get("Stacks") or []
    if not stacks:
        raise StackError(f"stack {stack_name!r} does not exist")
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs") or []}


def outputs_for_stack(schema: Schema, stack_name: str, values: dict[str, str]) -> dict[str, Any]:
    """amplify_outputs.json for a stack whose outputs are `values`."""
    missing = [key for key in REQUIRED_OUTPUTS if not values.get(key)]
    if missing:
        raise StackError(
            f"stack {stack_name!r} has no output(s) {', '.join(missing)}: "
            "was it deployed from this project's template.yaml?"
        )
    return amplify_outputs(
        schema,
        url=values["GraphQLUrl"],
        region=values["Region"],
        user_pool_id=values["UserPoolId"],
        user_pool_client_id=values["UserPoolClientId"],
        identity_pool_id=values.get("IdentityPoolId") or None,
        oidc_issuer=values.get("OidcIssuer") or None,
    )

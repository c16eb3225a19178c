"""`python -m appsync_data dev | token | credentials`: the local server and its dev credentials."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appsync_data.config import IAM_ACCESS_VALUES
from appsync_data.local.state import (
    DEFAULT_FOLDER,
    DEFAULT_HOST,
    DEFAULT_PORT,
    LocalState,
    ServerInfo,
    local_oidc_issuer,
)
from appsync_data.schema_file import DEFAULT_SCHEMA_PATH

_LOCAL_DIR_HELP = "the local folder with dev keys, ids and data (default: .local)"


def register(subparsers: Any) -> None:
    dev = subparsers.add_parser(
        "dev",
        help="run the local AppSync-compatible API",
        description="Run the API locally with real token and signature checks (see README).",
    )
    dev.add_argument(
        "--schema", type=Path, default=DEFAULT_SCHEMA_PATH, help="the app's schema file"
    )
    dev.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 20002)")
    dev.add_argument("--local-dir", type=Path, default=DEFAULT_FOLDER, help=_LOCAL_DIR_HELP)
    dev.add_argument(
        "--outputs", type=Path, default=Path("amplify_outputs.json"), help="where to write outputs"
    )
    dev.add_argument("--reset", action="store_true", help="start with empty tables")
    dev.add_argument("--dynamodb-endpoint", metavar="URL", help="use this DynamoDB, not moto")
    dev.add_argument("--user-pool-id", help="verify tokens of this real Cognito user pool instead")
    dev.add_argument("--user-pool-client-id", help="its app client id")
    dev.add_argument("--oidc-issuer", metavar="URL", help="verify tokens of this OIDC issuer")
    dev.add_argument("--oidc-client-id", help="the client id OIDC tokens must carry")
    dev.add_argument("--iam-access", choices=IAM_ACCESS_VALUES, default="all")
    dev.add_argument(
        "--iam-admin-roles",
        default="",
        metavar="ROLES",
        help="comma list of role ARNs or names admitted with --iam-access roles",
    )
    dev.set_defaults(run=_run_dev)

    token = subparsers.add_parser(
        "token",
        help="print a dev JWT for a user",
        description="Print a JWT the local server accepts (user pool by default, --oidc for OIDC).",
    )
    token.add_argument("--user", required=True, help="user name (the same name, the same sub)")
    token.add_argument("--id-token", action="store_true", help="an id token, not an access token")
    token.add_argument("--oidc", action="store_true", help="from the local OIDC issuer")
    token.add_argument(
        "--expires-in", type=int, default=3600, metavar="SECONDS", help="negative: expired"
    )
    token.add_argument("--local-dir", type=Path, default=DEFAULT_FOLDER, help=_LOCAL_DIR_HELP)
    token.set_defaults(run=_run_token)

    credentials = subparsers.add_parser(
        "credentials",
        help="print dev identity-pool credentials as one line of JSON",
        description="Print AWS credentials the local server accepts for SigV4 (AWS_IAM).",
    )
    who = credentials.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="an authenticated identity of the identity pool")
    who.add_argument("--role", help="a plain IAM role (no Cognito identity), e.g. a backend")
    credentials.add_argument(
        "--guest", action="store_true", help="the identity pool's guest (unauthenticated) identity"
    )
    credentials.add_argument("--expires-in", type=int, default=3600, metavar="SECONDS")
    credentials.add_argument("--local-dir", type=Path, default=DEFAULT_FOLDER, help=_LOCAL_DIR_HELP)
    credentials.set_defaults(run=_run_credentials)


def _run_dev(args: argparse.Namespace) -> int:
    from appsync_data.local.devserver import DevOptions, run_dev

    return run_dev(
        DevOptions(
            schema_path=args.schema,
            host=args.host,
            port=args.port,
            local_dir=args.local_dir,
            outputs_path=args.outputs,
            reset=args.reset,
            dynamodb_endpoint=args.dynamodb_endpoint,
            user_pool_id=args.user_pool_id,
            user_pool_client_id=args.user_pool_client_id,
            oidc_issuer=args.oidc_issuer,
            oidc_client_id=args.oidc_client_id,
            iam_access=args.iam_access,
            iam_admin_roles=tuple(r.strip() for r in args.iam_admin_roles.split(",") if r.strip()),
        )
    )


def _run_token(args: argparse.Namespace) -> int:
    from appsync_data.local.tokens import LocalIssuer

    state = LocalState.load(args.local_dir)
    if args.oidc:
        info = ServerInfo.read(state)
        issuer = info.oidc_issuer if info else local_oidc_issuer(DEFAULT_HOST, DEFAULT_PORT)
        local_issuer = LocalIssuer(issuer, state.oidc_client_id, state.oidc_key, cognito=False)
    else:
        local_issuer = LocalIssuer(
            state.user_pool_issuer, state.user_pool_client_id, state.user_pool_key
        )
    print(local_issuer.mint(args.user, id_token=args.id_token, expires_in=args.expires_in))
    return 0


def _run_credentials(args: argparse.Namespace) -> int:
    from appsync_data.local.credentials import identity_for, mint_credentials

    if args.role and args.guest:
        print("--guest goes with --user, not --role", file=sys.stderr)
        return 2
    state = LocalState.load(args.local_dir)
    if args.role:
        identity = identity_for(state, args.role, "role")
    else:
        identity = identity_for(
            state, args.user, "unauthenticated" if args.guest else "authenticated"
        )
    credentials = mint_credentials(state, identity, expires_in=args.expires_in)
    print(json.dumps(credentials.to_json(), separators=(",", ":")))
    return 0

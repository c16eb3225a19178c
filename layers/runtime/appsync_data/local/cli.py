"""`python -m appsync_data dev | token | credentials`: the local server and its dev credentials.

Every command finds the project the same way, from whichever directory it runs: the local folder
and outputs default to the project root (see `state.find_project_root`) found from `--schema`, or
else from the working directory. `token` and `credentials` never start a new local folder outside
a project: their tokens would be signed by keys no server knows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appsync_data.config import IAM_ACCESS_VALUES
from appsync_data.events import DEFAULT_MAX_BATCH_SIZE as _DEFAULT_MAX_BATCH_SIZE
from appsync_data.events import DEFAULT_QUERY_DEPTH_LIMIT, DEFAULT_RESOLVER_COUNT_LIMIT
from appsync_data.local.state import (
    DEFAULT_FOLDER,
    DEFAULT_HOST,
    DEFAULT_PORT,
    LocalError,
    LocalState,
    ServerInfo,
    find_project_root,
    local_oidc_issuer,
)
from appsync_data.schema_file import DEFAULT_SCHEMA_PATH

_LOCAL_DIR_HELP = "the folder of dev keys, ids and data (default: .local at the project root)"
# AppSync's limits (see local/limits.py), repeated here so registering commands imports no GraphQL.
_REQUEST_TIMEOUT_SECONDS = 30.0
_MAX_QUERY_DEPTH_LIMIT = 75
_MAX_RESOLVER_COUNT_LIMIT = 10_000
_MAX_BATCH_SIZE = 2000  # AppSync's upper bound for MaxBatchSize
_SCHEMA_HELP = "the app's schema file (default: functions/data/resource.py at the project root)"


def _project_paths(schema: Path | None, local_dir: Path | None) -> tuple[Path, Path, Path]:
    """(project root, schema file, local folder) for the given options."""
    root = (find_project_root(schema.parent) if schema else None) or find_project_root(Path.cwd())
    if root is None:
        if local_dir is None:
            raise LocalError(
                f"no project found from {Path.cwd()}: run in the project (a folder with "
                "functions/data/resource.py or template.yaml), or give --local-dir"
            )
        base = schema.parent if schema else Path.cwd()
        return base, schema or base / DEFAULT_SCHEMA_PATH, local_dir
    return root, schema or root / DEFAULT_SCHEMA_PATH, local_dir or root / DEFAULT_FOLDER


def _fail_clearly(run: Any) -> Any:
    """Known failures (no project, no DynamoDB at the endpoint) as one line and exit code 1."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            result: int = run(args)
        except LocalError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return result

    return wrapped


def register(subparsers: Any) -> None:
    dev = subparsers.add_parser(
        "dev",
        help="run the local AppSync-compatible API",
        description="Run the API locally with real token and signature checks (see README).",
    )
    dev.add_argument("--schema", type=Path, help=_SCHEMA_HELP)
    dev.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 20002)")
    dev.add_argument("--local-dir", type=Path, help=_LOCAL_DIR_HELP)
    dev.add_argument(
        "--outputs",
        type=Path,
        help="where to write outputs (default: amplify_outputs.json at the project root)",
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
    dev.add_argument(
        "--request-timeout",
        type=float,
        default=_REQUEST_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="AppSync's time limit per request (default 30; 0: none)",
    )
    dev.add_argument(
        "--query-depth-limit",
        type=int,
        default=DEFAULT_QUERY_DEPTH_LIMIT,
        metavar="N",
        help=f"AppSync's QueryDepthLimit (1-75, 0: none; default {DEFAULT_QUERY_DEPTH_LIMIT}, "
        "as the deployed API)",
    )
    dev.add_argument(
        "--resolver-count-limit",
        type=int,
        default=DEFAULT_RESOLVER_COUNT_LIMIT,
        metavar="N",
        help=f"AppSync's ResolverCountLimit (1-10000, 0: AppSync's 10000; default "
        f"{DEFAULT_RESOLVER_COUNT_LIMIT}, as the deployed API)",
    )
    dev.add_argument(
        "--max-batch-size",
        type=int,
        default=_DEFAULT_MAX_BATCH_SIZE,
        metavar="N",
        help="parents per Lambda call of a relationship field (AppSync's MaxBatchSize, 1-2000; "
        f"default {_DEFAULT_MAX_BATCH_SIZE})",
    )
    dev.add_argument(
        "--verbose", action="store_true", help="also print the data Lambda's JSON log lines"
    )
    dev.set_defaults(run=_fail_clearly(_run_dev))

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
    token.add_argument("--local-dir", type=Path, help=_LOCAL_DIR_HELP)
    token.add_argument("--schema", type=Path, help=_SCHEMA_HELP)
    token.add_argument(
        "--host", help="--oidc: the host of the server the token is for (default: the running one)"
    )
    token.add_argument(
        "--port",
        type=int,
        help="--oidc: the port of the server the token is for (default: the running server's, "
        "else 20002); the local OIDC issuer's URL names it",
    )
    token.set_defaults(run=_fail_clearly(_run_token))

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
    credentials.add_argument("--local-dir", type=Path, help=_LOCAL_DIR_HELP)
    credentials.add_argument("--schema", type=Path, help=_SCHEMA_HELP)
    credentials.set_defaults(run=_fail_clearly(_run_credentials))


def _run_dev(args: argparse.Namespace) -> int:
    from appsync_data.local import devlog
    from appsync_data.local.devserver import DevOptions, run_dev
    from appsync_data.local.execution import RequestLimits

    root, schema, local_dir = _project_paths(args.schema, args.local_dir)
    if args.request_timeout < 0 or not 0 <= args.query_depth_limit <= _MAX_QUERY_DEPTH_LIMIT:
        raise LocalError("--request-timeout must be >= 0 and --query-depth-limit 0..75")
    if not 0 <= args.resolver_count_limit <= _MAX_RESOLVER_COUNT_LIMIT:
        raise LocalError("--resolver-count-limit must be 0..10000")
    if not 1 <= args.max_batch_size <= _MAX_BATCH_SIZE:
        raise LocalError("--max-batch-size must be 1..2000")
    devlog.configure(verbose=args.verbose)
    return run_dev(
        DevOptions(
            schema_path=schema,
            host=args.host,
            port=args.port,
            local_dir=local_dir,
            outputs_path=args.outputs or root / "amplify_outputs.json",
            reset=args.reset,
            dynamodb_endpoint=args.dynamodb_endpoint,
            user_pool_id=args.user_pool_id,
            user_pool_client_id=args.user_pool_client_id,
            oidc_issuer=args.oidc_issuer,
            oidc_client_id=args.oidc_client_id,
            iam_access=args.iam_access,
            iam_admin_roles=tuple(r.strip() for r in args.iam_admin_roles.split(",") if r.strip()),
            limits=RequestLimits(
                timeout_seconds=args.request_timeout,
                query_depth_limit=args.query_depth_limit,
                resolver_count_limit=args.resolver_count_limit,
            ),
            max_batch_size=args.max_batch_size,
        )
    )


def _run_token(args: argparse.Namespace) -> int:
    from appsync_data.local.tokens import LocalIssuer

    _, schema, local_dir = _project_paths(args.schema, args.local_dir)
    state = LocalState.load(local_dir)
    if args.oidc:
        _warn_without_oidc_rule(schema)
        info = ServerInfo.read(state)
        if args.port is not None or args.host is not None or info is None:
            issuer = local_oidc_issuer(args.host or DEFAULT_HOST, args.port or DEFAULT_PORT)
        else:
            issuer = info.oidc_issuer
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
    _, _, local_dir = _project_paths(args.schema, args.local_dir)
    state = LocalState.load(local_dir)
    if args.role:
        identity = identity_for(state, args.role, "role")
    else:
        identity = identity_for(
            state, args.user, "unauthenticated" if args.guest else "authenticated"
        )
    credentials = mint_credentials(state, identity, expires_in=args.expires_in)
    print(json.dumps(credentials.to_json(), separators=(",", ":")))
    return 0


def _warn_without_oidc_rule(schema_path: Path) -> None:
    """Say why an OIDC token will get 401: the API has the mode only when a rule asks for it."""
    from appsync_data.generate.sdl import OIDC, api_auth_modes
    from appsync_data.schema_file import load_schema

    if not schema_path.is_file():
        return
    default_mode, additional_modes = api_auth_modes(load_schema(schema_path))
    if OIDC not in (default_mode, *additional_modes):
        print(
            f"note: {schema_path} has no allow.authenticated('oidc') rule, so its API has no OIDC "
            "auth mode and refuses this token (401)",
            file=sys.stderr,
        )

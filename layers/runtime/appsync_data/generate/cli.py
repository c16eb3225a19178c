"""`python -m appsync_data generate` and `python -m appsync_data outputs --stack NAME`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appsync_data.schema import Schema
from appsync_data.schema_file import DEFAULT_SCHEMA_PATH, load_schema


def generated_files(schema: Schema) -> dict[str, str]:
    """File name -> content of everything `generate` writes, relative to the project root."""
    from appsync_data.generate.sdl import render_sdl
    from appsync_data.generate.template import render_template

    return {"schema.graphql": render_sdl(schema), "template.yaml": render_template(schema)}


def _generate(args: argparse.Namespace) -> int:
    schema = load_schema(args.schema)
    root: Path = args.out_dir
    stale = []
    for name, content in generated_files(schema).items():
        path = root / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run `make generate`", file=sys.stderr)
        return 1
    if not stale:
        print("schema.graphql and template.yaml are up to date")
    return 0


def _outputs(args: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError

    from appsync_data.generate.stack import StackError, outputs_for_stack, read_stack_outputs

    schema = load_schema(args.schema)
    try:
        client: Any = boto3.client("cloudformation", region_name=args.region)
        values = read_stack_outputs(client, args.stack)
        outputs = outputs_for_stack(schema, args.stack, values)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except NoRegionError:
        print("error: no AWS region: give --region or set AWS_REGION", file=sys.stderr)
        return 1
    except NoCredentialsError:
        print("error: no AWS credentials: set AWS_PROFILE or run `aws configure`", file=sys.stderr)
        return 1
    except BotoCoreError as exc:  # an endpoint that cannot be reached, an expired session, ...
        print(f"error: could not read stack {args.stack!r}: {exc}", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(outputs, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} for {outputs['data']['url']}")
    return 0


def register(subparsers: Any) -> None:
    """Add the `generate` and `outputs` commands to `python -m appsync_data`."""
    generate = subparsers.add_parser(
        "generate", help="write schema.graphql and template.yaml from the app schema"
    )
    generate.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA_PATH)
    generate.add_argument("--out-dir", type=Path, default=Path("."))
    generate.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    generate.set_defaults(run=_generate)

    outputs = subparsers.add_parser(
        "outputs", help="write amplify_outputs.json for a deployed stack"
    )
    outputs.add_argument("--stack", required=True, help="CloudFormation stack name")
    outputs.add_argument("--region", default=None, help="AWS region (default: your profile's)")
    outputs.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA_PATH)
    outputs.add_argument("--out", type=Path, default=Path("amplify_outputs.json"))
    outputs.set_defaults(run=_outputs)

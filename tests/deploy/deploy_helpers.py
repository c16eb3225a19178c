"""Shared by the deploy tests: seed schemas per provider, GraphQL comparison, SAM transform."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

from appsync_data import Schema, a
from appsync_data.generate.sdl import APPSYNC_PRELUDE
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    parse,
    print_ast,
)
from graphql.language import ObjectTypeDefinitionNode

ROOT = Path(__file__).resolve().parents[2]
# The real Amplify tools' outputs, committed under tests/reference (refreshed from the team's
# shared reference folder; AMPLIFY_REFERENCE_DIR reads another copy).
REFERENCE = Path(
    os.environ.get("AMPLIFY_REFERENCE_DIR") or ROOT / "tests" / "reference" / "amplify"
)
VARIANTS = ("userPools", "identityPool", "oidc")
SAM = ROOT / ".venv-sam" / "bin" / "sam"


def seed_schema(variant: str) -> Schema:
    """The seed Todo schema with `allow.authenticated(<variant>)`, as the references were made."""
    if variant == "userPools":
        return a.schema(
            {
                "Todo": a.model({"content": a.string()}).authorization(
                    lambda allow: [allow.authenticated()]
                )
            }
        )
    return a.schema(
        {
            "Todo": a.model({"content": a.string()}).authorization(
                lambda allow: [allow.authenticated(variant)]
            )
        }
    )


SECOND_MODEL_RESOURCE = '''\
"""A schema with a second model: every field type of the DSL and an identityPool rule."""

from appsync_data import a

schema = a.schema(
    {
        "Priority": a.enum(["LOW", "HIGH"]),
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
        "BlogNote": a.model(
            {
                "title": a.string().required(),
                "body": a.string().default("empty"),
                "rating": a.integer(),
                "score": a.float(),
                "done": a.boolean().default(False),
                "ownerId": a.id(),
                "due": a.date(),
                "at": a.time(),
                "seenAt": a.datetime(),
                "stamp": a.timestamp(),
                "email": a.email(),
                "meta": a.json(),
                "phone": a.phone(),
                "link": a.url(),
                "ip": a.ip_address(),
                "status": a.enum(["DRAFT", "PUBLISHED"]),
                "priority": a.ref("Priority").required(),
                "tags": a.string().required().array().required(),
                "labels": a.ref("Priority").array(),
            }
        ).authorization(
            lambda allow: [
                allow.authenticated("identityPool"),
                allow.authenticated().to(["read"]),
            ]
        ),
    }
)
'''


def build_appsync_schema(sdl: str) -> GraphQLSchema:
    """A graphql-core schema of AppSync SDL (AppSync's scalars and directives declared)."""
    return build_schema(APPSYNC_PRELUDE + sdl)


def _directives(node: Any) -> list[str]:
    return sorted(print_ast(d) for d in (node.directives or ())) if node else []


def schema_signature(sdl: str) -> dict[str, Any]:
    """Everything the issue compares, order aside: types, fields, arguments, input fields,
    enum values and the auth directives on types and fields."""
    schema = build_appsync_schema(sdl)
    extensions = parse(sdl)  # directive order and presence, straight from the document
    type_directives = {
        d.name.value: _directives(d)
        for d in extensions.definitions
        if isinstance(d, ObjectTypeDefinitionNode)
    }
    signature: dict[str, Any] = {}
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if name.startswith("AWS"):
            continue
        if isinstance(type_, GraphQLObjectType):
            signature[name] = {
                "kind": "type",
                "directives": type_directives.get(name, []),
                "fields": {
                    fname: {
                        "type": str(f.type),
                        "args": {an: str(arg.type) for an, arg in f.args.items()},
                        "directives": _directives(f.ast_node),
                    }
                    for fname, f in type_.fields.items()
                },
            }
        elif isinstance(type_, GraphQLInputObjectType):
            signature[name] = {
                "kind": "input",
                "fields": {fname: str(f.type) for fname, f in type_.fields.items()},
            }
        elif isinstance(type_, GraphQLEnumType):
            signature[name] = {"kind": "enum", "values": sorted(type_.values)}
    return signature


def reference_json(variant: str, name: str) -> Any:
    return json.loads((REFERENCE / variant / name).read_text(encoding="utf-8"))


class _NoManagedPolicies:
    """SAM's managed-policy lookup; the template names no AWS managed policy, so it is never
    needed (an IAM call would be made otherwise, which offline tests must not do)."""

    def load(self) -> dict[str, str]:
        return {}


def sam_transform(
    template_text: str, *, layer_uri: str = "s3://artifacts/layer.zip"
) -> dict[str, Any]:
    """The CloudFormation template SAM makes of `template_text`, offline.

    Local paths become s3:// URIs first, as `sam package` does before the real transform (which
    names each upload by its content hash: a changed layer is another `layer_uri`).
    """
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(template_text)
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::Serverless::Function":
            props["CodeUri"] = "s3://artifacts/function.zip"
        elif kind == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = layer_uri
        elif kind == "AWS::Serverless::GraphQLApi":
            props["SchemaUri"] = "s3://artifacts/schema.graphql"
            for function in props.get("Functions", {}).values():
                function["CodeUri"] = "s3://artifacts/resolver.js"
            for fields in props.get("Resolvers", {}).values():
                for resolver in fields.values():
                    if "CodeUri" in resolver:
                        resolver["CodeUri"] = "s3://artifacts/resolver-code.js"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    result: dict[str, Any] = transform(
        copy.deepcopy(template), {"AWS::Region": "us-east-1"}, _NoManagedPolicies()
    )
    return result


def lint_errors(cfn_template: dict[str, Any], tmp_path: Path) -> list[str]:
    """cfn-lint errors (not warnings) of a CloudFormation template, every rule on."""
    from cfnlint.api import lint

    template = copy.deepcopy(cfn_template)
    template.pop("Metadata", None)  # drop the source's cfn-lint ignores: lint in full
    # The source's LanguageExtensions macro runs in CloudFormation: lint as CloudFormation will.
    template["Transform"] = "AWS::LanguageExtensions"
    path = tmp_path / "transformed.json"
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    matches = lint(path.read_text(encoding="utf-8"), regions=["us-east-1", "eu-west-1"])
    return [
        f"{m.rule.id} {m.message} ({m.path_string})" for m in matches if m.rule.id.startswith("E")
    ]


def copy_project(destination: Path) -> Path:
    """A copy of what SAM packages (functions, layer, template inputs) to build or change."""
    for name in ("functions", "layers"):
        shutil.copytree(
            ROOT / name,
            destination / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    for name in ("template.yaml", "schema.graphql", "samconfig.toml"):
        shutil.copy(ROOT / name, destination / name)
    return destination


def client_requests(name: str) -> list[tuple[str, str, dict[str, object]]]:
    """(title, document, variables) of each request the real client sent, as the reference
    records them in client-requests/<name>.md."""
    text = (REFERENCE / "client-requests" / f"{name}.md").read_text(encoding="utf-8")
    requests = []
    for section in text.split("\n## ")[1:]:
        title = section.splitlines()[0]
        document = section.split("```graphql\n")[1].split("```")[0]
        variables = json.loads(section.split("variables: `")[1].split("`\n")[0])
        requests.append((title, document, variables))
    return requests


def assert_valid_request(sdl: str, document: str, variables: dict[str, object]) -> None:
    """`document` parses and validates against AppSync SDL `sdl`, and `variables` coerce."""
    from graphql import OperationDefinitionNode, validate
    from graphql.execution.values import get_variable_values

    schema = build_appsync_schema(sdl)
    ast = parse(document)
    assert validate(schema, ast) == []
    operation = ast.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    coerced = get_variable_values(schema, operation.variable_definitions or [], variables)
    assert not isinstance(coerced, list), coerced  # a list is graphql-core's list of errors

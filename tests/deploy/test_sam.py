"""The SAM CLI on the real template (offline), and the APPSYNC_JS function run under Node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import ROOT, SAM, SECOND_MODEL_RESOURCE, copy_project

RESOLVER_JS = ROOT / "functions" / "resolvers" / "invoke_data.js"
PYTHON313 = sorted(Path.home().glob(".pyenv/versions/3.13*/bin"))

needs_sam = pytest.mark.skipif(not SAM.exists(), reason="no .venv-sam: run `make test`")
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _sam(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")
    if PYTHON313:  # sam build needs python3.13 on PATH (the Lambda runtime)
        env["PATH"] = f"{PYTHON313[-1]}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        [str(SAM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@needs_sam
def test_sam_validate_lint() -> None:
    result = _sam("validate", "--lint", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


@needs_sam
def test_second_model_is_one_edit_and_one_command(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "app")
    (project / "functions" / "data" / "resource.py").write_text(SECOND_MODEL_RESOURCE)
    generate = subprocess.run(
        [sys.executable, "-m", "appsync_data", "generate"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "layers" / "runtime")),
    )
    assert generate.returncode == 0, generate.stderr
    assert "BlogNoteTable" in (project / "template.yaml").read_text()
    assert (
        "type BlogNote @aws_iam @aws_cognito_user_pools {"
        in (project / "schema.graphql").read_text()
    )
    result = _sam("validate", "--lint", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_sam
@pytest.mark.slow
def test_sam_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "app")
    result = _sam(
        "build",
        "--build-dir",
        str(tmp_path / "build"),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--cached",
        cwd=project,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    build = tmp_path / "build"
    assert (build / "DataFunction" / "data" / "app.py").is_file()
    assert (build / "DataFunction" / "resolvers" / "invoke_data.js").is_file()
    layer = next(p for p in build.iterdir() if p.name.startswith("RuntimeLayer"))
    assert (layer / "python" / "appsync_data" / "schema.py").is_file()
    assert (layer / "python" / "pynamodb").is_dir()
    assert (layer / "python" / "aws_lambda_powertools").is_dir()


@needs_node
def test_resolver_js_syntax() -> None:
    result = subprocess.run(
        ["node", "--check", "--input-type=module"],
        stdin=RESOLVER_JS.open(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


_RUNNER = """
import { request, response } from './invoke_data.mjs';
const ctx = (extra) => ({
  args: { input: { content: 'x' } },
  identity: { sub: 'u1' },
  source: null,
  request: {
    headers: { host: 'h', authorization: 'Bearer secret-jwt', 'x-amzn-trace-id': 'Root=1-a' },
  },
  info: { fieldName: 'createTodo', parentTypeName: 'Mutation' },
  prev: null,
  stash: {},
  ...extra,
});
const denied = {
  type: 'Unauthorized',
  message: 'Not Authorized to access createTodo on type Mutation',
};
const out = {};
out.request = request(ctx({}));
out.data = response(ctx({ result: { data: { id: '1' } } }));
const failures = [
  ['envelope', { result: { error: denied } }],
  ['invoke', { error: { type: 'Lambda:Unhandled', message: 'boom' } }],
];
for (const [name, extra] of failures) {
  try {
    response(ctx(extra));
    out[name] = 'no error';
  } catch (e) {
    out[name] = { type: e.type, message: e.message };
  }
}
console.log(JSON.stringify(out));
"""

# AppSync's `util.error` throws: the field becomes null and the error lands in `errors[]`.
_UTILS = """
export const util = {
  error(message, type) { const e = new Error(message); e.type = type; throw e; },
};
"""


@needs_node
def test_resolver_js_maps_the_envelope(tmp_path: Path) -> None:
    utils = tmp_path / "node_modules" / "@aws-appsync" / "utils"
    utils.mkdir(parents=True)
    (utils / "package.json").write_text(
        json.dumps({"name": "@aws-appsync/utils", "type": "module", "main": "index.js"})
    )
    (utils / "index.js").write_text(_UTILS)
    shutil.copy(RESOLVER_JS, tmp_path / "invoke_data.mjs")
    (tmp_path / "run.mjs").write_text(_RUNNER)
    result = subprocess.run(
        ["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["request"] == {
        "operation": "Invoke",
        "payload": {
            "arguments": {"input": {"content": "x"}},
            "identity": {"sub": "u1"},
            "source": None,
            # Only the trace id: never the caller's Authorization header.
            "request": {"headers": {"x-amzn-trace-id": "Root=1-a"}},
            "info": {"fieldName": "createTodo", "parentTypeName": "Mutation"},
            "prev": None,
            "stash": {},
        },
    }
    assert out["data"] == {"id": "1"}
    assert out["envelope"] == {
        "type": "Unauthorized",
        "message": "Not Authorized to access createTodo on type Mutation",
    }
    assert out["invoke"] == {"type": "Lambda:Unhandled", "message": "boom"}

"""The SAM CLI on the real template (offline): validate, a second model, build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import ROOT, SAM, SECOND_MODEL_RESOURCE, copy_project

PYTHON313 = sorted(Path.home().glob(".pyenv/versions/3.13*/bin"))

needs_sam = pytest.mark.skipif(not SAM.exists(), reason="no .venv-sam: run `make test`")


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

"""Known failures of the commands are one clear line on stderr and exit code 1, never a traceback;
the commands find the project from any directory and never start a stray local folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from appsync_data.local.dynamodb import free_port
from e2e_helpers import REPO, SEED_SCHEMA, _env


def appsync_data(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appsync_data", *args],
        cwd=cwd,
        env=env or _env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_clear_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_dynamodb_endpoint_with_nothing_listening(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    done = appsync_data(
        "dev", "--schema", str(SEED_SCHEMA), "--port", "0", "--local-dir", str(tmp_path / ".local"),
        "--outputs", str(tmp_path / "o.json"), "--dynamodb-endpoint", endpoint,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr + done.stdout
    assert f"error: No DynamoDB answers at {endpoint}" in done.stderr


def test_outputs_without_region_or_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in _env().items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none")
    )
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    no_region = appsync_data(
        "outputs", "--stack", "s", "--out", str(tmp_path / "o.json"), cwd=REPO, env=env
    )
    one_clear_line(no_region, "region")
    no_keys = appsync_data(
        "outputs", "--stack", "s", "--region", "eu-west-1", "--out", str(tmp_path / "o.json"),
        cwd=REPO, env=env,
    )  # fmt: skip
    one_clear_line(no_keys, "credentials")


def test_token_outside_a_project_creates_nothing(tmp_path: Path) -> None:
    done = appsync_data("token", "--user", "alice", cwd=tmp_path)
    one_clear_line(done, "no project")
    assert not (tmp_path / ".local").exists()


def test_token_from_a_subdirectory_uses_the_projects_local_folder(tmp_path: Path) -> None:
    project = tmp_path / "app"
    (project / "functions" / "data").mkdir(parents=True)
    (project / "functions" / "data" / "resource.py").write_text(SEED_SCHEMA.read_text())
    first = appsync_data("token", "--user", "alice", cwd=project)
    assert first.returncode == 0, first.stderr
    again = appsync_data("credentials", "--user", "alice", cwd=project / "functions" / "data")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)  # credentials from the same local folder
    assert sorted(p.name for p in project.iterdir()) == [".local", "functions"]
    assert not (project / "functions" / "data" / ".local").exists()


def test_oidc_token_names_the_port_it_is_for_and_says_when_it_will_be_refused(
    tmp_path: Path,
) -> None:
    local = tmp_path / ".local"
    done = appsync_data(
        "token", "--user", "alice", "--oidc", "--port", "20555", "--schema", str(SEED_SCHEMA),
        "--local-dir", str(local), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    claims = jwt.decode(done.stdout.strip(), options={"verify_signature": False})
    assert claims["iss"] == "http://127.0.0.1:20555/oidc"
    assert "no allow.authenticated('oidc') rule" in done.stderr  # the seed schema: user pool only


@pytest.mark.parametrize("marker", ["template.yaml", "functions/data/resource.py"])
def test_project_root_markers(tmp_path: Path, marker: str) -> None:
    from appsync_data.local.state import find_project_root

    (tmp_path / marker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / marker).write_text("")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    assert find_project_root(tmp_path / "deep" / "er") == tmp_path.resolve()
    assert os.path.isdir(tmp_path)

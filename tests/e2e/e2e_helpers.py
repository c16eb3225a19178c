"""Run `python -m appsync_data dev` as a user does, and call it as clients do."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[2]
JS_DIR = Path(__file__).resolve().parent / "js"
SEED_SCHEMA = REPO / "functions" / "data" / "resource.py"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0

VARIANT_SCHEMA = """\
from appsync_data import a

schema = a.schema(
    {{
        "Todo": a.model({{"content": a.string()}}).authorization(
            lambda allow: [allow.authenticated({provider})]
        ),
    }}
)
"""


def write_variant_schema(folder: Path, provider: str) -> Path:
    """The seed schema with `allow.authenticated(provider)` (the reference variants)."""
    path = folder / f"resource_{provider}.py"
    path.write_text(VARIANT_SCHEMA.format(provider=repr(provider)))
    return path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "layers" / "runtime"), str(REPO / "functions"), env.get("PYTHONPATH", "")]
    )
    env["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    return env


def run_cli(*args: str, local_dir: Path) -> str:
    """`python -m appsync_data ARGS --local-dir DIR`, its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "appsync_data", *args, "--local-dir", str(local_dir)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@dataclass
class DevServerProcess:
    """`python -m appsync_data dev` on a free port, with its own local folder and outputs."""

    schema: Path
    workdir: Path
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen[str] | None = None
    url: str = ""
    log: list[str] = field(default_factory=list)

    @property
    def local_dir(self) -> Path:
        return self.workdir / ".local"

    @property
    def outputs_path(self) -> Path:
        return self.workdir / "amplify_outputs.json"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    def start(self, *extra: str) -> DevServerProcess:
        server_file = self.local_dir / "server.json"
        server_file.unlink(missing_ok=True)
        log_path = self.workdir / "dev.log"
        with log_path.open("a") as log_file:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "appsync_data",
                    "dev",
                    "--schema",
                    str(self.schema),
                    "--port",
                    "0",
                    "--local-dir",
                    str(self.local_dir),
                    "--outputs",
                    str(self.outputs_path),
                    *self.extra_args,
                    *extra,
                ],
                cwd=REPO,
                env=_env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own process group, as a terminal's foreground job
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dev server exited:\n{log_path.read_text()}")
            if server_file.exists():
                self.url = json.loads(server_file.read_text())["url"]
                try:
                    requests.get(f"{self.url}/oidc/.well-known/jwks.json", timeout=2)
                    return self
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dev server did not start:\n{log_path.read_text()}")

    def stop(self) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                return process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_SECONDS)
                raise
        return process.returncode

    def interrupt_group(self) -> int:
        """Ctrl-C in the terminal: SIGINT to the server's whole process group; its exit code."""
        process, self.process = self.process, None
        assert process is not None
        os.killpg(process.pid, signal.SIGINT)
        return process.wait(STOP_TIMEOUT_SECONDS)

    def kill(self) -> None:
        """`kill -9` of the server alone (not its children)."""
        process, self.process = self.process, None
        assert process is not None
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)

    def output(self) -> str:
        return (self.workdir / "dev.log").read_text()

    # --- dev credentials ------------------------------------------------------------------------

    def token(self, user: str, *options: str) -> str:
        return run_cli("token", "--user", user, *options, local_dir=self.local_dir)

    def credentials(self, *options: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(
            run_cli("credentials", *options, local_dir=self.local_dir)
        )
        return result

    # --- raw GraphQL over HTTP ------------------------------------------------------------------

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> requests.Response:
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = token
        body = {"query": query, "variables": variables or {}}
        return requests.post(self.graphql_url, json=body, headers=headers, timeout=30)


def npm_ready() -> None:
    """`npm ci` in tests/e2e/js once (node_modules is cached, git-ignored)."""
    marker = JS_DIR / "node_modules" / ".package-lock.json"
    lock = JS_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH (Node 20 is needed for the aws-amplify tests)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=JS_DIR,
        check=True,
        timeout=300,
    )


def run_amplify_client(
    outputs: Path,
    auth_mode: str,
    scenario: str,
    *,
    token: str | None = None,
    credentials: dict[str, Any] | None = None,
    script: str = "client.mjs",
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run tests/e2e/js/SCRIPT (client.mjs): the real aws-amplify client. Returns what it
    printed."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    if token is not None:
        env["DEV_TOKEN"] = token
    if credentials is not None:
        env["DEV_CREDENTIALS"] = json.dumps(credentials)
    env.update(extra_env or {})
    node = shutil.which("node") or "node"
    done = subprocess.run(
        [node, script, str(outputs), auth_mode, scenario],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"node failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result

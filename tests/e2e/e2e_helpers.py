"""Run `python -m appsync_data dev` as a user does, and call it as clients do."""

from __future__ import annotations

import atexit
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import certifi
import requests
from appsync_data.local.tls import TlsFiles, load_or_make_ca
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

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


_TEST_CA_VARIABLE = "APPSYNC_DATA_TEST_CA_DIR"


def _test_ca() -> TlsFiles:
    """One local CA for every dev server of the test run (each server's .local/tls is seeded with
    it, and signs its own server certificate), trusted by this process's HTTP clients and by Node:
    clients verify the certificate as users' clients do, never `verify=False`.

    Kept in the environment: this module may be imported under two names (`e2e_helpers` here,
    `e2e.e2e_helpers` from tests/security), and both must trust and seed the same CA."""
    shared = os.environ.get(_TEST_CA_VARIABLE)
    if shared and Path(shared, "bundle.pem").is_file():
        return TlsFiles(Path(shared))
    folder = Path(tempfile.mkdtemp(prefix="appsync-data-test-ca-"))
    atexit.register(shutil.rmtree, folder, True)
    os.environ[_TEST_CA_VARIABLE] = str(folder)
    files = TlsFiles(folder)
    load_or_make_ca(files)
    bundle = folder / "bundle.pem"  # the public CAs too: other tests may call real endpoints
    bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + files.ca_cert.read_bytes())
    os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
    os.environ["SSL_CERT_FILE"] = str(bundle)  # ssl.create_default_context(): aiohttp, http.client
    return files


TEST_CA = _test_ca()


def seed_local_ca(local_dir: Path) -> None:
    """Give a dev server's local folder the test CA (it keeps an existing CA, as for users)."""
    target = TlsFiles(local_dir / "tls")
    target.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for source, destination in (
        (TEST_CA.ca_cert, target.ca_cert),
        (TEST_CA.ca_key, target.ca_key),
    ):
        if not destination.exists():
            shutil.copyfile(source, destination)
            destination.chmod(0o600 if destination == target.ca_key else 0o644)


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
        seed_local_ca(self.local_dir)
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


def _node() -> str:
    return shutil.which("node") or "node"


def _node_env(
    token: str | None, credentials: dict[str, Any] | None, extra: dict[str, str]
) -> dict[str, str]:
    """The environment of a client script: the test CA trusted, the dev token and credentials
    as the scripts read them (DEV_TOKEN, DEV_CREDENTIALS), nothing else of ours."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "NODE_EXTRA_CA_CERTS": str(TEST_CA.ca_cert),
    }
    if token is not None:
        env["DEV_TOKEN"] = token
    if credentials is not None:
        env["DEV_CREDENTIALS"] = json.dumps(credentials)
    return env | extra


def run_amplify_client(
    outputs: Path,
    auth_mode: str,
    scenario: str,
    *,
    token: str | None = None,
    credentials: dict[str, Any] | None = None,
    script: str = "client.mjs",
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run tests/e2e/js/client.mjs (or `script`, same arguments): the real aws-amplify client.
    Returns what it printed."""
    env = _node_env(token, credentials, extra_env or {})
    done = subprocess.run(
        [_node(), script, str(outputs), auth_mode, scenario],
        cwd=JS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"node failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class AmplifyProcess:
    """tests/e2e/js/client.mjs in a real-time scenario: a long-running Node process whose JSON
    lines (one per event) are read as they come."""

    def __init__(
        self,
        outputs: Path,
        auth_mode: str,
        scenario: str,
        *,
        token: str | None = None,
        credentials: dict[str, Any] | None = None,
        filter_: dict[str, Any] | None = None,
    ) -> None:
        extra_env = {} if filter_ is None else {"DEV_FILTER": json.dumps(filter_)}
        self.process = subprocess.Popen(
            [_node(), "client.mjs", str(outputs), auth_mode, scenario],
            cwd=JS_DIR,
            env=_node_env(token, credentials, extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for text in self.process.stdout:
            if text.strip().startswith("{"):
                self.lines.put(json.loads(text))
        self.lines.put(None)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def next(self, timeout: float = 20.0) -> dict[str, Any]:
        try:
            value = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(
                f"no event from node in {timeout}s: {''.join(self.stderr)}"
            ) from None
        if value is None:
            raise RuntimeError(f"node exited ({self.process.wait()}):\n{''.join(self.stderr)}")
        return value

    def nothing_more(self, wait: float) -> bool:
        try:
            value = self.lines.get(timeout=wait)
        except queue.Empty:
            return True
        self.lines.put(value)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> AmplifyProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def sigv4_headers(
    server: DevServerProcess, creds: Mapping[str, Any], url: str, body: str
) -> dict[str, str]:
    """The headers the Amplify client sends for IAM: SigV4 (service appsync) of a POST of `body`
    to `url` (`/graphql/connect` with `{}` to connect, `/graphql` with the data of a start)."""
    request = AWSRequest(
        method="POST",
        url=url,
        data=body.encode(),
        headers={
            "accept": "application/json, text/javascript",
            "content-encoding": "amz-1.0",
            "content-type": "application/json; charset=UTF-8",
            "host": server.url.split("//", 1)[1],
        },
    )
    credentials = Credentials(creds["accessKeyId"], creds["secretAccessKey"], creds["sessionToken"])
    SigV4Auth(credentials, "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def sigv4_post(
    server: DevServerProcess, creds: Mapping[str, Any], query: str, variables: Mapping[str, Any]
) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": dict(variables)})
    headers = sigv4_headers(server, creds, server.graphql_url, body)
    response = requests.post(server.graphql_url, data=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result

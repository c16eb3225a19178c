"""Local server throughput: requests per second and p50/p99 latency of authenticated calls.

Starts `python -m appsync_data dev` (uvicorn over TLS, the Lambda's code on worker threads;
moto's DynamoDB in its own process) on a free loopback port with a fresh local folder
(`--reset`), mints a user-pool token with `python -m appsync_data token`, creates one Todo,
then loads the server from THIS process (the second one): `--clients` threads, each with its
own `http.client` connection, send authenticated `getTodo` and `createTodo` requests, one
operation after the other, each bounded by `--requests` AND `--seconds`. A few warm-up requests
per operation are not counted. Every answer must be HTTP 200 with the field's data and no
`errors`; any other answer is an error, and errors make the script exit 1. The server is stopped
with SIGINT (as Ctrl-C) at the end.

Each client keeps its HTTPS connection alive (HTTP/1.1 keep-alive), trusting the server's local CA
(`.local/tls/ca.pem`), as a browser or the Amplify client does; `--new-connections` opens a new
connection (TCP + TLS handshake) per request instead, the old werkzeug server's behaviour.

Usage: `python bench/local_throughput.py [--clients 4] [--requests 1000] [--seconds 15] [--quick]
[--new-connections]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from artifact import machine

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "functions" / "data" / "resource.py"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 30.0

GET_TODO = "query GetTodo($id: ID!) { getTodo(id: $id) { id content createdAt updatedAt } }"
CREATE_TODO = (
    "mutation CreateTodo($input: CreateTodoInput!) "
    "{ createTodo(input: $input) { id content createdAt updatedAt } }"
)


@dataclass(frozen=True)
class Operation:
    field: str
    query: str
    variables: dict[str, Any]

    def body(self) -> bytes:
        return json.dumps({"query": self.query, "variables": self.variables}).encode()


@dataclass
class Outcome:
    """What one bounded run of one operation gave."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.latencies_ms) + len(self.errors)


# --- the server ---------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "layers" / "runtime"), str(REPO / "functions"), env.get("PYTHONPATH", "")]
    )
    return env


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "appsync_data", *args],
        cwd=REPO,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@contextmanager
def dev_server(workdir: Path) -> Iterator[str]:
    """`python -m appsync_data dev` on a free port with an empty local folder; yields its URL."""
    local_dir = workdir / ".local"
    server_file = local_dir / "server.json"
    log_path = workdir / "dev.log"
    command = [
        sys.executable, "-m", "appsync_data", "dev", "--schema", str(SCHEMA), "--host",
        "127.0.0.1", "--port", "0", "--local-dir", str(local_dir), "--outputs",
        str(workdir / "amplify_outputs.json"), "--reset",
    ]  # fmt: skip
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command, cwd=REPO, env=_environment(), stdout=log_file, stderr=subprocess.STDOUT
        )
    try:
        yield _wait_until_serving(process, server_file, log_path)
    finally:
        _stop(process)


def _wait_until_serving(process: subprocess.Popen[bytes], server_file: Path, log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dev server exited:\n{log.read_text()[-3000:]}")
        if server_file.exists():
            url = str(json.loads(server_file.read_text())["url"])
            ca = server_file.parent / "tls" / "ca.pem"
            _CONTEXTS[url] = ssl.create_default_context(cafile=str(ca))
            try:
                status, _ = _request(url, "GET", "/oidc/.well-known/jwks.json", b"", {})
            except OSError:
                status = 0
            if status == 200:
                return url
        time.sleep(0.1)
    raise RuntimeError(f"the dev server did not start:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # what Ctrl-C does: the server saves and stops
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)


_CONTEXTS: dict[str, ssl.SSLContext] = {}  # server URL -> trusts its local CA (.local/tls)


def tls_context(url: str) -> ssl.SSLContext:
    return _CONTEXTS[url]


def _request(
    url: str, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPSConnection(
        parts.hostname or "127.0.0.1",
        parts.port,
        timeout=REQUEST_TIMEOUT_SECONDS,
        context=tls_context(url),
    )
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the load -----------------------------------------------------------------------------------


def _check(field_name: str, status: int, payload: bytes) -> str | None:
    """None when the answer is the field's data; else what was wrong (no secrets in it)."""
    if status != 200:
        return f"HTTP {status}: {payload[:200]!r}"
    try:
        answer = json.loads(payload)
    except ValueError:
        return f"not JSON: {payload[:200]!r}"
    if answer.get("errors"):
        return f"errors: {json.dumps(answer['errors'])[:300]}"
    if not (answer.get("data") or {}).get(field_name):
        return f"no data: {json.dumps(answer)[:300]}"
    return None


class LoadGenerator:
    """`clients` threads, each with its own HTTP connection, sharing a bounded request budget."""

    def __init__(self, url: str, token: str, clients: int, new_connections: bool = False) -> None:
        parts = urlsplit(url)
        self.context = tls_context(url)
        self.new_connections = new_connections
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port
        self.headers = {"content-type": "application/json", "authorization": token}
        self.clients = clients

    def run(self, operation: Operation, requests: int, seconds: float) -> Outcome:
        outcome = Outcome()
        budget = iter(range(requests))
        lock = threading.Lock()
        body = operation.body()
        started = time.perf_counter()
        deadline = started + seconds

        def client() -> None:
            connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS, context=self.context
            )
            try:
                while time.perf_counter() < deadline:
                    with lock:
                        if next(budget, None) is None:
                            return
                    sent = time.perf_counter_ns()
                    if self.new_connections:
                        connection.close()  # the next request connects anew (TCP + TLS)
                    try:
                        # http.client reconnects by itself when the server closed the connection.
                        connection.request("POST", "/graphql", body=body, headers=self.headers)
                        response = connection.getresponse()
                        problem = _check(operation.field, response.status, response.read())
                    except (OSError, http.client.HTTPException) as exc:
                        connection.close()
                        problem = f"{type(exc).__name__}: {exc}"
                    elapsed_ms = (time.perf_counter_ns() - sent) / 1e6
                    with lock:
                        if problem is None:
                            outcome.latencies_ms.append(elapsed_ms)
                        else:
                            outcome.errors.append(problem)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=client, name=f"load-{n}", daemon=True)
            for n in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + REQUEST_TIMEOUT_SECONDS)
        outcome.elapsed_s = time.perf_counter() - started
        return outcome


def _create_one(url: str, token: str) -> str:
    """A Todo for getTodo to read; its id."""
    body = Operation("createTodo", CREATE_TODO, {"input": {"content": "bench"}}).body()
    headers = {"content-type": "application/json", "authorization": token}
    status, payload = _request(url, "POST", "/graphql", body, headers)
    problem = _check("createTodo", status, payload)
    if problem is not None:
        raise RuntimeError(f"could not create the Todo getTodo reads: {problem}")
    return str(json.loads(payload)["data"]["createTodo"]["id"])


# --- report -------------------------------------------------------------------------------------


def percentile(values: list[float], rank: int) -> float:
    """The `rank`-th percentile (statistics' inclusive method; one value is its own percentile)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[rank - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--requests", type=int, default=1000, help="requests per operation (max)")
    parser.add_argument("--seconds", type=float, default=15.0, help="time per operation (max)")
    parser.add_argument("--warmup", type=int, default=50, help="uncounted requests per operation")
    parser.add_argument("--quick", action="store_true", help="a tiny run: 2 clients, 20 requests")
    parser.add_argument(
        "--new-connections", action="store_true", help="a new connection per request"
    )
    args = parser.parse_args()
    if args.quick:
        args.clients, args.requests, args.seconds, args.warmup = 2, 20, 10.0, 4
    if args.clients < 1 or args.requests < 1 or args.seconds <= 0:
        parser.error("--clients, --requests and --seconds must be positive")

    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="appsync-data-throughput-") as tmp:
        workdir = Path(tmp)
        with dev_server(workdir) as url:
            token = _cli("token", "--user", "bench", "--local-dir", str(workdir / ".local"))
            todo_id = _create_one(url, token)
            load = LoadGenerator(url, token, args.clients, args.new_connections)
            operations = (
                Operation("getTodo", GET_TODO, {"id": todo_id}),
                Operation("createTodo", CREATE_TODO, {"input": {"content": "buy milk"}}),
            )
            for operation in operations:
                warm = load.run(operation, args.warmup, args.seconds)
                outcomes[operation.field] = load.run(operation, args.requests, args.seconds)
                outcomes[operation.field].errors.extend(warm.errors)

    print(f"machine: {machine(platform.python_version())}")
    print(
        f"local server (`python -m appsync_data dev`, moto DynamoDB) on loopback; load from a "
        f"second process: {args.clients} clients, user-pool JWT, at most {args.requests} "
        f"requests or {args.seconds:g} s per operation; HTTPS, "
        + ("a new connection per request" if args.new_connections else "keep-alive")
    )
    print(f"{'operation':12}{'requests':>9}{'req/s':>9}{'p50':>10}{'p99':>10}{'errors':>8}")
    for name, outcome in outcomes.items():
        done = outcome.latencies_ms or [float("nan")]
        print(
            f"{name:12}{outcome.sent:>9}{len(outcome.latencies_ms) / outcome.elapsed_s:>9.1f}"
            f"{statistics.median(done):>8.1f}ms{percentile(done, 99):>8.1f}ms"
            f"{len(outcome.errors):>8}"
        )
    failures = [error for outcome in outcomes.values() for error in outcome.errors]
    for error in failures[:5]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

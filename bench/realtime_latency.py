"""Local real-time delivery latency: from a mutation's HTTP response to each subscriber's `data`.

Starts `python -m appsync_data dev` (as bench/local_throughput.py does), opens `--subscribers`
WebSocket connections to `wss://…/graphql/realtime` (the `websockets` library, the local CA
trusted), each authenticated with a user-pool token and subscribed to `onCreateTodo`; then sends
`--mutations` `createTodo` requests one after the other over one kept-alive HTTPS connection. For
each mutation and subscriber it records when the subscriber got the item, relative to when the
mutation's response arrived (negative: the item came first; AppSync also publishes as the
mutation completes) and to when the mutation was sent. Every subscriber must get every item, in
order; anything else is an error and exits 1.

Usage: `python bench/realtime_latency.py [--subscribers 100] [--mutations 50] [--quick]`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from artifact import machine
from local_throughput import (
    CREATE_TODO,
    Operation,
    _check,
    _cli,
    dev_server,
    percentile,
    tls_context,
)
from websockets.asyncio.client import ClientConnection, connect

SUBSCRIBE = "subscription { onCreateTodo { id content createdAt updatedAt } }"
TIMEOUT_SECONDS = 30.0


def _header(url: str, token: str) -> str:
    headers = {"Authorization": token, "host": urlsplit(url).netloc}
    return "header-" + base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")


async def _subscriber(
    url: str, token: str, index: int, ready: asyncio.Event, arrivals: list[tuple[str, float]]
) -> ClientConnection:
    wss = url.replace("https://", "wss://") + "/graphql/realtime"
    ws = await connect(wss, ssl=tls_context(url), subprotocols=["graphql-ws", _header(url, token)])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    data = json.dumps({"query": SUBSCRIBE, "variables": {}})
    host = urlsplit(url).netloc
    payload = {
        "data": data,
        "extensions": {"authorization": {"Authorization": token, "host": host}},
    }
    await ws.send(json.dumps({"id": f"s{index}", "type": "start", "payload": payload}))
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_SECONDS))
        if message["type"] == "start_ack":
            break
        if message["type"] not in ("connection_ack", "ka"):
            raise RuntimeError(f"subscriber {index}: {message}")

    async def receive() -> None:
        await ready.wait()
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "data":
                item = message["payload"]["data"]["onCreateTodo"]["id"]
                arrivals.append((item, time.perf_counter()))

    asyncio.get_running_loop().create_task(receive())
    return ws


def _mutate(url: str, token: str, count: int) -> list[tuple[str, float, float]]:
    """`count` createTodo requests on one kept-alive connection: (id, sent, answered)."""
    parts = urlsplit(url)
    connection = http.client.HTTPSConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=TIMEOUT_SECONDS, context=tls_context(url)
    )
    headers = {"content-type": "application/json", "authorization": token}
    done: list[tuple[str, float, float]] = []
    for index in range(count):
        body = Operation("createTodo", CREATE_TODO, {"input": {"content": f"n{index}"}}).body()
        sent = time.perf_counter()
        connection.request("POST", "/graphql", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        answered = time.perf_counter()
        problem = _check("createTodo", response.status, payload)
        if problem is not None:
            raise RuntimeError(problem)
        done.append((json.loads(payload)["data"]["createTodo"]["id"], sent, answered))
        time.sleep(0.02)  # mutations one after the other, as users make them
    connection.close()
    return done


async def measure(
    url: str, token: str, subscribers: int, mutations: int
) -> tuple[list[float], list[float], list[str]]:
    ready = asyncio.Event()
    arrivals: list[list[tuple[str, float]]] = [[] for _ in range(subscribers)]
    sockets = []
    for index in range(subscribers):  # one at a time: the server's handshakes are serialized
        sockets.append(await _subscriber(url, token, index, ready, arrivals[index]))
    ready.set()
    done = await asyncio.to_thread(_mutate, url, token, mutations)
    deadline = time.perf_counter() + TIMEOUT_SECONDS
    while any(len(a) < mutations for a in arrivals) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    for ws in sockets:
        await ws.close()
    from_response: list[float] = []
    from_request: list[float] = []
    errors: list[str] = []
    expected = [item for item, _, _ in done]
    for index, got in enumerate(arrivals):
        if [item for item, _ in got] != expected:
            errors.append(
                f"subscriber {index} got {len(got)} of {mutations} items, or not in order"
            )
            continue
        for (_, arrived), (_, sent, answered) in zip(got, done, strict=True):
            from_response.append((arrived - answered) * 1000)
            from_request.append((arrived - sent) * 1000)
    return from_response, from_request, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--mutations", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run: 5 subscribers, 5 mutations"
    )
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.mutations = 5, 5
    with tempfile.TemporaryDirectory(prefix="appsync-data-realtime-") as tmp:
        workdir = Path(tmp)
        with dev_server(workdir) as url:
            token = _cli("token", "--user", "bench", "--local-dir", str(workdir / ".local"))
            from_response, from_request, errors = asyncio.run(
                measure(url, token, args.subscribers, args.mutations)
            )
    print(f"machine: {machine(platform.python_version())}")
    print(
        f"local server (`python -m appsync_data dev`); {args.subscribers} WebSocket subscribers "
        f"to onCreateTodo and {args.mutations} createTodo mutations from a second process"
    )
    for name, values in (("from response", from_response), ("from request", from_request)):
        done = values or [float("nan")]
        print(
            f"delivery {name:14} p50 {statistics.median(done):7.1f} ms   "
            f"p99 {percentile(done, 99):7.1f} ms   ({len(values)} deliveries)"
        )
    for error in errors[:5]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

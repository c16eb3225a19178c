"""The HTTP server itself (uvicorn on a background thread): keep-alive answers come without a
delayed-ACK stall (TCP_NODELAY on accepted sockets)."""

from __future__ import annotations

import http.client
import statistics
import time
from typing import Any

from appsync_data.local.server import HttpServer, json_response


async def _hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await json_response(200, {"data": "hello"})(scope, receive, send)


def test_keep_alive_answers_do_not_wait_for_delayed_acks() -> None:
    server = HttpServer("127.0.0.1", 0, _hello)
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        latencies = []
        for _ in range(20):
            started = time.perf_counter()
            connection.request("POST", "/", body=b"{}")
            response = connection.getresponse()
            assert response.status == 200 and response.read() == b'{"data":"hello"}'
            latencies.append(time.perf_counter() - started)
        connection.close()
    finally:
        server.stop()
    # Linux delays an ACK by at least 40 ms: a response in two segments without TCP_NODELAY
    # takes that long; a trivial app answers in about a millisecond.
    assert statistics.median(latencies) < 0.02, latencies

"""One run in a real browser: headless Chromium (Debian's package) loads a page with the bundled
aws-amplify client (esbuild, offline), whose `observeQuery()` sees an item another client creates.
The local CA is trusted through an NSS database in a throw-away HOME, as a user trusts it once;
no `--ignore-certificate-errors`."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from browser_helpers import BROWSER_TEST, CREATE, headless_chromium
from e2e_helpers import JS_DIR, DevServerProcess, npm_ready

pytestmark = BROWSER_TEST


def _bundle(folder: Path) -> Path:
    npm_ready()
    out = folder / "bundle.js"
    subprocess.run(
        [
            str(JS_DIR / "node_modules" / ".bin" / "esbuild"),
            str(JS_DIR / "browser" / "page.mjs"),
            "--bundle",
            "--format=iife",
            "--platform=browser",
            "--log-level=warning",
            f"--outfile={out}",
        ],
        cwd=JS_DIR,
        check=True,
        timeout=120,
    )
    return out


class _PageServer:
    """Serves the page and its bundle on loopback, and collects the page's reports."""

    def __init__(self, html: str, bundle: Path) -> None:
        self.reports: queue.Queue[dict[str, Any]] = queue.Queue()
        reports = self.reports
        files = {"/": ("text/html", html.encode()), "/bundle.js": ("text/javascript", b"")}
        files["/bundle.js"] = ("text/javascript", bundle.read_bytes())

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kind, body = files.get(self.path, ("text/plain", b""))
                self.send_response(200 if body else 404)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                reports.put(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/"

    def __enter__(self) -> _PageServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()

    def next(self, timeout: float = 30.0) -> dict[str, Any]:
        return self.reports.get(timeout=timeout)


def test_browser_observe_query_sees_a_live_create(
    userpool_server: DevServerProcess, tmp_path: Path
) -> None:
    server = userpool_server
    bundle = _bundle(tmp_path)
    outputs = json.loads(server.outputs_path.read_text())
    dev = {"outputs": outputs, "token": server.token("alice")}
    html = (
        "<!doctype html><html><body><script>window.DEV = "
        + json.dumps(dev).replace("</", "<\\/")
        + ';</script><script src="/bundle.js"></script></body></html>'
    )
    with _PageServer(html, bundle) as page, headless_chromium(tmp_path, page.url):
        seen: list[dict[str, Any]] = []
        while (report := page.next()) != {"ready": True}:
            assert "error" not in report, report
            seen.append(report)
        content = "seen live in a browser"
        response = server.post(CREATE, {"c": content}, token=server.token("bob"))
        assert response.status_code == 200 and "errors" not in response.json()
        while True:
            report = page.next()
            assert "error" not in report, report
            if content in report.get("snapshot", []):
                break

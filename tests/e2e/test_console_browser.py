"""The console page at the dev server's root, in a real browser: headless Chromium (Debian's
package), driven over the DevTools protocol, loads the page from the server itself (assets built by
esbuild from console/, offline), acts as a signed-in user, runs a query in GraphiQL, sees the
result, then acts as a guest (SigV4-signed in the page) and sees the rules' refusal; the items view
lists a model's items through the API. The local CA is trusted through an NSS database."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import BROWSER_TEST, CREATE, headless_chromium
from e2e_helpers import REPO, SEED_SCHEMA, DevServerProcess, write_variant_schema
from websockets.sync.client import ClientConnection, connect

CONSOLE = REPO / "console"
pytestmark = BROWSER_TEST


def console_built() -> None:
    """What `make console` does: `npm ci` when the lock changed, esbuild when the sources did."""
    npm = shutil.which("npm")
    modules = CONSOLE / "node_modules" / ".package-lock.json"
    lock = CONSOLE / "package-lock.json"
    if not modules.exists() or modules.stat().st_mtime < lock.stat().st_mtime:
        if npm is None:
            raise RuntimeError("npm is not on PATH (Node 20 builds the console)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CONSOLE,
                       check=True, timeout=300)  # fmt: skip
    bundle = CONSOLE / "dist" / "console.js"
    sources = [modules, *(CONSOLE / "src").iterdir()]
    if bundle.exists() and all(s.stat().st_mtime <= bundle.stat().st_mtime for s in sources):
        return
    if npm is None:
        raise RuntimeError("npm is not on PATH (Node 20 builds the console)")
    subprocess.run([npm, "run", "--silent", "build"], cwd=CONSOLE, check=True, timeout=120)


class Page:
    """One Chromium tab over the DevTools protocol: evaluate JavaScript, wait for a condition."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        text = self.evaluate("document.body ? document.body.innerText : ''")
        raise AssertionError(f"timed out waiting for {expression}; the page shows:\n{text}")

    def click(self, selector: str) -> None:
        self.wait_for(f"!!document.querySelector({json.dumps(selector)})")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def choose(self, selector: str, value: str) -> None:
        """Set a React-controlled <select> as a user would (the native setter, then `change`)."""
        self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')"
            f".set.call(e, {json.dumps(value)});"
            " e.dispatchEvent(new Event('change', {bubbles: true})); })()"
        )

    def text(self, selector: str) -> str:
        value = self.evaluate(
            f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText || ''"
        )
        return str(value)


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    """A server of its own, so the items view's table is known exactly."""
    console_built()
    server = DevServerProcess(schema=SEED_SCHEMA, workdir=tmp_path_factory.mktemp("console"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    with headless_chromium(tmp_path, "about:blank") as profile:
        active_port = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not active_port.exists() or not active_port.read_text().strip():
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = active_port.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            targets = json.loads(answer.read())
        tab = next(t for t in targets if t["type"] == "page")
        with connect(tab["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)


# The result pane's whole text (CodeMirror draws only the lines in view).
SESSION_IS = "(document.querySelector('#console-session') || {{}}).innerText === '{session}'"
RESULT = (
    "((document.querySelector('.result-window .CodeMirror') || {}).CodeMirror"
    " || {getValue: () => ''}).getValue()"
)


def test_console_runs_a_query_as_a_user_and_shows_a_guests_refusal(
    console_server: DevServerProcess, page: Page
) -> None:
    server = console_server
    content = f"made for the console {uuid.uuid4()}"
    created = server.post(CREATE, {"c": content}, token=server.token("alice")).json()
    item_id = created["data"]["createTodo"]["id"]
    query = f'query Get {{ getTodo(id: "{item_id}") {{ id content }} }}'
    page.call("Page.navigate", url=f"{server.url}/?query={urllib.parse.quote(query)}")
    page.wait_for("!!document.querySelector('.graphiql-execute-button')")

    # Signed in: the page starts as alice of the user pool (the default mode); she sees the item.
    page.wait_for(SESSION_IS.format(session="Acting as alice (userPool)"))
    page.wait_for("!!document.querySelector('.graphiql-execute-button')")
    page.click(".graphiql-execute-button")
    shown = page.wait_for(f"(() => {{ const t = {RESULT}; return t.includes('content') && t }})()")
    assert content in shown and item_id in shown and "errors" not in shown

    # A guest (the identity pool's unauthenticated role, SigV4-signed by the page) is refused by
    # the model's rules: the signature held (no 401), the rule said no.
    page.choose("#console-mode", "guest")
    page.click("#console-act")
    page.wait_for(SESSION_IS.format(session="Acting as guest (guest)"))
    page.wait_for("!!document.querySelector('.graphiql-execute-button')")
    page.click(".graphiql-execute-button")
    # (GraphiQL's schema fetch is refused too; wait for the query's own answer.)
    refused = page.wait_for(
        f"(() => {{ const t = {RESULT}; return t.includes('getTodo') && t }})()"
    )
    assert "Not Authorized to access getTodo on type Query" in refused
    assert content not in refused


def test_console_items_view_lists_through_the_api_under_the_rules(
    console_server: DevServerProcess, page: Page
) -> None:
    server = console_server
    token = server.token("bob")
    contents = {f"listed {uuid.uuid4()}" for _ in range(2)}
    for content in contents:
        assert "errors" not in server.post(CREATE, {"c": content}, token=token).json()
    page.call("Page.navigate", url=f"{server.url}/")
    page.wait_for(SESSION_IS.format(session="Acting as alice (userPool)"))
    page.click("#console-tab-items")

    page.choose("#console-mode", "guest")
    page.click("#console-act")
    page.wait_for(SESSION_IS.format(session="Acting as guest (guest)"))
    page.click("#console-load")
    errors = page.wait_for("(document.querySelector('#console-items-errors') || {}).innerText")
    assert "Not Authorized to access listTodos on type Query" in errors
    assert page.evaluate("document.querySelectorAll('#console-items-table tbody tr').length") == 0

    page.choose("#console-mode", "userPool")
    page.click("#console-act")
    page.wait_for(SESSION_IS.format(session="Acting as alice (userPool)"))
    page.click("#console-load")
    page.wait_for("document.querySelectorAll('#console-items-table tbody tr').length > 0")
    table = page.text("#console-items-table")
    assert all(content in table for content in contents)
    assert page.text("#console-items-errors") == ""


@pytest.mark.parametrize(
    ("provider", "label"), [("identityPool", "identityPool"), ("oidc", "oidc")]
)
def test_console_acts_in_the_apis_other_modes(
    provider: str, label: str, tmp_path: Path, page: Page
) -> None:
    """`allow.authenticated('identityPool')` (SigV4 signed in the page) and ('oidc')."""
    server = DevServerProcess(schema=write_variant_schema(tmp_path, provider), workdir=tmp_path)
    server.start()
    try:
        page.call("Page.navigate", url=f"{server.url}/")
        page.wait_for(SESSION_IS.format(session="Acting as alice (userPool)"))  # the first mode
        offered = page.evaluate(
            "[...document.querySelectorAll('#console-mode option')].map(o => o.value)"
        )
        expected = ["userPool", "oidc", "identityPool", "guest"]
        assert offered == [m for m in expected if provider == "oidc" or m != "oidc"]
        page.choose("#console-mode", label)
        page.click("#console-act")
        page.wait_for(SESSION_IS.format(session=f"Acting as alice ({label})"))
        page.wait_for("!!document.querySelector('.graphiql-execute-button')")
        page.click(".graphiql-execute-button")
        shown = page.wait_for(
            f"(() => {{ const t = {RESULT}; return t.includes('listTodos') && t }})()"
        )
        assert '"items"' in shown and "errors" not in shown
    finally:
        server.stop()

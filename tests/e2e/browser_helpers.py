"""Headless Chromium (Debian's package) for the browser tests: it trusts the test CA through an
NSS database in a throw-away HOME, as a user trusts the local CA once; no
`--ignore-certificate-errors`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_helpers import TEST_CA

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CERTUTIL = shutil.which("certutil")
# The marks of a browser test module: slow, and skipped where Chromium or certutil is missing.
BROWSER_TEST = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or CERTUTIL is None,
        reason="needs Debian's chromium and libnss3-tools (make browser-deps installs them)",
    ),
]
CREATE = "mutation C($c: String) { createTodo(input: {content: $c}) { id } }"


def trust_ca(home: Path) -> None:
    """What the README's one-time browser step does, in a throw-away HOME."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    assert CERTUTIL is not None
    subprocess.run([CERTUTIL, "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        [CERTUTIL, "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "appsync-data-local", "-i",
         str(TEST_CA.ca_cert)],
        check=True,
    )  # fmt: skip


@contextmanager
def headless_chromium(folder: Path, url: str) -> Iterator[Path]:
    """Chromium showing `url`, its HOME and profile under `folder`, stopped on exit. Yields the
    profile folder, where Chromium writes its DevToolsActivePort."""
    home, profile = folder / "home", folder / "profile"
    trust_ca(home)
    assert CHROMIUM is not None
    browser = subprocess.Popen(
        [
            CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={profile}", "--remote-debugging-port=0", url,
        ],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield profile
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait(10)

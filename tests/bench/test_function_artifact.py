"""The seed app's `stats` function runs from the built artifact as its Lambda would: the layer
without the dev-only parts, the code read-only, a fresh interpreter with Lambda's environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import artifact as built  # noqa: E402

# A caller no rule admits: answered before any DynamoDB request, so no table is needed.
CODE = """
import json, sys
from appsync_data.events import LambdaContextStub, function_event
import stats.app as app
event = function_event("Query", "todoStats", {}, identity=None)
response = app.handler(event, LambdaContextStub())
dev = ("appsync_data.local", "appsync_data.generate")
dev_only = sorted(m for m in sys.modules if m.startswith(dev))
print("RESULT " + json.dumps({"response": response, "dev_only": dev_only}))
"""


@pytest.mark.slow
def test_the_stats_function_imports_and_decides_from_the_built_artifact() -> None:
    artifact = built.build()
    try:
        done = subprocess.run(
            built.child_command(artifact, CODE),
            env=built.lambda_environment(tracing=False),
            cwd=artifact.function_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        built.remove(artifact)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["response"] == {
        "error": {
            "type": "Unauthorized",
            "message": "Not Authorized to access todoStats on type Query",
        }
    }
    assert result["dev_only"] == []

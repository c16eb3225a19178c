"""The built Lambda as the benchmarks run it: the same bytes, the same conditions as on Lambda.

`build()` makes, in a temporary folder, what `sam build` deploys: the function code (`functions/`)
and the runtime layer built by `layers/runtime/Makefile` (pip-installed requirements, the library
without its dev-only parts, bytecode compiled with unchecked-hash invalidation), plus a "runtime"
folder with the boto3 the Lambda runtime provides. Everything is then made read-only, as
/var/task and /opt are on Lambda. Wheels are for this machine (the deployed layer is arm64).

`lambda_environment()` is the environment Lambda gives the function (LAMBDA_TASK_ROOT, region,
credentials, X-Ray daemon address for `Tracing: Active`), so libraries take their Lambda paths.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "bench"
# boto3 as the python3.13 Lambda runtime ships it (it is not in the layer); the same pins as dev.
RUNTIME_PACKAGES = ("boto3==1.44.5", "s3transfer==0.19.3")
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@dataclass(frozen=True)
class Artifact:
    root: Path
    function_dir: Path  # /var/task
    layer_dir: Path  # /opt/python
    runtime_dir: Path  # the runtime's boto3

    @property
    def sys_path(self) -> list[str]:
        """Lambda's import order: function code, then the layer, then the runtime's packages."""
        return [str(self.function_dir), str(self.layer_dir), str(self.runtime_dir)]

    def save(self) -> None:
        (self.root / "artifact.json").write_text(json.dumps({"root": str(self.root)}))


def lambda_python() -> str:
    """Python 3.13 outside any virtualenv (Lambda's runtime has no dev packages on its path)."""
    configured = os.environ.get("BENCH_PYTHON")
    if configured:
        return configured
    pyenv = Path.home() / ".pyenv/versions/3.13.0/bin/python3"
    if pyenv.exists():
        return str(pyenv)
    return getattr(sys, "_base_executable", sys.executable)


def _run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def build(root: Path | None = None) -> Artifact:
    """Build function + layer + runtime boto3 into `root` (a new temporary folder by default)."""
    root = root or Path(tempfile.mkdtemp(prefix="appsync-data-bench-"))
    python = lambda_python()
    layer_artifacts = root / "layer"
    _run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-f",
            str(REPO / "layers/runtime/Makefile"),
            "build-RuntimeLayer",
            f"ARTIFACTS_DIR={layer_artifacts}",
            "PLATFORM=",
            f"PYTHON={python}",
        ],
        stdout=subprocess.DEVNULL,
    )
    function_dir = root / "task"
    shutil.copytree(
        REPO / "functions", function_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    runtime_dir = root / "runtime"
    _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--no-deps",
            "--target",
            str(runtime_dir),
            *RUNTIME_PACKAGES,
        ]
    )
    _run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
          str(runtime_dir)])  # fmt: skip
    artifact = Artifact(root, function_dir, layer_artifacts / "python", runtime_dir)
    artifact.save()
    _run(["chmod", "-R", "a-w", str(function_dir), str(layer_artifacts), str(runtime_dir)])
    return artifact


def load(root: Path) -> Artifact:
    """An artifact `build()` made earlier (for several scripts in one run)."""
    return Artifact(root, root / "task", root / "layer" / "python", root / "runtime")


def remove(artifact: Artifact) -> None:
    _run(["chmod", "-R", "u+w", str(artifact.root)])
    shutil.rmtree(artifact.root)


def lambda_environment(*, tracing: bool = True) -> dict[str, str]:
    """The variables Lambda sets for the data function (plus what its template sets)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": "appsync-data-dev-data",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "_HANDLER": "data.app.handler",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "ASIABENCHMARKEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "bench-secret-not-real",
        "AWS_SESSION_TOKEN": "bench-session-token",
        "PYTHONDONTWRITEBYTECODE": "1",
        # What template.yaml sets.
        "TODO_TABLE": "appsync-data-dev-TodoTable",
        "USER_POOL_ID": "us-east-1_Bench",
        "IDENTITY_POOL_ID": "us-east-1:00000000-0000-0000-0000-000000000000",
        "NEXT_TOKEN_SECRET": "bench-next-token-secret",
        "LIST_MAX_PAGES": "10",
        "POWERTOOLS_SERVICE_NAME": "appsync-data",
        "POWERTOOLS_METRICS_NAMESPACE": "AppSyncData",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }
    if tracing:
        # `Tracing: Active`: the daemon address at init, the trace header per invocation.
        env["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:2000"
        env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
        env["_X_AMZN_TRACE_ID"] = TRACE_HEADER
    return env


def machine(python_version: str | None = None) -> str:
    """One line naming the machine and the Python that ran the measured code (by default the
    Lambda-runtime Python the artifact is measured with)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = (
        python_version
        or subprocess.run(
            [lambda_python(), "-c", "import sys; print(sys.version.split()[0])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    uname = platform.uname()
    return (
        f"{uname.system} {uname.release} {uname.machine}; {cpu}; {os.cpu_count()} cores; "
        f"Python {version}"
    )


def child_command(artifact: Artifact, code: str, *, bench_helpers: bool = False) -> list[str]:
    """A fresh Lambda-like interpreter running `code` with the artifact's import path.

    -I: no user site, no PYTHON* variables, no script folder on the path; -B: no bytecode writes.
    """
    paths = artifact.sys_path + ([str(BENCH_DIR)] if bench_helpers else [])
    prelude = f"import sys; sys.path[:0] = {paths!r}\n"
    return [lambda_python(), "-I", "-B", "-c", prelude + code]

"""The benchmark scripts run on the built artifact and print their side-by-side ratios.

Tiny runs: they prove the scripts work and what they count; timings are never asserted here
(`make bench` measures). The request counts are not timings: they must be at the minimum.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import artifact as built  # noqa: E402

RATIO = re.compile(r"\d+\.\d\dx")


@pytest.fixture(scope="module")
def artifact_dir() -> Iterator[Path]:
    art = built.build()
    yield art.root
    built.remove(art)


def run_script(name: str, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(REPO / "bench" / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.startswith("machine: "), completed.stdout
    assert "Python 3." in completed.stdout.splitlines()[0]
    return completed.stdout


@pytest.mark.slow
def test_cold_start_prints_init_and_memory_ratios(artifact_dir: Path) -> None:
    output = run_script("cold_start.py", "--runs", "1", "--artifact", str(artifact_dir))
    for label in ("init (handler ready)", "init + first request", "RSS after init"):
        line = next(line for line in output.splitlines() if line.startswith(label))
        assert RATIO.search(line), line
    # ours / floor, and ours / the libraries DESIGN.md requires
    init = next(line for line in output.splitlines() if line.startswith("init (handler ready)"))
    assert len(RATIO.findall(init)) == 2, init


@pytest.mark.slow
def test_warm_overhead_prints_a_ratio_per_operation(artifact_dir: Path) -> None:
    output = run_script(
        "warm_overhead.py", "--rounds", "1", "--calls", "5", "--artifact", str(artifact_dir)
    )
    for operation in ("get", "list", "create", "update", "delete"):
        line = next(line for line in output.splitlines() if line.startswith(operation + " "))
        # ours / minimal, untraced / minimal, ours / minimal with the same observability
        assert len(RATIO.findall(line)) == 3, line


@pytest.mark.slow
def test_request_counts_are_at_the_minimum(artifact_dir: Path) -> None:
    output = run_script("request_counts.py", "--artifact", str(artifact_dir))
    rows = [line for line in output.splitlines() if RATIO.search(line)]
    labels = [row.split("  ")[0] for row in rows]
    assert labels == [
        "get",
        "list (one page)",
        "list (filter, 3 pages)",
        "create",
        "update",
        "delete",
    ]
    assert all("1.00x" in row for row in rows), output


@pytest.mark.slow
def test_local_throughput_prints_figures_per_operation_without_errors() -> None:
    output = run_script("local_throughput.py", "--quick")
    for operation in ("getTodo", "createTodo"):
        line = next(line for line in output.splitlines() if line.startswith(operation + " "))
        requests, per_second, p50, p99, errors = line.split()[1:]
        assert int(requests) == 20, line
        assert float(per_second) > 0, line
        assert p50.endswith("ms") and p99.endswith("ms"), line
        assert float(p50[:-2]) <= float(p99[:-2]), line
        assert errors == "0", line


@pytest.mark.slow
def test_realtime_latency_prints_delivery_percentiles_without_errors() -> None:
    output = run_script("realtime_latency.py", "--quick")
    lines = [line for line in output.splitlines() if line.startswith("delivery ")]
    assert len(lines) == 2, output
    for line in lines:
        words = line.split()
        p50, p99 = float(words[words.index("p50") + 1]), float(words[words.index("p99") + 1])
        assert p50 <= p99, line
        assert "(25 deliveries)" in line, line  # 5 subscribers x 5 mutations, all delivered


def test_modeling_counts_print_ours_beside_amplify_with_the_same_results() -> None:
    output = run_script("modeling_counts.py", "--items", "300", "--batch-size", "10")
    rows = {
        line[:36].strip(): line[36:].split()
        for line in output.splitlines()
        if line.endswith(" yes") or " NO " in line
    }
    assert all(cells[-1] == "yes" for cells in rows.values()), output
    # (requests, items read, Lambda calls) ours, then Amplify's
    lazy = [int(c) for c in rows["lazy load post.comments() (5)"][:6]]
    assert lazy[:3] == [1, 5, 1] and lazy[3] == 4 and lazy[4] == 305  # a Scan of the table
    nested = [int(c) for c in rows["listBlogs{posts{comments}} 20x5x3"][:6]]
    assert nested == [121, 420, 1 + 2 + 10, 121, 420, 0]
    belongs = [int(c) for c in rows["posts{blog} (100 belongsTo)"][:6]]
    assert (
        belongs[0] == belongs[2] == 1 + 10 and belongs[3] == 101
    )  # one BatchGetItem per batch of 10
    assert "121 without batching" in output

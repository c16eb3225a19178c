"""Cold start and memory of the built data Lambda against the floor, side by side in one run.

Each run starts a fresh interpreter (Python 3.13, `-I -B`, no writable bytecode cache) on the
read-only built artifact with Lambda's environment (see artifact.py), and times process start ->
handler ready, as the parent sees it:

- ours:  `import data.app` (the handler module Lambda imports: DataApi built, client created);
- floor: `import botocore.session` and create a DynamoDB client: the least any DynamoDB Lambda does;
- libraries: the floor plus what DESIGN.md makes every build import and set up (Powertools Logger,
  Metrics, Tracer patching botocore, AppSyncResolver; PynamoDB), so ours / libraries is the init
  cost of our own code;
- and, in separate runs, "+ first request": init and then one `getTodo` (floor: one GetItem)
  answered locally at the HTTP layer, so work moved from init to the first request still counts.

Runs are interleaved (ours, floor, ours, floor, ...); medians of `--runs` runs; RSS after init
(VmRSS) and peak (VmHWM). Usage: `python bench/cold_start.py [--runs 15] [--artifact DIR]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

import artifact as built

MARK = "BENCH-READY "
_REPORT = f"""
status = dict(l.split(':', 1) for l in open('/proc/self/status') if l.startswith('Vm'))
kib = lambda k: int(status[k].split()[0])
print({MARK!r} + __import__('json').dumps({{'rss': kib('VmRSS'), 'hwm': kib('VmHWM')}}),
      flush=True)
"""
CHILDREN = {
    ("ours", "init"): "import data.app\n",
    ("floor", "init"): (
        "import botocore.session\n"
        "client = botocore.session.get_session().create_client('dynamodb')\n"
    ),
    ("libraries", "init"): (
        "import botocore.session\n"
        "client = botocore.session.get_session().create_client('dynamodb')\n"
        "from aws_lambda_powertools import Logger, Metrics, Tracer\n"
        "from aws_lambda_powertools.event_handler.appsync import AppSyncResolver\n"
        "import pynamodb.models\n"
        "Logger(service='bench'), Metrics(namespace='Bench'), AppSyncResolver()\n"
        "Tracer(service='bench', patch_modules=['botocore'])\n"
    ),
    ("ours", "first"): (
        "import canned\ncanned.answer_dynamodb_locally()\n"
        "import data.app\n"
        "response = data.app.handler(canned.appsync_event('get'), canned.LambdaContext())\n"
        "assert response['data']['id'] == canned.ITEM_ID, response\n"
    ),
    ("floor", "first"): (
        "import canned\ncanned.answer_dynamodb_locally()\n"
        "import botocore.session\n"
        "client = botocore.session.get_session().create_client('dynamodb')\n"
        "got = client.get_item(TableName='Todo', Key={'id': {'S': canned.ITEM_ID}})\n"
        "assert got['Item']['id']['S'] == canned.ITEM_ID, got\n"
    ),
}


def run_once(art: built.Artifact, code: str) -> tuple[float, dict[str, int]]:
    """Seconds from process start to the ready line, and the child's memory figures (KiB)."""
    command = built.child_command(art, code + _REPORT, bench_helpers=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=built.lambda_environment(),
        cwd="/",
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith(MARK):
            elapsed = time.perf_counter() - started
            memory: dict[str, int] = json.loads(line[len(MARK) :])
            break
    else:
        child.wait()
        raise RuntimeError(f"child failed: {child.stderr.read() if child.stderr else ''}")
    child.communicate()
    return elapsed, memory


def measure(art: built.Artifact, runs: int) -> dict[tuple[str, str], list[tuple[float, dict]]]:
    results: dict[tuple[str, str], list[tuple[float, dict]]] = {key: [] for key in CHILDREN}
    run_once(art, "pass\n")  # warm the OS file cache for every variant alike
    for code in CHILDREN.values():
        run_once(art, code)
    for _ in range(runs):
        for key, code in CHILDREN.items():
            results[key].append(run_once(art, code))
    return results


def report(results: dict[tuple[str, str], list[tuple[float, dict]]], runs: int) -> None:
    def ms(key: tuple[str, str]) -> float:
        return statistics.median(t for t, _ in results[key]) * 1000

    def mib(key: tuple[str, str], field: str) -> float:
        return statistics.median(m[field] for _, m in results[key]) / 1024

    print(f"machine: {built.machine()}")
    print(f"cold start, median of {runs} fresh interpreters (process start -> ready)")
    print(f"{'':26}{'ours':>10}{'floor':>10}{'ratio':>8}{'libraries':>12}{'ours/libraries':>16}")
    for phase, label in (("init", "init (handler ready)"), ("first", "init + first request")):
        ours, floor = ms(("ours", phase)), ms(("floor", phase))
        line = f"{label:26}{ours:>8.1f}ms{floor:>8.1f}ms{ours / floor:>7.2f}x"
        if ("libraries", phase) in results:
            libraries = ms(("libraries", phase))
            line += f"{libraries:>10.1f}ms{ours / libraries:>15.2f}x"
        print(line)
    print(f"{'RSS after init':26}{mib(('ours', 'init'), 'rss'):>7.1f}MiB"
          f"{mib(('floor', 'init'), 'rss'):>7.1f}MiB"
          f"{mib(('ours', 'init'), 'rss') / mib(('floor', 'init'), 'rss'):>7.2f}x")  # fmt: skip
    print(f"{'peak RSS after 1st req':26}{mib(('ours', 'first'), 'hwm'):>7.1f}MiB"
          f"{mib(('floor', 'first'), 'hwm'):>7.1f}MiB"
          f"{mib(('ours', 'first'), 'hwm') / mib(('floor', 'first'), 'hwm'):>7.2f}x")  # fmt: skip
    print("targets: init ratio <= 1.25x, RSS after init < 70 MiB")
    print("libraries: the floor + Powertools (Logger, Metrics, Tracer, AppSyncResolver) + PynamoDB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per variant")
    parser.add_argument("--artifact", type=Path, help="a folder artifact.build() made")
    args = parser.parse_args()
    art = built.load(args.artifact) if args.artifact else built.build()
    try:
        report(measure(art, args.runs), args.runs)
    finally:
        if not args.artifact:
            built.remove(art)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

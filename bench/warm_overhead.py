"""Warm per-request cost of the data Lambda against a minimal hand-written boto3 resolver.

For get, list, create, update and delete: the handler is called in-process on the built artifact
with Lambda's environment (`Tracing: Active`: the X-Ray SDK records and sends its subsegments),
DynamoDB answered by botocore's Stubber (queued outside the timed part). The yardstick is
minimal_resolver.py doing the same DynamoDB request per field; a second one, observed_resolver.py,
is that resolver plus the log line, metric and X-Ray subsegments every call must have, so the
last ratio is what our own code (routing, authorization, PynamoDB) adds. Each side runs in its
own fresh interpreter (the X-Ray patch of botocore would otherwise also trace the yardstick),
alternately, `--rounds` times; each child warms up, then times `--calls` calls per operation.
Logs and metrics go to /dev/null (on Lambda: a pipe to the log agent).

Usage: `python bench/warm_overhead.py [--rounds 5] [--calls 300] [--artifact DIR]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

import artifact as built

CHILD = """
import json, time
import canned
from botocore.stub import Stubber
if {variant!r} in ("minimal", "observed"):
    import minimal_resolver, observed_resolver
    client = minimal_resolver.client
    handler = minimal_resolver.handler if {variant!r} == "minimal" else observed_resolver.handler
else:
    from appsync_data.api import DataApi
    from data.resource import schema
    api = DataApi(schema)
    handler, client = api.handle, api.connection.client
context = canned.LambdaContext()
timings = {{}}
with Stubber(client) as stubber:
    for operation, (field, _, dynamodb_operation) in canned.OPERATIONS.items():
        response = canned.RESPONSES[dynamodb_operation]
        samples = []
        for call in range({warmup} + {calls}):
            event = canned.appsync_event(operation)
            stubber.add_response(canned.METHODS[dynamodb_operation], response)
            started = time.perf_counter_ns()
            result = handler(event, context)
            elapsed = time.perf_counter_ns() - started
            assert "data" in result and result["data"] is not None, result
            if call >= {warmup}:
                samples.append(elapsed / 1000)
        timings[operation] = samples
with open({out!r}, "w") as out:
    json.dump(timings, out)
"""
# variant -> extra environment ("ours, no tracer": Powertools' switch, to show what tracing costs)
VARIANTS: dict[str, dict[str, str]] = {
    "ours": {},
    "ours, no tracer": {"POWERTOOLS_TRACE_DISABLED": "true"},
    "minimal": {},
    "observed": {},
}


def run_child(art: built.Artifact, variant: str, calls: int, warmup: int) -> dict[str, list[float]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        code = CHILD.format(variant=variant.split(",")[0], calls=calls, warmup=warmup, out=out.name)
        child = subprocess.run(
            built.child_command(art, code, bench_helpers=True),
            env={**built.lambda_environment(), **VARIANTS[variant]},
            stdout=subprocess.DEVNULL,
            check=False,
            cwd="/",
        )
        if child.returncode:
            raise RuntimeError(f"the {variant!r} child failed (exit {child.returncode})")
        timings: dict[str, list[float]] = json.loads(Path(out.name).read_text())
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fresh interpreters per variant")
    parser.add_argument("--calls", type=int, default=300, help="timed calls per operation")
    parser.add_argument("--artifact", type=Path, help="a folder artifact.build() made")
    args = parser.parse_args()
    warmup = max(5, args.calls // 10)
    art = built.load(args.artifact) if args.artifact else built.build()
    samples: dict[str, dict[str, list[float]]] = {v: {} for v in VARIANTS}
    try:
        for _ in range(args.rounds):
            for variant in VARIANTS:
                for operation, values in run_child(art, variant, args.calls, warmup).items():
                    samples[variant].setdefault(operation, []).extend(values)
    finally:
        if not args.artifact:
            built.remove(art)
    print(f"machine: {built.machine()}")
    print(
        f"warm request, median µs of {args.rounds} x {args.calls} calls (DynamoDB: Stubber); "
        "target ours/minimal <= 1.3x"
    )
    print("  no-trace: ours with POWERTOOLS_TRACE_DISABLED; observed: minimal + log, metric, X-Ray")
    print(
        f"{'operation':10}{'ours':>8}{'minimal':>10}{'ratio':>8}{'no-trace':>11}{'ratio':>8}"
        f"{'observed':>11}{'ours/observed':>15}"
    )
    for operation in samples["ours"]:
        ours = statistics.median(samples["ours"][operation])
        untraced = statistics.median(samples["ours, no tracer"][operation])
        minimal = statistics.median(samples["minimal"][operation])
        observed = statistics.median(samples["observed"][operation])
        print(
            f"{operation:10}{ours:>6.0f}µs{minimal:>8.0f}µs{ours / minimal:>7.2f}x"
            f"{untraced:>9.0f}µs{untraced / minimal:>7.2f}x"
            f"{observed:>9.0f}µs{ours / observed:>14.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

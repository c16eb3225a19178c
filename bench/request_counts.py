"""DynamoDB requests per GraphQL operation, counted with botocore events, against the minimum.

In a fresh interpreter on the built artifact with Lambda's environment, each operation runs
through the handler with DynamoDB answered by botocore's Stubber; every request the client
prepares fires `before-parameter-build.dynamodb.*`, which is what is counted. Minimum: one request
for get, create, update and delete (no DescribeTable, no read before a write), and for list one
Scan per page read: a filtered list whose pages hold 4 matches each needs 3 reads for 10 items.

Usage: `python bench/request_counts.py [--artifact DIR]`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import artifact as built

# (label, operation, arguments or None for canned.OPERATIONS', stubbed responses, minimum)
CHILD = """
import copy, json
import canned
from botocore.stub import Stubber
from appsync_data.api import DataApi
from data.resource import schema
api = DataApi(schema)
client = api.connection.client
sent = []
client.meta.events.register(
    "before-parameter-build.dynamodb", lambda model, **_: sent.append(model.name)
)
page = {{"Items": [canned.ITEM] * 4, "Count": 4, "ScannedCount": 50,
         "LastEvaluatedKey": {{"id": {{"S": canned.ITEM_ID}}}}}}
scenarios = [
    ("get", "get", None, [("GetItem", canned.RESPONSES["GetItem"])], 1),
    ("list (one page)", "list", None, [("Scan", canned.RESPONSES["Scan"])], 1),
    ("list (filter, 3 pages)", "list",
     {{"limit": 10, "filter": {{"content": {{"beginsWith": "buy"}}}}}},
     [("Scan", page)] * 3, 3),
    ("create", "create", None, [("PutItem", canned.RESPONSES["PutItem"])], 1),
    ("update", "update", None, [("UpdateItem", canned.RESPONSES["UpdateItem"])], 1),
    ("delete", "delete", None, [("DeleteItem", canned.RESPONSES["DeleteItem"])], 1),
]
results = []
with Stubber(client) as stubber:
    for label, operation, arguments, responses, minimum in scenarios:
        event = canned.appsync_event(operation)
        if arguments is not None:
            event["arguments"] = copy.deepcopy(arguments)
        for name, response in responses:
            stubber.add_response(canned.METHODS[name], response)
        del sent[:]
        result = api.handle(event, canned.LambdaContext())
        assert "data" in result, result
        results.append([label, list(sent), minimum])
with open({out!r}, "w") as out:
    json.dump(results, out)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, help="a folder artifact.build() made")
    args = parser.parse_args()
    art = built.load(args.artifact) if args.artifact else built.build()
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            child = subprocess.run(
                built.child_command(art, CHILD.format(out=out.name), bench_helpers=True),
                env=built.lambda_environment(),
                stdout=subprocess.DEVNULL,
                check=False,
                cwd="/",
            )
            if child.returncode:
                raise RuntimeError(f"the child failed (exit {child.returncode})")
            results = json.loads(Path(out.name).read_text())
    finally:
        if not args.artifact:
            built.remove(art)
    print(f"machine: {built.machine()}")
    print("DynamoDB requests per GraphQL operation (botocore events); target: the minimum")
    print(f"{'operation':24}{'requests':>9}{'minimum':>9}{'ratio':>8}  sent")
    for label, sent, minimum in results:
        print(f"{label:24}{len(sent):>9}{minimum:>9}{len(sent) / minimum:>7.2f}x  {' '.join(sent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

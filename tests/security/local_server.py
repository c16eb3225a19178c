"""A running dev server (`python -m appsync_data dev`) of a test module's own, called over HTTP.

Each module that attacks the local server starts one (about a second and a half) so that its
table holds only what the module wrote. `LocalApi` gives the module what an attacker would have
(the URL, the public JWKS) plus what a test needs to craft tokens and check the data: the local
folder's keys (`LocalState`) and a full scan of the server's own DynamoDB.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import boto3
import requests
from appsync_data.local.state import LocalState
from appsync_data.local.tokens import LocalIssuer
from e2e.e2e_helpers import DevServerProcess

# One model every provider may use: user pools (default), AWS_IAM (identity pool) and OIDC.
ALL_PROVIDERS_SCHEMA: Final = """\
from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [
                allow.authenticated(),
                allow.authenticated("identityPool"),
                allow.authenticated("oidc"),
            ]
        ),
    }
)
"""
UNAUTHORIZED_BODY: Final = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "Valid authorization header not provided.",
        }
    ]
}
TABLE: Final = "Todo"
HTTP_TIMEOUT_SECONDS: Final = 30.0
_MOTO_LINE: Final = re.compile(r"Starting moto's DynamoDB server on (http://127\.0\.0\.1:\d+) ")
_MAX_SCAN_PAGES: Final = 100


@dataclass(frozen=True)
class LocalApi:
    server: DevServerProcess
    state: LocalState  # the server's local folder: its signing keys and credentials secret
    dynamodb: Any  # a boto3 client of the server's own DynamoDB (moto on loopback)

    @property
    def url(self) -> str:
        return self.server.graphql_url

    @property
    def oidc_issuer(self) -> str:
        return f"{self.server.url}/oidc"

    def user_pool_issuer(self) -> LocalIssuer:
        state = self.state
        return LocalIssuer(state.user_pool_issuer, state.user_pool_client_id, state.user_pool_key)

    def oidc_issuer_of_server(self) -> LocalIssuer:
        state = self.state
        return LocalIssuer(self.oidc_issuer, state.oidc_client_id, state.oidc_key, cognito=False)

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return requests.post(self.url, data=body, headers=headers, timeout=HTTP_TIMEOUT_SECONDS)

    def scan(self) -> dict[str, dict[str, Any]]:
        """Every item of the table, by id, read straight from DynamoDB (not through the API)."""
        items: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {"TableName": TABLE, "ConsistentRead": True}
        for _ in range(_MAX_SCAN_PAGES):
            page = self.dynamodb.scan(**request)
            items.update({item["id"]["S"]: item for item in page.get("Items", [])})
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        raise AssertionError(f"the {TABLE} table has more than {_MAX_SCAN_PAGES} pages")


def _moto_endpoint(server: DevServerProcess) -> str:
    """The DynamoDB endpoint the dev server announced when it started."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = _MOTO_LINE.search(server.output())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"the dev server did not say where DynamoDB is:\n{server.output()}")


@contextlib.contextmanager
def local_api(workdir: Path, schema: Path | None = None) -> Iterator[LocalApi]:
    """A dev server for `schema` (default: every provider) in `workdir`, stopped on exit."""
    if schema is None:
        schema = workdir / "resource_all_providers.py"
        schema.write_text(ALL_PROVIDERS_SCHEMA)
    server = DevServerProcess(schema=schema, workdir=workdir).start()
    try:
        state = LocalState.load(server.local_dir)
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=_moto_endpoint(server),
            region_name=state.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        yield LocalApi(server=server, state=state, dynamodb=dynamodb)
    finally:
        server.stop()

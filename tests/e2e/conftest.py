"""Dev servers for the three reference variants, started once per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_helpers import SEED_SCHEMA, DevServerProcess, write_variant_schema


def _serve(
    tmp_path_factory: pytest.TempPathFactory, name: str, provider: str | None
) -> Iterator[DevServerProcess]:
    workdir = tmp_path_factory.mktemp(name)
    schema = SEED_SCHEMA if provider is None else write_variant_schema(workdir, provider)
    server = DevServerProcess(schema=schema, workdir=workdir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def userpool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    """The seed schema as it is in the repo: allow.authenticated() (user pool)."""
    yield from _serve(tmp_path_factory, "userPools", None)


@pytest.fixture(scope="session")
def identitypool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    yield from _serve(tmp_path_factory, "identityPool", "identityPool")


@pytest.fixture(scope="session")
def oidc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServerProcess]:
    yield from _serve(tmp_path_factory, "oidc", "oidc")

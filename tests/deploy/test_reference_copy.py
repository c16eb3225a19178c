"""The Amplify reference outputs the tests compare with are committed under tests/reference."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import pytest
from deploy_helpers import ROOT

COPY = ROOT / "tests" / "reference" / "amplify"
SOURCE = ROOT.parent / "shared" / "reference" / "amplify"


def test_the_reference_outputs_are_part_of_the_clone() -> None:
    for variant in ("userPools", "identityPool", "oidc", "modeling", "custom-operations"):
        assert (COPY / variant / "output-appsync-schema.graphql").is_file(), variant
    assert (COPY / "auth-truth-table.md").is_file()


@pytest.mark.skipif(not SOURCE.is_dir(), reason="no team reference folder beside this clone")
def test_the_copy_equals_the_team_reference() -> None:
    """Where the team's folder exists, the committed copy is current (`make refresh-reference`)."""

    def differences(compared: filecmp.dircmp[str]) -> list[str]:
        found = [
            os.path.join(compared.left, name)
            for name in compared.left_only + compared.right_only + compared.diff_files
        ]
        for sub in compared.subdirs.values():
            found += differences(sub)
        return found

    assert differences(filecmp.dircmp(str(SOURCE), str(COPY))) == []


def test_no_test_reads_the_team_folder() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path != Path(__file__) and "shared/reference" in path.read_text()
    ]
    assert offenders == []

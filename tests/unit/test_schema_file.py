"""Loading the schema file: a typed error from the library, one line and status 1 from the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from appsync_data.__main__ import main
from appsync_data.schema_file import SchemaFileError, load_schema

CASES = {
    "missing": (None, "no schema file at"),
    "empty": ("x = 1\n", "defines no `schema = a.schema({...})`"),
    "wrong": (
        "from appsync_data import a\nschema = a.schema({'Todo': a.model({'id': a.integer()})})\n",
        "Todo",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_schema_file_raises_a_typed_error(tmp_path: Path, case: str) -> None:
    text, message = CASES[case]
    path = tmp_path / "resource.py"
    if text is not None:
        path.write_text(text)
    with pytest.raises(SchemaFileError, match=re.escape(message)):
        load_schema(path)


@pytest.mark.parametrize("case", CASES)
def test_the_cli_prints_one_line_and_exits_1(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text, _ = CASES[case]
    path = tmp_path / "resource.py"
    if text is not None:
        path.write_text(text)
    assert main(["generate", "--check", "--schema", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and str(path) in err

"""How `make dev` finds the functions of custom operations (local/functions.py): imported as
Lambda imports them, and a clear one-line error for each way a function can be missing or wrong."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from appsync_data.functions import FunctionApi
from appsync_data.local.functions import import_functions
from appsync_data.schema_file import SchemaFileError, load_schema

RESOURCE = """\
from appsync_data import a

schema = a.schema(
    {{
        "Todo": a.model({{"content": a.string()}}).authorization(
            lambda allow: [allow.authenticated()]
        ),
        "ping": a.query()
        .returns(a.string())
        .authorization(lambda allow: [allow.authenticated()])
        .handler(a.handler.function("{name}")),
    }}
)
"""

# The function builds the schema itself (`data` is the repo's own package in this process).
APP = """\
from appsync_data.functions import FunctionApi
import importlib.util, pathlib

spec = importlib.util.spec_from_file_location(
    "resource_{name}", pathlib.Path(__file__).parents[1] / "data" / "resource.py"
)
resource = importlib.util.module_from_spec(spec)
spec.loader.exec_module(resource)
api = FunctionApi(resource.schema, "{name}")
api.operation("ping")(lambda call: "pong")
{handler}
"""


@pytest.fixture
def clean_imports() -> Iterator[None]:
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        del sys.modules[name]


def write_project(tmp_path: Path, name: str, handler: str | None) -> Path:
    data = tmp_path / "functions" / "data"
    data.mkdir(parents=True)
    (data / "resource.py").write_text(RESOURCE.format(name=name))
    if handler is not None:
        folder = tmp_path / "functions" / name
        folder.mkdir()
        (folder / "app.py").write_text(APP.format(name=name, handler=handler))
    return data / "resource.py"


def test_the_function_is_imported_with_functions_first_on_the_path(
    tmp_path: Path, clean_imports: None
) -> None:
    schema_path = write_project(tmp_path, "fnok", "handler = api.lambda_handler()")

    [api] = import_functions(load_schema(schema_path), schema_path)

    assert isinstance(api, FunctionApi) and api.function_name == "fnok"
    assert sys.path[0] == str(tmp_path / "functions")
    assert sys.modules["fnok.app"].handler.api is api


def test_a_schema_without_operations_imports_nothing(tmp_path: Path) -> None:
    schema_path = tmp_path / "resource.py"
    schema_path.write_text(RESOURCE.format(name="x").split('        "ping"')[0] + "    }\n)\n")
    assert import_functions(load_schema(schema_path), schema_path) == []


@pytest.mark.parametrize(
    ("name", "handler", "message"),
    [
        ("fnmissing", None, "does not exist; create it with `python -m appsync_data new-function"),
        ("fnplain", "handler = lambda event, context: {}", "`handler` must be"),
        ("fnnone", "", "`handler` must be `api.lambda_handler()`"),
    ],
)
def test_a_missing_or_wrong_function_is_one_clear_error(
    tmp_path: Path, clean_imports: None, name: str, handler: str | None, message: str
) -> None:
    schema_path = write_project(tmp_path, name, handler)
    with pytest.raises(SchemaFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_functions(load_schema(schema_path), schema_path)


def test_a_function_with_another_schema_is_refused(tmp_path: Path, clean_imports: None) -> None:
    schema_path = write_project(tmp_path, "fnother", "handler = api.lambda_handler()")
    # The server's schema gives `ping` another rule than the one the function was built with.
    schema_path.write_text(
        RESOURCE.format(name="fnother").replace(
            "lambda allow: [allow.authenticated()])\n        .handler",
            'lambda allow: [allow.authenticated("identityPool")])\n        .handler',
        )
    )
    server_schema = load_schema(schema_path)
    (tmp_path / "functions" / "data" / "resource.py").write_text(RESOURCE.format(name="fnother"))

    with pytest.raises(SchemaFileError, match="its operations differ from those"):
        import_functions(server_schema, schema_path)


def test_a_function_that_forgets_an_operation_stops_the_start(
    tmp_path: Path, clean_imports: None
) -> None:
    schema_path = write_project(tmp_path, "fnforgot", "handler = api.lambda_handler()")
    app = tmp_path / "functions" / "fnforgot" / "app.py"
    app.write_text(app.read_text().replace('api.operation("ping")(lambda call: "pong")', ""))

    with pytest.raises(SchemaFileError, match="no code for 'ping'"):
        import_functions(load_schema(schema_path), schema_path)

"""The functions of the schema's custom operations, run in-process as their Lambdas run them.

Each function is `functions/NAME/app.py` next to the schema's `functions/data/`: imported as the
Lambda imports it (`NAME.app`, with `functions/` first on `sys.path`, as /var/task is), its
`handler` (`api.lambda_handler()`) configured with the local server's settings (local DynamoDB,
local user pool and identity pool), and called with the event Amplify hands a function.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appsync_data.config import Settings
from appsync_data.schema import Schema, SchemaError
from appsync_data.schema_file import SchemaFileError

if TYPE_CHECKING:  # imported when used: the Lambda's logger reads its level then (devlog.py)
    from appsync_data.functions import FunctionApi

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class LocalFunctions:
    """ "Query.todoStats" -> the handler that serves it; the functions' DynamoDB clients (the
    dev server journals their writes like the data Lambda's)."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    clients: list[Any] = field(default_factory=list)


def functions_folder(schema_path: Path) -> Path:
    """`functions/` of the project whose schema is `functions/data/resource.py`."""
    return schema_path.resolve().parent.parent


def import_functions(schema: Schema, schema_path: Path) -> list[FunctionApi]:
    """Import every function the schema's operations name, as Lambda imports it;
    `SchemaFileError` (one line, naming the file) when one is missing or does not serve its
    operations. An error in the user's module propagates with its traceback."""
    if not schema.operations:
        return []
    folder = functions_folder(schema_path)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return [_import(name, folder, schema_path, schema) for name in schema.function_names()]


def configure_functions(apis: list[FunctionApi], settings: Settings) -> LocalFunctions:
    """Point the functions at the local server's tables and auth settings."""
    loaded = LocalFunctions()
    for api in apis:
        api.configure(settings)
        for op in api.operations.values():
            loaded.handlers[f"{op.operation_type}.{op.name}"] = api.handle
        loaded.clients.append(api.connection_client)
    return loaded


def _import(name: str, folder: Path, schema_path: Path, schema: Schema) -> FunctionApi:
    from appsync_data.api import logger
    from appsync_data.functions import FunctionSetupError, LambdaHandler

    path = folder / name / "app.py"
    operations = {n: op for n, op in schema.operations.items() if op.function_name == name}
    if not path.is_file():
        raise SchemaFileError(
            f"{schema_path}: {', '.join(operations)} run(s) in function {name!r}, but {path} "
            f"does not exist; create it with `python -m appsync_data new-function {name}`"
        )
    # Its module-level `api.lambda_handler()` configures it from the (empty) environment first:
    # keep that configuration's warnings (no NEXT_TOKEN_SECRET, ...) out of the dev log.
    previous_level = logger.log_level
    logger.setLevel(logging.ERROR)
    try:
        module = importlib.import_module(f"{name}.app")
    except (FunctionSetupError, SchemaError) as exc:
        raise SchemaFileError(f"{path}: {exc}") from None
    finally:
        logger.setLevel(previous_level)
    if Path(getattr(module, "__file__", "") or "").resolve() != path.resolve():
        raise SchemaFileError(
            f"{path}: the module {name}.app is {getattr(module, '__file__', None)}; "
            f"another module named {name!r} shadows the function's folder"
        )
    handler = getattr(module, "handler", None)
    if not isinstance(handler, LambdaHandler) or handler.api.function_name != name:
        raise SchemaFileError(
            f"{path}: `handler` must be `api.lambda_handler()` of FunctionApi(schema, {name!r})"
        )
    if handler.api.operations != operations:
        raise SchemaFileError(
            f"{path}: its operations differ from those {schema_path} declares for {name!r}; "
            "import the schema with `from data.resource import schema`"
        )
    return handler.api

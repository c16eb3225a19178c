"""Loading the app's schema from its Python file, for the commands (`generate`, `dev`, ...)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from appsync_data.schema import Schema, SchemaError

DEFAULT_SCHEMA_PATH = Path("functions/data/resource.py")


class SchemaFileError(Exception):
    """The schema file is missing, declares no schema, or declares a wrong one; the message
    names the file. The commands print it as one line and exit with status 1."""


def load_schema(path: Path) -> Schema:
    """The `schema` attribute of the Python file at `path`; `SchemaFileError` when the file is
    missing, declares no schema, or declares a wrong one."""
    spec = importlib.util.spec_from_file_location(f"_appsync_data_schema_{abs(hash(path))}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SchemaFileError(f"no schema file at {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SchemaError as exc:
        raise SchemaFileError(f"{path}: {exc}") from None
    schema = getattr(module, "schema", None)
    if not isinstance(schema, Schema):
        raise SchemaFileError(f"{path} defines no `schema = a.schema({{...}})`")
    try:
        schema.require_authorized_operations()  # schema-wide rules are known only now
    except SchemaError as exc:
        raise SchemaFileError(f"{path}: {exc}") from None
    return schema

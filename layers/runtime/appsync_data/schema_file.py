"""Loading the app's schema from its Python file, for the commands (`generate`, `dev`, ...)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from appsync_data.schema import Schema, SchemaError

DEFAULT_SCHEMA_PATH = Path("functions/data/resource.py")


def load_schema(path: Path) -> Schema:
    """The `schema` attribute of the Python file at `path`; a clear error (never a traceback)
    when the file is missing, declares no schema, or declares a wrong one."""
    spec = importlib.util.spec_from_file_location(f"_appsync_data_schema_{abs(hash(path))}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SystemExit(f"error: no schema file at {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SchemaError as exc:
        raise SystemExit(f"error: {path}: {exc}") from None
    schema = getattr(module, "schema", None)
    if not isinstance(schema, Schema):
        raise SystemExit(f"error: {path} defines no `schema = a.schema({{...}})`")
    try:
        schema.require_authorized_operations()  # schema-wide rules are known only now
    except SchemaError as exc:
        raise SystemExit(f"error: {path}: {exc}") from None
    return schema

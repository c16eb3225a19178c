"""appsync-data: declare data models and who may use them; serve them from one AppSync Lambda."""

from appsync_data.schema import (
    AuthRule,
    CustomOperation,
    CustomType,
    Field,
    Model,
    Schema,
    SchemaError,
    a,
)

__all__ = [
    "AuthRule",
    "CustomOperation",
    "CustomType",
    "Field",
    "Model",
    "Schema",
    "SchemaError",
    "a",
]

"""`python -m appsync_data new-function NAME`: write functions/NAME/app.py, ready to serve.

When the schema already declares operations with `.handler(a.handler.function(NAME))`, app.py
has one Python function per operation, documented with its arguments and return type, that the
developer fills in. Otherwise it serves an example query, `hello`, whose declaration the command
prints for resource.py. The name follows `a.handler.function`'s rules; an existing folder is
never overwritten.
"""

from __future__ import annotations

import argparse
import keyword
import re
import sys
from pathlib import Path
from typing import Any

from appsync_data.scalars import SCALARS
from appsync_data.schema import CustomOperation, Field, Schema, SchemaError, a
from appsync_data.schema_file import DEFAULT_SCHEMA_PATH, load_schema

_HEADER = '''\
"""The `{name}` function: the code of {what}.

Each operation's Python function gets an `OperationCall`:
- `call.arguments["..."]`: every declared argument, checked against its type (None: not given);
- `call.caller`: who called (`kind`, `sub`, `username`, `groups`, `claims`);
- `call.models["Todo"]`: a model's items (`get`, `list`, `list_all`, `create`, `update`,
  `delete`), with the data Lambda's checks and errors.
Before it runs, the library has refused every caller the operation's rules do not admit (their
call never reaches this code) and every argument of the wrong type. Its result is checked against
`.returns(...)`. Raise a `DataError` subclass to give clients an error type of your own; any other
exception reaches them as InternalFailure, with the traceback in the log only.
"""
{imports}from data.resource import schema

api = FunctionApi(schema, "{name}")
'''

_FOOTER = """

handler = api.lambda_handler()  # stops the Lambda's init if an operation has no function
"""

_HELLO = '''

class EmptyName(DataError):
    """Clients see errorType "EmptyName" and the message."""

    error_type = "EmptyName"


@api.operation("hello")
def hello(call: OperationCall) -> str:
    """Query hello(name: String!): String"""
    name = call.arguments["name"]
    if not name.strip():
        raise EmptyName("Say hello to someone")
    return f"Hello, {name} (from {call.caller.username or call.caller.sub})"
'''

HELLO_DECLARATION = """\
        "hello": a.query()
        .arguments({{"name": a.string().required()}})
        .returns(a.string())
        .authorization(lambda allow: [allow.authenticated()])
        .handler(a.handler.function("{name}")),"""


def python_name(operation_name: str) -> str:
    """`todoStats` -> `todo_stats`, never a keyword."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_name).lower()
    return f"{name}_operation" if keyword.iskeyword(name) else name


def _graphql_type(spec: Field) -> str:
    text = spec.type_name + ("!" if spec.is_required else "")
    if spec.is_array:
        text = f"[{text}]" + ("!" if spec.is_array_required else "")
    return text


def _python_type(spec: Field, schema: Schema) -> str:
    if spec.type_name in schema.models or spec.type_name in schema.custom_types:
        element = "dict[str, Any]"
    else:
        scalar = SCALARS.get(spec.type_name)
        element = scalar.python if scalar is not None else "str"  # enums are strings
    required = spec.is_array_required if spec.is_array else spec.is_required
    if spec.is_array:
        element = f"list[{element}{'' if spec.is_required else ' | None'}]"
    return element if required or element == "Any" else f"{element} | None"


def _stub(op: CustomOperation, schema: Schema, folder: str) -> str:
    arguments = ", ".join(f"{n}: {_graphql_type(spec)}" for n, spec in op.arguments.items())
    signature = f"{op.operation_type} {op.name}"
    signature += f"({arguments})" if arguments else ""
    lines = [
        "",
        "",
        f'@api.operation("{op.name}")',
        f"def {python_name(op.name)}(call: OperationCall) -> {_python_type(op.returns, schema)}:",
        f'    """{signature}: {_graphql_type(op.returns)}"""',
    ]
    lines += [
        f'    # call.arguments["{n}"]: {_graphql_type(spec)}' for n, spec in op.arguments.items()
    ]
    lines.append(f'    raise NotImplementedError("{op.name}: write its code in {folder}/app.py")')
    return "\n".join(lines) + "\n"


def _imports(body: str, *names: str) -> str:
    typing = "from typing import Any\n\n" if "Any" in body else ""
    return f"\n{typing}from appsync_data.functions import {', '.join(names)}\n"


def render_app(name: str, schema: Schema | None, folder: str) -> str:
    """app.py of the function `name`: a stub per operation the schema gives it, else `hello`."""
    operations = [op for op in (schema.operations if schema else {}).values()]
    operations = [op for op in operations if op.function_name == name]
    if schema is None or not operations:
        imports = _imports(_HELLO, "DataError", "FunctionApi", "OperationCall")
        header = _HEADER.format(name=name, what="`hello`", imports=imports)
        return header + _HELLO + _FOOTER
    what = ", ".join(f"`{op.name}`" for op in operations)
    body = "".join(_stub(op, schema, folder) for op in operations)
    imports = _imports(body, "FunctionApi", "OperationCall")
    return _HEADER.format(name=name, what=what, imports=imports) + body + _FOOTER


def new_function(name: str, schema_path: Path) -> tuple[Path, bool]:
    """Write functions/NAME/ next to the schema's functions/data/; the app.py path, and whether
    the schema already declares the function's operations. `SchemaError` for a bad name,
    `FileExistsError` for an existing folder."""
    a.handler.function(name)  # the name rules, in one place
    folder = schema_path.resolve().parent.parent / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; choose another name or edit it")
    schema = load_schema(schema_path) if schema_path.is_file() else None
    declared = schema is not None and name in schema.function_names()
    app = render_app(name, schema, f"functions/{name}")
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(
        f'"""The `{name}` function (Lambda handler `{name}.app.handler`)."""\n', encoding="utf-8"
    )
    (folder / "app.py").write_text(app, encoding="utf-8")
    return folder / "app.py", declared


def _run(args: argparse.Namespace) -> int:
    try:
        app, declared = new_function(args.name, args.schema)
    except (SchemaError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {app} and its __init__.py")
    if declared:
        print("Fill in each operation's function; `make dev` serves them.")
    else:
        print(f"Declare its example query in {args.schema} (then `make dev` serves it):")
        print(HELLO_DECLARATION.format(name=args.name))
    return 0


def register(subparsers: Any) -> None:
    """Add the `new-function` command to `python -m appsync_data`."""
    command = subparsers.add_parser(
        "new-function",
        help="write functions/NAME/app.py for custom operations",
        description=(
            "Write functions/NAME/app.py (and __init__.py): a Python function per custom "
            "operation the schema hands to a.handler.function(NAME), or an example query."
        ),
    )
    command.add_argument("name", metavar="NAME", help="the function's folder name, e.g. stats")
    command.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA_PATH)
    command.set_defaults(run=_run)

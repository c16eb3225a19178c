"""`python -m appsync_data COMMAND`: generate, outputs, new-function, dev, token, credentials."""

from __future__ import annotations

import argparse
import importlib
import sys

from appsync_data.schema_file import SchemaFileError

# Each command group lives with the module that does the work; imported only when used.
_COMMAND_MODULES = (
    "appsync_data.generate.cli",
    "appsync_data.generate.function_scaffold",
    "appsync_data.local.cli",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appsync_data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(commands)
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SchemaFileError as exc:  # a user's mistake: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())

"""`python -m appsync_data COMMAND`: generate, outputs, dev, token, credentials."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each command group lives with the module that does the work; imported only when used.
_COMMAND_MODULES = ("appsync_data.generate.cli", "appsync_data.local.cli")


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
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

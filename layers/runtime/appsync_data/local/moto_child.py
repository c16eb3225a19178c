"""moto's server as the dev server's child: `python -m appsync_data.local.moto_child -H .. -p ..`.

It exits as soon as its stdin reaches end-of-file, which happens when the dev server closes the
pipe or dies in any way (even `kill -9`), so moto never outlives the server that owns it.
"""

from __future__ import annotations

import os
import sys
import threading


def _exit_when_parent_goes() -> None:
    sys.stdin.buffer.read()  # blocks until the parent's end of the pipe is closed
    os._exit(0)


def main() -> None:
    threading.Thread(target=_exit_when_parent_goes, name="parent-watch", daemon=True).start()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()

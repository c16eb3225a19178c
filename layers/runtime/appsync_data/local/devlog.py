"""The dev server's log on the terminal: one readable line per request, and why a 401 was refused.

    12:00:01 POST /graphql query listTodos | userPools alice | allowed | 200 | 14 ms | 1 Lambda call
    12:00:02 refused userPools token: Signature has expired

The data Lambda's own Powertools JSON lines (one per resolver call, ~700 characters) are shown only
with `--verbose`. No line carries a token, signature or key: the request line names the caller,
and refusal reasons are PyJWT's and the SigV4 check's messages, which never quote credentials.
"""

from __future__ import annotations

import logging
import os
import sys

_LOCAL_LOGGERS = ("appsync_data.local",)
_QUIET_LIBRARIES = ("botocore", "urllib3", "werkzeug", "pynamodb")


def configure(*, verbose: bool) -> None:
    """Set up the dev server's log lines; call before the data API is imported."""
    # Powertools reads its level when the Lambda's logger is created (the data API's import).
    if not verbose:
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        # The EMF metric lines are printed, not logged: they go with the other JSON lines.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    elif os.environ.get("POWERTOOLS_LOG_LEVEL", "").upper() != "DEBUG":
        os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    for name in _LOCAL_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)

"""The `stats` function: `todoStats`, how many Todos there are and how many are done.

The library has already checked, before this code runs, that the caller is one the operation's
rules admit (refused callers never get here) and that the arguments have their declared types;
it checks the result against `.returns(...)`.
"""

from typing import Any

from appsync_data.functions import FunctionApi, OperationCall
from data.resource import schema

api = FunctionApi(schema, "stats")


@api.operation("todoStats")
def todo_stats(call: OperationCall) -> dict[str, Any]:
    """Query todoStats: TodoStats. Reads every Todo, page after page."""
    total = done = 0
    for todo in call.models["Todo"].list_all():
        total += 1
        done += todo["done"] is True
    return {"total": total, "done": done}


handler = api.lambda_handler()

"""The app's data schema: models and who may use them (the twin of amplify/data/resource.ts).

`todoStats` is a custom query: its code is the Python function in functions/stats/app.py.
"""

from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string(), "done": a.boolean()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
        "TodoStats": a.custom_type(
            {"total": a.integer().required(), "done": a.integer().required()}
        ),
        "todoStats": a.query()
        .returns(a.ref("TodoStats"))
        .authorization(lambda allow: [allow.authenticated()])
        .handler(a.handler.function("stats")),
    }
)

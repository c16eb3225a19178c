"""The reference custom-operations schema (tests/reference/README.md) written with the Python DSL.

A custom type, two custom queries and a custom mutation, each handled by the function in
functions/stats/ (Amplify's reference names its function `data-fn`; ours is a folder name).
"""

from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string(), "done": a.boolean()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
        "TodoStats": a.custom_type(
            {"total": a.integer().required(), "done": a.integer().required(), "ratio": a.float()}
        ),
        "todoStats": a.query()
        .returns(a.ref("TodoStats"))
        .authorization(lambda allow: [allow.authenticated()])
        .handler(a.handler.function("stats")),
        "echo": a.query()
        .arguments({"message": a.string().required(), "times": a.integer()})
        .returns(a.string())
        .authorization(lambda allow: [allow.authenticated(), allow.authenticated("identityPool")])
        .handler(a.handler.function("stats")),
        "completeAll": a.mutation()
        .arguments({"ids": a.id().required().array().required()})
        .returns(a.ref("Todo").array())
        .authorization(lambda allow: [allow.authenticated()])
        .handler(a.handler.function("stats")),
    }
)

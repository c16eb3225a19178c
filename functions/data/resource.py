"""The app's data schema: models and who may use them (the twin of amplify/data/resource.ts)."""

from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string()}).authorization(
            lambda allow: [allow.authenticated()]
        ),
    }
)

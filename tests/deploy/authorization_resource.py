"""The reference authorization schema (tests/reference/authorization/README.md) in the Python DSL.

Every Amplify Gen 2 rule once: owner, multi-owner, owner in a custom field with a custom identity
claim, OIDC owner, static and OIDC groups, group(s) defined in a field, public API key, guest,
custom (Lambda authorizer), field-level rules, and custom operations under the new rules. Its
TypeScript twin is tests/reference/authorization/generate/ (what Amplify's tools ran on).
"""

from appsync_data import a

schema = a.schema(
    {
        "Todo": a.model({"content": a.string(), "done": a.boolean()}).authorization(
            lambda allow: [allow.owner(), allow.groups(["Admins"])]
        ),
        "Note": a.model({"title": a.string(), "editors": a.string().array()}).authorization(
            lambda allow: [allow.owners_defined_in("editors")]
        ),
        "Order": a.model({"item": a.string(), "author": a.string()}).authorization(
            lambda allow: [
                allow.owner_defined_in("author")
                .identity_claim("email")
                .to(["create", "read", "delete"]),
                allow.authenticated().to(["read"]),
            ]
        ),
        "Ticket": a.model({"subject": a.string()}).authorization(
            lambda allow: [allow.owner("oidc")]
        ),
        "Report": a.model({"title": a.string()}).authorization(
            lambda allow: [
                allow.groups(["Admins", "Auditors"]),
                allow.groups(["Staff"], "oidc").with_claim_in("roles"),
            ]
        ),
        "Document": a.model({"title": a.string(), "team": a.string()}).authorization(
            lambda allow: [allow.group_defined_in("team")]
        ),
        "Project": a.model({"name": a.string(), "teams": a.string().array()}).authorization(
            lambda allow: [allow.groups_defined_in("teams")]
        ),
        "Article": a.model({"title": a.string()}).authorization(
            lambda allow: [allow.public_api_key().to(["read"]), allow.owner()]
        ),
        "Photo": a.model({"url": a.string()}).authorization(
            lambda allow: [allow.guest().to(["read"]), allow.authenticated("identityPool")]
        ),
        "Vault": a.model({"secret": a.string()}).authorization(lambda allow: [allow.custom()]),
        "Profile": a.model(
            {
                "name": a.string(),
                "ssn": a.string().authorization(lambda allow: [allow.owner()]),
                "owner": a.string().authorization(
                    lambda allow: [allow.owner().to(["read", "delete"])]
                ),
            }
        ).authorization(lambda allow: [allow.owner(), allow.authenticated().to(["read"])]),
        "adminReport": a.query()
        .returns(a.string())
        .authorization(lambda allow: [allow.groups(["Admins"])])
        .handler(a.handler.function("stats")),
        "publicEcho": a.query()
        .arguments({"message": a.string()})
        .returns(a.string())
        .authorization(lambda allow: [allow.public_api_key(), allow.guest()])
        .handler(a.handler.function("stats")),
        "vaultCount": a.query()
        .returns(a.integer())
        .authorization(lambda allow: [allow.custom()])
        .handler(a.handler.function("stats")),
    }
).authorization_modes(
    default_authorization_mode="userPool",
    api_key_expires_in_days=30,
    lambda_authorizer=a.handler.function("authorizer"),
    lambda_ttl_seconds=300,
)

"""The reference data-modeling schema (tests/reference/README.md) written with the Python DSL.

Relationships, a secondary index with a sort key and a named query, a custom identifier with a
default-named index, and a composite identifier; every model `allow.authenticated()`, Comment
also readable by identity-pool users.
"""

from appsync_data import a

schema = a.schema(
    {
        "Blog": a.model(
            {
                "name": a.string().required(),
                "posts": a.has_many("Post", "blogId"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
        "Post": a.model(
            {
                "title": a.string().required(),
                "category": a.string(),
                "rating": a.integer(),
                "blogId": a.id(),
                "blog": a.belongs_to("Blog", "blogId"),
                "comments": a.has_many("Comment", "postId"),
            }
        )
        .secondary_indexes(
            lambda index: [
                index("category").sort_keys(["rating"]).query_field("listPostsByCategory")
            ]
        )
        .authorization(lambda allow: [allow.authenticated()]),
        "Comment": a.model(
            {
                "content": a.string().required(),
                "postId": a.id(),
                "post": a.belongs_to("Post", "postId"),
            }
        ).authorization(
            lambda allow: [
                allow.authenticated(),
                allow.authenticated("identityPool").to(["read"]),
            ]
        ),
        "User": a.model(
            {
                "name": a.string(),
                "profile": a.has_one("Profile", "userId"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
        "Profile": a.model(
            {
                "bio": a.string(),
                "userId": a.id(),
                "user": a.belongs_to("User", "userId"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
        "Customer": a.model(
            {
                "customerId": a.id().required(),
                "name": a.string(),
                "accountRepresentativeId": a.id().required(),
            }
        )
        .identifier(["customerId"])
        .secondary_indexes(lambda index: [index("accountRepresentativeId")])
        .authorization(lambda allow: [allow.authenticated()]),
        "Inventory": a.model(
            {
                "warehouseId": a.id().required(),
                "productId": a.id().required(),
                "quantity": a.integer(),
            }
        )
        .identifier(["warehouseId", "productId"])
        .authorization(lambda allow: [allow.authenticated()]),
    }
)

"""Data modeling in the DSL: relationships, identifiers, secondary indexes, and what they
generate (SDL key arguments, index queries, table layout); every wrong declaration refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import Schema, SchemaError, a
from appsync_data.generate.introspection import model_introspection
from appsync_data.generate.sdl import (
    APPSYNC_PRELUDE,
    get_arguments,
    index_query_fields,
    list_arguments,
    mutation_fields,
    query_fields,
    render_sdl,
)
from appsync_data.schema import ModelBuilder, Relationship, SecondaryIndex
from appsync_data.tables import (
    composite_attribute_name,
    composite_key_value,
    relationship_index_name,
    relationship_lookup,
    table_layout,
    table_layouts,
)
from graphql import build_schema


def authed(builder: ModelBuilder) -> ModelBuilder:
    return builder.authorization(lambda allow: [allow.authenticated()])


def blog_post(blog: dict[str, Any] | None = None, post: dict[str, Any] | None = None) -> Schema:
    """Blog hasMany Post / Post belongsTo Blog, with overridable fields."""
    blog_fields: dict[str, Any] = {"name": a.string(), "posts": a.has_many("Post", "blogId")}
    post_fields: dict[str, Any] = {
        "title": a.string(),
        "blogId": a.id(),
        "blog": a.belongs_to("Blog", "blogId"),
    }
    blog_fields.update(blog or {})
    post_fields.update(post or {})
    return a.schema(
        {
            "Blog": authed(a.model({k: v for k, v in blog_fields.items() if v is not None})),
            "Post": authed(a.model({k: v for k, v in post_fields.items() if v is not None})),
        }
    )


def graphql_valid(schema: Schema) -> str:
    sdl = render_sdl(schema)
    build_schema(APPSYNC_PRELUDE + sdl)
    return sdl


# --- relationship builders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snake", "camel", "kind"),
    [
        (a.has_many, a.hasMany, "hasMany"),
        (a.belongs_to, a.belongsTo, "belongsTo"),
        (a.has_one, a.hasOne, "hasOne"),
    ],
)
def test_relationship_builder_and_its_camel_case_alias(
    snake: Callable[[str, str], Relationship], camel: Callable[[str, str], Relationship], kind: str
) -> None:
    assert snake("Post", "blogId") == camel("Post", "blogId")
    assert snake("Post", "blogId") == Relationship(kind, "Post", ("blogId",))  # type: ignore[arg-type]
    # One reference as a string or several as a list.
    assert snake("Post", ["a", "b"]).references == ("a", "b")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("related", "references", "message"),
    [
        ("post", "blogId", None),  # a valid name; unknown model is refused by a.schema
        ("Not a name", "blogId", "related model"),
        ("Post", [], "references"),
        ("Post", ["blogId", "blogId"], "twice"),
        ("Post", ["1bad"], "references"),
    ],
)
def test_relationship_builder_refuses_bad_arguments(
    related: str, references: Any, message: str | None
) -> None:
    if message is None:
        assert a.has_many(related, references).related_model == related
        return
    with pytest.raises(SchemaError, match=message):
        a.has_many(related, references)


def test_schema_keeps_relationships_apart_from_stored_fields() -> None:
    post = blog_post().models["Post"]
    assert "blog" not in post.fields and "blog" in post.relationships
    assert post.all_field_names == ("title", "blogId", "blog", "id", "createdAt", "updatedAt")
    assert post.relationships["blog"] == Relationship("belongsTo", "Blog", ("blogId",))


def test_relationship_fields_in_sdl() -> None:
    sdl = graphql_valid(blog_post())
    assert (
        "  posts(filter: ModelPostFilterInput, sortDirection: ModelSortDirection, limit: Int, "
        "nextToken: String): ModelPostConnection\n" in sdl
    )
    assert "  blog: Blog\n" in sdl
    # Relationship fields are not stored: no filter, condition or input field for them.
    for input_name in ("ModelPostFilterInput", "CreatePostInput", "UpdatePostInput"):
        block = sdl.split(f"input {input_name} {{")[1].split("}")[0]
        assert "blog:" not in block and "blogId:" in block


def test_has_one_field_in_sdl_and_introspection() -> None:
    schema = a.schema(
        {
            "User": authed(a.model({"profile": a.hasOne("Profile", "userId")})),
            "Profile": authed(a.model({"userId": a.id(), "user": a.belongsTo("User", "userId")})),
        }
    )
    assert "  profile: Profile\n" in graphql_valid(schema)
    profile = model_introspection(schema)["models"]["User"]["fields"]["profile"]
    assert profile["association"] == {
        "connectionType": "HAS_ONE",
        "associatedWith": ["userId"],
        "targetNames": [],
    }
    assert table_layout(schema, schema.models["Profile"]).index("gsi-User.profile")


# --- relationship errors -------------------------------------------------------------------------


def test_unknown_related_model_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Blog', field 'posts'.*'Article'"):
        blog_post(blog={"posts": a.has_many("Article", "blogId")})


def test_unknown_reference_field_on_the_child_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Blog', field 'posts'.*'ownerId'.*'Post'"):
        blog_post(
            blog={"posts": a.has_many("Post", "ownerId")},
            post={"blog": a.belongs_to("Blog", "ownerId")},
        )


def test_unknown_reference_field_on_the_belongs_to_side_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Post', field 'blog'.*'blogKey'"):
        blog_post(post={"blog": a.belongs_to("Blog", "blogKey")})


def test_has_many_without_its_belongs_to_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Blog', field 'posts'.*a\.belongsTo\('Blog'"):
        blog_post(post={"blog": None})


def test_belongs_to_without_its_has_many_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Post', field 'blog'.*a\.hasMany or a\.hasOne"):
        blog_post(blog={"posts": None})


def test_pair_with_different_references_is_refused() -> None:
    with pytest.raises(SchemaError, match=r"model 'Blog', field 'posts'"):
        blog_post(
            blog={"posts": a.has_many("Post", "blogId")},
            post={"otherId": a.id(), "blog": a.belongs_to("Blog", "otherId")},
        )


def test_reference_field_type_must_match_the_parent_identifier() -> None:
    with pytest.raises(SchemaError, match=r"field 'posts'.*Post\.blogId is Int but Blog\.id is ID"):
        blog_post(post={"blogId": a.integer()})


def test_reference_count_must_match_the_parent_identifier() -> None:
    parent = a.model(
        {"a": a.id().required(), "b": a.id().required(), "kids": a.hasMany("Kid", "pa")}
    )
    with pytest.raises(SchemaError, match=r"model 'Parent', field 'kids'.*1 reference field"):
        a.schema(
            {
                "Parent": authed(parent.identifier(["a", "b"])),
                "Kid": authed(a.model({"pa": a.id(), "parent": a.belongsTo("Parent", "pa")})),
            }
        )


def test_relationship_cannot_replace_an_implicit_field() -> None:
    with pytest.raises(SchemaError, match=r"model 'Blog', field 'id'"):
        blog_post(blog={"id": a.has_many("Post", "blogId")})


def test_composite_references_to_a_composite_identifier() -> None:
    schema = a.schema(
        {
            "Shop": authed(
                a.model(
                    {
                        "region": a.string().required(),
                        "code": a.string().required(),
                        "staff": a.has_many("Clerk", ["shopRegion", "shopCode"]),
                    }
                ).identifier(["region", "code"])
            ),
            "Clerk": authed(
                a.model(
                    {
                        "shopRegion": a.string(),
                        "shopCode": a.string(),
                        "shop": a.belongs_to("Shop", ["shopRegion", "shopCode"]),
                    }
                )
            ),
        }
    )
    gsi = table_layout(schema, schema.models["Clerk"]).relationship_index("Shop", "staff")
    assert gsi.key.key_schema() == [
        {"attributeName": "shopRegion", "keyType": "HASH"},
        {"attributeName": "shopCode", "keyType": "RANGE"},
    ]
    graphql_valid(schema)


# --- identifier ----------------------------------------------------------------------------------


def inventory(*identifier: str, **fields: Any) -> Schema:
    declared = {
        "warehouseId": a.id().required(),
        "productId": a.id().required(),
        "quantity": a.integer(),
        **fields,
    }
    return a.schema({"Inventory": authed(a.model(declared).identifier(list(identifier)))})


def test_identifier_builder_is_immutable() -> None:
    builder = a.model({"sku": a.string().required()})
    keyed = builder.identifier(["sku"])
    assert builder.identifier_fields == ("id",) and keyed.identifier_fields == ("sku",)


def test_default_identifier_is_an_implicit_id() -> None:
    model = blog_post().models["Blog"]
    assert model.identifier == ("id",) and not model.has_custom_identifier
    assert model.fields["id"].is_required


def test_composite_identifier_replaces_id() -> None:
    model = inventory("warehouseId", "productId").models["Inventory"]
    assert model.identifier == ("warehouseId", "productId")
    assert model.sort_key_fields == ("productId",)
    assert "id" not in model.fields
    assert get_arguments(model) == [("warehouseId", "ID!"), ("productId", "ID!")]
    assert list_arguments(model)[:2] == [
        ("warehouseId", "ID"),
        ("productId", "ModelIDKeyConditionInput"),
    ]
    assert list_arguments(model)[-1] == ("sortDirection", "ModelSortDirection")


def test_identifier_of_three_fields_has_a_composite_sort_key() -> None:
    schema = inventory("warehouseId", "productId", "lot", lot=a.integer().required())
    model = schema.models["Inventory"]
    assert list_arguments(model)[1] == (
        "productIdLot",
        "ModelInventoryPrimaryCompositeKeyConditionInput",
    )
    sdl = graphql_valid(schema)
    assert "input ModelInventoryPrimaryCompositeKeyInput {\n  productId: ID\n  lot: Int\n}" in sdl
    assert "  between: [ModelInventoryPrimaryCompositeKeyInput]\n" in sdl
    layout = table_layout(schema, model)
    assert layout.key.sort_key == "productId#lot"
    assert layout.as_json()["attributeDefinitions"] == [
        {"attributeName": "warehouseId", "attributeType": "S"},
        {"attributeName": "productId#lot", "attributeType": "S"},
    ]


def test_identifier_field_must_be_required() -> None:
    with pytest.raises(
        SchemaError, match=r"model 'Inventory', identifier field 'quantity'.*required"
    ):
        inventory("warehouseId", "quantity")


def test_identifier_field_must_exist() -> None:
    with pytest.raises(SchemaError, match=r"model 'Inventory', identifier field 'sku'.*no such"):
        inventory("sku")


def test_identifier_field_must_be_keyable() -> None:
    with pytest.raises(SchemaError, match=r"identifier field 'open'.*Boolean cannot be a DynamoDB"):
        inventory("open", open=a.boolean().required())


@pytest.mark.parametrize("fields", [[], ["a", "a"], ["not a name"]])
def test_identifier_builder_refuses_bad_lists(fields: list[str]) -> None:
    with pytest.raises(SchemaError, match="identifier"):
        a.model({"a": a.id().required()}).identifier(fields)


# --- secondary indexes ---------------------------------------------------------------------------


def posts(
    *indexes: Callable[[Callable[[str], SecondaryIndex]], Any], camel: bool = False
) -> Schema:
    builder = a.model(
        {
            "title": a.string(),
            "category": a.string(),
            "rating": a.integer(),
            "tags": a.string().array(),
        }
    )
    for callback in indexes:
        builder = (
            builder.secondaryIndexes(callback) if camel else builder.secondary_indexes(callback)
        )
    return a.schema({"Post": authed(builder)})


def test_index_builders_and_camel_case_aliases_agree() -> None:
    snake = posts(lambda index: [index("category").sort_keys(["rating"]).query_field("byCat")])
    camel = posts(
        lambda index: [index("category").sortKeys(["rating"]).queryField("byCat")], camel=True
    )
    assert snake == camel
    (spec,) = snake.models["Post"].secondary_indexes
    assert spec == SecondaryIndex("category", ("rating",), "postsByCategoryAndRating", "byCat")


def test_index_default_names_as_amplify() -> None:
    schema = posts(
        lambda index: [index("category"), index("title").sort_keys(["category", "rating"])]
    )
    names = [(s.index_name, s.query_field_name) for s in schema.models["Post"].secondary_indexes]
    assert names == [
        ("postsByCategory", "listPostByCategory"),
        ("postsByTitleAndCategoryAndRating", "listPostByTitleAndCategoryAndRating"),
    ]


def test_index_name_builder() -> None:
    schema = posts(lambda index: index("category").name("byCategory"))
    (spec,) = schema.models["Post"].secondary_indexes
    assert spec.index_name == "byCategory"
    assert table_layout(schema, schema.models["Post"]).index("byCategory").query_field == (
        "listPostByCategory"
    )


def test_index_query_in_sdl_and_operations() -> None:
    schema = posts(lambda index: [index("category").sort_keys(["rating"]).query_field("byCat")])
    model = schema.models["Post"]
    assert index_query_fields(model) == {
        "byCat": [
            ("category", "String!"),
            ("rating", "ModelIntKeyConditionInput"),
            ("sortDirection", "ModelSortDirection"),
            ("filter", "ModelPostFilterInput"),
            ("limit", "Int"),
            ("nextToken", "String"),
        ]
    }
    assert query_fields(model) == {"getPost": "get", "listPosts": "list", "byCat": "list"}
    assert set(mutation_fields(model)) == {"createPost", "updatePost", "deletePost"}
    sdl = graphql_valid(schema)
    assert "input ModelIntKeyConditionInput {" in sdl


def test_index_with_composite_sort_key() -> None:
    schema = posts(lambda index: [index("category").sort_keys(["rating", "title"])])
    model = schema.models["Post"]
    (arguments,) = index_query_fields(model).values()
    assert arguments[1] == (
        "ratingTitle",
        "ModelPostPostsByCategoryAndRatingAndTitleCompositeKeyConditionInput",
    )
    graphql_valid(schema)
    index = table_layout(schema, model).index("postsByCategoryAndRatingAndTitle")
    assert index.key.sort_key == "rating#title"
    assert index.key.sort_key_fields == ("rating", "title")


@pytest.mark.parametrize(
    ("callback", "message"),
    [
        (
            lambda index: [index("author")],
            r"model 'Post', secondary index on field 'author'.*no such",
        ),
        (
            lambda index: [index("category").sort_keys(["stars"])],
            r"model 'Post', secondary index on field 'stars'.*no such",
        ),
        (lambda index: [index("tags")], r"secondary index on field 'tags'.*String\[\]"),
        (lambda index: [index("category").query_field("listPosts")], r"'listPosts' is already"),
        (
            lambda index: [index("category").query_field("q"), index("title").query_field("q")],
            r"field 'title'.*'q' is already",
        ),
        (
            lambda index: [
                index("category").name("same").query_field("q1"),
                index("title").name("same").query_field("q2"),
            ],
            r"index name 'same' is used twice",
        ),
        (lambda index: ["category"], "must return index"),
    ],
)
def test_wrong_index_is_refused(callback: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        posts(callback)


@pytest.mark.parametrize(
    "build",
    [
        lambda index: index("category").query_field("not a field"),
        lambda index: index("category").name("x"),
        lambda index: index("category").sort_keys(["a", "a"]),
        lambda index: index("not a field"),
    ],
)
def test_index_builders_refuse_bad_names(build: Any) -> None:
    from appsync_data.schema import index

    with pytest.raises(SchemaError):
        build(index)


# --- table layout --------------------------------------------------------------------------------


def test_attribute_types_of_keys() -> None:
    schema = a.schema(
        {
            "Event": authed(
                a.model(
                    {
                        "kind": a.enum(["A", "B"]),
                        "at": a.timestamp(),
                        "score": a.float(),
                        "day": a.date(),
                    }
                ).secondary_indexes(
                    lambda index: [
                        index("kind").sort_keys(["at"]),
                        index("day").sort_keys(["score"]),
                    ]
                )
            )
        }
    )
    layout = table_layouts(schema)["Event"]
    assert dict(layout.attribute_types) == {
        "id": "S",
        "kind": "S",
        "at": "N",
        "day": "S",
        "score": "N",
    }
    assert [i.name for i in layout.indexes_by_partition_key("kind")] == ["eventsByKindAndAt"]
    assert layout.index_for_query("listEvents") is None
    with pytest.raises(KeyError):
        layout.index("missing")
    graphql_valid(schema)


def test_composite_key_values_and_names() -> None:
    assert composite_attribute_name(["status", "createdAt"]) == "status#createdAt"
    assert composite_key_value({"status": "OPEN", "n": 3}, ["status", "n"]) == "OPEN#3"
    assert composite_key_value({"status": "OPEN"}, ["status", "n"]) is None
    assert relationship_index_name("Post", "comments") == "gsi-Post.comments"


def test_keys_of_items_and_composite_attributes() -> None:
    schema = inventory("warehouseId", "productId", "lot", lot=a.integer().required())
    layout = table_layouts(schema)["Inventory"]
    item = {"warehouseId": "w1", "productId": "p1", "lot": 7, "quantity": 2}
    assert layout.key.key_of(item) == {"warehouseId": "w1", "productId#lot": "p1#7"}
    assert layout.composite_attributes(item) == {"productId#lot": "p1#7"}
    with pytest.raises(KeyError, match="lot"):
        layout.key.key_of({"warehouseId": "w1", "productId": "p1"})
    simple = table_layouts(blog_post())["Post"]
    assert simple.key.key_of({"id": "x", "title": "t"}) == {"id": "x"}
    assert simple.composite_attributes({"id": "x"}) == {}


def test_create_table_properties() -> None:
    post = table_layouts(blog_post())["Post"]
    assert post.as_dynamodb() == {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "blogId", "AttributeType": "S"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "gsi-Blog.posts",
                "KeySchema": [{"AttributeName": "blogId", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    }
    assert "GlobalSecondaryIndexes" not in table_layouts(blog_post())["Blog"].as_dynamodb()


def test_self_relationship() -> None:
    schema = a.schema(
        {
            "Employee": authed(
                a.model(
                    {
                        "managerId": a.id(),
                        "manager": a.belongs_to("Employee", "managerId"),
                        "reports": a.has_many("Employee", "managerId"),
                    }
                )
            )
        }
    )
    layout = table_layouts(schema)["Employee"]
    assert [i.name for i in layout.indexes] == ["gsi-Employee.reports"]
    sdl = graphql_valid(schema)
    assert "  manager: Employee\n" in sdl


def test_custom_identifier_beside_a_declared_id() -> None:
    # Amplify keeps a declared `id` as an ordinary optional field when another field is the key.
    schema = a.schema(
        {"Tag": authed(a.model({"slug": a.string().required(), "id": a.id()}).identifier(["slug"]))}
    )
    sdl = graphql_valid(schema)
    assert "input CreateTagInput {\n  slug: String!\n  id: ID\n}" in sdl
    assert "input UpdateTagInput {\n  slug: String!\n  id: ID\n}" in sdl
    assert "input DeleteTagInput {\n  slug: String!\n}" in sdl
    assert "getTag(slug: String!): Tag" in sdl


def test_relationship_lookups() -> None:
    schema = blog_post()
    blog, post = schema.models["Blog"], schema.models["Post"]
    posts = relationship_lookup(schema, blog, "posts", {"id": "b1", "name": "n"})
    assert (posts.kind, posts.related_model, posts.key) == ("hasMany", "Post", {"blogId": "b1"})
    assert posts.index is not None and posts.index.name == "gsi-Blog.posts"
    parent = relationship_lookup(schema, post, "blog", {"id": "p1", "blogId": "b1"})
    assert (parent.index, parent.key) == (None, {"id": "b1"})
    assert relationship_lookup(schema, post, "blog", {"id": "p1"}).key is None


def test_relationship_lookup_with_a_composite_identifier() -> None:
    refs = ["shopRegion", "shopCode", "shopDesk"]
    schema = a.schema(
        {
            "Shop": authed(
                a.model(
                    {
                        "region": a.string().required(),
                        "code": a.string().required(),
                        "desk": a.integer().required(),
                        "staff": a.has_many("Clerk", refs),
                    }
                ).identifier(["region", "code", "desk"])
            ),
            "Clerk": authed(
                a.model(
                    {
                        "shopRegion": a.string(),
                        "shopCode": a.string(),
                        "shopDesk": a.integer(),
                        "shop": a.belongs_to("Shop", refs),
                    }
                )
            ),
        }
    )
    shop = {"region": "eu", "code": "c1", "desk": 4}
    staff = relationship_lookup(schema, schema.models["Shop"], "staff", shop)
    assert staff.key == {"shopRegion": "eu", "shopCode#shopDesk": "c1#4"}
    clerk = {"id": "k", "shopRegion": "eu", "shopCode": "c1", "shopDesk": 4}
    owner = relationship_lookup(schema, schema.models["Clerk"], "shop", clerk)
    assert owner.key == {"region": "eu", "code#desk": "c1#4"}
    graphql_valid(schema)

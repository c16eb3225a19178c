"""Identifiers, key arguments, index queries and composite sort keys against moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from appsync_data import a
from backend import Backend, unmarked
from deploy.modeling_resource import schema as modeling_schema
from identities import identity
from modeling_helpers import meter

ORDERS = a.schema(
    {
        "Order": a.model(
            {
                "customerId": a.id().required(),
                "status": a.string().required(),
                "placedAt": a.string().required(),
                "total": a.integer(),
            }
        )
        .secondary_indexes(
            lambda index: [
                index("customerId")
                .sort_keys(["status", "placedAt"])
                .query_field("listOrdersByStatus")
            ]
        )
        .authorization(lambda allow: [allow.authenticated()]),
        "Stock": a.model(
            {
                "warehouseId": a.id().required(),
                "aisle": a.string().required(),
                "productId": a.id().required(),
                "count": a.integer(),
            }
        )
        .identifier(["warehouseId", "aisle", "productId"])
        .authorization(lambda allow: [allow.authenticated()]),
    }
)


@pytest.fixture
def modeling(backend_for: Callable[..., Backend]) -> Backend:
    return backend_for(modeling_schema)


@pytest.fixture
def orders(backend_for: Callable[..., Backend]) -> Backend:
    return backend_for(ORDERS)


def raw_items(backend: Backend, model: str) -> list[dict[str, Any]]:
    client = backend.api.connection.client
    table = backend.api.stores[model].table_name
    return sorted(client.scan(TableName=table)["Items"], key=repr)


def test_composite_identifier_crud_by_its_key(modeling: Backend) -> None:
    counted = meter(modeling.api)
    created = modeling.call(
        "createInventory", {"input": {"warehouseId": "w-1", "productId": "p-1", "quantity": 2}}
    )["data"]
    assert unmarked(created)["quantity"] == 2 and "id" not in created
    # An existing key is an error, never an overwrite.
    again = modeling.call(
        "createInventory", {"input": {"warehouseId": "w-1", "productId": "p-1", "quantity": 9}}
    )
    assert again["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    got = modeling.call("getInventory", {"warehouseId": "w-1", "productId": "p-1"})["data"]
    assert got == unmarked(created)
    assert modeling.call("getInventory", {"warehouseId": "w-1", "productId": "p-2"}) == {
        "data": None
    }
    updated = modeling.call(
        "updateInventory", {"input": {"warehouseId": "w-1", "productId": "p-1", "quantity": 3}}
    )["data"]
    assert updated["quantity"] == 3
    missing = modeling.call(
        "updateInventory", {"input": {"warehouseId": "w-1", "productId": "nope", "quantity": 1}}
    )
    assert missing["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    deleted = modeling.call(
        "deleteInventory", {"input": {"warehouseId": "w-1", "productId": "p-1"}}
    )
    assert deleted["data"]["quantity"] == 3
    # One request per operation.
    assert counted.operations == [
        "PutItem", "PutItem", "GetItem", "GetItem", "UpdateItem", "UpdateItem", "DeleteItem"
    ]  # fmt: skip
    assert raw_items(modeling, "Inventory") == []


def test_custom_identifier_crud_and_list_by_partition_key(modeling: Backend) -> None:
    for n in range(3):
        modeling.call(
            "createCustomer",
            {"input": {"customerId": f"c-{n}", "name": f"n{n}", "accountRepresentativeId": "r-1"}},
        )
    got = modeling.call("getCustomer", {"customerId": "c-1"})["data"]
    assert got["name"] == "n1" and "id" not in got
    counted = meter(modeling.api)
    listed = modeling.call("listCustomers", {"customerId": "c-2"})["data"]
    assert [i["customerId"] for i in listed["items"]] == ["c-2"]
    assert counted.operations == ["Query"] and counted.items_read == 1
    # Amplify: no sort key, no sortDirection.
    refused = modeling.call("listCustomers", {"customerId": "c-2", "sortDirection": "ASC"})
    assert refused["error"] == {
        "type": "InvalidArgumentsError",
        "message": "sortDirection is not supported for List operations without a Sort key defined.",
    }
    assert len(modeling.call("listCustomers", {})["data"]["items"]) == 3
    modeling.call("updateCustomer", {"input": {"customerId": "c-2", "name": "y"}})
    assert modeling.call("getCustomer", {"customerId": "c-2"})["data"]["name"] == "y"
    modeling.call("deleteCustomer", {"input": {"customerId": "c-2"}})
    assert modeling.call("getCustomer", {"customerId": "c-2"})["data"] is None


def test_list_with_hash_key_sort_condition_and_direction(modeling: Backend) -> None:
    for product in ("p-1", "p-2", "p-3", "q-1"):
        modeling.call("createInventory", {"input": {"warehouseId": "w-1", "productId": product}})
    modeling.call("createInventory", {"input": {"warehouseId": "w-2", "productId": "p-1"}})

    def products(arguments: dict[str, Any]) -> list[str]:
        result = modeling.call("listInventories", arguments)
        return [i["productId"] for i in result["data"]["items"]]

    w1 = {"warehouseId": "w-1"}
    assert products({**w1, "productId": {"beginsWith": "p"}}) == ["p-1", "p-2", "p-3"]
    assert products({**w1, "sortDirection": "DESC"}) == ["q-1", "p-3", "p-2", "p-1"]
    assert products({**w1, "productId": {"between": ["p-2", "p-3"]}}) == ["p-2", "p-3"]
    assert products({**w1, "productId": {"gt": "p-2"}}) == ["p-3", "q-1"]
    assert products({**w1, "productId": {"ge": "p-2"}}) == ["p-2", "p-3", "q-1"]
    assert products({**w1, "productId": {"lt": "p-2"}}) == ["p-1"]
    assert products({**w1, "productId": {"le": "p-2"}}) == ["p-1", "p-2"]
    assert products({**w1, "productId": {"eq": "p-3"}}) == ["p-3"]
    no_hash = modeling.call("listInventories", {"productId": {"eq": "p-1"}})
    assert no_hash["error"]["message"] == (
        "When providing argument 'productId' you must also provide arguments warehouseId"
    )
    no_hash_direction = modeling.call("listInventories", {"sortDirection": "DESC"})
    assert no_hash_direction["error"]["type"] == "InvalidArgumentsError"
    # Paging a Query: every item once, in order, across pages.
    seen: list[str] = []
    token = None
    while True:
        page = modeling.call("listInventories", {**w1, "limit": 1, "nextToken": token})["data"]
        seen += [i["productId"] for i in page["items"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == ["p-1", "p-2", "p-3", "q-1"]


def test_index_query_key_conditions_filter_direction_and_pages(modeling: Backend) -> None:
    for n in range(12):
        modeling.call(
            "createPost",
            {"input": {"title": f"t{n}", "category": "news" if n % 2 else "other", "rating": n}},
        )
    counted = meter(modeling.api)

    def ratings(arguments: dict[str, Any]) -> list[int]:
        result = modeling.call("listPostsByCategory", {"category": "news", **arguments})
        return [i["rating"] for i in result["data"]["items"]]

    assert ratings({}) == [1, 3, 5, 7, 9, 11]
    assert counted.operations == ["Query"] and counted.items_read == 6
    assert ratings({"rating": {"gt": 3}, "sortDirection": "DESC", "limit": 10}) == [11, 9, 7, 5]
    assert ratings({"rating": {"between": [3, 7]}}) == [3, 5, 7]
    assert ratings({"rating": {"le": 3}}) == [1, 3]
    assert ratings({"rating": {"eq": 9}}) == [9]
    assert ratings({"filter": {"title": {"eq": "t5"}}}) == [5]
    begins = modeling.call("listPostsByCategory", {"category": "news", "rating": {"beginsWith": 1}})
    assert begins["error"]["type"] == "InvalidArgumentsError"
    pages: list[int] = []
    token = None
    while True:
        result = modeling.call(
            "listPostsByCategory", {"category": "news", "limit": 4, "nextToken": token}
        )["data"]
        pages.append(len(result["items"]))
        token = result["nextToken"]
        if token is None:
            break
    assert pages[:2] == [4, 2]
    # A token of the index is not a token of the table's list, nor the other way round.
    first = modeling.call("listPostsByCategory", {"category": "news", "limit": 1})["data"]
    crossed = modeling.call("listPosts", {"nextToken": first["nextToken"]})
    assert crossed["error"]["type"] == "InvalidNextTokenError"


def test_default_named_index_query(modeling: Backend) -> None:
    for n, rep in enumerate(["r-1", "r-2", "r-1"]):
        modeling.call(
            "createCustomer", {"input": {"customerId": f"c-{n}", "accountRepresentativeId": rep}}
        )
    result = modeling.call(
        "listCustomerByAccountRepresentativeId", {"accountRepresentativeId": "r-1"}
    )
    assert sorted(i["customerId"] for i in result["data"]["items"]) == ["c-0", "c-2"]


def test_composite_sort_key_of_an_index_is_kept_current(orders: Backend) -> None:
    def create(order_id: str, status: str, placed: str) -> None:
        orders.call(
            "createOrder",
            {"input": {"id": order_id, "customerId": "c", "status": status, "placedAt": placed}},
        )

    create("o1", "OPEN", "2026-01-01")
    create("o2", "OPEN", "2026-02-01")
    create("o3", "SHIPPED", "2026-01-15")
    stored = {i["id"]["S"]: i for i in raw_items(orders, "Order")}
    assert stored["o1"]["status#placedAt"] == {"S": "OPEN#2026-01-01"}

    def ids(condition: dict[str, Any] | None, **more: Any) -> list[str]:
        arguments = {"customerId": "c", **more}
        if condition is not None:
            arguments["statusPlacedAt"] = condition
        result = orders.call("listOrdersByStatus", arguments)
        return [i["id"] for i in result["data"]["items"]]

    assert ids({"eq": {"status": "OPEN", "placedAt": "2026-02-01"}}) == ["o2"]
    assert ids({"eq": {"status": "OPEN"}}) == ["o1", "o2"]  # a prefix of the key's fields
    assert ids({"beginsWith": {"status": "OPEN", "placedAt": "2026-01"}}) == ["o1"]
    assert ids(
        {"between": [{"status": "OPEN", "placedAt": "2026-01-10"}, {"status": "SHIPPED"}]}
    ) == ["o2"]
    assert ids({"gt": {"status": "OPEN", "placedAt": "2026-01-15"}}) == ["o2", "o3"]
    assert ids(None, sortDirection="DESC") == ["o3", "o2", "o1"]
    out_of_order = orders.call(
        "listOrdersByStatus", {"customerId": "c", "statusPlacedAt": {"eq": {"placedAt": "x"}}}
    )
    assert out_of_order["error"]["type"] == "InvalidArgumentsError"

    # An update that changes one part must give the other (Amplify's rule); then `a#b` follows.
    partial = orders.call("updateOrder", {"input": {"id": "o1", "status": "SHIPPED"}})
    assert partial["error"] == {
        "type": "InvalidArgumentsError",
        "message": "When updating any part of the composite sort key for @index "
        "'ordersByCustomerIdAndStatusAndPlacedAt', you must provide all fields for the key. "
        "Missing key: 'placedAt'.",
    }
    assert (
        orders.call(
            "updateOrder", {"input": {"id": "o1", "status": "SHIPPED", "placedAt": "2026-03-01"}}
        )["data"]["status"]
        == "SHIPPED"
    )
    stored = {i["id"]["S"]: i for i in raw_items(orders, "Order")}
    assert stored["o1"]["status#placedAt"] == {"S": "SHIPPED#2026-03-01"}
    assert ids({"beginsWith": {"status": "SHIPPED"}}) == ["o3", "o1"]
    # An update that touches neither part leaves the attribute alone.
    orders.call("updateOrder", {"input": {"id": "o1", "total": 5}})
    stored = {i["id"]["S"]: i for i in raw_items(orders, "Order")}
    assert stored["o1"]["status#placedAt"] == {"S": "SHIPPED#2026-03-01"}


def test_three_field_identifier_stores_the_composite_sort_key(orders: Backend) -> None:
    key = {"warehouseId": "w", "aisle": "a1", "productId": "p"}
    orders.call("createStock", {"input": {**key, "count": 1}})
    (item,) = raw_items(orders, "Stock")
    assert item["aisle#productId"] == {"S": "a1#p"}
    assert orders.call("getStock", key)["data"]["count"] == 1
    assert orders.call("updateStock", {"input": {**key, "count": 2}})["data"]["count"] == 2
    listed = orders.call(
        "listStocks", {"warehouseId": "w", "aisleProductId": {"beginsWith": {"aisle": "a1"}}}
    )
    assert [i["productId"] for i in listed["data"]["items"]] == ["p"]
    assert orders.call("deleteStock", {"input": key})["data"]["count"] == 2
    assert raw_items(orders, "Stock") == []


def test_a_refused_caller_touches_nothing(modeling: Backend) -> None:
    modeling.call("createInventory", {"input": {"warehouseId": "w", "productId": "p"}})
    before = raw_items(modeling, "Inventory")
    counted = meter(modeling.api)
    guest = identity("iam_identity_pool_guest")
    for field_name, arguments in [
        ("getInventory", {"warehouseId": "w", "productId": "p"}),
        ("listInventories", {"warehouseId": "w"}),
        ("listPostsByCategory", {"category": "news"}),
        ("updateInventory", {"input": {"warehouseId": "w", "productId": "p", "quantity": 1}}),
        ("deleteInventory", {"input": {"warehouseId": "w", "productId": "p"}}),
    ]:
        refused = modeling.call(field_name, arguments, identity=guest)
        assert refused["error"]["type"] == "Unauthorized", field_name
    assert counted.operations == []
    assert raw_items(modeling, "Inventory") == before

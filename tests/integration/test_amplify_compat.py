"""amplify-compat: a table written by Amplify's resolvers and one written by ours interchange.

Amplify's createX resolver (tests/reference/amplify/modeling/resolvers/Mutation.create*.req.vtl)
puts `util.dynamodb.toMapValues(createdAt + updatedAt + input + __typename)`; updateX SETs each
non-null input value with `util.dynamodb.toDynamoDB`, REMOVEs each null one and SETs updatedAt.
`amplify_create` / `amplify_update` below replay that, with a converter written here from
AppSync's documented type rules (not the library's), and every model of the reference schemas plus
a rich schema (every `a.*` type, lists, enums, defaults, AWSJSON of every JSON kind) is checked
both ways: an Amplify-written item read through our get/list (with filters), and our create/update
read raw with boto3 and compared with what Amplify's resolver would have written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from appsync_data import a
from appsync_data.local.scalars import aws_json_output
from appsync_data.schema import Field, Model, Schema
from appsync_data.schema_file import load_schema
from appsync_data.tables import table_layout
from backend import Backend, unmarked

TESTS = Path(__file__).resolve().parents[1]
REFERENCE = TESTS / "reference" / "amplify"
REFERENCE_SCHEMAS = {
    "seed": TESTS.parent / "functions" / "data" / "resource.py",
    "custom-operations": TESTS / "deploy" / "custom_operations_resource.py",
    "modeling": TESTS / "deploy" / "modeling_resource.py",
}
CREATED_AT = "2026-12-01T10:00:00.000Z"
UPDATED_AT = "2026-12-01T11:30:00.000Z"

RICH = a.schema(
    {
        "Priority": a.enum(["LOW", "HIGH"]),
        "Record": a.model(
            {
                "name": a.string().required(),
                "ref": a.id(),
                "count": a.integer().default(0),
                "ratio": a.float(),
                "done": a.boolean(),
                "day": a.date(),
                "at": a.time(),
                "when": a.datetime(),
                "stamp": a.timestamp(),
                "mail": a.email(),
                "site": a.url(),
                "phone": a.phone(),
                "ip": a.ip_address(),
                "priority": a.ref("Priority"),
                "mood": a.enum(["CALM", "BUSY"]),
                "label": a.string().default("none"),
                "meta": a.json(),  # an object
                "metaList": a.json(),  # an array
                "metaNumber": a.json(),
                "metaText": a.json(),  # a JSON string
                "metaFlag": a.json(),
                "metas": a.json().array(),
                "tags": a.string().array(),
                "ids": a.id().required().array(),
                "counts": a.integer().array(),
                "ratios": a.float().array().required(),
                "flags": a.boolean().array(),
                "days": a.date().array(),
                "times": a.time().array(),
                "whens": a.datetime().array(),
                "stamps": a.timestamp().array(),
                "mails": a.email().array(),
                "sites": a.url().array(),
                "phones": a.phone().array(),
                "ips": a.ip_address().array(),
                "priorities": a.ref("Priority").array(),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
    }
)

# A value of each scalar as AppSync hands it to a resolver (AWSJSON: parsed).
SAMPLES: dict[str, list[Any]] = {
    "String": ["text é ✓", ""],
    "ID": ["id-7f3a", "b"],
    "Int": [42, -(2**53)],
    "Float": [2.5, -0.125],
    "Boolean": [True, False],
    "AWSDate": ["2026-12-01", "1970-01-01Z"],
    "AWSTime": ["12:30:00.000Z", "23:59:59"],
    "AWSDateTime": ["2026-12-01T12:30:00.000Z", "2026-12-01T12:30:00+02:00"],
    "AWSTimestamp": [1796170000, 0],
    "AWSEmail": ["a@example.com", "b.c@example.org"],
    "AWSURL": ["https://example.com/x?y=1", "http://localhost:3000"],
    "AWSPhone": ["+15555550100", "+44 20 7946 0000"],
    "AWSIPAddress": ["192.0.2.1", "2001:db8::1/64"],
    "AWSJSON": [{"a": [1, 2.5, None, True, "x", {"b": {}}], "n": 10**20}, []],
}
JSON_KINDS: dict[str, Any] = {
    "meta": {"a": [1, 2.5, None, True, "x", {"b": {}}], "n": 10**20, "deep": {"e": [[]]}},
    "metaList": [1, "two", {"three": 3}, [4.5]],
    "metaNumber": 12.75,
    "metaText": "just a string, or {not json",
    "metaFlag": False,
}


def to_dynamodb(value: Any) -> dict[str, Any]:
    """AppSync's `util.dynamodb.toDynamoDB`, from its documented type rules: string S, number N,
    boolean BOOL, null NULL, list L, map M (each nested value likewise)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [to_dynamodb(v) for v in value]}
    return {"M": {k: to_dynamodb(v) for k, v in value.items()}}


def amplify_create(model: Model, input_: Mapping[str, Any]) -> dict[str, Any]:
    """The item Amplify's createX resolver puts: its init slot's defaults (timestamps, then each
    `@default` via `defaultIfNull`), the input over them, `__typename`; `toMapValues` of it all."""
    merged: dict[str, Any] = {"createdAt": CREATED_AT, "updatedAt": CREATED_AT, **input_}
    for name, field in model.user_fields.items():
        if field.has_default and merged.get(name) is None:
            merged[name] = field.default_value
    merged["__typename"] = model.name
    return {name: to_dynamodb(value) for name, value in merged.items()}


def amplify_update(before: Mapping[str, Any], input_: Mapping[str, Any]) -> dict[str, Any]:
    """The item after Amplify's updateX resolver: SET each non-null value, REMOVE each null one,
    SET updatedAt (its init slot); the key is not written."""
    after = dict(before)
    for name, value in {**input_, "updatedAt": UPDATED_AT}.items():
        if name == "id":
            continue
        if value is None:
            after.pop(name, None)
        else:
            after[name] = to_dynamodb(value)
    return after


def sample_input(model: Model, variant: int) -> dict[str, Any]:
    """An input giving every field of `model` a value (variant 0 or 1), a list with a null
    element where elements may be null."""
    values: dict[str, Any] = {"id": f"{model.name.lower()}-{variant}"}
    # DynamoDB refuses an empty string as a GSI key (Amplify's writes too): keys get text.
    index_keys = {name for index in table_layout(None, model).indexes for name in index.key.fields}
    for name, field in model.user_fields.items():
        if name in JSON_KINDS and variant == 0:
            values[name] = JSON_KINDS[name]
            continue
        element = _sample_element(field, variant)
        if field.is_array:
            values[name] = [element, _sample_element(field, 1 - variant)]
            if not field.is_required:
                values[name].append(None)
        else:
            values[name] = element if element != "" or name not in index_keys else f"k{variant}"
    return values


def _sample_element(field: Field, variant: int) -> Any:
    if field.is_enum:
        return (field.enum_values or RICH.enums.get(field.type_name) or ("A", "B"))[variant]
    return SAMPLES[field.type_name][variant]


def expected_result(model: Model, input_: Mapping[str, Any]) -> dict[str, Any]:
    """What getX returns for the item `amplify_create` writes."""
    result: dict[str, Any] = {name: None for name in model.fields}
    result.update(input_)
    for name, field in model.user_fields.items():
        if field.has_default and result.get(name) is None:
            result[name] = field.default_value
    result.update(createdAt=CREATED_AT, updatedAt=CREATED_AT, __typename=model.name)
    return result


def field_filters(model: Model, input_: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A filter per given field that the item matches: `eq` on a scalar (AWSJSON as JSON text,
    as the SDL's String filter takes it), `contains` of an element on a list."""
    filters = []
    for name, value in input_.items():
        field = model.fields[name]
        if value is None or name == "id":
            continue
        if field.is_array and _is_json(field):
            continue  # the String filter's `contains` looks for a string; these hold objects
        if field.is_array:
            filters.append({name: {"contains": _filter_value(field, value[0])}})
        else:
            filters.append({name: {"eq": _filter_value(field, value)}})
    return filters


def _filter_value(field: Field, value: Any) -> Any:
    return json.dumps(value) if _is_json(field) else value


def _is_json(field: Field) -> bool:
    return not field.is_enum and field.type_name == "AWSJSON"


# --- the models checked -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str  # the schema's
    schema: Schema
    model: Model

    @property
    def id(self) -> str:
        return f"{self.label}-{self.model.name}"


def reference_cases() -> Iterator[Case]:
    """Every model of the reference schemas that the store serves: those keyed by `id` (a model
    with a custom or composite identifier needs a table keyed by it)."""
    for label, path in REFERENCE_SCHEMAS.items():
        schema = load_schema(path)
        for model in schema.models.values():
            if model.identifier == ("id",):
                yield Case(label, schema, model)


CASES = [*reference_cases(), Case("rich", RICH, RICH.model("Record"))]


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def backend(case: Case, backend_for: Callable[..., Backend]) -> Backend:
    return backend_for(case.schema)


def raw_item(backend: Backend, model: Model, item_id: str) -> dict[str, Any]:
    client = backend.api.connection.client
    table = backend.api.stores[model.name].table_name
    item: dict[str, Any] = client.get_item(TableName=table, Key={"id": {"S": item_id}})["Item"]
    return item


def put_raw(backend: Backend, model: Model, item: dict[str, Any]) -> None:
    client = backend.api.connection.client
    client.put_item(TableName=backend.api.stores[model.name].table_name, Item=item)


def _field(model: Model, operation: str) -> str:
    plural = model.plural_name
    return {"get": f"get{model.name}", "list": f"list{plural}"}.get(
        operation, f"{operation}{model.name}"
    )


# --- Amplify wrote it, we read it ---------------------------------------------------------------


def test_every_reference_scalar_and_list_type_is_covered() -> None:
    """The types the checks below write are at least those of Amplify's reference schemas."""
    checked = {
        (f.type_name if not f.is_enum else "enum", f.is_array)
        for c in CASES
        for f in c.model.fields.values()
    }
    for variant in REFERENCE.iterdir():
        introspection = variant / "model-introspection.json"
        if not introspection.is_file():
            continue
        models = json.loads(introspection.read_text(encoding="utf-8"))["models"]
        for model in models.values():
            for field in model["fields"].values():
                if isinstance(field["type"], str):
                    assert (field["type"], field["isArray"]) in checked, (variant.name, field)
    every_scalar = {(name, array) for name in SAMPLES for array in (False, True)}
    assert every_scalar | {("enum", False), ("enum", True)} <= checked


@pytest.mark.parametrize("variant", [0, 1])
def test_an_item_amplify_wrote_reads_through_get_and_list(
    case: Case, backend: Backend, variant: int
) -> None:
    model = case.model
    input_ = sample_input(model, variant)
    put_raw(backend, model, amplify_create(model, input_))

    got = backend.call(_field(model, "get"), {"id": input_["id"]})
    assert got == {"data": expected_result(model, input_)}
    listed = backend.call(_field(model, "list"), {"filter": {"and": field_filters(model, input_)}})
    assert listed["data"]["items"] == [expected_result(model, input_)]


def test_each_filter_finds_an_item_amplify_wrote(case: Case, backend: Backend) -> None:
    model = case.model
    input_ = sample_input(model, 0)
    put_raw(backend, model, amplify_create(model, input_))
    other = sample_input(model, 1)
    put_raw(backend, model, amplify_create(model, other))

    for filter_ in field_filters(model, input_):
        listed = backend.call(_field(model, "list"), {"filter": filter_})
        assert "data" in listed, (filter_, listed)
        assert input_["id"] in [item["id"] for item in listed["data"]["items"]], filter_


def test_an_item_amplify_wrote_with_nulls_and_absent_fields_reads_as_null(
    case: Case, backend: Backend
) -> None:
    model = case.model
    input_ = {"id": "sparse"}
    for name, field in model.user_fields.items():
        needed = field.is_array_required if field.is_array else field.is_required
        if needed:
            input_[name] = sample_input(model, 0)[name]
        elif len(input_) % 2:
            input_[name] = None  # given as null: Amplify stores NULL; others absent
    put_raw(backend, model, amplify_create(model, input_))

    got = backend.call(_field(model, "get"), {"id": "sparse"})["data"]
    assert got == expected_result(model, input_)


# --- we wrote it, Amplify would have written the same -------------------------------------------


@pytest.mark.parametrize("variant", [0, 1])
def test_our_create_writes_what_amplify_writes(case: Case, backend: Backend, variant: int) -> None:
    model = case.model
    input_ = sample_input(model, variant)
    for name, field in model.user_fields.items():
        needed = field.is_array_required if field.is_array else field.is_required
        if variant == 1 and (field.has_default or (not needed and name.startswith("m"))):
            # Amplify's defaultIfNull: null gets the default too; other nulls are stored NULL.
            input_[name] = None

    created = backend.call(_field(model, "create"), {"input": input_})
    assert "data" in created, created

    stored = raw_item(backend, model, input_["id"])
    expected = amplify_create(model, input_)
    expected["createdAt"] = expected["updatedAt"] = {"S": created["data"]["createdAt"]}
    assert stored == expected


def test_our_update_writes_what_amplify_writes(case: Case, backend: Backend) -> None:
    model = case.model
    first = sample_input(model, 0)
    put_raw(backend, model, amplify_create(model, first))
    changes = {"id": first["id"]}
    for index, (name, value) in enumerate(sample_input(model, 1).items()):
        field = model.fields[name]
        needed = field.is_array_required if field.is_array else field.is_required
        if name != "id":
            changes[name] = None if index % 3 == 0 and not needed else value

    updated = backend.call(_field(model, "update"), {"input": changes})
    assert "data" in updated, updated

    stored = raw_item(backend, model, first["id"])
    expected = amplify_update(amplify_create(model, first), changes)
    expected["updatedAt"] = {"S": updated["data"]["updatedAt"]}
    assert stored == expected


def test_our_items_read_back_as_amplify_reads_them(case: Case, backend: Backend) -> None:
    """What our create returns, get and list return too: the values AppSync serializes (AWSJSON
    as the parsed value, which AppSync turns into the JSON text clients receive)."""
    model = case.model
    input_ = sample_input(model, 0)
    created = unmarked(backend.call(_field(model, "create"), {"input": input_})["data"])
    expected = expected_result(model, input_)
    expected.update(createdAt=created["createdAt"], updatedAt=created["updatedAt"])
    assert created == expected
    assert backend.call(_field(model, "get"), {"id": input_["id"]})["data"] == expected


def test_awsjson_reaches_clients_as_json_text() -> None:
    """The resolver returns AWSJSON parsed, as Amplify's DynamoDB resolver does; AppSync (and the
    local server) serialize it to the JSON text the client receives and parses. A string value
    goes out as it is (so text stored by earlier versions reaches clients as the JSON it holds),
    the same for Amplify's resolver and ours, which return the same string."""
    for value in JSON_KINDS.values():
        if not isinstance(value, str):
            assert json.loads(aws_json_output(value)) == value
    assert aws_json_output('{"a":1}') == '{"a":1}'


# --- older versions of this API -----------------------------------------------------------------


def test_an_item_with_awsjson_as_text_from_older_versions_still_reads(
    backend_for: Callable[..., Backend],
) -> None:
    backend = backend_for(RICH)
    model = RICH.model("Record")
    item = amplify_create(model, {"id": "old", "name": "n", "ratios": []})
    item["meta"] = {"S": '{"a":1,"b":[true]}'}
    item["metas"] = {"L": [{"S": '{"c":2}'}, {"NULL": True}]}
    put_raw(backend, model, item)

    got = backend.call("getRecord", {"id": "old"})["data"]
    assert got["meta"] == '{"a":1,"b":[true]}'  # the text, which AppSync returns as it is
    assert got["metas"] == ['{"c":2}', None]
    found = backend.call("listRecords", {"filter": {"meta": {"eq": '{"a":1,"b":[true]}'}}})
    assert [i["id"] for i in found["data"]["items"]] == ["old"]


def test_awsjson_over_dynamodbs_limits_is_a_clear_error(
    backend_for: Callable[..., Backend],
) -> None:
    backend = backend_for(RICH)
    base = {"name": "n", "ratios": []}
    too_big = {"blob": ["x" * 1000] * 420}  # ~420 KB in one item: over DynamoDB's 400 KB
    refused = backend.call("createRecord", {"input": {**base, "meta": too_big}})
    assert refused["error"]["type"] == "DynamoDB:ValidationException"
    assert refused["error"]["message"].startswith("Item size has exceeded the maximum allowed size")

    deep: Any = {}
    for _ in range(40):
        deep = {"d": deep}
    refused = backend.call("createRecord", {"input": {**base, "meta": deep}})
    assert refused["error"] == {
        "type": "InvalidArgumentsError",
        "message": "input.meta: JSON nested more than 32 levels deep (DynamoDB's limit)",
    }
    assert backend.scan("Record") == []

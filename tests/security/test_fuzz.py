"""Property-based fuzzing of everything a caller controls, through the Lambda handler (moto).

Arguments, inputs, filters, conditions, limits, nextTokens and identities of random shapes, types,
sizes, nesting and unicode. Every response must be `{"data": ...}` with a correct result, or a
documented `{"error": {type, message}}` with no stack trace or path in it; never InternalFailure
(an unhandled exception); and a write that fails leaves the table exactly as it was.

The examples share one table holding three seed items, restored after every successful write.
The number of examples each property runs is counted and checked by the last test (>= 10,000).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest
from appsync_data import a
from appsync_data import api as api_module
from appsync_data.api import DataApi
from appsync_data.scalars import ATTRIBUTE_TYPES
from appsync_data.schema import Schema
from backend import appsync_event, create_tables, lambda_context
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from identities import OIDC_ISSUER, USER_POOL_ISSUER, our_settings, user_pool_identity
from security_helpers import FUZZ_CASES, moto_table_items
from security_helpers import check_envelope as check_response

SCHEMA: Final[Schema] = a.schema(
    {
        "Level": a.enum(["LOW", "HIGH"]),
        "Thing": a.model(
            {
                "title": a.string().required(),
                "s": a.string(),
                "n": a.integer(),
                "f": a.float(),
                "b": a.boolean(),
                "ref": a.id(),
                "day": a.date(),
                "at": a.time(),
                "when": a.datetime(),
                "ts": a.timestamp(),
                "email": a.email(),
                "meta": a.json(),
                "phone": a.phone(),
                "url": a.url(),
                "ip": a.ip_address(),
                "kind": a.enum(["A", "B", "C"]),
                "level": a.ref("Level"),
                "tags": a.string().array(),
                "nums": a.integer().required().array(),
                "metas": a.json().array().required(),
                "status": a.enum(["NEW", "DONE"]).default("NEW"),
            }
        ).authorization(lambda allow: [allow.authenticated()]),
    }
)
MODEL: Final = SCHEMA.models["Thing"]
USER_FIELDS: Final = tuple(MODEL.user_fields)
ALL_FIELDS: Final = tuple(MODEL.fields)
SEED_IDS: Final = ("seed-a", "seed-b", "seed-c")
OPERATORS: Final = (
    "eq",
    "ne",
    "le",
    "lt",
    "ge",
    "gt",
    "contains",
    "notContains",
    "between",
    "beginsWith",
    "attributeExists",
    "attributeType",
    "size",
)
SIZE_OPERATORS: Final = ("eq", "ne", "le", "lt", "ge", "gt", "between")
EXAMPLES: Final = {
    "create": 2400,
    "update": 2000,
    "delete": 800,
    "get": 800,
    "list_filter": 2400,
    "next_token": 800,
    "raw_arguments": 800,
    "identity": 600,
}
MIN_TOTAL_CASES: Final = 10_000


def fuzz_settings(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for the property `name`, and a check, when it ends, that it ran all
    of its `EXAMPLES[name]` examples (whatever else of the module ran, in whatever order)."""
    configured = settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        property_test = configured(test)

        @functools.wraps(property_test)
        def run(*args: Any, **kwargs: Any) -> None:
            before = FUZZ_CASES[name]
            property_test(*args, **kwargs)
            ran = FUZZ_CASES[name] - before
            assert ran >= EXAMPLES[name], f"{name}: {ran} of {EXAMPLES[name]} examples ran"

        return run

    return apply


# --- strategies ---------------------------------------------------------------------------------

# Any unicode, lone surrogates included (JSON can carry them as \ud800 escapes).
any_text = st.text(st.characters(codec=None), max_size=16) | st.text(max_size=6)
big_text = st.integers(17, 3000).map(lambda n: "\u00e9" * n)  # 2 bytes each in UTF-8
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6,
)
valid_json_text = json_values.map(json.dumps)


def typed_values(type_name: str, enum_values: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Values of the field's element type (as GraphQL would pass them), edge cases included."""
    if enum_values:
        return st.sampled_from(enum_values)
    return {
        "Int": st.integers(-(2**53), 2**53),
        "AWSTimestamp": st.integers(0, 2**40),
        "Float": st.floats(allow_nan=False, allow_infinity=False, width=64),
        "Boolean": st.booleans(),
        "AWSJSON": valid_json_text | json_values,
    }.get(type_name, any_text | big_text)


def _is_not_none(value: Any) -> bool:
    return value is not None


def typed_field_values(name: str) -> st.SearchStrategy[Any]:
    """Values GraphQL would let through for field `name` (so requests reach DynamoDB)."""
    field = MODEL.fields[name]
    enum_values = field.enum_values or SCHEMA.enums.get(field.type_name, ())
    element = typed_values(field.type_name, enum_values)
    return st.lists(element | st.none(), max_size=6) if field.is_array else element


# Per field: well-typed values, and well-typed values mixed with anything at all.
TYPED_VALUES: Final = {name: typed_field_values(name) for name in MODEL.fields}
ANY_VALUES: Final = {
    name: typed | typed | json_values | st.none() for name, typed in TYPED_VALUES.items()
}
ids = st.sampled_from(SEED_IDS) | any_text | st.just("") | st.integers() | st.none()


@st.composite
def inputs(draw: st.DrawFn, *, with_id: bool) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)  # not an object at all, sometimes
    values = TYPED_VALUES if draw(st.booleans()) else ANY_VALUES
    names = draw(st.lists(st.sampled_from(USER_FIELDS), unique=True, max_size=len(USER_FIELDS)))
    given: dict[str, Any] = {name: draw(values[name] | st.none()) for name in names}
    if with_id or draw(st.booleans()):
        given["id"] = draw(st.sampled_from(SEED_IDS) | ids)
    if draw(st.integers(0, 9)) == 0:
        given[draw(any_text)] = draw(json_values)  # an unknown key
    for name in ("title", "metas"):  # the required fields, usually
        if name not in given and draw(st.integers(0, 3)) > 0:
            given[name] = draw(TYPED_VALUES[name])
    return given


@functools.cache
def operator_values(field_name: str, op: str, typed: bool) -> st.SearchStrategy[Any]:
    values = TYPED_VALUES if typed else ANY_VALUES
    field_strategy = values.get(field_name, json_values)
    if op == "between":
        pair = st.lists(field_strategy, min_size=2, max_size=2)
        return pair if typed else pair | json_values
    if op == "attributeExists":
        return st.booleans() if typed else st.booleans() | json_values
    if op == "attributeType":
        types = st.sampled_from(tuple(ATTRIBUTE_TYPES))
        return types if typed else types | any_text
    if op == "size":
        sizes = st.integers(-5, 500)
        size_ops = st.dictionaries(
            st.sampled_from(SIZE_OPERATORS),
            sizes | st.lists(sizes, min_size=2, max_size=2),
            max_size=3,
        )
        if typed:
            return size_ops
        return size_ops | st.dictionaries(any_text, json_values, max_size=2) | json_values
    return field_strategy


@st.composite
def field_filters(draw: st.DrawFn) -> Any:
    typed = draw(st.booleans())
    names = st.sampled_from(ALL_FIELDS)
    operators = st.sampled_from(OPERATORS)
    field_name = draw(names if typed else names | any_text)
    ops = draw(st.lists(operators if typed else operators | any_text, unique=True, max_size=2))
    if not typed and draw(st.integers(0, 9)) == 0:
        return {field_name: draw(json_values)}  # operators not an object
    return {field_name: {op: draw(operator_values(field_name, op, typed)) for op in ops}}


def filters(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.fixed_dictionaries(
            {},
            optional={
                "and": st.lists(inner, max_size=3) | json_values,
                "or": st.lists(inner, max_size=3) | json_values,
                "not": inner,
            },
        ) | st.tuples(inner, inner).map(lambda pair: {**pair[0], **pair[1]})

    deep_not = st.integers(1, 40).map(_nested_not)
    return st.recursive(field_filters(), extend, max_leaves=max_leaves) | deep_not | json_values


def _nested_not(depth: int) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": {"eq": "x"}}
    for _ in range(depth):
        spec = {"not": spec}
    return spec


conditions = st.none() | st.none() | filters(max_leaves=4)
limits = st.none() | st.integers(-3, 1200) | json_scalars


# --- the shared table ---------------------------------------------------------------------------


class FuzzTarget:
    """The handler over one table with three seed items; restores them after a change."""

    def __init__(self) -> None:
        self.api = DataApi(SCHEMA, our_settings(next_token_secret=b"fuzz-secret"))
        self.store = self.api.stores["Thing"]
        create_tables(self.api)
        self.client = self.api.connection.client
        self.table_name = self.store.table_name
        for item_id in SEED_IDS:
            response = self.call(
                "createThing",
                {
                    "input": {
                        "id": item_id,
                        "title": f"title {item_id}",
                        "n": 1,
                        "tags": ["x"],
                        "metas": [],
                    }
                },
            )
            assert "data" in response, response
        self.seed = self.scan()

    def call(self, field_name: str, arguments: Any, identity: Any = "user") -> dict[str, Any]:
        who = user_pool_identity() if identity == "user" else identity
        event = appsync_event(field_name, {}, who)
        event["arguments"] = arguments
        return self.api.handle(event, lambda_context())  # type: ignore[arg-type]

    def scan(self) -> dict[str, dict[str, Any]]:
        return moto_table_items(self.table_name)

    def restore(self, now: dict[str, dict[str, Any]]) -> None:
        for item_id, item in now.items():
            if item_id not in self.seed:
                self.client.delete_item(TableName=self.table_name, Key={"id": item["id"]})
        for item_id, item in self.seed.items():
            if now.get(item_id) != item:
                self.client.put_item(TableName=self.table_name, Item=item)


@pytest.fixture(scope="module")
def target(module_moto: None) -> Iterator[FuzzTarget]:
    # Info logs are not under test here (test_logs.py reads them) and cost a good part of each
    # example; errors are still logged.
    service_logger = logging.getLogger(api_module.logger.name)
    level = service_logger.level
    service_logger.setLevel(logging.WARNING)
    try:
        yield FuzzTarget()
    finally:
        service_logger.setLevel(level)


def _same_value(given: Any, returned: Any, field_name: str) -> bool:
    """Whether a stored value reads back as what was given (AWSJSON as the same JSON value)."""
    field = MODEL.fields[field_name]
    if field.is_array:
        return isinstance(returned, list) and all(
            _same_element(g, r, field.type_name) for g, r in zip(given, returned, strict=True)
        )
    return _same_element(given, returned, field.type_name)


def _same_element(given: Any, returned: Any, type_name: str) -> bool:
    if type_name == "AWSJSON":
        # Stored as the value itself (a string as a string); numbers come back as JSON numbers.
        return _same_json(given) == _same_json(returned)
    return bool(given == returned)


def _same_json(value: Any) -> str:
    # Numbers as a JSON client reads them (doubles): a whole float reads back as an int
    # (DynamoDB keeps no trailing ".0"), a large one with the decimal digits of its text.
    def whole(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: whole(x) for k, x in v.items()}
        if isinstance(v, list):
            return [whole(x) for x in v]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            number = float(v)
            return int(number) if number.is_integer() and abs(number) <= 2**53 else number
        return v

    return json.dumps(whole(value), sort_keys=True)


def _check_write(
    target: FuzzTarget,
    before: dict[str, dict[str, Any]],
    response: dict[str, Any],
    expect: Callable[[dict[str, Any], dict[str, dict[str, Any]]], None],
) -> None:
    error = check_envelope(response)
    after = target.scan()
    if error is not None:
        assert after == before, error
        return
    try:
        expect(response["data"], after)
    finally:
        target.restore(after)


def _check_fields(
    given: dict[str, Any], data: dict[str, Any], stored: dict[str, Any], *, creating: bool
) -> None:
    """The result shows what was given, and the table holds exactly the non-null fields, plus
    on create a NULL for each field given as null (as Amplify's create stores it)."""
    for name, value in given.items():
        if name != "id" and value is not None:
            assert _same_value(value, data[name], name), (name, value, data)
    for name in MODEL.fields:
        if creating and name in given and data[name] is None:
            assert stored[name] == {"NULL": True}, (name, data, stored)
        else:
            assert (name in stored) == (data[name] is not None), (name, data, stored)


def check_envelope(response: Any) -> dict[str, Any] | None:
    """`security_helpers.check_envelope`, noting the outcome for --hypothesis-show-statistics."""
    error = check_response(response)
    event("outcome: " + ("data" if error is None else error["type"]))
    return error


def _count(name: str) -> None:
    FUZZ_CASES[name] += 1


# --- the properties -----------------------------------------------------------------------------


@fuzz_settings("create")
@given(given_input=inputs(with_id=False), condition=conditions)
def test_create(target: FuzzTarget, given_input: Any, condition: Any) -> None:
    _count("create")
    before = target.scan()
    arguments: dict[str, Any] = {"input": given_input}
    if condition is not None:
        arguments["condition"] = condition
    response = target.call("createThing", arguments)

    def expect(data: dict[str, Any], after: dict[str, dict[str, Any]]) -> None:
        assert isinstance(given_input, dict)
        assert data["id"] not in before and set(after) == {*before, data["id"]}
        assert all(after[item_id] == item for item_id, item in before.items())
        _check_fields(given_input, data, after[data["id"]], creating=True)

    _check_write(target, before, response, expect)


@fuzz_settings("update")
@given(given_input=inputs(with_id=True), condition=conditions)
def test_update(target: FuzzTarget, given_input: Any, condition: Any) -> None:
    _count("update")
    before = target.scan()
    arguments: dict[str, Any] = {"input": given_input, "condition": condition}
    response = target.call("updateThing", arguments)

    def expect(data: dict[str, Any], after: dict[str, dict[str, Any]]) -> None:
        assert isinstance(given_input, dict) and given_input["id"] in before
        assert set(after) == set(before)
        assert all(after[i] == before[i] for i in before if i != given_input["id"])
        _check_fields(given_input, data, after[given_input["id"]], creating=False)

    _check_write(target, before, response, expect)


@fuzz_settings("delete")
@given(
    item_id=ids,
    extra=st.none() | st.dictionaries(any_text, json_values, max_size=2),
    condition=conditions,
    shape=st.integers(0, 9),
)
def test_delete(target: FuzzTarget, item_id: Any, extra: Any, condition: Any, shape: int) -> None:
    _count("delete")
    before = target.scan()
    given_input: Any = {"id": item_id, **(extra or {})} if shape else item_id
    response = target.call("deleteThing", {"input": given_input, "condition": condition})

    def expect(data: dict[str, Any], after: dict[str, dict[str, Any]]) -> None:
        assert data["id"] == item_id and item_id in before
        assert set(after) == set(before) - {item_id}

    _check_write(target, before, response, expect)


@fuzz_settings("get")
@given(item_id=ids, extra=st.dictionaries(any_text, json_values, max_size=2))
def test_get(target: FuzzTarget, item_id: Any, extra: dict[str, Any]) -> None:
    _count("get")
    arguments = {"id": item_id, **extra}
    response = target.call("getThing", arguments)
    if check_envelope(response) is None:
        assert set(arguments) == {"id"}
        data = response["data"]
        if arguments["id"] in target.seed:
            assert data is not None and data["id"] == arguments["id"]
        else:
            assert data is None


@fuzz_settings("list_filter")
@given(list_filter=st.none() | filters(), limit=limits)
def test_list_filter(target: FuzzTarget, list_filter: Any, limit: Any) -> None:
    _count("list_filter")
    response = target.call("listThings", {"filter": list_filter, "limit": limit})
    if check_envelope(response) is None:
        data = response["data"]
        assert set(data) == {"items", "nextToken", "__typename"}
        returned = [item["id"] for item in data["items"]]
        assert len(returned) == len(set(returned)) and set(returned) <= set(target.seed)
        assert data["nextToken"] is None or isinstance(data["nextToken"], str)


@functools.cache
def _genuine_token(target: FuzzTarget) -> tuple[str, dict[str, Any]]:
    """A token of the first page of one, and the second page it leads to."""
    token = target.call("listThings", {"limit": 1})["data"]["nextToken"]
    return token, target.call("listThings", {"limit": 1, "nextToken": token})


@fuzz_settings("next_token")
@given(data=st.data())
def test_next_token(target: FuzzTarget, data: st.DataObject) -> None:
    """Random and mutated tokens: refused, or (when the mutation leaves the signed bytes as they
    were) exactly the genuine token's page. Never a read from a key we did not issue."""
    _count("next_token")
    genuine, expected = _genuine_token(target)
    position = data.draw(st.integers(0, len(genuine)))
    token = data.draw(
        st.one_of(
            any_text,
            json_values.filter(_is_not_none),  # null is no token: the first page
            st.just(genuine[:position] + data.draw(any_text) + genuine[position:]),
            st.just(genuine[:position] + genuine[position + 1 :]),
            st.just(genuine.swapcase()),
            st.just(genuine.replace(".", data.draw(st.sampled_from(["", "..", ":", "."])), 1)),
        )
    )
    response = target.call("listThings", {"limit": 1, "nextToken": token})
    error = check_envelope(response)
    if error is None:
        assert response == expected, token
    else:
        assert error["type"] in ("InvalidNextTokenError", "InvalidArgumentsError"), error


@fuzz_settings("raw_arguments")
@given(
    field_name=st.sampled_from(
        ["getThing", "listThings", "createThing", "updateThing", "deleteThing"]
    ),
    arguments=st.dictionaries(
        st.sampled_from(["id", "input", "condition", "filter", "limit", "nextToken"]) | any_text,
        json_values,
        max_size=4,
    ),
)
def test_raw_arguments(target: FuzzTarget, field_name: str, arguments: dict[str, Any]) -> None:
    _count("raw_arguments")
    before = target.scan()
    response = target.call(field_name, arguments)
    error = check_envelope(response)
    after = target.scan()
    if error is not None or field_name.startswith(("get", "list")):
        assert after == before
    target.restore(after)


_LOOKALIKE_VALUES: Final = st.sampled_from(
    [
        USER_POOL_ISSUER + "/",
        USER_POOL_ISSUER.upper(),
        OIDC_ISSUER + "/",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
        "us-east-1:99999999-8888-7777-6666-555555555555",
        "arn:aws:sts::123456789012:assumed-role/appsync-data-AuthRole/Other",
        "authenticated ",
        "unauthenticated",
    ]
)
_IDENTITY_KEYS: Final = st.sampled_from(
    [
        "sub",
        "issuer",
        "username",
        "claims",
        "groups",
        "userArn",
        "accountId",
        "cognitoIdentityPoolId",
        "cognitoIdentityId",
        "cognitoIdentityAuthType",
        "cognitoIdentityAuthProvider",
        "resolverContext",
    ]
)


@fuzz_settings("identity")
@given(
    identity=json_values
    | st.dictionaries(_IDENTITY_KEYS | any_text, _LOOKALIKE_VALUES | json_values, max_size=8),
    field_name=st.sampled_from(["getThing", "listThings", "createThing", "deleteThing"]),
)
def test_random_identities_are_refused(target: FuzzTarget, identity: Any, field_name: str) -> None:
    """No identity built from lookalike or random values gets in (plain IAM narrowed to none)."""
    _count("identity")
    api = target.api
    saved = api.settings
    api.settings = our_settings(iam_access="none", next_token_secret=b"fuzz-secret")
    try:
        before = target.scan()
        arguments = {
            "getThing": {"id": SEED_IDS[0]},
            "listThings": {},
            "createThing": {"input": {"title": "t"}},
            "deleteThing": {"input": {"id": SEED_IDS[0]}},
        }[field_name]
        response = target.call(field_name, arguments, identity=identity)
    finally:
        api.settings = saved
    error = check_envelope(response)
    assert error is not None and error["type"] == "Unauthorized", (identity, response)
    assert target.scan() == before


def test_the_properties_plan_enough_cases() -> None:
    """Each property checks that it ran all its examples (`fuzz_settings`); together they make
    at least 10,000 calls."""
    assert sum(EXAMPLES.values()) >= MIN_TOTAL_CASES, EXAMPLES

"""Client CPU on canned responses: the store beside raw boto3 calls and the task file's naive read.

Every baseline is a client as a user writes it (boto3's defaults); the store uses the client it
builds itself. Both sides get the same canned answers, so the figures are the client's CPU only.
"""

from __future__ import annotations

import random
from functools import partial
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeSerializer

from benchmarks import naive
from benchmarks.canned import LOCAL, NOWHERE, answer, default_client
from benchmarks.report import RATIO_HEADERS, Section, ratio_row
from benchmarks.timing import compare
from careervp.dal.client import build_client
from careervp.dal.codec import canonical_json, conform, decode_item, prepare
from careervp.dal.codec._envelope import compress
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.plans import _requests as requests
from careervp.dal.schema import INDEX_NAME, TTL_ATTRIBUTE, USER_ID, table_key
from support.factories import encode, make_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.tailor import TailoredCVData

__all__ = ["SIZES", "TYPICAL", "breakdown", "client_cpu", "data_of"]

SIZES = {"4 KB": 4_000, "15 KB": 15_000, "120 KB": 120_000}
TYPICAL = "15 KB"
CREATED = "2026-11-26T10:30:00.000000Z"
SECRET = b"benchmark-secret-0123456789"
FAR_FUTURE = 4_000_000_000


def data_of(label: str, seed: int = 1) -> TailoredCVData:
    return make_data(random.Random(seed), json_bytes=SIZES[label], user_id="u-bench")


def _naive_table(responses: dict[str, object]) -> Any:
    table = boto3.resource("dynamodb", endpoint_url=NOWHERE, **LOCAL).Table("naive")
    answer(table.meta.client, responses)
    return table


def _cases(label: str, min_time: float) -> list[tuple[str, Any]]:
    data = data_of(label)
    items = [
        encode(f"app-{i}", f"2026-11-26T10:30:{59 - i:02d}.000000Z", FAR_FUTURE, data_of(label, i))
        for i in range(11)
    ]
    item = items[0].item
    entries = [
        {
            **table_key(f"app-{i}", f"2026-11-26T10:30:{59 - i:02d}.000000Z"),
            USER_ID: {"S": "u-bench"},
            TTL_ATTRIBUTE: {"N": str(FAR_FUTURE)},
        }
        for i in range(11)
    ]
    responses = {
        "PutItem": {},
        "GetItem": {"Item": item},
        "Query": {"Items": entries, "Count": 11, "ScannedCount": 11},
        "BatchGetItem": {"Responses": {"t": [i.item for i in items[:10]]}, "UnprocessedKeys": {}},
    }
    ours = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    answer(ours, responses)
    raw = default_client()
    answer(raw, {**responses, "Query": {"Items": [i.item for i in items], "Count": 11}})
    dal = DynamoDalHandler(ours, "t", token_secret=SECRET)

    serializer = TypeSerializer()
    naive_item = naive.naive_item("app-0", CREATED, data)
    naive_wire = {k: serializer.serialize(v) for k, v in naive_item.items()}
    table = _naive_table({"GetItem": {"Item": naive_wire}})
    key = table_key("app-0", CREATED)
    query: Any = {
        "TableName": "t",
        "IndexName": INDEX_NAME,
        "KeyConditionExpression": "user_id = :u",
        "ExpressionAttributeValues": {":u": {"S": "u-bench"}},
        "Limit": 11,
        "ScanIndexForward": False,
    }
    return [
        (
            "save / raw put_item",
            compare(
                lambda: dal.save_tailored_cv("app-0", data),
                lambda: raw.put_item(TableName="t", Item=item),
                min_time=min_time,
            ),
        ),
        (
            "get / raw get_item",
            compare(
                lambda: dal.get_tailored_cv("app-0", CREATED),
                lambda: raw.get_item(TableName="t", Key=key),
                min_time=min_time,
            ),
        ),
        (
            "get / naive read (Map + TypeDeserializer)",
            compare(
                lambda: dal.get_tailored_cv("app-0", CREATED),
                lambda: naive.naive_from_item(
                    table.get_item(Key={"application_id": "app-0", "created_at": CREATED})["Item"]
                ),
                min_time=min_time,
            ),
        ),
        (
            "list 10 / raw query of 11 items",
            compare(
                lambda: dal.list_tailored_cvs_for_user("u-bench", limit=10),
                lambda: raw.query(**query),
                min_time=min_time,
            ),
        ),
    ]


GOALS = {
    "save / raw put_item": "<= 1.3",
    "get / raw get_item": "<= 1.2",
    "get / naive read (Map + TypeDeserializer)": "<= 0.5",
    "list 10 / raw query of 11 items": "-",
}


def client_cpu(min_time: float, sizes: list[str]) -> Section:
    section = Section(
        "Client CPU on canned responses (ratio: the store's time / the baseline's)",
        RATIO_HEADERS,
        notes=[
            (
                "The store's client turns botocore's parameter validation off; baselines keep"
                " boto3's defaults. The list baseline is one raw query returning 11 whole items;"
                " the store reads 11 index entries and fetches the page's 10 items by key."
            ),
        ],
    )
    for label in sizes:
        for name, result in _cases(label, min_time):
            ratio_row(section, name, label, result, GOALS[name] if label == TYPICAL else "-")
    return section


def breakdown(min_time: float) -> Section:
    """The store's save and get built up step by step, each step against the raw call."""
    data = data_of(TYPICAL)
    item = encode("app-0", CREATED, FAR_FUTURE, data).item
    ours = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    raw = default_client()
    for client in (ours, raw):
        answer(client, {"PutItem": {}, "GetItem": {"Item": item}})
    dal = DynamoDalHandler(ours, "t", token_secret=SECRET)
    prepared = prepare(conform(data))
    cv_json = canonical_json(prepared.data.tailored_cv)
    key = table_key("app-0", CREATED)
    put = partial(ours.put_item, **requests.put_version("t", item))
    get = partial(ours.get_item, **requests.get_item("t", key, consistent=True))
    raw_put = partial(raw.put_item, TableName="t", Item=item)
    raw_get = partial(raw.get_item, TableName="t", Key=key)
    steps: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("put: the store's client, the same request", put, raw_put),
        ("put + gzip level 5 of the CV", lambda: (compress(cv_json), put()), raw_put),
        ("put + everything (the store's save)",
         partial(dal.save_tailored_cv, "app-0", data), raw_put),
        ("get: the store's client, the same request", get, raw_get),
        ("get + decode and verify the item", lambda: decode_item(get()["Item"]), raw_get),
        ("get + everything (the store's get)",
         partial(dal.get_tailored_cv, "app-0", CREATED), raw_get),
    ]  # fmt: skip
    section = Section(
        f"Where the time goes: a save and a get of the typical {TYPICAL} CV built up step by"
        " step, each against the raw call",
        RATIO_HEADERS,
        notes=[
            (
                "Measured in situ: compressing and inflating leave caches and predictors cold for"
                " the botocore work around them, so a step costs more here than alone (compare"
                " the cuts section)."
            ),
        ],
    )
    for name, mine, theirs in steps:
        ratio_row(section, name, TYPICAL, compare(mine, theirs, min_time=min_time), "-")
    return section

"""Client CPU on canned responses: the store beside raw boto3 calls and the naive read.

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
from careervp.dal.codec import SummarySealer, canonical_json, conform, decode_item, prepare
from careervp.dal.codec._canonical import checksum_of, decode_tailored_cv
from careervp.dal.codec._envelope import compress, decompress
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.plans import _requests as requests
from careervp.dal.schema import (
    APPLICATION_ID,
    CREATED_AT,
    INDEX_NAME,
    TTL_ATTRIBUTE,
    USER_ID,
    table_key,
)
from careervp.dal.table import SUMMARY_PROJECTION
from support.factories import encode, make_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.tailor import TailoredCVData

__all__ = ["APPLICATION", "SIZES", "TYPICAL", "breakdown", "client_cpu", "data_of"]

SIZES = {"4 KB": 4_000, "15 KB": 15_000, "120 KB": 120_000}
TYPICAL = "15 KB"
# Every benchmark stores the typical CV (data_of(TYPICAL)) under this application id, so its
# item has one size wherever it is reported (the keys count in an item's size).
APPLICATION = "app-0"
CREATED = "2026-11-26T10:30:00.000000Z"
SECRET = b"benchmark-secret-0123456789"
FAR_FUTURE = 4_000_000_000
KEYS = (APPLICATION_ID, CREATED_AT, USER_ID)


def data_of(label: str, seed: int = 1) -> TailoredCVData:
    return make_data(random.Random(seed), json_bytes=SIZES[label], user_id="u-bench")


def _naive_table(responses: dict[str, object]) -> Any:
    table = boto3.resource("dynamodb", endpoint_url=NOWHERE, **LOCAL).Table("naive")
    answer(table.meta.client, responses)
    return table


def _cases(label: str, min_time: float) -> list[tuple[str, Any]]:
    data = data_of(label)
    items = [
        encode(
            f"app-{i}",
            f"2026-11-26T10:30:{59 - i:02d}.000000Z",
            FAR_FUTURE,
            data_of(label, i),
            sealer=SummarySealer([SECRET]),
        )
        for i in range(11)
    ]
    item = items[0].item
    # Index entries as the chosen projection holds them: keys, TTL and a summary's attributes.
    entries = [
        {name: i.item[name] for name in (*KEYS, TTL_ATTRIBUTE, *SUMMARY_PROJECTION)} for i in items
    ]
    responses = {
        "PutItem": {},
        "GetItem": {"Item": item},
        "Query": {"Items": entries, "Count": 11, "ScannedCount": 11},
        "BatchGetItem": {"Responses": {"t": [i.item for i in items[:10]]}, "UnprocessedKeys": {}},
    }
    ours = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    answer(ours, responses)
    plain = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    answer(plain, responses)
    raw = default_client()
    answer(raw, {**responses, "Query": {"Items": [i.item for i in items], "Count": 11}})
    entries_only = default_client()
    answer(entries_only, responses)
    dal = DynamoDalHandler(ours, "t", token_secret=SECRET, wire=True)
    dal_off = DynamoDalHandler(plain, "t", token_secret=SECRET, wire=False)

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

    def floor_save() -> object:
        # The work any layout of these attributes must do: encode, compress, checksum, put.
        cv_json = canonical_json(data.tailored_cv)
        checksum_of(cv_json, canonical_json(data.metadata), canonical_json(data.token_usage))
        compress(cv_json)
        return raw.put_item(TableName="t", Item=item)

    def floor_get() -> object:
        got = raw.get_item(TableName="t", Key=key)["Item"]
        cv_json = decompress(got["tailored_cv"]["B"])
        checksum_of(cv_json, canonical_json(data.metadata), canonical_json(data.token_usage))
        return decode_tailored_cv(cv_json)

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
            "save, wire path off / raw put_item",
            compare(
                lambda: dal_off.save_tailored_cv("app-0", data),
                lambda: raw.put_item(TableName="t", Item=item),
                min_time=min_time,
            ),
        ),
        (
            "get, wire path off / raw get_item",
            compare(
                lambda: dal_off.get_tailored_cv("app-0", CREATED),
                lambda: raw.get_item(TableName="t", Key=key),
                min_time=min_time,
            ),
        ),
        (
            "floor: raw put + encode, gzip, SHA-256 / raw put_item",
            compare(floor_save, lambda: raw.put_item(TableName="t", Item=item), min_time=min_time),
        ),
        (
            "floor: raw get + inflate, SHA-256, decode / raw get_item",
            compare(floor_get, lambda: raw.get_item(TableName="t", Key=key), min_time=min_time),
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
        (
            "10 summaries / raw query of the 11 index entries",
            compare(
                lambda: dal.list_tailored_cv_summaries_for_user("u-bench", limit=10),
                lambda: entries_only.query(**query),
                min_time=min_time,
            ),
        ),
    ]


GOALS = {
    "save / raw put_item": "<= 1.3",
    "get / raw get_item": "<= 1.1",
    "save, wire path off / raw put_item": "-",
    "get, wire path off / raw get_item": "-",
    "floor: raw put + encode, gzip, SHA-256 / raw put_item": "-",
    "floor: raw get + inflate, SHA-256, decode / raw get_item": "-",
    "get / naive read (Map + TypeDeserializer)": "<= 0.5",
    "list 10 / raw query of 11 items": "-",
    "10 summaries / raw query of the 11 index entries": "-",
}


def client_cpu(min_time: float, sizes: list[str]) -> Section:
    section = Section(
        "Client CPU on canned responses (ratio: the store's time / the baseline's)",
        RATIO_HEADERS,
        notes=[
            (
                "The store's client turns botocore's parameter validation off; baselines keep"
                " boto3's defaults. The store runs with the wire path on unless the row says"
                " otherwise. The floor rows are a raw boto3 call plus the work the item's layout"
                " requires (canonical JSON, gzip, SHA-256; inflate, SHA-256, decode). The list"
                " baseline is one raw query returning 11 whole items;"
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
        ("put + gzip of the CV (libdeflate 9)", lambda: (compress(cv_json), put()), raw_put),
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

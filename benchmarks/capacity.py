"""Capacity, cost and scale on dynalite, over loopback.

Three layouts hold the same CVs: the store with its narrow user index (``INCLUDE`` the TTL), the
store on a table whose index projects ``ALL`` (existing deployments), and the task file's naive
layout (the CV as a nested map, index ``ALL``, written through boto3's ``Table``).

Read and table-write units are what dynalite reports (it sizes items by DynamoDB's rules).
dynalite does not charge index writes, so those are computed by DynamoDB's rule: one write unit
per started KB of the index entry (its keys plus projected attributes), for every write.
Storage counts each item and index entry plus DynamoDB's 100-byte overhead for each.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from benchmarks import naive
from benchmarks.canned import LOCAL
from benchmarks.cpu import SECRET, TYPICAL, data_of
from benchmarks.report import Section
from careervp.dal.client import build_client
from careervp.dal.codec import item_size
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.schema import (
    APPLICATION_ID,
    CREATED_AT,
    IDEMPOTENCY_KEY,
    INDEX_NAME,
    SUMMARY_MAC,
    TTL_ATTRIBUTE,
    USER_ID,
)
from careervp.dal.table import INDEX_PROJECTION, create_table
from support.factories import make_data
from support.raw import key_of, raw_item

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ProjectionTypeDef

__all__ = ["PRICES", "sections"]

# US East (N. Virginia) on-demand, Standard table class, as published when measured. Change
# these to price another region; the units and bytes in the tables do not depend on them.
PRICES = {"write unit": 0.625e-6, "read unit": 0.125e-6, "GB-month": 0.25}
WORKLOAD = {"saves": 1, "gets": 3, "list pages": 2, "months held": 3}
STORAGE_OVERHEAD = 100
# The index as defined before summaries: summaries then read their items too.
OLD_INDEX: Any = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": [TTL_ATTRIBUTE, IDEMPOTENCY_KEY],
}
# 0.3.0's index: the summary attributes without their keyed value, so summaries read and verify
# their items too.
INDEX_0_3: Any = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": [
        name for name in INDEX_PROJECTION["NonKeyAttributes"] if name != SUMMARY_MAC
    ],
}
KEYS = (APPLICATION_ID, CREATED_AT, USER_ID)


class Meter:
    """Adds up consumed capacity and calls from every response a client parses."""

    def __init__(self, client: Any) -> None:
        self.units = 0.0
        self.calls = 0
        client.meta.events.register("after-call.dynamodb", self._count)

    def _count(self, parsed: dict[str, Any], **_: object) -> None:
        self.calls += 1
        consumed = parsed.get("ConsumedCapacity")
        for part in consumed if isinstance(consumed, list) else [consumed]:
            if isinstance(part, dict):
                self.units += float(part.get("CapacityUnits", 0))

    def take(self) -> tuple[float, int]:
        taken = (self.units, self.calls)
        self.units, self.calls = 0.0, 0
        return taken


@dataclass
class Layout:
    name: str
    save: Callable[[str, Any], str]  # (application_id, data) -> artifact id
    get: Callable[[str], object]
    page: Callable[[], object]
    summaries: Callable[[], object]  # a history screen: a page of 10 summaries
    meter: Meter
    entry: Callable[[dict[str, Any]], int]  # index entry bytes for a stored item
    client: DynamoDBClient
    table: str
    figures: dict[str, float] = field(default_factory=dict)


def _entry_size(projection: ProjectionTypeDef) -> Callable[[dict[str, Any]], int]:
    def size(item: dict[str, Any]) -> int:
        if projection["ProjectionType"] == "ALL":
            return item_size(item)
        kept = (*KEYS, *projection.get("NonKeyAttributes", []))
        return item_size({k: v for k, v in item.items() if k in kept})

    return size


def _store_layout(endpoint: str, name: str, projection: ProjectionTypeDef) -> Layout:
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    projected = len(projection.get("NonKeyAttributes", []))
    table = f"bench-{projection['ProjectionType'].lower()}-{projected}"
    create_table(client, table, projection=projection)
    dal = DynamoDalHandler(client, table, token_secret=SECRET)

    def save(application_id: str, data: Any) -> str:
        saved = dal.save_tailored_cv(application_id, data)
        assert saved.success, saved.error
        return saved.data

    return Layout(
        name=name,
        save=save,
        get=lambda artifact: dal.get_tailored_cv(*key_of(artifact)),
        page=lambda: dal.list_tailored_cvs_for_user("u-bench", limit=10),
        summaries=lambda: dal.list_tailored_cv_summaries_for_user("u-bench", limit=10),
        meter=Meter(client),
        entry=_entry_size(projection),
        client=client,
        table=table,
    )


def _naive_layout(endpoint: str) -> Layout:
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    create_table(client, "bench-naive", projection={"ProjectionType": "ALL"})
    table = boto3.resource("dynamodb", endpoint_url=endpoint, **LOCAL).Table("bench-naive")
    counter = iter(range(10**9))

    def save(application_id: str, data: Any) -> str:
        created_at = f"2026-11-26T10:30:00.{next(counter):06d}Z"
        table.put_item(
            Item=naive.naive_item(application_id, created_at, data), ReturnConsumedCapacity="TOTAL"
        )
        return f"{application_id}#{created_at}"

    def get(artifact: str) -> object:
        application_id, created_at = key_of(artifact)
        found = table.get_item(
            Key={APPLICATION_ID: application_id, CREATED_AT: created_at},
            ReturnConsumedCapacity="TOTAL",
        )
        return naive.naive_from_item(found["Item"])

    def page() -> object:
        found = table.query(
            IndexName=INDEX_NAME,
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": "u-bench"},
            Limit=10,
            ScanIndexForward=False,
            ReturnConsumedCapacity="TOTAL",
        )
        return [naive.naive_from_item(i) for i in found["Items"]]

    return Layout(
        name="naive (task file)",
        save=save,
        get=get,
        page=page,
        # The naive layout has no narrower read: its history screen is the same query.
        summaries=page,
        meter=Meter(table.meta.client),
        entry=_entry_size({"ProjectionType": "ALL"}),
        client=client,
        table="bench-naive",
    )


def _timed(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure(layout: Layout, repeats: int) -> None:
    ids = [layout.save(f"app-{i % 4}", data_of(TYPICAL, seed=i)) for i in range(12)]
    layout.meter.take()
    artifact = layout.save("app-measured", data_of(TYPICAL, seed=99))
    table_wcu, save_calls = layout.meter.take()
    stored = raw_item(layout.client, layout.table, artifact)
    index_bytes = layout.entry(stored)
    layout.get(ids[0])
    get_rcu, get_calls = layout.meter.take()
    layout.page()
    page_rcu, page_calls = layout.meter.take()
    layout.summaries()
    summary_rcu, summary_calls = layout.meter.take()
    layout.figures.update(
        table_wcu=table_wcu,
        index_wcu=math.ceil(index_bytes / 1024),
        get_rcu=get_rcu,
        page_rcu=page_rcu,
        save_calls=save_calls,
        get_calls=get_calls,
        page_calls=page_calls,
        summary_rcu=summary_rcu,
        summary_calls=summary_calls,
        item_bytes=item_size(stored),
        index_bytes=index_bytes,
        save_s=_timed(lambda: layout.save("app-timed", data_of(TYPICAL, seed=7)), repeats),
        get_s=_timed(lambda: layout.get(ids[0]), repeats),
        page_s=_timed(layout.page, repeats),
        summary_s=_timed(layout.summaries, repeats),
    )


def _cost_per_million(f: dict[str, float], *, summaries: bool = False) -> dict[str, float]:
    """Per million versions of the workload; with ``summaries`` its list pages are pages of
    summaries (a history screen) instead of pages of whole versions."""
    writes = WORKLOAD["saves"] * (f["table_wcu"] + f["index_wcu"])
    page = f["summary_rcu"] if summaries else f["page_rcu"]
    reads = WORKLOAD["gets"] * f["get_rcu"] + WORKLOAD["list pages"] * page
    stored_gb = (f["item_bytes"] + f["index_bytes"] + 2 * STORAGE_OVERHEAD) / 1e9
    return {
        "writes": writes * 1e6 * PRICES["write unit"],
        "reads": reads * 1e6 * PRICES["read unit"],
        "storage": stored_gb * 1e6 * PRICES["GB-month"] * WORKLOAD["months held"],
    }


def _cost_sections(layouts: list[Layout]) -> list[Section]:
    units = Section(
        f"Capacity per operation on dynalite, typical {TYPICAL} CV",
        ["layout", "save WCU (table + index)", "get RCU", "page of 10 RCU", "calls save/get/page",
         "item + index entry bytes", "save / get / page on dynalite"],
        notes=[
            ("get reads strongly consistent in the store (its default), eventually consistent in"
            " the naive layout (boto3's default); a page's items are read eventually"
            " consistent, as the index itself is."),
        ],
    )  # fmt: skip
    cost = Section(
        "Cost per million versions (1 save, 3 gets, 2 list pages each; held 90 days)",
        ["layout", "writes", "reads", "storage", "total", "vs naive", "total, pages as summaries"],
        notes=[
            (
                f"Prices: {PRICES['write unit'] * 1e6:.3f} $ per million write units,"
                f" {PRICES['read unit'] * 1e6:.3f} $ per million read units,"
                f" {PRICES['GB-month']:.2f} $ per GB-month (us-east-1 on-demand, Standard)."
            ),
        ],
    )
    naive_total = sum(_cost_per_million(layouts[-1].figures).values())
    for layout in layouts:
        f = layout.figures
        units.add(
            layout.name,
            f"{f['table_wcu']:g} + {f['index_wcu']:g} = {f['table_wcu'] + f['index_wcu']:g}",
            f"{f['get_rcu']:g}",
            f"{f['page_rcu']:g}",
            f"{f['save_calls']:.0f} / {f['get_calls']:.0f} / {f['page_calls']:.0f}",
            f"{f['item_bytes']:,.0f} + {f['index_bytes']:,.0f}",
            f"{f['save_s'] * 1e3:.1f} / {f['get_s'] * 1e3:.1f} / {f['page_s'] * 1e3:.1f} ms",
        )
        dollars = _cost_per_million(f)
        total = sum(dollars.values())
        cost.add(
            layout.name,
            *(f"{dollars[k]:.2f} $" for k in ("writes", "reads", "storage")),
            f"{total:.2f} $",
            f"{total / naive_total:.2f}",
            f"{sum(_cost_per_million(f, summaries=True).values()):.2f} $",
        )
    base = layouts[-1].figures
    goal = Section(
        "Write units per save, table + index: the store / the naive layout",
        ["layout", "ours", "naive", "ratio", "goal"],
    )
    for layout in layouts[:-1]:
        mine = layout.figures["table_wcu"] + layout.figures["index_wcu"]
        name = layout.name
        theirs = base["table_wcu"] + base["index_wcu"]
        goal.add(name, f"{mine:g}", f"{theirs:g}", f"{mine / theirs:.2f}", "<= 0.3")
    history = Section(
        f"A history screen on dynalite: a page of 10 summaries against a page of 10 versions"
        f" ({TYPICAL} CVs)",
        ["layout", "versions: RCU / calls / time", "summaries: RCU / calls / time",
         "RCU ratio", "goal"],
        notes=[
            (
                "Times are medians on dynalite over loopback (a local engine: round trips cost"
                " far less than in a region, so the call counts matter more than these times)."
                " The naive layout has no narrower read; its row repeats its page."
            ),
        ],
    )  # fmt: skip
    for layout in layouts:
        f = layout.figures
        history.add(
            layout.name,
            f"{f['page_rcu']:g} / {f['page_calls']:.0f} / {f['page_s'] * 1e3:.1f} ms",
            f"{f['summary_rcu']:g} / {f['summary_calls']:.0f} / {f['summary_s'] * 1e3:.1f} ms",
            f"{f['summary_rcu'] / f['page_rcu']:.3f}",
            "<= 0.1" if layout is layouts[0] else "-",
        )
    return [goal, units, history, cost]


def _scale(endpoint: str, *, quick: bool) -> Section:
    section = Section(
        "Scale on dynalite (the store, narrow index; CVs of 1 KB of JSON to keep the run short)",
        ["operation", "items", "time", "per item", "read/write units"],
    )
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    meter = Meter(client)
    create_table(client, "bench-scale", projection=INDEX_PROJECTION)
    dal = DynamoDalHandler(client, "bench-scale", token_secret=SECRET)
    rng = random.Random(5)
    sizes = (200, 500) if quick else (1_000, 5_000)
    for count in sizes:
        user = f"u-scale-{count}"
        for index in range(count):
            assert dal.save_tailored_cv(
                f"app-{count}-{index % 50}", make_data(rng, user_id=user, json_bytes=1_000)
            ).success
        meter.take()
        for limit in (10, 100):
            start = time.perf_counter()
            assert dal.list_tailored_cvs_for_user(user, limit=limit).success
            spent = time.perf_counter() - start
            units, _ = meter.take()
            section.add(f"a page of {limit}", limit, f"{spent * 1e3:.1f} ms",
                        f"{spent / limit * 1e6:.0f} µs", f"{units:g} RCU")  # fmt: skip
        if count == sizes[0]:
            start, token, seen = time.perf_counter(), None, 0
            while True:
                page = dal.list_tailored_cvs_for_user(user, limit=100, start_key=token)
                assert page.success
                seen += page.data["count"]
                token = page.data["last_evaluated_key"]
                if token is None:
                    break
            spent = time.perf_counter() - start
            units, _ = meter.take()
            per_item = f"{spent / seen * 1e6:.0f} µs"
            section.add("paging through every version, 100 a page", seen, f"{spent:.2f} s",
                        per_item, f"{units:g} RCU")  # fmt: skip
        start = time.perf_counter()
        erased = dal.delete_all_tailored_cvs_for_user(user)
        spent = time.perf_counter() - start
        assert erased.success and erased.data == count  # noqa: PT018
        units, _ = meter.take()
        per_item = f"{spent / count * 1e6:.0f} µs"
        section.add("erasing a user", count, f"{spent:.2f} s", per_item,
                    f"{units:g} (reads + table writes)")  # fmt: skip
    section.notes.append(
        "Erasure is linear when the per-item time stays flat from the smaller user to the larger."
    )
    return section


def sections(endpoint: str, *, quick: bool) -> list[Section]:
    layouts = [
        _store_layout(
            endpoint,
            "store, index INCLUDE ttl + summary attributes + summary_mac (chosen)",
            INDEX_PROJECTION,
        ),
        _store_layout(endpoint, "store, index INCLUDE of 0.3.0 (no summary_mac)", INDEX_0_3),
        _store_layout(endpoint, "store, index ALL (existing tables)", {"ProjectionType": "ALL"}),
        _store_layout(endpoint, "store, index INCLUDE ttl only (before summaries)", OLD_INDEX),
        _naive_layout(endpoint),
    ]
    for layout in layouts:
        _measure(layout, repeats=5 if quick else 25)
    return [*_cost_sections(layouts), _scale(endpoint, quick=quick)]

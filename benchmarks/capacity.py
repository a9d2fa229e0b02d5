"""Capacity, cost and scale on dynalite, over loopback.

Four layouts hold the same CVs: the store with its narrow user index (``INCLUDE`` the TTL, the
idempotency key and the summary attributes), the store on a table whose index projects ``ALL``
(existing deployments), the store on the index made before summaries, and the naive layout (the
CV as a nested map, index ``ALL``, written through boto3's ``Table``, as ``naive.py`` says).

Read and table-write units are what dynalite reports (it sizes items by DynamoDB's rules).
dynalite does not charge index writes, so those are computed by DynamoDB's rule: one write unit
per started KB of the index entry (its keys plus projected attributes), for every write.
``costs.py`` prices them, with the bytes of item and index entry, for both table classes.
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from benchmarks import costs, naive
from benchmarks.canned import LOCAL
from benchmarks.cpu import APPLICATION, SECRET, TYPICAL, data_of
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

__all__ = ["sections"]

STANDARD, IA = "STANDARD", "STANDARD_INFREQUENT_ACCESS"
WORKLOAD = costs.WORKLOAD
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
        name="naive (nested map, index ALL)",
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
    # The typical CV every benchmark measures (data_of's default seed): one item size everywhere.
    artifact = layout.save(APPLICATION, data_of(TYPICAL))
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
        index_wcu=costs.index_write_units(index_bytes),
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


def _usage(f: dict[str, float], *, summaries: bool = False) -> costs.Usage:
    """What a version costs a layout; with ``summaries`` its list pages are pages of summaries
    (a history screen) instead of pages of whole versions."""
    return costs.Usage(
        table_write_units=f["table_wcu"],
        index_write_units=f["index_wcu"],
        get_read_units=f["get_rcu"],
        page_read_units=f["summary_rcu"] if summaries else f["page_rcu"],
        item_bytes=int(f["item_bytes"]),
        index_bytes=int(f["index_bytes"]),
    )


def _total(usage: costs.Usage, table_class: str, workload: costs.Workload = WORKLOAD) -> float:
    return sum(costs.dollars_per_million(usage, costs.PRICES[table_class], workload).values())


def _break_even_gets(usage: costs.Usage) -> float:
    """Gets per version at which Standard-IA stops being the cheaper class (costs are linear in
    gets, so two workloads find the line)."""
    few, many = (dataclasses.replace(WORKLOAD, gets=g) for g in (0, 100))
    gap_few = _total(usage, IA, few) - _total(usage, STANDARD, few)
    gap_many = _total(usage, IA, many) - _total(usage, STANDARD, many)
    return -gap_few / ((gap_many - gap_few) / 100)


def _cost_sections(layouts: list[Layout]) -> list[Section]:
    units = Section(
        f"Capacity per operation on dynalite, typical {TYPICAL} CV",
        ["layout", "save WCU (table + index)", "get RCU", "page of 10 RCU", "calls save/get/page",
         "item + index entry bytes", "save / get / page on dynalite"],
        notes=[
            ("get reads strongly consistent in the store (its default), eventually consistent in"
            " the naive layout (boto3's default); a page's items are read eventually"
            " consistent, as the index itself is. Index write units are DynamoDB's rule applied"
            " to the measured entry (one per started KB): dynalite reports table writes only."),
        ],
    )  # fmt: skip
    standard, ia = costs.PRICES[STANDARD], costs.PRICES[IA]
    cost = Section(
        f"Cost per million versions ({WORKLOAD.saves} save, {WORKLOAD.gets} gets,"
        f" {WORKLOAD.list_pages} list pages each; held 90 days), Standard and Standard-IA",
        ["layout", "Standard: writes + reads + storage", "Standard", "Standard-IA", "IA saves",
         "vs naive (Standard)", "pages as summaries: Standard", "Standard-IA", "IA saves"],
        notes=[
            (
                f"On-demand prices, {costs.REGION}: Standard {standard.write_unit * 1e6:.3f} $"
                f" per million write units, {standard.read_unit * 1e6:.3f} $ per million read"
                f" units, {standard.gb_month:.2f} $ per GB-month; Standard-IA"
                f" {ia.write_unit * 1e6:.3f} $, {ia.read_unit * 1e6:.3f} $ and"
                f" {ia.gb_month:.2f} $. Storage: item and index entry bytes as measured, plus"
                f" {costs.STORAGE_OVERHEAD} bytes of overhead for each, for"
                f" {WORKLOAD.months_held} months."
            ),
        ],
    )  # fmt: skip
    naive_total = _total(_usage(layouts[-1].figures), STANDARD)
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
        pages, summaries = _usage(f), _usage(f, summaries=True)
        dollars = costs.dollars_per_million(pages, standard)
        row = [layout.name, " + ".join(f"{dollars[k]:.2f}" for k in ("writes", "reads", "storage"))]
        for usage in (pages, summaries):
            on_standard, on_ia = _total(usage, STANDARD), _total(usage, IA)
            row += [f"{on_standard:.2f} $", f"{on_ia:.2f} $", f"{1 - on_ia / on_standard:.0%}"]
            if usage is pages:
                row.append(f"{on_standard / naive_total:.2f}")
        cost.add(*row)
    chosen = _usage(layouts[0].figures)
    cost.notes.append(
        f"Standard-IA stays the cheaper class for the chosen layout up to about"
        f" {_break_even_gets(chosen):.0f} gets per version (with the two pages of versions)."
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

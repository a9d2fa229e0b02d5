"""The one cost model: dollars per million versions from measured units and bytes.

Every dollar figure in docs/performance.md comes from here. A layout is priced from what a
version costs it, as measured on dynalite (``capacity.py``): the write units of its item and of
its index entry, the read units of a get and of a page, and the bytes of item and index entry.
The workload is the same for every layout and both table classes: each version saved once, read
three times, listed in two pages, kept 90 days (three months of storage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "PRICES",
    "REGION",
    "STORAGE_OVERHEAD",
    "WORKLOAD",
    "Prices",
    "Usage",
    "Workload",
    "dollars_per_million",
    "index_write_units",
]

REGION = "us-east-1"
# DynamoDB's storage overhead per item and per index entry, in bytes.
STORAGE_OVERHEAD = 100


@dataclass(frozen=True)
class Prices:
    write_unit: float  # $ per write request unit
    read_unit: float  # $ per read request unit
    gb_month: float  # $ per GB-month of table and index storage


# On-demand prices in us-east-1 (N. Virginia) as published since the November 2024 reduction.
# Change these to price another region: the units and bytes measured do not depend on them.
PRICES = {
    "STANDARD": Prices(write_unit=0.625e-6, read_unit=0.125e-6, gb_month=0.25),
    "STANDARD_INFREQUENT_ACCESS": Prices(write_unit=0.78e-6, read_unit=0.155e-6, gb_month=0.10),
}


@dataclass(frozen=True)
class Workload:
    saves: int = 1
    gets: int = 3
    list_pages: int = 2
    months_held: int = 3  # 90 days


WORKLOAD = Workload()


@dataclass(frozen=True)
class Usage:
    """What one version costs a layout, measured: units per call and bytes stored."""

    table_write_units: float
    index_write_units: float
    get_read_units: float
    page_read_units: float
    item_bytes: int
    index_bytes: int


def index_write_units(entry_bytes: int) -> int:
    """DynamoDB's rule for an index write (dynalite reports table writes only): one unit per
    started KB of the entry; no entry, no write."""
    return math.ceil(entry_bytes / 1024)


def dollars_per_million(
    usage: Usage, prices: Prices, workload: Workload = WORKLOAD
) -> dict[str, float]:
    """$ per million versions of the workload, by writes (table and index), reads (gets and
    pages) and storage (item, index entry and each one's overhead)."""
    writes = workload.saves * (usage.table_write_units + usage.index_write_units)
    reads = workload.gets * usage.get_read_units + workload.list_pages * usage.page_read_units
    entries = (usage.item_bytes > 0) + (usage.index_bytes > 0)
    stored_gb = (usage.item_bytes + usage.index_bytes + entries * STORAGE_OVERHEAD) / 1e9
    return {
        "writes": writes * 1e6 * prices.write_unit,
        "reads": reads * 1e6 * prices.read_unit,
        "storage": stored_gb * 1e6 * prices.gb_month * workload.months_held,
    }

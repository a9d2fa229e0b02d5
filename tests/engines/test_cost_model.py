"""The table class the store creates is the one the cost model finds cheaper, on measured units.

The model (``benchmarks/costs.py``) prices what dynalite reports for the typical CV, the same
workload for every layout: if prices, the index or the item format move the cheaper class, this
fails and says so, rather than a default quietly outliving its reason.
"""

from __future__ import annotations

from benchmarks import capacity, costs
from careervp.dal.table import INDEX_PROJECTION, TABLE_CLASS, TABLE_CLASSES


def _measured(dynalite_endpoint: str) -> tuple[capacity.Layout, capacity.Layout]:
    store = capacity._store_layout(dynalite_endpoint, "store", INDEX_PROJECTION)
    naive = capacity._naive_layout(dynalite_endpoint)
    for layout in (store, naive):
        capacity._measure(layout, repeats=1)
    return store, naive


def test_the_default_table_class_is_the_cheaper_for_the_measured_workload(
    dynalite_endpoint: str,
) -> None:
    store, naive = _measured(dynalite_endpoint)
    for summaries in (False, True):
        usage = capacity._usage(store.figures, summaries=summaries)
        totals = {c: capacity._total(usage, c) for c in TABLE_CLASSES}
        assert min(totals, key=totals.__getitem__) == TABLE_CLASS, totals
    # Both layouts are priced whole: an index write and an index entry stored for each save.
    for layout in (store, naive):
        usage = capacity._usage(layout.figures)
        assert usage.index_bytes > 0
        assert usage.index_write_units == costs.index_write_units(usage.index_bytes) >= 1
    assert capacity._total(capacity._usage(store.figures), TABLE_CLASS) < capacity._total(
        capacity._usage(naive.figures), TABLE_CLASS
    )

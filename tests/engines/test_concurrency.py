"""Saves never overwrite each other: same-microsecond collisions and parallel writers."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of

if TYPE_CHECKING:
    from tests.conftest import Store


def test_a_dozen_saves_on_a_frozen_clock_are_all_kept(store: Store) -> None:
    handler = store.handler()
    rng = random.Random(8)
    ids = []
    for _ in range(12):
        saved = handler.save_tailored_cv("app-frozen", make_data(rng, json_bytes=600))
        assert saved.success, saved.error
        ids.append(saved.data)
    assert len(set(ids)) == 12
    assert ids[0].endswith("10:30:00.000000Z")
    assert ids[-1].endswith("10:30:00.000011Z")
    assert store.count() == 12
    versions = handler.list_tailored_cvs_for_application("app-frozen")
    assert versions.success
    assert [artifact_of(v).artifact_id for v in versions.data] == ids[::-1]


def test_collisions_beyond_the_retry_budget_are_a_conflict(store: Store) -> None:
    handler = store.handler()
    rng = random.Random(9)
    outcomes = [
        handler.save_tailored_cv("app-busy", make_data(rng, json_bytes=600)) for _ in range(17)
    ]
    assert all(o.success for o in outcomes[:16])
    assert outcomes[16].code is ResultCode.CONFLICT
    assert "app-busy" in (outcomes[16].error or "")
    assert store.count() == 16


def test_parallel_writers_lose_nothing(store: Store) -> None:
    store.engine.require_atomic_conditions()
    handler = store.handler(clock=None)  # the real clock: threads race for microseconds
    rng = random.Random(10)
    payloads = [make_data(rng, json_bytes=600) for _ in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda d: handler.save_tailored_cv("app-par", d), payloads))
    assert all(o.success for o in outcomes), [o.error for o in outcomes if not o.success]
    assert len({o.data for o in outcomes}) == 40
    assert store.count() == 40


def test_identical_content_saved_twice_in_one_microsecond_is_two_versions(store: Store) -> None:
    # Own writes are told apart by the save call (write_id), not by content: two saves of the
    # same CV are two versions even when the clock does not move.
    handler = store.handler()
    data = make_data(random.Random(11), json_bytes=600)
    first = handler.save_tailored_cv("app-twice", data)
    second = handler.save_tailored_cv("app-twice", data)
    assert first.success
    assert second.success
    assert first.data != second.data
    assert store.count() == 2

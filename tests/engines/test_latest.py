"""``get_latest_tailored_cv``: the newest live version, read in O(1) items."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of, expire
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


class Scanned:
    """Adds up how many items the engine read for each Query."""

    def __init__(self, store: Store) -> None:
        self.counts: list[int] = []
        store.events().register("after-call.dynamodb.Query", self._count)

    def _count(self, parsed: dict[str, Any], **_: object) -> None:
        self.counts.append(int(parsed.get("ScannedCount", 0)))


def _history(store: Store, count: int) -> list[str]:
    handler = store.handler()
    rng = random.Random(count)
    saved = []
    for _ in range(count):
        store.clock.advance(timedelta(seconds=1))
        result = handler.save_tailored_cv("app-h", make_data(rng, json_bytes=400))
        assert result.success
        saved.append(result.data)
    return saved


def test_the_newest_version_is_read_without_reading_the_history(store: Store) -> None:
    saved = _history(store, 40)
    scanned = Scanned(store)
    latest = store.handler().get_latest_tailored_cv("app-h")
    assert latest.success, latest.error
    assert artifact_of(latest.data).artifact_id == saved[-1]
    assert scanned.counts == [1]


def test_expired_newest_versions_are_skipped(store: Store) -> None:
    saved = _history(store, 6)
    for artifact in saved[-3:]:
        expire(store.client, store.table_name, artifact)
    latest = store.handler().get_latest_tailored_cv("app-h")
    assert latest.success
    assert artifact_of(latest.data).artifact_id == saved[-4]


def test_no_live_version_is_not_found(store: Store) -> None:
    handler = store.handler()
    assert handler.get_latest_tailored_cv("app-none").code is ResultCode.NOT_FOUND
    saved = _history(store, 1)
    expire(store.client, store.table_name, saved[0])
    missing = handler.get_latest_tailored_cv("app-h")
    assert missing.code is ResultCode.NOT_FOUND
    assert "app-h" in (missing.error or "")

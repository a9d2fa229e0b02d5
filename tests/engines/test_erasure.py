"""Erasing a user deletes every version, expired ones too, and survives throttling."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from careervp.models.result import ResultCode
from tests.engines.faults import Fault, error_body
from tests.factories import make_data

if TYPE_CHECKING:
    from tests.conftest import Store


def _fill(store: Store, user_id: str, live: int, expired: int) -> None:
    handler = store.handler()
    rng = random.Random(user_id)
    store.clock.advance(timedelta(days=-100))
    for index in range(expired):
        saved = handler.save_tailored_cv(
            f"app-{user_id}-{index % 3}", make_data(rng, user_id=user_id, json_bytes=500)
        )
        assert saved.success
    store.clock.advance(timedelta(days=100))
    for index in range(live):
        saved = handler.save_tailored_cv(
            f"app-{user_id}-{index % 4}", make_data(rng, user_id=user_id, json_bytes=500)
        )
        assert saved.success


def _nothing_processed(request: dict[str, Any]) -> bytes:
    return json.dumps({"UnprocessedItems": request["RequestItems"]}).encode()


def test_erasure_deletes_every_version_of_the_user_and_nothing_else(store: Store) -> None:
    _fill(store, "u-erase", live=40, expired=12)
    _fill(store, "u-keep", live=3, expired=1)
    handler = store.handler()
    erased = handler.delete_all_tailored_cvs_for_user("u-erase")
    assert erased.success, erased.error
    assert erased.data == 52
    assert store.count() == 4
    assert handler.list_tailored_cvs_for_user("u-keep").data["count"] == 3  # type: ignore[index]
    again = handler.delete_all_tailored_cvs_for_user("u-erase")
    assert again.success
    assert again.data == 0


def test_unprocessed_items_are_retried_with_backoff(store: Store) -> None:
    _fill(store, "u-busy", live=30, expired=0)
    delays: list[float] = []
    fault = Fault(store.client, "BatchWriteItem", times=3, status=200, body=_nothing_processed)
    erased = store.handler(sleep=delays.append).delete_all_tailored_cvs_for_user("u-busy")
    assert erased.success, erased.error
    assert erased.data == 30
    assert fault.injected == 3
    assert store.count() == 0
    assert len(delays) == 3
    assert all(0 <= d <= 2.0 for d in delays)


def test_persistent_refusal_reports_progress_and_a_second_call_finishes(store: Store) -> None:
    _fill(store, "u-stuck", live=30, expired=0)
    # The first batch of 25 goes through; every later one is left unprocessed.
    Fault(store.client, "BatchWriteItem", after=1, times=8, status=200, body=_nothing_processed)
    stuck = store.handler(sleep=lambda _: None).delete_all_tailored_cvs_for_user("u-stuck")
    assert stuck.code is ResultCode.THROTTLED
    assert "25 versions were deleted" in (stuck.error or "")
    assert store.count() == 5
    finished = store.handler().delete_all_tailored_cvs_for_user("u-stuck")
    assert finished.success
    assert finished.data == 5
    assert store.count() == 0


def test_a_service_error_part_way_reports_exact_progress(store: Store) -> None:
    _fill(store, "u-fail", live=30, expired=0)
    # The first batch of 25 goes through; the next one meets a lasting server error.
    Fault(
        store.client,
        "BatchWriteItem",
        after=1,
        times=100,
        status=500,
        body=error_body("InternalServerError", "boom"),
    )
    failed = store.handler().delete_all_tailored_cvs_for_user("u-fail")
    assert failed.code is ResultCode.DATABASE_ERROR
    assert "25 versions were deleted before it stopped" in (failed.error or "")
    assert store.count() == 5


def test_a_failing_query_says_how_far_it_got(store: Store) -> None:
    _fill(store, "u-q", live=2, expired=0)
    Fault(store.client, "Query", times=100, body=error_body("ThrottlingException", "Rate"))
    result = store.handler().delete_all_tailored_cvs_for_user("u-q")
    assert result.code is ResultCode.THROTTLED
    assert "0 versions were deleted before it stopped" in (result.error or "")
    assert store.count() == 2


def test_bad_user_ids_are_refused(store: Store) -> None:
    assert store.handler().delete_all_tailored_cvs_for_user(" ").code is (
        ResultCode.VALIDATION_ERROR
    )

"""Erasing a user deletes every version, expired ones too, and survives throttling."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, error_body
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from tests.conftest import Records, Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


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


# The erasure reads the index's keys alone: what else it projects is only worth one test each way.
BOTH_PROJECTIONS = pytest.mark.parametrize("projection", ["include", "all"])


@BOTH_PROJECTIONS
def test_erasure_deletes_every_version_of_the_user_and_nothing_else(store: Store) -> None:
    _fill(store, "u-erase", live=40, expired=12)
    _fill(store, "u-keep", live=3, expired=1)
    handler = store.handler()
    erased = handler.delete_all_tailored_cvs_for_user("u-erase")
    assert erased.success, erased.error
    assert erased.data == 52
    assert store.count() == 4
    kept = handler.list_tailored_cvs_for_user("u-keep")
    assert kept.success
    assert kept.data["count"] == 3
    again = handler.delete_all_tailored_cvs_for_user("u-erase")
    assert again.success
    assert again.data == 0


def test_persistent_throttling_reports_progress_and_a_second_call_finishes(
    store: Store, log_records: Records
) -> None:
    _fill(store, "u-stuck", live=30, expired=0)
    throttled = store.engine.client()
    # 25 removals go through; every later one is throttled beyond the client's retries.
    Fault(
        store.sending_client(throttled),
        "UpdateItem",
        after=25,
        times=1000,
        body=error_body("ProvisionedThroughputExceededException", "slow down"),
    )
    progress: list[int] = []
    stuck = store.handler(client=throttled).delete_all_tailored_cvs_for_user(
        "u-stuck", on_progress=progress.append
    )
    assert stuck.code is ResultCode.THROTTLED
    assert "stopped after 25 versions were deleted" in (stuck.error or "")
    assert progress == [25]
    assert store.count() == 5
    # The audit trail of the request: the failure is logged with how far it got.
    (record,) = [r for r in log_records.records if r.levelno == logging.ERROR]
    assert record.__dict__["user_id"] == "u-stuck"
    assert record.__dict__["deleted"] == 25
    assert record.__dict__["code"] == "THROTTLED"
    finished = store.handler().delete_all_tailored_cvs_for_user("u-stuck")
    assert finished.success
    assert finished.data == 5
    assert store.count() == 0


def test_a_service_error_part_way_reports_exact_progress(store: Store) -> None:
    _fill(store, "u-fail", live=30, expired=0)
    # 27 removals go through, the next meets a lasting server error: the count is exact,
    # not rounded to a progress report.
    Fault(
        store.sending_client(),
        "UpdateItem",
        after=27,
        times=1000,
        status=500,
        body=error_body("InternalServerError", "boom"),
    )
    failed = store.handler().delete_all_tailored_cvs_for_user("u-fail")
    assert failed.code is ResultCode.DATABASE_ERROR
    assert "stopped after 27 versions were deleted" in (failed.error or "")
    assert store.count() == 3


def test_a_failing_query_says_how_far_it_got(store: Store) -> None:
    _fill(store, "u-q", live=2, expired=0)
    Fault(
        store.sending_client(), "Query", times=100, body=error_body("ThrottlingException", "Rate")
    )
    result = store.handler().delete_all_tailored_cvs_for_user("u-q")
    assert result.code is ResultCode.THROTTLED
    assert "stopped after 0 versions were deleted" in (result.error or "")
    assert store.count() == 2


def test_bad_user_ids_are_refused(store: Store) -> None:
    assert store.handler().delete_all_tailored_cvs_for_user(" ").code is (
        ResultCode.VALIDATION_ERROR
    )


def test_progress_is_reported_after_each_batch(store: Store) -> None:
    _fill(store, "u-progress", live=60, expired=0)
    seen: list[int] = []
    erased = store.handler().delete_all_tailored_cvs_for_user("u-progress", on_progress=seen.append)
    assert erased.success
    assert seen == [25, 50, 60]


def test_the_dry_run_count_includes_expired_versions(store: Store) -> None:
    _fill(store, "u-count", live=4, expired=3)
    counted = store.handler().count_tailored_cvs_for_user("u-count")
    assert counted.success
    assert counted.data == 7
    assert store.count() == 7


def test_a_progress_callback_that_raises_does_not_stop_the_erasure(
    store: Store, log_records: Records
) -> None:
    _fill(store, "u-cb", live=30, expired=0)

    def broken(_: int) -> None:
        raise BrokenPipeError

    erased = store.handler().delete_all_tailored_cvs_for_user("u-cb", on_progress=broken)
    assert erased.success, erased.error
    assert erased.data == 30
    assert store.count() == 0
    (warning,) = [r for r in log_records.records if r.levelno == logging.WARNING]
    assert "on_progress raised BrokenPipeError" in warning.getMessage()


@BOTH_PROJECTIONS
def test_items_under_keys_the_store_could_not_have_written_are_erased_too(store: Store) -> None:
    _fill(store, "u-odd", live=2, expired=0)
    handler = store.handler()
    (first, *_) = [i for i in store.scan() if i["user_id"]["S"] == "u-odd"]
    for created_at in ("yesterday", "2026-11-26 10:30:00"):
        odd = {**first, "created_at": {"S": created_at}}
        store.client.put_item(TableName=store.table_name, Item=odd)
    listed = handler.list_tailored_cvs_for_user("u-odd")
    assert listed.success
    assert sorted(listed.data["unreadable"]) == [
        f"{first['application_id']['S']}#2026-11-26 10:30:00",
        f"{first['application_id']['S']}#yesterday",
    ]
    erased = handler.delete_all_tailored_cvs_for_user("u-odd")
    assert erased.success, erased.error
    assert erased.data == 4
    assert store.count() == 0
    assert handler.list_tailored_cvs_for_user("u-odd").success

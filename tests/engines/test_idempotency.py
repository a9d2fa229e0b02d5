"""Idempotency keys: a repeated save within 24 hours stores nothing; its record stays invisible."""

from __future__ import annotations

import base64
import random
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from careervp.dal.codec import item_size
from careervp.dal.schema import TTL_ATTRIBUTE, WRITE_ID
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of, key_of
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


MARKER = "Ixchel-Marker-Phrase"


def _records(store: Store) -> list[dict[str, object]]:
    return [item for item in store.scan() if "tailored_cv" not in item and "tombstone" not in item]


def test_the_same_key_and_content_returns_the_first_id_and_stores_nothing(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(1), user_id="u-idem")
    first = handler.save_tailored_cv("app-idem", data, idempotency_key="msg-1")
    store.clock.advance(timedelta(hours=23, minutes=59))  # a redelivery, almost a day later
    again = handler.save_tailored_cv("app-idem", data, idempotency_key="msg-1")
    assert first.success, first.error
    assert again.success, again.error
    assert again.data == first.data
    assert store.count() == 2  # one version, one record


def test_the_same_key_with_other_content_is_a_conflict_naming_the_key(store: Store) -> None:
    handler = store.handler()
    rng = random.Random(2)
    first = handler.save_tailored_cv("app-idem", make_data(rng), idempotency_key="msg-2")
    assert first.success
    other = handler.save_tailored_cv("app-idem", make_data(rng), idempotency_key="msg-2")
    assert other.code is ResultCode.CONFLICT
    assert "msg-2" in (other.error or "")
    assert store.count() == 2


def test_keys_are_scoped_to_their_application(store: Store) -> None:
    # Another tenant's use of the same key neither conflicts nor learns anything about it.
    handler = store.handler()
    data = make_data(random.Random(2))
    first = handler.save_tailored_cv("app-one", data, idempotency_key="shared")
    store.clock.advance(timedelta(seconds=1))
    second = handler.save_tailored_cv(
        "app-two", make_data(random.Random(3)), idempotency_key="shared"
    )
    assert first.success
    assert second.success, second.error
    assert second.data.startswith("app-two#")
    assert store.count() == 4


def test_a_key_older_than_a_day_is_free_again(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(3))
    first = handler.save_tailored_cv("app-idem", data, idempotency_key="msg-3")
    store.clock.advance(timedelta(hours=24, minutes=29))
    # Within the 30 minutes' skew margin past its day, the record still stands.
    assert handler.save_tailored_cv("app-idem", data, idempotency_key="msg-3").data == first.data
    store.clock.advance(timedelta(minutes=1))
    later = handler.save_tailored_cv("app-idem", data, idempotency_key="msg-3")
    assert first.success
    assert later.success
    assert later.data != first.data
    assert len(_records(store)) == 1  # the expired record was taken over, not added to


def test_records_are_invisible_to_every_read_and_hold_no_cv_text(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(4), user_id="u-rec")
    data.tailored_cv.executive_summary = f"{MARKER} runs platforms"
    saved = handler.save_tailored_cv("app-rec", data, idempotency_key="msg-4")
    assert saved.success
    page = handler.list_tailored_cvs_for_user("u-rec")
    assert page.success
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [saved.data]
    listed = handler.list_tailored_cvs_for_application("app-rec")
    assert listed.success
    assert len(listed.data) == 1
    exported = handler.export_tailored_cvs_for_user("u-rec")
    assert exported.success
    assert (exported.data["count"], exported.data["unreadable"]) == (1, [])
    assert handler.count_tailored_cvs_for_user("u-rec").data == 1

    (record,) = _records(store)
    assert "user_id" not in record  # so the user index never sees it
    assert MARKER not in repr(record)
    assert set(record) == {
        "application_id",
        "created_at",
        "artifact_id",
        WRITE_ID,
        "fingerprint",
        "record_mac",
        TTL_ATTRIBUTE,
    }
    now = int(store.clock.now.timestamp())
    assert int(record[TTL_ATTRIBUTE]["N"]) == now + 86_400  # type: ignore[index]
    assert item_size(record) < 1024  # type: ignore[arg-type]  # one write unit

    erased = handler.delete_all_tailored_cvs_for_user("u-rec")
    assert erased.data == 1
    assert len(_records(store)) == 1  # records expire by TTL; they hold no personal content


def test_a_keyed_save_that_collides_moves_and_its_repeat_finds_the_moved_version(
    store: Store,
) -> None:
    handler = store.handler()  # the clock stands still: every save wants the same microsecond
    rng = random.Random(5)
    unkeyed = handler.save_tailored_cv("app-move", make_data(rng))
    data = make_data(rng)
    keyed = handler.save_tailored_cv("app-move", data, idempotency_key="msg-5")
    again = handler.save_tailored_cv("app-move", data, idempotency_key="msg-5")
    assert unkeyed.success
    assert keyed.success, keyed.error
    assert keyed.data.endswith(".000001Z")
    assert again.data == keyed.data
    listed = handler.list_tailored_cvs_for_application("app-move")
    assert listed.success
    assert len(listed.data) == 2


@pytest.mark.parametrize("how", ["deleted", "erased"])
def test_a_retry_after_the_version_was_deleted_or_erased_stores_nothing(
    store: Store, how: str
) -> None:
    handler = store.handler()
    data = make_data(random.Random(7), user_id="u-gone")
    first = handler.save_tailored_cv("app-gone", data, idempotency_key="msg-7")
    assert first.success
    if how == "deleted":
        assert handler.delete_tailored_cv(*key_of(first.data)).success
    else:
        assert handler.delete_all_tailored_cvs_for_user("u-gone").data == 1
    store.clock.advance(timedelta(minutes=10))
    retried = handler.save_tailored_cv("app-gone", data, idempotency_key="msg-7")
    assert retried.success, retried.error
    assert retried.data == first.data
    assert handler.get_tailored_cv(*key_of(first.data)).code is ResultCode.NOT_FOUND
    assert handler.count_tailored_cvs_for_user("u-gone").data == 0


def test_an_oversized_keyed_save_sends_nothing_and_the_key_stays_free(store: Store) -> None:
    handler = store.handler()
    data = make_data(random.Random(8))
    data.tailored_cv.executive_summary = base64.b64encode(
        random.Random(9).randbytes(450_000)
    ).decode()
    refused = handler.save_tailored_cv("app-big", data, idempotency_key="msg-8")
    assert refused.code is ResultCode.ITEM_TOO_LARGE
    assert store.count() == 0
    fixed = make_data(random.Random(8))
    assert handler.save_tailored_cv("app-big", fixed, idempotency_key="msg-8").success


def test_a_bad_idempotency_key_is_refused_and_nothing_is_written(store: Store) -> None:
    handler = store.handler()
    for bad in ("", " padded", "x" * 1025, "tab\there", 42):
        result = handler.save_tailored_cv(
            "app-bad",
            make_data(random.Random(6)),
            idempotency_key=bad,  # type: ignore[arg-type]
        )
        assert result.code is ResultCode.VALIDATION_ERROR, bad
        assert "idempotency_key" in (result.error or "")
    assert store.count() == 0

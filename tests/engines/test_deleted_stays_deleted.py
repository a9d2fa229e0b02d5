"""Deleted stays deleted: no lost response, throttled step, late put of an earlier attempt,
keyed retry or clock skew up to 15 minutes brings a removed version back (contract, section 5).

The removal leaves a tombstone at the version's key: a put conditioned on the key being free
finds it and stores nothing. ``HeldRequest`` keeps a signed PutItem off the wire and delivers
it later, exactly as a request stuck in a network path would land.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import compute_checksum
from careervp.dal.schema import IDEMPOTENCY_TTL_SECONDS, TTL_ATTRIBUTE
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, HeldRequest, error_body
from support.network import LossyProxy
from support.raw import artifact_of, key_of, tamper
from tests.conftest import HANDLER_KINDS, Clock

if TYPE_CHECKING:
    from collections.abc import Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.models.tailor import TailoredCVData
    from tests.conftest import Records, Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


def _data(seed: int = 1) -> TailoredCVData:
    return make_data(random.Random(seed), user_id="u-gone")


def _nothing_listed(store: Store, application_id: str = "app-gone") -> None:
    handler = store.handler()
    assert handler.list_tailored_cvs_for_application(application_id).data == []
    page = handler.list_tailored_cvs_for_user("u-gone")
    assert page.success
    assert page.data["items"] == []
    assert page.data["unreadable"] == []
    exported = handler.export_tailored_cvs_for_user("u-gone")
    assert exported.success
    assert exported.data["items"] == []
    assert exported.data["unreadable"] == []
    assert handler.count_tailored_cvs_for_user("u-gone").data == 0
    assert handler.get_latest_tailored_cv(application_id).code is ResultCode.NOT_FOUND
    store.tombstones()  # each holds nothing personal


def _no_retries(store: Store) -> DynamoDalHandler:
    assert store.engine.endpoint_url is not None
    client = build_client(
        endpoint_url=store.engine.endpoint_url, region_name="us-east-1", max_attempts=1
    )
    return store.handler(client=client)


@pytest.fixture
def proxy(http_store: Store) -> Iterator[LossyProxy]:
    assert http_store.engine.endpoint_url is not None
    with LossyProxy(http_store.engine.endpoint_url) as lossy:
        yield lossy


def test_a_lost_removal_response_is_recognised_and_a_keyed_retry_stores_nothing(
    http_store: Store, proxy: LossyProxy
) -> None:
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-1")
    assert saved.success
    through = http_store.handler(
        client=build_client(endpoint_url=proxy.endpoint, region_name="us-east-1", max_attempts=3)
    )
    proxy.drop_responses("UpdateItem")
    deleted = through.delete_tailored_cv(*key_of(saved.data))
    # Applied, lost, retried by botocore and refused: the tombstone there is this call's own.
    assert proxy.dropped == ["UpdateItem"]
    assert deleted.success, deleted
    http_store.clock.advance(timedelta(hours=23))
    again = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-1")
    assert again.success
    assert again.data == saved.data
    _nothing_listed(http_store)


def test_a_throttled_removal_removes_nothing_and_its_retry_removes_for_good(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-2")
    assert saved.success
    throttled = _no_retries(http_store)
    Fault(
        throttled._client,
        "UpdateItem",
        times=1,
        body=error_body("ProvisionedThroughputExceededException", "slow down"),
    )
    assert throttled.delete_tailored_cv(*key_of(saved.data)).code is ResultCode.THROTTLED
    assert handler.get_tailored_cv(*key_of(saved.data)).success  # one step: nothing half-done
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    assert handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-2").data == saved.data
    _nothing_listed(http_store)


def test_a_keyed_put_still_in_flight_after_its_retry_and_a_delete_stores_nothing(
    http_store: Store,
) -> None:
    """Call A claims the key; its version put is held on the wire and A gives up. The caller's
    retry B adopts the claim and stores the version; the user deletes it; A's put lands."""
    first = _no_retries(http_store)
    held = HeldRequest(first._client, "PutItem", nth=2)  # the first is the claim
    crashed = first.save_tailored_cv("app-gone", _data(), idempotency_key="req-3")
    assert crashed.code is ResultCode.DATABASE_ERROR
    handler = http_store.handler()
    retried = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-3")
    assert retried.success
    assert handler.delete_tailored_cv(*key_of(retried.data)).success
    status, answer = held.deliver()
    assert status == 400
    assert answer["__type"].endswith("ConditionalCheckFailedException")
    assert handler.get_tailored_cv(*key_of(retried.data)).code is ResultCode.NOT_FOUND
    _nothing_listed(http_store)


def test_an_unkeyed_first_attempt_arriving_after_its_retry_and_a_delete_stores_nothing(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    held = HeldRequest(http_store.sending_client(), "PutItem")  # botocore retries the 500 at once
    saved = handler.save_tailored_cv("app-gone", _data())
    assert saved.success
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    status, _ = held.deliver()
    assert status == 400
    _nothing_listed(http_store)


def test_a_late_put_after_an_erasure_stores_nothing(http_store: Store) -> None:
    handler = http_store.handler()
    held = HeldRequest(http_store.sending_client(), "PutItem")
    saved = handler.save_tailored_cv("app-gone", _data())
    assert saved.success
    http_store.clock.advance(timedelta(seconds=1))
    assert handler.save_tailored_cv("app-other", _data(2), idempotency_key="req-4").success
    erased = handler.delete_all_tailored_cvs_for_user("u-gone")
    assert erased.data == 2
    status, _ = held.deliver()
    assert status == 400
    assert handler.save_tailored_cv("app-other", _data(2), idempotency_key="req-4").success
    _nothing_listed(http_store)
    _nothing_listed(http_store, "app-other")
    assert len(http_store.tombstones()) == 2


def test_a_late_put_of_a_crashed_call_with_its_own_response_lands_on_the_tombstone(
    http_store: Store,
) -> None:
    """The save plan itself meets the tombstone (its own put was applied, its retry refused):
    it reports the version's id and never moves to the next microsecond to store it again."""
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-5")
    assert saved.success
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    # The same call repeated past its record's lifetime would be a new save; within it, the
    # record points at the tombstone and nothing is stored.
    again = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-5")
    assert again.data == saved.data
    _nothing_listed(http_store)


SKEWS = {
    # (claimer, deleter, retrier) clock errors, in minutes.
    "claimer fast, deleter and retrier slow": (15, -15, -15),
    "claimer slow, retrier fast": (-15, 0, 15),
    "retrier fast": (0, 0, 15),
    "deleter fast, retrier slow": (0, 15, -15),
}


@pytest.mark.parametrize("skew", sorted(SKEWS))
def test_skewed_clocks_up_to_15_minutes_never_revive_a_keyed_version(
    http_store: Store, skew: str
) -> None:
    """Whichever instance's clock is off by up to 15 minutes, a redelivered save within its
    24 hours finds the record (never takes it over) and the tombstone (never stores again)."""
    claimer, deleter, retrier = (timedelta(minutes=m) for m in SKEWS[skew])
    start = http_store.clock.now
    saved = http_store.handler(clock=Clock(start + claimer)).save_tailored_cv(
        "app-gone", _data(), idempotency_key="req-6"
    )
    assert saved.success
    removed = http_store.handler(clock=Clock(start + deleter)).delete_tailored_cv(
        *key_of(saved.data)
    )
    assert removed.success
    # The redelivery comes one minute before the end of the record's 24 real hours.
    late = start + timedelta(seconds=IDEMPOTENCY_TTL_SECONDS) - timedelta(minutes=1)
    again = http_store.handler(clock=Clock(late + retrier)).save_tailored_cv(
        "app-gone", _data(), idempotency_key="req-6"
    )
    assert again.data == saved.data
    (tombstone,) = http_store.tombstones()
    # DynamoDB removes the tombstone only after its TTL: past the record's life and margin.
    real_end = int(late.timestamp()) + 60
    assert int(tombstone[TTL_ATTRIBUTE]["N"]) - 15 * 60 > real_end + 30 * 60
    _nothing_listed(http_store)


def test_a_new_save_after_a_delete_in_the_same_microsecond_is_stored(http_store: Store) -> None:
    """A tombstone met by another save (not retried, no key) is someone else's removal: the
    new version takes the next microsecond."""
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-gone", _data(1))
    assert first.success
    assert handler.delete_tailored_cv(*key_of(first.data)).success
    second = handler.save_tailored_cv("app-gone", _data(2))  # the clock has not moved
    assert second.success
    assert second.data != first.data
    got = handler.get_tailored_cv(*key_of(second.data))
    assert got.success
    assert artifact_of(got.data).artifact_id == second.data
    assert handler.delete_tailored_cv(*key_of(first.data)).code is ResultCode.NOT_FOUND


def test_a_save_in_the_microsecond_of_a_removed_version_is_stored_not_swallowed(
    http_store: Store,
) -> None:
    """Another save (keyed, or retried by botocore) meeting a tombstone that is not its own:
    the tombstone's write id says so, and the save takes the next microsecond."""
    handler = http_store.handler()
    first = handler.save_tailored_cv("app-gone", _data(1))
    assert first.success
    assert handler.delete_tailored_cv(*key_of(first.data)).success
    keyed = handler.save_tailored_cv("app-gone", _data(2), idempotency_key="fresh")
    assert keyed.success
    assert keyed.data != first.data
    assert handler.get_tailored_cv(*key_of(keyed.data)).success
    # A first attempt refused by the engine (500, not applied) and retried by botocore.
    Fault(
        http_store.sending_client(),
        "PutItem",
        times=1,
        status=500,
        body=error_body("InternalServerError", ""),
    )
    retried = handler.save_tailored_cv("app-gone", _data(3))
    assert retried.success
    assert retried.data not in (first.data, keyed.data)
    assert handler.get_tailored_cv(*key_of(retried.data)).success


def test_a_version_marked_as_a_tombstone_by_a_raw_edit_stays_visible_and_removable(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data())
    assert saved.success
    tamper(
        http_store.client,
        http_store.table_name,
        saved.data,
        lambda raw: raw.update(tombstone={"BOOL": True}),
    )
    assert handler.get_tailored_cv(*key_of(saved.data)).success
    assert [
        artifact_of(v).artifact_id
        for v in handler.list_tailored_cvs_for_application("app-gone").data or []
    ] == [saved.data]
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    _nothing_listed(http_store)


def test_a_removal_takes_what_a_raw_writer_added_and_keeps_the_keyed_record(
    http_store: Store,
) -> None:
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-8")
    assert saved.success
    tamper(
        http_store.client,
        http_store.table_name,
        saved.data,
        lambda raw: raw.update(notes={"S": "the candidate's phone number"}),
    )
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    http_store.tombstones()  # only a tombstone's attributes are left
    (record,) = [i for i in http_store.scan() if "artifact_id" in i]
    # The fingerprint is keyed: no hash of the removed content anyone can test a guess against.
    assert record["fingerprint"]["S"] != compute_checksum(_data())
    # The same content under the key within its 24 hours stores nothing; other content is a
    # conflict, as before the removal.
    again = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-8")
    assert again.data == saved.data
    other = handler.save_tailored_cv("app-gone", _data(9), idempotency_key="req-8")
    assert other.code is ResultCode.CONFLICT
    _nothing_listed(http_store)


def test_a_tombstone_is_never_listed_counted_or_deleted_and_holds_nothing_personal(
    store: Store,
) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-7")
    assert saved.success
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    assert handler.delete_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND
    assert handler.get_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND
    page = handler.list_tailored_cvs_for_application_page("app-gone")
    assert page.success
    assert page.data["items"] == []
    assert page.data["unreadable"] == []
    (tombstone,) = store.tombstones()
    assert int(tombstone[TTL_ATTRIBUTE]["N"]) <= int(store.clock.now.timestamp()) + 26 * 3600
    _nothing_listed(store)


def test_an_interrupted_tidy_is_logged_with_what_is_left_and_a_second_delete_finishes_it(
    http_store: Store, log_records: Records
) -> None:
    """The strip of what a raw writer added is throttled after the removal applied: the
    version is removed all the same (the tombstone holds the guarantee), the log names what is
    left and how to finish, and deleting the version again finishes it."""
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-9")
    assert saved.success
    tamper(
        http_store.client,
        http_store.table_name,
        saved.data,
        lambda raw: raw.update(notes={"S": "the candidate's phone number"}),
    )
    throttled = _no_retries(http_store)
    Fault(
        throttled._client,
        "UpdateItem",
        after=1,  # the removal goes through; the strip of "notes" does not
        times=1,
        body=error_body("ThrottlingException", "slow down"),
    )
    assert throttled.delete_tailored_cv(*key_of(saved.data)).success
    (warning,) = [r for r in log_records.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "attributes notes on its tombstone" in message
    assert "delete" in message
    assert "again to finish" in message
    (left,) = [i for i in http_store.scan() if "tombstone" in i]
    assert "notes" in left
    # A re-run finishes it (and says so with SUCCESS); after that there is nothing to delete.
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    http_store.tombstones()  # no "notes" left
    assert handler.delete_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND
    again = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-9")
    assert again.data == saved.data
    _nothing_listed(http_store)


def _as_0_3_0_wrote_it(store: Store, data: TailoredCVData) -> None:
    """The version's idempotency record as 0.3.0 wrote it: the content's plain checksum, no
    keyed value (such records are honoured for their 24 hours after an upgrade)."""
    (record,) = [i for i in store.scan() if "artifact_id" in i]
    del record["record_mac"]
    record["fingerprint"] = {"S": compute_checksum(data)}
    store.client.put_item(TableName=store.table_name, Item=record)


# What a raw writer added: more names than one write strips (40), each holding personal data.
RAW_NAMES = [f"pii{index:02}" for index in range(45)]


def _add_raw_attributes(store: Store, artifact: str, names: list[str]) -> None:
    tamper(
        store.client,
        store.table_name,
        artifact,
        lambda raw: raw.update({name: {"S": "alice@example.com"} for name in names}),
    )


@pytest.mark.parametrize("stopped_at", ["strip", "scrub", "removal"])
def test_an_erasure_stopped_at_any_step_is_finished_by_a_rerun(
    http_store: Store, stopped_at: str
) -> None:
    """A tombstone has no user id, so no re-run of an erasure could find one: what a removal
    leaves to tidy is done while the version is still listed (the strip of the names past
    the 40 the removal's own write takes, then the record's scrub), the rest in the removal's
    own write. Stopped at any step, the erasure's re-run finds the version and leaves nothing
    behind."""
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-11")
    assert saved.success
    _add_raw_attributes(http_store, saved.data, RAW_NAMES)
    _as_0_3_0_wrote_it(http_store, _data())
    throttled = _no_retries(http_store)
    Fault(
        throttled._client,
        "UpdateItem",
        after=["strip", "scrub", "removal"].index(stopped_at),
        times=1,
        body=error_body("ThrottlingException", "slow down"),
    )
    stopped = throttled.delete_all_tailored_cvs_for_user("u-gone")
    assert stopped.code is ResultCode.THROTTLED, stopped
    assert "stopped after 0 versions were deleted" in (stopped.error or "")
    # Stopped before the removal, the error names no version that may be gone.
    assert ("under way" in (stopped.error or "")) is (stopped_at == "removal")
    assert http_store.count() == 2  # the version and its record: nothing removed yet
    assert handler.delete_all_tailored_cvs_for_user("u-gone").data == 1
    http_store.tombstones()  # no "pii.." left
    (record,) = [i for i in http_store.scan() if "artifact_id" in i]
    assert "fingerprint" not in record
    _nothing_listed(http_store)


@pytest.mark.parametrize("count", [1, 45], ids=["one attribute", "45 attributes"])
def test_an_erasure_writes_nothing_after_a_removal(http_store: Store, count: int) -> None:
    """With no raw writer racing it, an erasure leaves no step for after the removal (the one
    step its re-run could not come back to): what a raw writer added goes before the removal
    or in the removal's own write."""
    saved = http_store.handler().save_tailored_cv("app-gone", _data())
    assert saved.success
    _add_raw_attributes(http_store, saved.data, RAW_NAMES[:count])
    throttled = _no_retries(http_store)
    writes_until_removal = 1 if count > 40 else 0
    after = Fault(
        throttled._client,
        "UpdateItem",
        after=writes_until_removal + 1,
        times=10,
        body=error_body("ThrottlingException", "slow down"),
    )
    erased = throttled.delete_all_tailored_cvs_for_user("u-gone")
    assert erased.data == 1, erased
    assert after.calls == writes_until_removal + 1  # the removal was the last write
    assert after.injected == 0
    http_store.tombstones()  # no "pii.." left
    _nothing_listed(http_store)


def test_what_a_raw_writer_adds_during_an_erasure_is_named_to_finish(
    http_store: Store, log_records: Records
) -> None:
    """The one follow-up an erasure can leave after its removal: attributes a raw writer adds
    between the erasure's read and its removal. The log names the version to finish, and a
    delete of it does."""
    saved = http_store.handler().save_tailored_cv("app-gone", _data())
    assert saved.success
    throttled = _no_retries(http_store)
    added: list[str] = []

    def add_email(**_: object) -> None:
        if not added:
            added.append("email")
            tamper(
                http_store.client,
                http_store.table_name,
                saved.data,
                lambda raw: raw.update(email={"S": "alice@example.com"}),
            )

    throttled._client.meta.events.register("before-call.dynamodb.UpdateItem", add_email)
    Fault(
        throttled._client,
        "UpdateItem",
        after=1,  # the removal goes through; the strip of "email" does not
        times=1,
        body=error_body("ThrottlingException", "slow down"),
    )
    erased = throttled.delete_all_tailored_cvs_for_user("u-gone")
    assert erased.data == 1
    assert added == ["email"]
    warnings = [r.getMessage() for r in log_records.records if r.levelno == logging.WARNING]
    assert any(saved.data in w and "again to finish" in w for w in warnings), warnings
    assert http_store.handler().delete_tailored_cv(*key_of(saved.data)).success
    http_store.tombstones()  # no "email" left
    _nothing_listed(http_store)


def test_a_removal_retried_after_a_lost_response_still_tidies(
    http_store: Store, proxy: LossyProxy
) -> None:
    """The removal's response is lost and botocore retries it: the retry recognises its own
    tombstone and still strips what a raw writer added."""
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-10")
    assert saved.success
    tamper(
        http_store.client,
        http_store.table_name,
        saved.data,
        lambda raw: raw.update(email={"S": "alice@example.com"}),
    )
    through = http_store.handler(
        client=build_client(endpoint_url=proxy.endpoint, region_name="us-east-1", max_attempts=3)
    )
    proxy.drop_responses("UpdateItem")
    assert through.delete_tailored_cv(*key_of(saved.data)).success
    assert proxy.dropped == ["UpdateItem"]
    http_store.tombstones()  # no "email" left
    same = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-10")
    assert same.data == saved.data  # stores nothing
    other = handler.save_tailored_cv("app-gone", _data(7), idempotency_key="req-10")
    assert other.code is ResultCode.CONFLICT
    _nothing_listed(http_store)


def test_a_second_delete_of_a_version_whose_0_3_0_record_was_scrubbed_is_not_found(
    http_store: Store,
) -> None:
    """A scrub is refused once done: a removal that meets only a finished tidy removed
    nothing (a racing erasure would otherwise count a version another call removed)."""
    handler = http_store.handler()
    saved = handler.save_tailored_cv("app-gone", _data(), idempotency_key="req-12")
    assert saved.success
    _as_0_3_0_wrote_it(http_store, _data())
    assert handler.delete_tailored_cv(*key_of(saved.data)).success
    (record,) = [i for i in http_store.scan() if "artifact_id" in i]
    assert "fingerprint" not in record
    assert handler.delete_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND
    _nothing_listed(http_store)

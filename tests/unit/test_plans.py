"""Plans driven with scripted responses: paths the engines make hard to reach on purpose."""

from __future__ import annotations

import base64
import dataclasses
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pytest

from careervp.dal import plans
from careervp.dal.codec import (
    MAX_ITEM_BYTES,
    PageTokenSigner,
    RecordKeys,
    Reservation,
    SummarySealer,
    encode_record,
)
from careervp.dal.errors import (
    ConditionFailedError,
    ConflictError,
    ItemTooLargeError,
    ServiceError,
    ThrottledError,
)
from careervp.dal.plans._calls import BatchGet, Call, Get, Note, Put, Query, Sleep, Update
from careervp.dal.schema import epoch_second, format_created_at
from support.factories import encode, make_data

if TYPE_CHECKING:
    from collections.abc import Callable

TABLE = "tailored"


def _context(moment: datetime, write_ids: list[str] | None = None) -> plans.StoreContext:
    ids = iter(write_ids or ["w-mine", "w-2", "w-3"])
    return plans.StoreContext(
        table=TABLE,
        index="user_id_created_at_gsi",
        clock=lambda: moment,
        signer=PageTokenSigner([b"s" * 32], max_age_seconds=3600),
        sealer=SummarySealer([b"s" * 32]),
        secret_configured=True,
        cipher=None,
        accept_plaintext=False,
        consistent_reads=True,
        new_write_id=lambda: next(ids),
        jitter=random.Random(1),
        record_keys=RecordKeys([b"s" * 32]),
    )


@dataclass
class Script:
    """Answers each call with the next response, or raises it into the plan when an error."""

    answers: list[Callable[[Call[Any]], Any]]
    calls: list[Call[Any]] = field(default_factory=list)

    def run(self, plan: plans.Plan[Any]) -> Any:
        try:
            call = next(plan)
            while True:
                if isinstance(call, Note):  # log facts: no I/O, no answer
                    call = plan.send(None)
                    continue
                self.calls.append(call)
                answer = self.answers.pop(0)
                try:
                    response = answer(call)
                except (ConditionFailedError, ServiceError) as exc:
                    call = plan.throw(exc)
                else:
                    call = plan.send(response)
        except StopIteration as done:
            return done.value


def ok(_: Call[Any]) -> dict[str, Any]:
    return {}


def refused(item: dict[str, Any] | None) -> Callable[[Call[Any]], Any]:
    def answer(_: Call[Any]) -> Any:
        raise ConditionFailedError("refused", item=item)

    return answer


def returns(response: dict[str, Any]) -> Callable[[Call[Any]], Any]:
    return lambda _: response


MOMENT = datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc)


def test_a_collision_takes_the_next_microsecond_and_the_engine_without_all_old_is_asked() -> None:
    data = make_data(random.Random(1), json_bytes=400)
    theirs = encode("app", "2026-11-26T10:30:00.000000Z", 1, data, write_id="w-theirs").item
    script = Script([refused(None), returns({"Item": theirs}), ok])
    artifact = script.run(plans.save(_context(MOMENT), "app", data, None))
    assert artifact == "app#2026-11-26T10:30:00.000001Z"
    assert [type(c) for c in script.calls] == [Put, Get, Put]


def test_the_stores_own_earlier_write_is_recognised_by_its_write_id() -> None:
    data = make_data(random.Random(2), json_bytes=400)
    mine = encode("app", "2026-11-26T10:30:00.000000Z", 1, data, write_id="w-mine").item
    script = Script([refused(mine)])
    artifact = script.run(plans.save(_context(MOMENT), "app", data, None))
    assert artifact == "app#2026-11-26T10:30:00.000000Z"
    assert len(script.calls) == 1


def _at_the_limit(moment: datetime) -> Any:
    """A CV whose item, stored at ``moment``, is exactly MAX_ITEM_BYTES."""
    created = format_created_at(moment)
    expires = epoch_second(moment) + 7_776_000
    noise = base64.b64encode(random.Random(3).randbytes(500_000)).decode()
    low, high = 0, len(noise)
    while low < high:
        middle = (low + high + 1) // 2
        data = make_data(random.Random(4), json_bytes=400)
        data.tailored_cv.executive_summary = noise[:middle]
        try:
            size = encode("app", created, expires, data).size
        except ItemTooLargeError:
            size = MAX_ITEM_BYTES + 1
        if size <= MAX_ITEM_BYTES:
            low = middle
        else:
            high = middle - 1
    data = make_data(random.Random(4), json_bytes=400)
    data.tailored_cv.executive_summary = noise[:low]
    return data, encode("app", created, expires, data).size


def test_a_collision_retry_is_sized_again_and_refused_when_its_ttl_grows() -> None:
    # At .999999 the next microsecond is the next second: the TTL goes from 1803465100 (eight
    # significant digits) to 1803465101 (ten), one byte more.
    moment = datetime.fromtimestamp(1_795_689_100, tz=timezone.utc).replace(microsecond=999_999)
    data, size = _at_the_limit(moment)
    if size != MAX_ITEM_BYTES:
        pytest.skip(f"could not build an item of exactly the limit ({size})")
    theirs = encode("app", format_created_at(moment), 1, data, write_id="x").item
    script = Script([refused(theirs)])
    ctx = _context(moment, write_ids=["write-1"])  # the write id encode() sized with
    with pytest.raises(ItemTooLargeError, match=str(MAX_ITEM_BYTES + 1)):
        script.run(plans.save(ctx, "app", data, None))
    assert len(script.calls) == 1  # the oversized retry was never sent


def test_a_record_moved_by_someone_else_is_a_conflict_to_retry() -> None:
    data = make_data(random.Random(5), json_bytes=400)
    theirs = encode("app", "2026-11-26T10:30:00.000000Z", 1, data, write_id="w-theirs").item
    # The move is refused and the record, read again, points elsewhere: another call moved it.
    script = Script([ok, refused(theirs), refused(None), returns({})])
    with pytest.raises(ConflictError, match="req-9"):
        script.run(plans.save(_context(MOMENT), "app", data, "req-9"))
    assert [type(c) for c in script.calls] == [Put, Put, Update, Get]


def test_a_lost_claim_retried_by_botocore_is_recognised_as_ours() -> None:
    data = make_data(random.Random(6), json_bytes=400)
    ctx = _context(MOMENT)
    mine = Reservation(
        application_id="app",
        created_at="2026-11-26T10:30:00.000000Z",
        write_id="w-mine",
        fingerprint="anything",
        expires_at=1_795_775_400,
    )
    record = encode_record("req-1", mine, ctx.record_keys)
    script = Script([refused(record), ok])
    artifact = script.run(plans.save(ctx, "app", data, "req-1"))
    assert artifact == "app#2026-11-26T10:30:00.000000Z"
    assert [type(c) for c in script.calls] == [Put, Put]


def test_a_page_whose_item_vanished_before_it_was_read_is_short_but_keeps_its_place() -> None:
    ctx = _context(MOMENT)
    entries = [
        {
            "user_id": {"S": "u-1"},
            "application_id": {"S": f"app-{i}"},
            "created_at": {"S": f"2026-11-26T10:2{9 - i}:00.000000Z"},
            "expiration_timestamp": {"N": "1803465000"},
        }
        for i in range(3)
    ]
    data = make_data(random.Random(7), user_id="u-1", json_bytes=300)
    kept = encode("app-0", "2026-11-26T10:29:00.000000Z", 1_803_465_000, data).item
    script = Script(
        [
            returns({"Items": entries, "LastEvaluatedKey": entries[-1]}),
            returns({"Responses": {TABLE: [kept]}, "UnprocessedKeys": {}}),
        ]
    )
    page = script.run(plans.list_user(ctx, "u-1", 2, None))
    assert [type(c) for c in script.calls] == [Query, BatchGet]
    assert page["count"] == 1  # app-1 was deleted between the index read and the item read
    assert page["last_evaluated_key"] is not None
    followed = ctx.signer.verify(
        page["last_evaluated_key"], index=ctx.index, user_id="u-1", now=epoch_second(MOMENT)
    )
    assert followed.application_id == "app-1"  # the next page starts after the page's entries


def test_an_index_entry_whose_item_became_a_tombstone_is_skipped_not_unreadable() -> None:
    """The index lags its table: an entry can outlive the removal that replaced its item."""
    ctx = _context(MOMENT)
    entries = [
        {
            "user_id": {"S": "u-1"},
            "application_id": {"S": f"app-{i}"},
            "created_at": {"S": f"2026-11-26T10:2{9 - i}:00.000000Z"},
            "expiration_timestamp": {"N": "1803465000"},
        }
        for i in range(2)
    ]
    data = make_data(random.Random(7), user_id="u-1", json_bytes=300)
    kept = encode("app-0", "2026-11-26T10:29:00.000000Z", 1_803_465_000, data).item
    removed = {
        "application_id": {"S": "app-1"},
        "created_at": {"S": "2026-11-26T10:28:00.000000Z"},
        "write_id": {"S": "w-1"},
        "tombstone": {"BOOL": True},
        "delete_id": {"S": "d-1"},
        "expiration_timestamp": {"N": "1803465000"},
    }
    script = Script(
        [
            returns({"Items": entries}),
            returns({"Responses": {TABLE: [kept, removed]}, "UnprocessedKeys": {}}),
        ]
    )
    page = script.run(plans.list_user(ctx, "u-1", 5, None))
    assert page["count"] == 1
    assert page["unreadable"] == []


def test_unprocessed_reads_back_off_and_are_asked_again() -> None:
    ctx = _context(MOMENT)
    key = {"application_id": {"S": "app-0"}, "created_at": {"S": "2026-11-26T10:29:00.000000Z"}}
    item = encode(
        "app-0", "2026-11-26T10:29:00.000000Z", 1_803_465_000, make_data(random.Random(8))
    ).item
    script = Script(
        [
            returns({"Responses": {}, "UnprocessedKeys": {TABLE: {"Keys": [key]}}}),
            ok,  # the pause
            returns({"Responses": {TABLE: [item]}, "UnprocessedKeys": {}}),
        ]
    )
    found = script.run(
        plans._batches.fetch(ctx, [("app-0", "2026-11-26T10:29:00.000000Z")], consistent=False)
    )
    assert list(found) == [("app-0", "2026-11-26T10:29:00.000000Z")]
    assert [type(c) for c in script.calls] == [BatchGet, Sleep, BatchGet]


def test_a_table_named_by_its_arn_is_named_without_the_account() -> None:
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/cvs"
    ctx = dataclasses.replace(_context(MOMENT), table=arn)
    key = {"application_id": {"S": "app-0"}, "created_at": {"S": "2026-11-26T10:29:00.000000Z"}}
    left = returns({"Responses": {}, "UnprocessedKeys": {arn: {"Keys": [key]}}})
    script = Script([left, ok] * 8)
    with pytest.raises(ThrottledError) as raised:
        script.run(
            plans._batches.fetch(ctx, [("app-0", "2026-11-26T10:29:00.000000Z")], consistent=False)
        )
    assert "table/cvs" in str(raised.value)
    assert "123456789012" not in str(raised.value)

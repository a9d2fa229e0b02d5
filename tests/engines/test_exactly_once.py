"""One save stores one version, whatever the network loses and whatever the caller retries.

A ``LossyProxy`` between the client and the engine lets the engine apply a request and then
closes the connection without answering: botocore sees a lost response and retries, or (with
retries off) the call fails as if the Lambda had crashed right after it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from careervp.dal.client import build_client
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, error_body
from support.network import LossyProxy
from support.raw import artifact_of, key_of
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


@pytest.fixture
def proxy(http_store: Store) -> Iterator[LossyProxy]:
    assert http_store.engine.endpoint_url is not None
    with LossyProxy(http_store.engine.endpoint_url) as lossy:
        yield lossy


def _through(store: Store, proxy: LossyProxy, *, attempts: int) -> DynamoDalHandler:
    client = build_client(
        endpoint_url=proxy.endpoint, region_name="us-east-1", max_attempts=attempts
    )
    return store.handler(client=client)


def _versions(store: Store, application_id: str) -> list[str]:
    listed = store.handler().list_tailored_cvs_for_application(application_id)
    assert listed.success, listed.error
    return [artifact_of(v).artifact_id for v in listed.data]


def test_a_lost_put_response_retried_by_botocore_stores_one_version(
    http_store: Store, proxy: LossyProxy
) -> None:
    handler = _through(http_store, proxy, attempts=3)
    proxy.drop_responses("PutItem")
    saved = handler.save_tailored_cv("app-lost", make_data(random.Random(1)))
    assert saved.success, saved.error
    assert proxy.dropped == ["PutItem"]
    assert proxy.operations("PutItem") == 2  # applied, lost, retried and refused
    assert _versions(http_store, "app-lost") == [saved.data]
    assert http_store.count() == 1


def test_two_lost_responses_in_a_row_still_store_one_version(
    http_store: Store, proxy: LossyProxy
) -> None:
    handler = _through(http_store, proxy, attempts=4)
    proxy.drop_responses("PutItem", times=2)
    saved = handler.save_tailored_cv("app-lost-2", make_data(random.Random(2)))
    assert saved.success, saved.error
    assert _versions(http_store, "app-lost-2") == [saved.data]


def test_a_lost_response_beside_a_real_collision_keeps_both_saves(
    http_store: Store, proxy: LossyProxy
) -> None:
    # Another save holds this microsecond already: the lost-and-retried save moves on, once.
    first = http_store.handler().save_tailored_cv("app-both", make_data(random.Random(3)))
    handler = _through(http_store, proxy, attempts=3)
    proxy.drop_responses("PutItem")
    second = handler.save_tailored_cv("app-both", make_data(random.Random(4)))
    assert first.success
    assert second.success, second.error
    assert sorted(_versions(http_store, "app-both")) == sorted([first.data, second.data])
    assert http_store.count() == 2


def test_a_retried_delete_whose_response_was_lost_succeeds_and_the_version_is_gone(
    http_store: Store, proxy: LossyProxy
) -> None:
    saved = http_store.handler().save_tailored_cv("app-del", make_data(random.Random(5)))
    assert saved.success
    handler = _through(http_store, proxy, attempts=3)
    proxy.drop_responses("UpdateItem")  # a removal strips the version to its tombstone
    deleted = handler.delete_tailored_cv(*key_of(saved.data))
    # The first attempt removed it; the retry found this call's own tombstone.
    assert proxy.dropped == ["UpdateItem"]
    assert deleted.success, deleted
    assert http_store.count() == 0
    assert http_store.handler().delete_tailored_cv(*key_of(saved.data)).code is (
        ResultCode.NOT_FOUND
    )


# -- idempotency keys under crashes ----------------------------------------------------------


def test_a_crash_after_the_record_converges_on_one_version(http_store: Store) -> None:
    data = make_data(random.Random(6))
    handler = http_store.handler()
    # The record is claimed, then every attempt to store the version fails: the call dies.
    fault = Fault(
        http_store.sending_client(),
        "PutItem",
        after=1,
        times=3,
        status=500,
        body=error_body("InternalServerError", "down"),
    )
    crashed = handler.save_tailored_cv("app-crash", data, idempotency_key="req-1")
    assert crashed.code is ResultCode.DATABASE_ERROR
    assert fault.injected == 3
    assert http_store.count() == 1  # the record alone
    http_store.clock.advance(timedelta(seconds=30))  # the retry comes later, on a fresh clock
    retried = handler.save_tailored_cv("app-crash", data, idempotency_key="req-1")
    assert retried.success, retried.error
    assert retried.data.endswith("10:30:00.000000Z")  # the time the first call claimed
    assert _versions(http_store, "app-crash") == [retried.data]
    again = handler.save_tailored_cv("app-crash", data, idempotency_key="req-1")
    assert again.data == retried.data
    assert http_store.count() == 2  # one version and its record


@pytest.mark.parametrize("lost", ["the record", "the version"])
def test_a_crash_after_a_lost_response_converges_on_one_version(
    http_store: Store, proxy: LossyProxy, lost: str
) -> None:
    data = make_data(random.Random(7))
    # No botocore retries: the lost response ends the call, as a Lambda timeout would.
    handler = _through(http_store, proxy, attempts=1)
    # The record is the first PutItem, the version the second.
    proxy.drop_responses("PutItem", after=1 if lost == "the version" else 0)
    crashed = handler.save_tailored_cv("app-crash-2", data, idempotency_key="req-2")
    assert crashed.code is ResultCode.DATABASE_ERROR
    assert proxy.dropped == ["PutItem"]
    assert http_store.count() == (2 if lost == "the version" else 1)
    http_store.clock.advance(timedelta(minutes=5))
    retried = handler.save_tailored_cv("app-crash-2", data, idempotency_key="req-2")
    assert retried.success, retried.error
    assert _versions(http_store, "app-crash-2") == [retried.data]
    assert http_store.count() == 2


def test_concurrent_saves_with_one_key_store_one_version(http_store: Store) -> None:
    http_store.engine.require_atomic_conditions()
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    handler = http_store.handler(clock=None)
    data = make_data(random.Random(8))
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(
            pool.map(
                lambda _: handler.save_tailored_cv("app-race", data, idempotency_key="req-3"),
                range(12),
            )
        )
    assert all(o.success for o in outcomes), [o.error for o in outcomes]
    assert len({o.data for o in outcomes}) == 1
    assert len(_versions(http_store, "app-race")) == 1


def test_a_lost_response_when_moving_a_record_still_stores_one_version(
    http_store: Store, proxy: LossyProxy
) -> None:
    # The clock stands still: the keyed save collides with the unkeyed one and moves its record;
    # the move's response is lost, botocore retries it and the retry's condition fails.
    first = http_store.handler().save_tailored_cv("app-move", make_data(random.Random(9)))
    handler = _through(http_store, proxy, attempts=3)
    proxy.drop_responses("UpdateItem")
    data = make_data(random.Random(10))
    keyed = handler.save_tailored_cv("app-move", data, idempotency_key="req-move")
    assert first.success
    assert keyed.success, keyed.error
    assert proxy.dropped == ["UpdateItem"]
    assert keyed.data.endswith(".000001Z")
    again = handler.save_tailored_cv("app-move", data, idempotency_key="req-move")
    assert again.data == keyed.data
    assert len(_versions(http_store, "app-move")) == 2

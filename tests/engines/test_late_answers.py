"""The call budget never turns a write DynamoDB applied into an error.

A ``LossyProxy`` lets the engine apply a write and holds its answer for 4 seconds, past the
default client's read timeout: the client gives up on that attempt while the write is stored.
The budget (10 s by default) must then still hold a retry, which fails its condition, and the
store recognises its own write: a save answers with its artifact id (one version), a delete
succeeds, an erasure counts every version. Release 0.3.0's 4 s read timeout left no room for
that retry: each of these answered ``DATABASE_ERROR`` with the write applied.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from careervp.dal.client import build_client
from careervp.models.result import ResultCode
from support.engines import free_port
from support.factories import make_data
from support.faults import Fault, error_body
from support.network import LossyProxy
from support.raw import artifact_of, key_of
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from tests.conftest import Records, Store

# Longer than the default client's read timeout, shorter than its budget.
LATE = 4.0


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


@pytest.fixture
def proxy(http_store: Store) -> Iterator[LossyProxy]:
    assert http_store.engine.endpoint_url is not None
    with LossyProxy(http_store.engine.endpoint_url) as late:
        yield late


def _default_client_through(store: Store, proxy: LossyProxy) -> DynamoDalHandler:
    # The client exactly as the handler builds it for itself: default budget and timeouts.
    client = build_client(endpoint_url=proxy.endpoint, region_name="us-east-1")
    return store.handler(client=client)


def _versions(store: Store, application_id: str) -> list[str]:
    listed = store.handler().list_tailored_cvs_for_application(application_id)
    assert listed.success, listed.error
    return [artifact_of(v).artifact_id for v in listed.data]


def test_a_save_answered_late_stores_one_version_and_says_so(
    http_store: Store, proxy: LossyProxy
) -> None:
    handler = _default_client_through(http_store, proxy)
    proxy.hold_responses("PutItem", LATE)
    saved = handler.save_tailored_cv("app-late", make_data(random.Random(1)))
    assert saved.success, saved.error
    assert proxy.held == ["PutItem"]
    assert proxy.operations("PutItem") == 2  # applied and answered late, retried and refused
    assert _versions(http_store, "app-late") == [saved.data]
    assert http_store.count() == 1


@pytest.mark.parametrize("late_write", [0, 1], ids=["claim", "version"])
def test_a_keyed_save_answered_late_stores_one_version(
    http_store: Store, proxy: LossyProxy, late_write: int
) -> None:
    handler = _default_client_through(http_store, proxy)
    # The record's claim is the first put, the version the second.
    proxy.hold_responses("PutItem", LATE, after=late_write)
    data = make_data(random.Random(2))
    saved = handler.save_tailored_cv("app-late-key", data, idempotency_key="req-1")
    assert saved.success, saved.error
    assert proxy.held == ["PutItem"]
    assert _versions(http_store, "app-late-key") == [saved.data]
    again = http_store.handler().save_tailored_cv("app-late-key", data, idempotency_key="req-1")
    assert again.success, again.error
    assert again.data == saved.data
    assert http_store.count() == 2  # the version and its record


def test_a_delete_answered_late_succeeds_and_the_version_is_gone(
    http_store: Store, proxy: LossyProxy
) -> None:
    saved = http_store.handler().save_tailored_cv("app-late-del", make_data(random.Random(3)))
    assert saved.success
    handler = _default_client_through(http_store, proxy)
    proxy.hold_responses("UpdateItem", LATE)  # the removal strips the version to a tombstone
    deleted = handler.delete_tailored_cv(*key_of(saved.data))
    assert proxy.held == ["UpdateItem"]
    assert deleted.success, deleted.error
    assert http_store.count() == 0
    assert len(http_store.tombstones()) == 1
    got = http_store.handler().get_tailored_cv(*key_of(saved.data))
    assert got.code is ResultCode.NOT_FOUND


def test_an_erasure_answered_late_counts_every_version(
    http_store: Store, proxy: LossyProxy
) -> None:
    writer = http_store.handler()
    for index in range(3):
        http_store.clock.advance(timedelta(seconds=1))
        saved = writer.save_tailored_cv(f"app-erase-{index}", make_data(random.Random(index)))
        assert saved.success, saved.error
    handler = _default_client_through(http_store, proxy)
    proxy.hold_responses("UpdateItem", LATE, after=1)  # the second version's removal
    erased = handler.delete_all_tailored_cvs_for_user("user-1")
    assert proxy.held == ["UpdateItem"]
    assert erased.success, erased.error
    assert erased.data == 3
    assert http_store.count() == 0


def test_a_write_never_answered_within_the_budget_says_its_outcome_is_unknown(
    http_store: Store, proxy: LossyProxy
) -> None:
    handler = _default_client_through(http_store, proxy)
    proxy.hold_responses("PutItem", LATE, times=5)
    data = make_data(random.Random(4))
    saved = handler.save_tailored_cv("app-unknown", data, idempotency_key="req-u")
    assert saved.code is ResultCode.DATABASE_ERROR
    assert saved.error is not None
    assert "outcome is unknown" in saved.error
    assert "same idempotency key" in saved.error
    # As the error says: the same key, once the database answers again, stores one version.
    repeated = http_store.handler().save_tailored_cv("app-unknown", data, idempotency_key="req-u")
    assert repeated.success, repeated.error
    assert len(_versions(http_store, "app-unknown")) == 1


class RefuseAfter:
    """From the (after+1)-th request of ``operation`` on, send it to a closed port: the path to
    the database dies right after the first attempt was applied (a refused connection)."""

    def __init__(self, client: Any, operation: str, after: int = 1) -> None:
        self.seen = 0
        self.after = after
        self.dead = f"http://127.0.0.1:{free_port()}/"
        client.meta.events.register(f"before-send.dynamodb.{operation}", self)

    def __call__(self, request: Any, **_: object) -> None:
        self.seen += 1
        if self.seen > self.after:
            request.url = self.dead


def _then(client: Any, operation: str, second: str) -> None:
    if second == "refused":
        RefuseAfter(client, operation)
    else:
        Fault(
            client,
            operation,
            after=1,
            times=10,
            body=error_body("ProvisionedThroughputExceededException", "slow down"),
        )


@pytest.mark.parametrize("second", ["refused", "throttled"])
def test_a_save_answered_late_then_unreachable_says_its_outcome_is_unknown(
    http_store: Store, proxy: LossyProxy, second: str
) -> None:
    """Whatever the retries meet after an unanswered attempt, the error is not "could not
    connect" or "throttled" (read as: nothing stored): the write may have been applied."""
    client = build_client(endpoint_url=proxy.endpoint, region_name="us-east-1")
    handler = http_store.handler(client=client)
    proxy.hold_responses("PutItem", LATE)
    _then(http_store.sending_client(client), "PutItem", second)
    saved = handler.save_tailored_cv("app-r1", make_data(random.Random(1)))
    assert _versions(http_store, "app-r1") != []  # the first attempt was applied
    assert saved.code is ResultCode.DATABASE_ERROR, saved
    assert "outcome is unknown" in (saved.error or "")


def test_a_delete_answered_late_then_refused_says_its_outcome_is_unknown(
    http_store: Store, proxy: LossyProxy
) -> None:
    saved = http_store.handler().save_tailored_cv("app-r1d", make_data(random.Random(2)))
    assert saved.success
    client = build_client(endpoint_url=proxy.endpoint, region_name="us-east-1")
    handler = http_store.handler(client=client)
    proxy.hold_responses("UpdateItem", LATE)
    RefuseAfter(http_store.sending_client(client), "UpdateItem")
    deleted = handler.delete_tailored_cv(*key_of(saved.data))
    assert deleted.code is ResultCode.DATABASE_ERROR
    assert "outcome is unknown" in (deleted.error or "")


def test_an_erasure_stopped_after_a_late_answer_names_the_version_under_way(
    http_store: Store, proxy: LossyProxy, log_records: Records
) -> None:
    writer = http_store.handler()
    saved = writer.save_tailored_cv("app-r1e", make_data(random.Random(3), user_id="u-r1"))
    assert saved.success
    client = build_client(endpoint_url=proxy.endpoint, region_name="us-east-1")
    handler = http_store.handler(client=client)
    proxy.hold_responses("UpdateItem", LATE)
    RefuseAfter(http_store.sending_client(client), "UpdateItem")
    erased = handler.delete_all_tailored_cvs_for_user("u-r1")
    assert erased.code is ResultCode.DATABASE_ERROR
    assert f"the removal of version {saved.data} was under way" in (erased.error or "")
    (record,) = [r for r in log_records.records if getattr(r, "under_way", None)]
    assert getattr(record, "under_way", None) == saved.data


def test_a_write_applied_then_reset_says_its_outcome_is_unknown(
    http_store: Store, proxy: LossyProxy
) -> None:
    """The engine applied the put and the connection was reset instead of answered, on every
    attempt: the write may have been applied, so no "could not connect" (aiohttp reports a
    reset as an OS error, which aiobotocore raises as a failure to connect)."""
    client = build_client(endpoint_url=proxy.endpoint, region_name="us-east-1")
    handler = http_store.handler(client=client)
    proxy.drop_responses("PutItem", times=10, reset=True)
    saved = handler.save_tailored_cv("app-reset", make_data(random.Random(5)))
    assert proxy.dropped[:1] == ["PutItem"]
    assert _versions(http_store, "app-reset") != []  # the first attempt was applied
    assert saved.code is ResultCode.DATABASE_ERROR, saved
    assert "outcome is unknown" in (saved.error or "")

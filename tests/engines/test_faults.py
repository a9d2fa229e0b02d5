"""Throttling, server errors, a missing table and a dead endpoint become clear results."""

from __future__ import annotations

import random
import socket
from typing import TYPE_CHECKING

from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, error_body

if TYPE_CHECKING:
    from tests.conftest import Store

THROTTLE = error_body("ProvisionedThroughputExceededException", "Rate exceeded")


def test_throttling_that_clears_within_the_retries_succeeds(store: Store) -> None:
    fault = Fault(store.client, "PutItem", times=2, body=THROTTLE)
    saved = store.handler().save_tailored_cv("app-1", make_data(random.Random(1)))
    assert saved.success, saved.error
    assert fault.injected == 2
    assert fault.calls == 3
    assert store.count() == 1


def test_throttling_that_persists_is_throttled(store: Store) -> None:
    fault = Fault(store.client, "Query", times=100, body=THROTTLE)
    result = store.handler().list_tailored_cvs_for_user("u-1")
    assert result.code is ResultCode.THROTTLED
    assert store.table_name in (result.error or "")
    assert fault.calls == 3  # the client's max_attempts


def test_a_server_error_is_retried_then_reported(store: Store) -> None:
    fault = Fault(
        store.client, "GetItem", times=100, status=500, body=error_body("InternalServerError", "x")
    )
    result = store.handler().get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
    assert result.code is ResultCode.DATABASE_ERROR
    assert fault.calls == 3


def test_a_rejected_size_is_item_too_large(store: Store) -> None:
    Fault(
        store.client,
        "PutItem",
        times=1,
        body=error_body("ValidationException", "Item size has exceeded the maximum allowed size"),
    )
    result = store.handler().save_tailored_cv("app-1", make_data(random.Random(1)))
    assert result.code is ResultCode.ITEM_TOO_LARGE
    assert store.count() == 0


def test_a_missing_table_is_a_database_error_naming_it(store: Store) -> None:
    handler = DynamoDalHandler(store.client, "no-such-table", token_secret=b"s" * 32)
    outcomes = [
        handler.save_tailored_cv("app-1", make_data(random.Random(1))),
        handler.get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z"),
        handler.list_tailored_cvs_for_user("u-1"),
        handler.list_tailored_cvs_for_application("app-1"),
        handler.delete_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z"),
    ]
    for outcome in outcomes:
        assert outcome.code is ResultCode.DATABASE_ERROR, outcome
        assert "no-such-table" in (outcome.error or "")


def test_a_refused_connection_is_a_database_error_naming_the_endpoint() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        endpoint = f"http://127.0.0.1:{port}"
        client = build_client(endpoint_url=endpoint, region_name="us-east-1", max_attempts=2)
        handler = DynamoDalHandler(client, "tailored", token_secret=b"s" * 32)
        result = handler.get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
    assert result.code is ResultCode.DATABASE_ERROR
    assert endpoint in (result.error or "")

"""Throttling, server errors, a missing table and a dead endpoint become clear results."""

from __future__ import annotations

import logging
import random
import socket
from typing import TYPE_CHECKING

import pytest

from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.encryption import KmsCipher
from careervp.models.result import ResultCode
from support.factories import make_data
from support.faults import Fault, error_body

if TYPE_CHECKING:
    from tests.conftest import Records, Store

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


def test_a_refused_connection_is_named_as_such_not_as_a_timeout() -> None:
    # With the default retries the deadline stops the retries early; it must not take the
    # refusal's place in the sentence (it once said "no answer within the call's 10 s budget").
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{sock.getsockname()[1]}"
        handler = DynamoDalHandler(
            build_client(endpoint_url=endpoint, region_name="us-east-1"),
            "tailored",
            token_secret=b"s" * 32,
        )
        result = handler.get_latest_tailored_cv("app-1")
    assert result.code is ResultCode.DATABASE_ERROR
    assert f"could not connect to DynamoDB at {endpoint}" in (result.error or "")
    assert "budget" not in (result.error or "")
    assert "in time" not in (result.error or "")


HOSTILE_MESSAGE = (
    "User: arn:aws:sts::123456789012:assumed-role/tailor/session is not authorized to perform"
    " dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/t\n"
    "\x1b[31mforged log line"
)


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("AccessDeniedException", ResultCode.DATABASE_ERROR, "access denied"),
        ("UnrecognizedClientException", ResultCode.DATABASE_ERROR, "access denied"),
        ("ThrottlingException", ResultCode.THROTTLED, "throttled"),
        ("SomethingNewException", ResultCode.DATABASE_ERROR, "refused"),
    ],
)
def test_an_engine_message_never_reaches_the_result_only_the_log_escaped(
    http_store: Store, log_records: Records, kind: str, code: ResultCode, words: str
) -> None:
    Fault(http_store.client, "GetItem", times=100, body=error_body(kind, HOSTILE_MESSAGE))
    result = http_store.handler().get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
    assert result.code is code
    error = result.error or ""
    assert words in error
    assert http_store.table_name in error
    assert kind in error  # the code's class, named
    for leaked in ("123456789012", "arn:", "not authorized", "\n", "\x1b"):
        assert leaked not in error
    (record,) = [r for r in log_records.records if r.levelno == logging.WARNING]
    logged = record.__dict__["engine_message"]
    assert "not authorized" in logged  # the operator still sees what the engine said
    assert "\n" not in logged
    assert "\x1b" not in logged
    assert "\\n\\x1b[31mforged" in logged
    assert "123456789012" not in logged  # the account masked in the log record too
    assert "arn:aws:sts::<account-id>:assumed-role" in logged
    assert len(logged) <= 300


def test_an_engine_message_in_the_log_is_bounded(http_store: Store, log_records: Records) -> None:
    Fault(http_store.client, "GetItem", times=100, status=500, body=error_body("X", "y" * 5000))
    result = http_store.handler().get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
    assert result.code is ResultCode.DATABASE_ERROR
    (record,) = [r for r in log_records.records if r.levelno == logging.WARNING]
    assert 200 < len(record.__dict__["engine_message"]) <= 300


def test_a_key_configured_by_its_arn_is_named_without_the_account(http_store: Store) -> None:
    kms = http_store.engine.kms()
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    account = arn.split(":")[4]
    cipher = KmsCipher(kms, arn)
    Fault(kms, "GenerateDataKey", times=100, body=error_body("AccessDeniedException", arn))
    result = http_store.handler(cipher=cipher).save_tailored_cv(
        "app-1", make_data(random.Random(2))
    )
    assert result.code is ResultCode.DATABASE_ERROR
    error = result.error or ""
    assert error.startswith("access denied: KMS at")
    assert f"key {arn.split(':', 5)[5]}" in error  # key/<id>: the key, not the account
    assert account not in error

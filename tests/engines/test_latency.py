"""A call to an endpoint that accepts connections and never answers ends within its budget.

This bounds latency, a promise of the contract, with generous margins: it is not a benchmark.
"""

from __future__ import annotations

import time

import pytest

from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.models.result import ResultCode
from support.network import silent_server

KEY = ("app-1", "2026-11-26T10:30:00.000000Z")


def _timed_get(handler: DynamoDalHandler) -> tuple[float, ResultCode, str]:
    started = time.monotonic()
    result = handler.get_tailored_cv(*KEY)
    return time.monotonic() - started, result.code, result.error or ""


def test_the_default_client_gives_up_within_ten_seconds() -> None:
    with silent_server() as endpoint:
        client = build_client(endpoint_url=endpoint, region_name="us-east-1")
        handler = DynamoDalHandler(client, "tailored", token_secret=b"s" * 32)
        spent, code, error = _timed_get(handler)
    assert code is ResultCode.DATABASE_ERROR
    assert endpoint in error
    assert error.startswith("no answer in time: DynamoDB at")
    # What timed out is each attempt (4 s), not the 10 s budget: the sentence says both.
    assert "did not answer an attempt within its read timeout" in error
    assert "10 s budget" in error
    assert spent < 10.5


def test_the_budget_is_configurable_retries_included() -> None:
    with silent_server() as endpoint:
        client = build_client(
            endpoint_url=endpoint, region_name="us-east-1", call_timeout=1.5, max_attempts=10
        )
        handler = DynamoDalHandler(client, "tailored", token_secret=b"s" * 32)
        spent, code, _ = _timed_get(handler)
    assert code is ResultCode.DATABASE_ERROR
    assert spent < 2.5


def test_a_default_handler_builds_its_client_with_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with silent_server() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        handler = DynamoDalHandler(table_name="tailored", call_timeout=1.0)
        spent, code, _ = _timed_get(handler)
    assert code is ResultCode.DATABASE_ERROR
    assert spent < 2.0

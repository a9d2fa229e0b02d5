"""Attempt timeouts leave the call budget room for a retry after a read timeout.

A write DynamoDB applied but answered late is only recognised as this call's own if it is
sent again within the budget (``tests/engines/test_late_answers.py`` shows it on the engines);
this checks the arithmetic the deadline applies, for every budget from 3 s up.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careervp.dal.client import DEFAULT_CALL_TIMEOUT, attempt_timeouts
from careervp.dal.dynamo_dal_handler import DynamoDalHandler

FIRST_BACKOFF = 1.0  # the longest wait of botocore's standard mode before its first retry


@given(st.floats(min_value=3.0, max_value=900.0))
def test_a_budget_of_three_seconds_or_more_holds_a_retry_after_a_read_timeout(
    budget: float,
) -> None:
    connect, read = attempt_timeouts(budget)
    attempt = connect + read
    assert connect > 0
    assert read > 0
    # The deadline allows a retry when now + backoff + attempt fits; now is at most one
    # attempt after the start, with a hundredth of the budget to spare for the work between.
    assert attempt + FIRST_BACKOFF + attempt <= budget * 0.99


@given(st.floats(min_value=0.01, max_value=2.99))
def test_a_short_budget_still_bounds_each_attempt(budget: float) -> None:
    connect, read = attempt_timeouts(budget)
    assert 0 < connect + read < budget


def test_the_default_budget_reads_for_more_than_three_seconds() -> None:
    connect, read = attempt_timeouts(DEFAULT_CALL_TIMEOUT)
    assert connect == 1.0
    assert read > 3.0


def test_aws_region_alone_configures_the_default_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore reads AWS_DEFAULT_REGION only; the store's messages and docs name AWS_REGION
    too, so a shell that sets only that one gets a handler, not "no AWS region"."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    handler = DynamoDalHandler(table_name="t", token_secret=b"s" * 32)
    assert handler._client.meta.region_name == "eu-central-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert DynamoDalHandler(table_name="t", token_secret=b"s" * 32)._client.meta.region_name == (
        "us-west-2"
    )

"""``ensure_table`` never changes a table it refuses (a typo can name another team's)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from careervp.dal.table import ensure_table

if TYPE_CHECKING:
    from tests.conftest import Engine


def test_a_table_keyed_otherwise_is_reported_and_left_as_it_is(http_engine: Engine) -> None:
    client = http_engine.client()
    name = f"other-team-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        try:
            before = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        except ClientError:
            pytest.skip(f"{http_engine.name} has no TTL API: nothing it could change")
        report = ensure_table(client, name)
        assert not report.serviceable
        assert any("key schema" in p for p in report.problems)
        assert report.repaired == []
        after = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert after == before
    finally:
        client.delete_table(TableName=name)

"""``ensure_table`` never changes a table it refuses (a typo can name another team's)."""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import TABLE_CLASSES, ensure_table
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.literals import TableClassType

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


@pytest.mark.parametrize("table_class", TABLE_CLASSES)
def test_create_table_sends_the_table_class_and_the_engine_serves_the_table(
    http_engine: Engine, table_class: TableClassType
) -> None:
    # Neither engine reports the class back: moto 5 and dynalite 4 accept TableClass in
    # CreateTable and ignore it (DescribeTable has no TableClassSummary), so what reaches the
    # wire is checked here, and the store's own calls show the engine took the table.
    client = http_engine.client()
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.CreateTable", lambda params, **_: sent.append(params)
    )
    name = f"classed-{uuid.uuid4().hex[:8]}"
    report = ensure_table(client, name, table_class=table_class)
    try:
        assert report.created
        assert report.serviceable
        assert [params["TableClass"] for params in sent] == [table_class]
        store = DynamoDalHandler(client, name, token_secret=b"s" * 32)
        saved = store.save_tailored_cv("app-classed", make_data(random.Random(3)))
        assert saved.success, saved.error
        assert store.get_tailored_cv(*key_of(saved.data)).success
    finally:
        client.delete_table(TableName=name)


def test_the_table_class_defaults_to_the_cost_models_choice(http_engine: Engine) -> None:
    client = http_engine.client()
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "before-parameter-build.dynamodb.CreateTable", lambda params, **_: sent.append(params)
    )
    name = f"default-class-{uuid.uuid4().hex[:8]}"
    try:
        assert ensure_table(client, name).created
        assert [params["TableClass"] for params in sent] == ["STANDARD_INFREQUENT_ACCESS"]
    finally:
        client.delete_table(TableName=name)

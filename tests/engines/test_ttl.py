"""Expired versions are never returned, while DynamoDB has not deleted them yet."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of, key_of

if TYPE_CHECKING:
    import random

    from tests.conftest import Store


def test_versions_past_their_ttl_are_invisible(store: Store, rng: random.Random) -> None:
    handler = store.handler()
    store.clock.advance(timedelta(days=-91))
    old = handler.save_tailored_cv("app-1", make_data(rng, user_id="u-ttl"))
    store.clock.advance(timedelta(days=91))
    live = handler.save_tailored_cv("app-1", make_data(rng, user_id="u-ttl"))
    assert old.success
    assert live.success
    assert store.count() == 2  # the expired item is still in the table

    got = handler.get_tailored_cv(*key_of(old.data))
    assert got.code is ResultCode.NOT_FOUND
    page = handler.list_tailored_cvs_for_user("u-ttl")
    assert page.success
    assert [artifact_of(i).artifact_id for i in page.data["items"]] == [live.data]
    versions = handler.list_tailored_cvs_for_application("app-1")
    assert versions.success
    assert [artifact_of(i).artifact_id for i in versions.data] == [live.data]
    deleted = handler.delete_tailored_cv(*key_of(old.data))
    assert deleted.code is ResultCode.NOT_FOUND
    assert store.count() == 2


def test_expiry_is_exact_to_the_second(store: Store, rng: random.Random) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-edge", make_data(rng))
    assert saved.success
    store.clock.advance(timedelta(seconds=7_776_000 - 1))
    assert handler.get_tailored_cv(*key_of(saved.data)).success
    store.clock.advance(timedelta(seconds=1))
    assert handler.get_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND


def test_a_shortened_ttl_hides_the_item_everywhere(store: Store, rng: random.Random) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-2", make_data(rng, user_id="u-short"))
    assert saved.success
    _, created_at = key_of(saved.data)
    now = int(store.clock.now.timestamp())
    store.client.update_item(
        TableName=store.table_name,
        Key={"application_id": {"S": "app-2"}, "created_at": {"S": created_at}},
        UpdateExpression="SET expiration_timestamp = :t",
        ExpressionAttributeValues={":t": {"N": str(now)}},
    )
    assert handler.get_tailored_cv("app-2", created_at).code is ResultCode.NOT_FOUND
    assert handler.list_tailored_cvs_for_user("u-short").data == {
        "items": [],
        "last_evaluated_key": None,
        "count": 0,
        "unreadable": [],
    }
    assert handler.list_tailored_cvs_for_application("app-2").data == []
    assert handler.delete_tailored_cv("app-2", created_at).code is ResultCode.NOT_FOUND

"""Summaries at the edges the full listing also meets: a key the store could not have written
at a page boundary, and removals."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from support.factories import make_data
from support.raw import key_of, raw_item
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


def test_a_foreign_key_at_a_summary_page_boundary_never_stops_the_pages(store: Store) -> None:
    handler = store.handler()
    older = handler.save_tailored_cv("app-s", make_data(random.Random(30), user_id="u-s"))
    assert older.success
    store.clock.advance(timedelta(seconds=1))
    newer = handler.save_tailored_cv("app-s", make_data(random.Random(31), user_id="u-s"))
    assert newer.success
    raw = raw_item(store.client, store.table_name, newer.data)
    key = {k: raw[k] for k in ("application_id", "created_at")}
    raw["application_id"] = {"S": "a" * 2000}
    try:
        store.client.put_item(TableName=store.table_name, Item=raw)
    except ClientError as exc:
        pytest.skip(f"{store.engine.name} cannot store this key ({exc})")
    store.client.delete_item(TableName=store.table_name, Key=key)
    first = handler.list_tailored_cv_summaries_for_user("u-s", limit=1)
    assert first.success, first
    token = first.data["last_evaluated_key"]
    assert token is not None
    second = handler.list_tailored_cv_summaries_for_user("u-s", limit=1, start_key=token)
    assert second.success, second
    assert [s.artifact_id for s in second.data["items"]] == [older.data]
    assert second.data["last_evaluated_key"] is None


def test_removed_versions_leave_no_summary(store: Store) -> None:
    handler = store.handler()
    kept = handler.save_tailored_cv("app-r", make_data(random.Random(32), user_id="u-r"))
    store.clock.advance(timedelta(seconds=1))
    gone = handler.save_tailored_cv("app-r", make_data(random.Random(33), user_id="u-r"))
    assert kept.success
    assert gone.success
    assert handler.delete_tailored_cv(*key_of(gone.data)).success
    page = handler.list_tailored_cv_summaries_for_user("u-r")
    assert page.success
    assert [s.artifact_id for s in page.data["items"]] == [kept.data]
    assert handler.delete_all_tailored_cvs_for_user("u-r").data == 1
    assert handler.list_tailored_cv_summaries_for_user("u-r").data == {
        "items": [],
        "last_evaluated_key": None,
        "count": 0,
        "unreadable": [],
    }


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("text that is not valid Unicode", {"llm_model": {"S": "m\udfffx"}}),
        ("a number a float cannot hold", {"relevance_score": {"N": "12345678901234567890123"}}),
    ],
)
def test_a_summary_the_store_could_not_have_written_is_left_out(
    store: Store, name: str, edit: dict[str, object]
) -> None:
    handler = store.handler()
    kept = handler.save_tailored_cv("app-e", make_data(random.Random(40), user_id="u-e"))
    store.clock.advance(timedelta(seconds=1))
    damaged = handler.save_tailored_cv("app-e", make_data(random.Random(41), user_id="u-e"))
    assert kept.success
    assert damaged.success
    raw = raw_item(store.client, store.table_name, damaged.data)
    raw["metadata"]["M"].update(edit)
    try:
        store.client.put_item(TableName=store.table_name, Item=raw)
    except (ClientError, UnicodeEncodeError) as exc:
        pytest.skip(f"{store.engine.name} cannot store {name} ({type(exc).__name__})")
    page = handler.list_tailored_cv_summaries_for_user("u-e")
    assert page.success, page
    assert [s.artifact_id for s in page.data["items"]] == [kept.data]

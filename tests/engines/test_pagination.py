"""Walking a user's or an application's pages returns every live version exactly once, newest
first, whatever expired versions and tombstones sit between them."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.factories import make_data
from support.raw import artifact_of, key_of
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from tests.conftest import Store


# Each example: (user index, application index, what becomes of it) per saved version, and a
# page size.
@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


versions = st.lists(
    st.tuples(
        st.integers(0, 2), st.integers(0, 3), st.sampled_from(["live", "expired", "deleted"])
    ),
    min_size=0,
    max_size=24,
)
limits = st.one_of(st.integers(1, 5), st.integers(1, 100))


def _walk(
    handler: DynamoDalHandler, user_id: str, limit: int, *, application: bool = False
) -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = None
    listing = (
        handler.list_tailored_cvs_for_application_page
        if application
        else handler.list_tailored_cvs_for_user
    )
    while True:
        page = listing(user_id, limit=limit, start_key=token)
        assert page.success, page.error
        pages.append([artifact_of(item).artifact_id for item in page.data["items"]])
        assert page.data["count"] == len(page.data["items"])
        assert page.data["unreadable"] == []
        token = page.data["last_evaluated_key"]
        if token is None:
            return pages
        assert len(pages) < 200, "pagination does not terminate"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=versions, limit=limits, seed=st.integers(0, 2**32))
def test_pages_hold_exactly_the_live_items(
    store: Store, plan: list[tuple[int, int, str]], limit: int, seed: int
) -> None:
    handler = store.handler()
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]  # examples share the table, never a user or application
    users = [f"user-{run}-{i}" for i in range(3)]
    applications = [f"app-{run}-{i}" for i in range(4)]
    live: dict[str, list[str]] = {name: [] for name in users + applications}
    for user_index, app_index, fate in plan:
        store.clock.advance(timedelta(microseconds=rng.randrange(1, 5_000_000)))
        user = users[user_index]
        saved = handler.save_tailored_cv(
            applications[app_index], make_data(rng, user_id=user, json_bytes=600)
        )
        assert saved.success, saved.error
        application_id, created_at = key_of(saved.data)
        if fate == "deleted":
            assert handler.delete_tailored_cv(application_id, created_at).success
        elif fate == "expired":
            # Expired items interleave with live ones: their TTL is moved into the past.
            store.client.update_item(
                TableName=store.table_name,
                Key={"application_id": {"S": application_id}, "created_at": {"S": created_at}},
                UpdateExpression="SET expiration_timestamp = :t",
                ExpressionAttributeValues={":t": {"N": "1000"}},
            )
        else:
            live[user].append(saved.data)
            live[applications[app_index]].append(saved.data)
    for name in users + applications:
        pages = _walk(handler, name, limit, application=name in applications)
        expected = sorted(live[name], key=lambda a: key_of(a)[1], reverse=True)
        walked = [artifact for page in pages for artifact in page]
        assert walked == expected
        for page in pages[:-1]:
            assert len(page) == limit
        assert len(pages[-1]) == min(limit, len(expected) - limit * (len(pages) - 1))
        assert pages[-1] or len(pages) == 1, "a token led to an empty page"


def test_expired_runs_between_pages_never_yield_an_empty_page(store: Store) -> None:
    handler = store.handler()
    rng = random.Random(3)
    live = []
    for index in range(30):
        store.clock.advance(timedelta(seconds=1))
        saved = handler.save_tailored_cv("app-run", make_data(rng, user_id="u-run", json_bytes=600))
        assert saved.success
        # Only the oldest two and the newest one stay live; 27 expired ones sit between.
        if 2 <= index <= 28:
            store.client.update_item(
                TableName=store.table_name,
                Key={
                    "application_id": {"S": "app-run"},
                    "created_at": {"S": key_of(saved.data)[1]},
                },
                UpdateExpression="SET expiration_timestamp = :t",
                ExpressionAttributeValues={":t": {"N": "1000"}},
            )
        else:
            live.append(saved.data)
    assert _walk(handler, "u-run", 1) == [[a] for a in reversed(live)]
    assert _walk(handler, "u-run", 2) == [[live[2], live[1]], [live[0]]]
    assert _walk(handler, "u-run", 3) == [list(reversed(live))]

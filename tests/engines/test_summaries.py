"""A user's history as summaries: the index alone, newest first, exact pages, expired hidden."""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from careervp.dal.table import create_table, ensure_table
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of, expire, key_of, tamper
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.models.tailor import TailoredCVSummary
    from tests.conftest import Clock, Engine, Records, Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


# The index as careervp-dal defined it before summaries: keys, TTL and idempotency key only.
OLD_PROJECTION: Any = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": ["expiration_timestamp", "idempotency_key"],
}


@pytest.fixture(params=["include", "all"])
def projection(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def old_store(engine: Engine, clock: Clock, handler_kind: str) -> Iterator[Store]:
    """A table on ``engine`` whose index predates summaries."""
    from tests.conftest import Store as StoreClass  # noqa: PLC0415 - a runtime name for once

    client = engine.client()
    name = f"tailored-cvs-old-{uuid.uuid4().hex[:12]}"
    create_table(client, name, projection=OLD_PROJECTION)
    store = StoreClass(
        engine=engine, client=client, table_name=name, clock=clock, kind=handler_kind
    )
    yield store
    store.close()
    client.delete_table(TableName=name)


class Calls:
    """The DynamoDB operations a client makes."""

    def __init__(self, store: Store) -> None:
        self.seen: Counter[str] = Counter()
        store.events().register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **_: object) -> None:
        self.seen[model.name] += 1


def _fill(store: Store, user_id: str, plan: str) -> list[str]:
    """Save one version per letter of ``plan`` (``l`` live, ``x`` expired), oldest first;
    returns the live artifact ids, newest first."""
    handler = store.handler()
    rng = random.Random(user_id)
    live: list[str] = []
    for index, kind in enumerate(plan):
        store.clock.advance(timedelta(seconds=1))
        data = make_data(rng, user_id=user_id, job_id=f"job-{index}", version=index + 1)
        saved = handler.save_tailored_cv(f"app-{user_id}-{index % 3}", data)
        assert saved.success, saved.error
        if kind == "x":
            expire(store.client, store.table_name, saved.data)
        else:
            live.append(saved.data)
    return live[::-1]


def _walk(handler: DynamoDalHandler, user_id: str, limit: int) -> list[list[TailoredCVSummary]]:
    pages: list[list[TailoredCVSummary]] = []
    token: str | None = None
    while True:
        page = handler.list_tailored_cv_summaries_for_user(user_id, limit=limit, start_key=token)
        assert page.success, page.error
        assert page.data["count"] == len(page.data["items"])
        pages.append(page.data["items"])
        token = page.data["last_evaluated_key"]
        if token is None:
            return pages
        assert len(pages) < 50, "pagination does not terminate"


def _check_against_full_reads(
    handler: DynamoDalHandler, summaries: list[TailoredCVSummary]
) -> None:
    for summary in summaries:
        got = handler.get_tailored_cv(summary.application_id, summary.created_at)
        assert got.success, got.error
        full = got.data
        assert summary.artifact_id == artifact_of(full).artifact_id
        assert summary.expires_at == artifact_of(full).expires_at
        assert summary.job_id == full.metadata.job_id
        assert summary.cv_version == full.tailored_cv.source_cv_version
        assert summary.fvs_validation_passed == full.metadata.fvs_validation_passed
        assert summary.llm_model == full.metadata.llm_model
        assert summary.relevance_score == full.metadata.relevance_score


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_pages_hold_every_live_version_once_newest_first(store: Store, limit: int) -> None:
    live = _fill(store, "u-sum", "lxllxxlll")
    _fill(store, "u-other", "ll")
    handler = store.handler()
    pages = _walk(handler, "u-sum", limit)
    walked = [s.artifact_id for page in pages for s in page]
    assert walked == live
    for page in pages[:-1]:
        assert len(page) == limit
    assert len(pages[-1]) == min(limit, len(live) - limit * (len(pages) - 1))
    _check_against_full_reads(handler, [s for page in pages for s in page])


def test_a_page_is_one_query_and_no_item_reads(store: Store) -> None:
    live = _fill(store, "u-one", "lllll")
    handler = store.handler()
    calls = Calls(store)
    first = handler.list_tailored_cv_summaries_for_user("u-one", limit=2)
    assert first.success, first.error
    assert calls.seen == Counter({"Query": 1})
    second = handler.list_tailored_cv_summaries_for_user(
        "u-one", limit=3, start_key=first.data["last_evaluated_key"]
    )
    assert second.success, second.error
    assert calls.seen == Counter({"Query": 2})
    assert [s.artifact_id for s in first.data["items"] + second.data["items"]] == live
    assert second.data["last_evaluated_key"] is None


def test_a_user_without_versions_has_an_empty_history(store: Store) -> None:
    page = store.handler().list_tailored_cv_summaries_for_user("u-nobody")
    assert page.success, page.error
    assert page.data == {"items": [], "last_evaluated_key": None, "count": 0, "unreadable": []}


def test_versions_expiring_by_the_clock_leave_the_history(store: Store) -> None:
    live = _fill(store, "u-clock", "lll")
    handler = store.handler()
    store.clock.advance(timedelta(days=90, seconds=-2))
    # Now is the oldest version's expiry second (saved two seconds before the newest).
    page = handler.list_tailored_cv_summaries_for_user("u-clock")
    assert page.success, page.error
    assert [s.artifact_id for s in page.data["items"]] == live[:2]


def test_tokens_are_bound_to_the_summary_listing_and_the_user(store: Store) -> None:
    _fill(store, "u-a", "lll")
    _fill(store, "u-b", "lll")
    handler = store.handler()
    summaries = handler.list_tailored_cv_summaries_for_user("u-a", limit=1)
    full = handler.list_tailored_cvs_for_user("u-a", limit=1)
    assert summaries.success
    assert full.success
    summary_token = summaries.data["last_evaluated_key"]
    full_token = full.data["last_evaluated_key"]
    assert summary_token is not None
    assert full_token is not None
    continued = handler.list_tailored_cv_summaries_for_user("u-a", limit=1, start_key=summary_token)
    assert continued.success, continued.error
    refusals = [
        handler.list_tailored_cv_summaries_for_user("u-b", limit=1, start_key=summary_token),
        handler.list_tailored_cv_summaries_for_user("u-a", limit=1, start_key=full_token),
        handler.list_tailored_cvs_for_user("u-a", limit=1, start_key=summary_token),
        handler.list_tailored_cv_summaries_for_user("u-a", limit=1, start_key=summary_token[:-2]),
        handler.list_tailored_cv_summaries_for_user("u-a", limit=1, start_key="garbage"),
    ]
    for refused in refusals:
        assert refused.code is ResultCode.VALIDATION_ERROR, refused


@pytest.mark.parametrize(("user_id", "limit"), [("", 10), ("u-1", 0), ("u-1", 101), (" u", 1)])
def test_bad_arguments_are_refused_before_any_call(store: Store, user_id: str, limit: int) -> None:
    calls = Calls(store)
    result = store.handler().list_tailored_cv_summaries_for_user(user_id, limit=limit)
    assert result.code is ResultCode.VALIDATION_ERROR
    assert not calls.seen


def _break_cv_version(raw: dict[str, Any]) -> None:
    raw["cv_version"] = {"S": "three"}


def _break_metadata(raw: dict[str, Any]) -> None:
    raw["metadata"]["M"]["relevance_score"] = {"S": "high"}


def _move_to_another_user(raw: dict[str, Any]) -> None:
    raw["metadata"]["M"]["user_id"] = {"S": "u-elsewhere"}


def _drop_ttl(raw: dict[str, Any]) -> None:
    del raw["expiration_timestamp"]


@pytest.mark.parametrize(
    "damage", [_break_cv_version, _break_metadata, _move_to_another_user, _drop_ttl]
)
def test_a_damaged_summary_is_left_out_and_named_in_the_log(
    store: Store, log_records: Records, damage: Any
) -> None:
    live = _fill(store, "u-dmg", "llll")
    tamper(store.client, store.table_name, live[1], damage)
    handler = store.handler()
    pages = _walk(handler, "u-dmg", 2)
    # The damaged version still counts towards its page (like ``unreadable`` in the full
    # listing), so the walk stays exact and no later version is skipped.
    assert [[s.artifact_id for s in page] for page in pages] == [[live[0]], live[2:]]
    errors = [r for r in log_records.records if r.levelno == logging.ERROR]
    assert [r.__dict__["artifact_id"] for r in errors] == [live[1]]
    # The verified read agrees that the version cannot be trusted.
    got = handler.get_tailored_cv(*key_of(live[1]))
    assert got.code is ResultCode.INTEGRITY_ERROR


def test_an_index_made_before_summaries_still_answers_and_says_to_migrate(
    old_store: Store, log_records: Records
) -> None:
    live = _fill(old_store, "u-old", "llxll")
    handler = old_store.handler()
    calls = Calls(old_store)
    pages = _walk(handler, "u-old", 3)
    summaries = [s for page in pages for s in page]
    assert [s.artifact_id for s in summaries] == live
    # The entries lack the attributes: each page read them from the table.
    assert calls.seen["BatchGetItem"] == len(pages)
    warnings = [
        r
        for r in log_records.records
        if r.levelno == logging.WARNING and "migrate the index" in r.getMessage()
    ]
    assert len(warnings) == 1  # once per table and index, not on every page
    assert warnings[0].__dict__["table"] == old_store.table_name
    _check_against_full_reads(handler, summaries)


def test_the_project_index_needs_no_migration_advice(
    store: Store, log_records: Records, projection: str
) -> None:
    _fill(store, "u-new", "ll")
    assert store.handler().list_tailored_cv_summaries_for_user("u-new").success
    assert not [r for r in log_records.records if r.levelno >= logging.WARNING], projection


def test_summaries_hold_no_cv_text(store: Store) -> None:
    _fill(store, "u-text", "l")
    page = store.handler().list_tailored_cv_summaries_for_user("u-text")
    assert page.success
    (summary,) = page.data["items"]
    got = store.handler().get_tailored_cv(summary.application_id, summary.created_at)
    assert got.success
    assert got.data.tailored_cv.executive_summary not in repr(page.data)


def test_create_table_advises_migrating_an_index_made_before_summaries(
    old_store: Store, store: Store, projection: str
) -> None:
    old = ensure_table(old_store.client, old_store.table_name)
    assert old.serviceable, old.problems
    (advice,) = [note for note in old.advisories if "summaries" in note]
    for name in ("job_id", "cv_version", "fvs_validation_passed", "metadata"):
        assert name in advice
    current = ensure_table(store.client, store.table_name)
    assert current.serviceable, current.problems
    assert not [note for note in current.advisories if "summaries" in note], projection

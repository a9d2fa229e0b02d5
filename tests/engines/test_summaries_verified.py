"""Summaries are verified: an index row planted, edited, moved to another key or user, or carrying
another row's keyed value is named in ``unreadable`` and never shown, on the index alone; an
index without the keyed value, and versions saved before it existed, are answered by reading and
verifying the items.

Every hostile row here is written the way someone with table access and without the store's
secrets would: raw PutItem and UpdateItem calls on the engine, over HTTP.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from careervp.dal.cli import main
from careervp.dal.schema import table_key
from careervp.dal.table import create_table, ensure_table
from support.factories import make_data
from support.raw import key_of, raw_item

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from tests.conftest import Clock, Engine, Records, Store

# The user index as 0.3.0 defined it: the summary attributes without their keyed value.
PROJECTION_0_3: Any = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": [
        "expiration_timestamp",
        "idempotency_key",
        "job_id",
        "cv_version",
        "fvs_validation_passed",
        "metadata",
    ],
}
# And before summaries: keys, TTL and idempotency key only.
PROJECTION_0_2: Any = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": ["expiration_timestamp", "idempotency_key"],
}
USER = "u-victim"


@pytest.fixture(params=["0.3.0", "0.2"])
def old_http_store(
    request: pytest.FixtureRequest, http_engine: Engine, clock: Clock
) -> Iterator[Store]:
    """A table on an HTTP engine whose user index does not project ``summary_mac``."""
    from tests.conftest import Store as StoreClass  # noqa: PLC0415 - a runtime name for once

    projection = PROJECTION_0_3 if request.param == "0.3.0" else PROJECTION_0_2
    client = http_engine.client()
    name = f"tailored-cvs-old-{uuid.uuid4().hex[:12]}"
    create_table(client, name, projection=projection)
    yield StoreClass(engine=http_engine, client=client, table_name=name, clock=clock)
    client.delete_table(TableName=name)


def _save(store: Store, handler: DynamoDalHandler, user_id: str, seed: int) -> str:
    store.clock.advance(timedelta(seconds=1))
    rng = random.Random(seed)
    data = make_data(rng, user_id=user_id, job_id=f"job-{seed}", version=seed % 7 + 1)
    data.metadata.llm_model = "model-a"
    data.metadata.relevance_score = 0.25 + seed / 100
    saved = handler.save_tailored_cv(f"app-{seed % 3}", data)
    assert saved.success, saved.error
    return saved.data


def _genuine(store: Store, handler: DynamoDalHandler, count: int, user_id: str = USER) -> list[str]:
    """``count`` versions of ``user_id``, saved a second apart; artifact ids, oldest first."""
    return [_save(store, handler, user_id, seed) for seed in range(count)]


def _later(artifact_id: str, microseconds: int = 500_000) -> str:
    """A ``created_at`` just after the version's, so a copy sorts right after it."""
    _, created_at = key_of(artifact_id)
    return f"{created_at[:20]}{(int(created_at[20:26]) + microseconds) % 1_000_000:06d}Z"


def _put_at(store: Store, raw: dict[str, Any], application_id: str, created_at: str) -> str:
    raw = {**raw, **table_key(application_id, created_at)}
    store.client.put_item(TableName=store.table_name, Item=raw)
    return f"{application_id}#{created_at}"


def _update(store: Store, artifact_id: str, expression: str, values: dict[str, Any]) -> None:
    store.client.update_item(
        TableName=store.table_name,
        Key=table_key(*key_of(artifact_id)),
        UpdateExpression=expression,
        ExpressionAttributeValues=values,
    )


def _remove(store: Store, artifact_id: str, expression: str) -> None:
    store.client.update_item(
        TableName=store.table_name, Key=table_key(*key_of(artifact_id)), UpdateExpression=expression
    )


# -- the attacks: each takes the genuine versions (oldest first) and another user's, and returns
# the artifact id of the row it made or damaged in the victim's listing.


def _plant_bare(store: Store, mine: list[str], _: list[str]) -> str:
    """A fake version row with the victim's user id, the summary attributes and no MAC."""
    application_id, _created = key_of(mine[0])
    raw = {
        "user_id": {"S": USER},
        "job_id": {"S": "job-planted"},
        "cv_version": {"N": "9"},
        "fvs_validation_passed": {"BOOL": True},
        "expiration_timestamp": {"N": str(2_000_000_000)},
        "metadata": {
            "M": {
                "user_id": {"S": USER},
                "job_id": {"S": "job-planted"},
                "fvs_validation_passed": {"BOOL": True},
                "llm_model": {"S": "planted"},
                "relevance_score": {"N": "0.99"},
                "keywords_matched": {"L": []},
            }
        },
    }
    return _put_at(store, raw, application_id, _later(mine[0]))


def _plant_with_a_made_up_mac(store: Store, mine: list[str], others: list[str]) -> str:
    raw = raw_item(store.client, store.table_name, mine[1])
    raw["summary_mac"] = {"B": random.Random(7).randbytes(16)}
    raw["job_id"] = {"S": "job-planted"}
    raw["metadata"]["M"]["job_id"] = {"S": "job-planted"}
    return _put_at(store, raw, "app-planted", _later(mine[1]))


def _edit_job_id(store: Store, mine: list[str], _: list[str]) -> str:
    _update(store, mine[2], "SET job_id = :j, metadata.job_id = :j", {":j": {"S": "job-edited"}})
    return mine[2]


def _edit_relevance_score(store: Store, mine: list[str], _: list[str]) -> str:
    _update(store, mine[3], "SET metadata.relevance_score = :s", {":s": {"N": "1"}})
    return mine[3]


def _move_from_another_user(store: Store, _: list[str], others: list[str]) -> str:
    """Another user's version, its user id (both copies) rewritten to the victim's."""
    values = {":u": {"S": USER}}
    _update(store, others[0], "SET user_id = :u, metadata.user_id = :u", values)
    return others[0]


def _copy_to_another_created_at(store: Store, mine: list[str], _: list[str]) -> str:
    raw = raw_item(store.client, store.table_name, mine[4])
    return _put_at(store, raw, key_of(mine[4])[0], _later(mine[4]))


def _copy_to_another_application(store: Store, mine: list[str], _: list[str]) -> str:
    raw = raw_item(store.client, store.table_name, mine[5])
    return _put_at(store, raw, "app-elsewhere", _later(mine[5], 250_000))


def _mac_copied_from_another_row(store: Store, mine: list[str], _: list[str]) -> str:
    other = raw_item(store.client, store.table_name, mine[7])
    # A release that writes no MAC has none to copy: a stand-in of the right shape.
    mac = other.get("summary_mac", {"B": bytes(16)})
    _update(store, mine[6], "SET summary_mac = :m", {":m": mac})
    return mine[6]


def _mac_removed_and_job_edited(store: Store, mine: list[str], _: list[str]) -> str:
    _update(store, mine[8], "SET job_id = :j REMOVE summary_mac", {":j": {"S": "job-edited"}})
    return mine[8]


ATTACKS: dict[str, Callable[[Store, list[str], list[str]], str]] = {
    "planted without a MAC": _plant_bare,
    "planted with a made-up MAC": _plant_with_a_made_up_mac,
    "job_id edited": _edit_job_id,
    "relevance_score edited": _edit_relevance_score,
    "moved from another user": _move_from_another_user,
    "copied to another created_at": _copy_to_another_created_at,
    "copied to another application": _copy_to_another_application,
    "MAC copied from another row": _mac_copied_from_another_row,
    "MAC removed, job_id edited": _mac_removed_and_job_edited,
}
# The genuine versions no attack touches (by position, oldest first).
UNTOUCHED = [0, 1, 4, 5, 7, 9]


def _attack(store: Store) -> tuple[list[str], dict[str, str]]:
    """Ten versions of the victim and two of another user, then every attack: the untouched
    versions newest first, and each attack's row."""
    handler = store.handler()
    mine = _genuine(store, handler, 10)
    others = [_save(store, handler, "u-other", 50 + n) for n in range(2)]
    rows = {name: attack(store, mine, others) for name, attack in ATTACKS.items()}
    return [mine[n] for n in reversed(UNTOUCHED)], rows


def _walk(handler: DynamoDalHandler, limit: int) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = handler.list_tailored_cv_summaries_for_user(USER, limit=limit, start_key=token)
        assert page.success, page.error
        pages.append(dict(page.data))
        token = page.data["last_evaluated_key"]
        if token is None:
            return pages
        assert len(pages) < 50, "pagination does not terminate"


def _shown(pages: list[dict[str, Any]]) -> list[str]:
    return [s.artifact_id for page in pages for s in page["items"]]


def _named(pages: list[dict[str, Any]]) -> list[str]:
    return [name for page in pages for name in page["unreadable"]]


@pytest.mark.parametrize("projection", ["include", "all"])
@pytest.mark.parametrize("limit", [2, 3, 100])
def test_hostile_rows_are_named_never_shown_and_pages_stay_exact(
    http_store: Store, log_records: Records, limit: int
) -> None:
    genuine, rows = _attack(http_store)
    pages = _walk(http_store.handler(), limit)
    assert _shown(pages) == genuine
    assert Counter(_named(pages)) == Counter(rows.values()), rows
    # Each page holds ``limit`` rows, shown and named together, like the full listing's pages.
    sizes = [len(page["items"]) + len(page["unreadable"]) for page in pages]
    total = len(genuine) + len(rows)
    assert sizes == [limit] * (total // limit) + ([total % limit] if total % limit else [])
    for page in pages:
        assert page["count"] == len(page["items"])
    errors = [r for r in log_records.records if r.levelno == logging.ERROR]
    assert Counter(r.__dict__["artifact_id"] for r in errors) == Counter(rows.values())
    # What is shown is what the verified read of each version says.
    handler = http_store.handler()
    for page in pages:
        for summary in page["items"]:
            got = handler.get_tailored_cv(summary.application_id, summary.created_at)
            assert got.success, got.error
            assert summary.job_id == got.data.metadata.job_id
            assert summary.relevance_score == got.data.metadata.relevance_score
            assert summary.llm_model == got.data.metadata.llm_model
            assert summary.cv_version == got.data.tailored_cv.source_cv_version
            assert summary.expires_at == got.data.artifact.expires_at


@pytest.mark.parametrize("attack", ATTACKS)
def test_each_hostile_row_is_named_on_the_index_alone(http_store: Store, attack: str) -> None:
    """One attack at a time, so each is caught by its own check, with no item read."""
    handler = http_store.handler()
    mine = _genuine(http_store, handler, 10)
    others = [_save(http_store, handler, "u-other", 50 + n) for n in range(2)]
    row = ATTACKS[attack](http_store, mine, others)
    calls: Counter[str] = Counter()
    http_store.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    pages = _walk(handler, 100)
    assert row not in _shown(pages)
    assert _named(pages) == [row]
    if attack in ("planted without a MAC", "MAC removed, job_id edited"):
        # No MAC on the row: its item is read and fails the full check.
        assert calls == Counter({"Query": 1, "BatchGetItem": 1})
    else:
        assert calls == Counter({"Query": 1})


def test_a_mac_removed_from_a_row_moved_to_another_key_is_caught_under_encryption(
    http_store: Store,
) -> None:
    """Without its MAC a row is verified like the full listing verifies it: with a cipher, the
    authenticated encryption binds the key, so a version moved elsewhere fails."""
    handler = http_store.handler(cipher=http_store.cipher())
    (kept, moved) = _genuine(http_store, handler, 2)
    raw = raw_item(http_store.client, http_store.table_name, moved)
    raw.pop("summary_mac", None)
    copy = _put_at(http_store, raw, "app-elsewhere", _later(moved))
    pages = _walk(handler, 10)
    assert _shown(pages) == [moved, kept]
    assert _named(pages) == [copy]


def _strip_macs(store: Store, artifact_ids: list[str]) -> None:
    for artifact_id in artifact_ids:
        _remove(store, artifact_id, "REMOVE summary_mac")


def test_versions_saved_before_the_mac_are_verified_by_their_items(
    http_store: Store, log_records: Records
) -> None:
    """Versions saved by 0.3.0 carry no MAC: shown once their item passes the full check; an
    unsealed row that does not (edited, planted) is named."""
    handler = http_store.handler()
    mine = _genuine(http_store, handler, 6)
    _strip_macs(http_store, mine[:4])  # as 0.3.0 saved them
    _update(http_store, mine[1], "SET cv_version = :v", {":v": {"N": "99"}})
    planted = _plant_bare(http_store, mine, [])
    pages = _walk(handler, 3)
    assert _shown(pages) == [mine[5], mine[4], mine[3], mine[2], mine[0]]
    assert sorted(_named(pages)) == sorted([planted, mine[1]])
    assert [len(p["items"]) + len(p["unreadable"]) for p in pages] == [3, 3, 1]
    notes = [r for r in log_records.records if "saved before summaries" in r.getMessage()]
    assert len(notes) == 1  # once per table, not on every page
    assert all(r.levelno == logging.INFO for r in notes)


def test_encrypt_existing_gives_old_versions_their_mac(http_store: Store) -> None:
    plain = http_store.handler()
    mine = _genuine(http_store, plain, 3)
    _strip_macs(http_store, mine)
    handler = http_store.handler(cipher=http_store.cipher(), accept_plaintext=True)
    upgraded = handler.encrypt_existing_versions()
    assert upgraded.success, upgraded.error
    assert upgraded.data["encrypted"] == 3
    for artifact_id in mine:
        assert "summary_mac" in raw_item(http_store.client, http_store.table_name, artifact_id)
    calls: Counter[str] = Counter()
    http_store.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    assert _shown(_walk(handler, 10)) == mine[::-1]
    assert calls == Counter({"Query": 1})


def test_an_index_without_the_mac_reads_and_verifies_the_items(
    old_http_store: Store, log_records: Records
) -> None:
    """0.3.0's index (and older ones): the entries carry no MAC, so each page reads its items
    in one batch and checks the items' MACs; one WARNING advises the migration."""
    genuine, rows = _attack(old_http_store)
    calls: Counter[str] = Counter()
    old_http_store.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.update([model.name])
    )
    pages = _walk(old_http_store.handler(), 4)
    assert _shown(pages) == genuine
    assert Counter(_named(pages)) == Counter(rows.values())
    assert [len(p["items"]) + len(p["unreadable"]) for p in pages] == [4, 4, 4, 3]
    assert calls == Counter({"Query": len(pages), "BatchGetItem": len(pages)})
    advice = [r for r in log_records.records if "migrate the index" in r.getMessage()]
    assert len(advice) == 1
    assert advice[0].levelno == logging.WARNING
    assert "summary_mac" in advice[0].getMessage()


def test_create_table_advises_projecting_the_mac_on_an_old_index(old_http_store: Store) -> None:
    report = ensure_table(old_http_store.client, old_http_store.table_name)
    assert report.serviceable, report.problems
    (advice,) = [note for note in report.advisories if "summaries" in note]
    assert "summary_mac" in advice


def test_a_new_table_projects_the_mac_and_needs_no_advice(http_store: Store) -> None:
    report = ensure_table(http_store.client, http_store.table_name)
    assert report.serviceable, report.problems
    assert not [note for note in report.advisories if "summaries" in note]
    description = http_store.client.describe_table(TableName=http_store.table_name)
    (index,) = description["Table"]["GlobalSecondaryIndexes"]
    assert "summary_mac" in index["Projection"].get("NonKeyAttributes", [])


def test_without_a_configured_secret_versions_are_unsealed_and_summaries_read_their_items(
    http_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A random per-process secret would seal versions no other process can verify: such a
    handler saves no MAC, and verifies every summary by its item; a configured one reads both."""
    monkeypatch.delenv("TAILORED_CV_PAGINATION_SECRET", raising=False)
    configured = http_store.handler()
    unconfigured = http_store.handler(token_secret=None)
    sealed = _save(http_store, configured, USER, 1)
    unsealed = _save(http_store, unconfigured, USER, 2)
    assert "summary_mac" in raw_item(http_store.client, http_store.table_name, sealed)
    assert "summary_mac" not in raw_item(http_store.client, http_store.table_name, unsealed)
    planted = _plant_bare(http_store, [sealed], [])
    for handler in (configured, unconfigured):
        pages = _walk(handler, 10)
        assert _shown(pages) == [unsealed, sealed]
        assert _named(pages) == [planted]


def test_the_create_table_command_advises_projecting_the_mac(
    old_http_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = old_http_store.engine.endpoint_url
    assert endpoint is not None
    table = ["--endpoint-url", endpoint, "--region", "us-east-1", "--table"]
    code = main([*table, old_http_store.table_name, "--json", "create-table"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["serviceable"] is True
    (advice,) = [note for note in report["advisories"] if "summaries" in note]
    assert "summary_mac" in advice

"""Corrupted items give ``INTEGRITY_ERROR`` naming the artifact; their content never leaks."""

from __future__ import annotations

import functools
import gzip
import logging
import random
import tracemalloc
import zlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from botocore.exceptions import ClientError

from careervp.dal.codec import canonical_json
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import artifact_of, expire, key_of, raw_item, tamper
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.result import Result
    from careervp.models.tailor import TailoredCVPage
    from tests.conftest import Records, Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


Raw = dict[str, Any]


@functools.lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """~300 MB of JSON-ish zeros in a blob of about 300 KB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1 << 20)
    parts = [packer.compress(b'{"executive_summary":"')]
    parts += [packer.compress(chunk) for _ in range(300)]
    parts.append(packer.flush())
    return b"".join(parts)


def _flip_byte(raw: Raw) -> None:
    blob = bytearray(raw["tailored_cv"]["B"])
    blob[len(blob) // 2] ^= 0x01
    raw["tailored_cv"]["B"] = bytes(blob)


def _forged_json(raw: Raw) -> None:
    cv = msgspec.json.decode(gzip.decompress(raw["tailored_cv"]["B"]))
    cv["executive_summary"] = "Forged summary"
    raw["tailored_cv"]["B"] = gzip.compress(canonical_json(cv), mtime=0)


def _forged_metadata(raw: Raw) -> None:
    raw["metadata"]["M"]["job_id"] = {"S": "job-forged"}
    raw["job_id"] = {"S": "job-forged"}


def _moved_to_another_user(raw: Raw) -> None:
    raw["user_id"] = {"S": "u-victim"}


def _gzip_bomb_blob(raw: Raw) -> None:
    raw["tailored_cv"]["B"] = _gzip_bomb()


CORRUPTIONS: dict[str, Callable[[Raw], None]] = {
    "flipped byte": _flip_byte,
    "truncated blob": lambda raw: raw["tailored_cv"].update(B=raw["tailored_cv"]["B"][:-9]),
    "not gzip": lambda raw: raw["tailored_cv"].update(B=b"plain bytes"),
    "valid gzip of forged JSON": _forged_json,
    "forged metadata": _forged_metadata,
    "moved to another user": _moved_to_another_user,
    "forged cv_version": lambda raw: raw.update(cv_version={"N": "99"}),
    "forged fvs flag": lambda raw: raw["fvs_validation_passed"].update(
        BOOL=not raw["fvs_validation_passed"]["BOOL"]
    ),
    "missing checksum": lambda raw: raw.pop("checksum"),
    "missing metadata": lambda raw: raw.pop("metadata"),
    "mistyped cv_version": lambda raw: raw.update(cv_version={"S": "1"}),
    "mistyped blob": lambda raw: raw.update(tailored_cv={"S": "text"}),
    "mistyped expiry": lambda raw: raw.update(expiration_timestamp={"S": "soon"}),
    "missing expiry": lambda raw: raw.pop("expiration_timestamp"),
    "unknown format": lambda raw: raw.update(format_version={"N": "2"}),
    "metadata with wrong types": lambda raw: raw["metadata"]["M"].update(
        fvs_validation_passed={"S": "yes"}
    ),
    "token usage with a huge number": lambda raw: raw["token_usage"]["M"].update(
        input_tokens={"N": "1" * 38}
    ),
    "text that is not valid Unicode": lambda raw: raw["metadata"]["M"].update(
        llm_model={"S": "model \ud800"}
    ),
    "a field the store does not know": lambda raw: raw["metadata"]["M"].update(
        extra_field={"S": "x"}
    ),
    "no write id, as before this release": lambda raw: raw.pop("write_id"),
}
# Corruptions that leave the item readable: an earlier release's items have no write_id.
READABLE = {"no write id, as before this release"}


def _corrupt(store: Store, artifact_id: str, name: str) -> Raw:
    """Apply a corruption with a plain client; skip where the engine cannot store it (moto
    refuses lone surrogates, which DynamoDB's JSON and dynalite accept)."""
    try:
        return tamper(store.client, store.table_name, artifact_id, CORRUPTIONS[name])
    except (ClientError, UnicodeEncodeError) as exc:
        pytest.skip(f"{store.engine.name} cannot store this corruption ({type(exc).__name__})")


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_items_are_refused_by_every_read(store: Store, name: str) -> None:
    handler = store.handler()
    rng = random.Random(4)
    saved = handler.save_tailored_cv("app-1", make_data(rng, user_id="u-owner"))
    assert saved.success
    application_id, created_at = key_of(saved.data)
    raw = _corrupt(store, saved.data, name)
    user = raw["user_id"]["S"]

    tracemalloc.start()
    try:
        one = [
            handler.get_tailored_cv(application_id, created_at),
            handler.get_latest_tailored_cv(application_id),
            handler.list_tailored_cvs_for_application(application_id),
        ]
        pages = [
            handler.list_tailored_cvs_for_user(user),
            handler.list_tailored_cvs_for_application_page(application_id),
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if name in READABLE:
        assert all(outcome.success for outcome in one + pages), one + pages
        return
    for outcome in one:
        assert outcome.code is ResultCode.INTEGRITY_ERROR, (name, outcome)
        assert saved.data in (outcome.error or "")
        assert "Forged" not in (outcome.error or "")
        (outcome.error or "").encode("utf-8")  # a sentence a handler can log and print
    for page in pages:
        # A page never fails for one version: it names it.
        assert page.success, (name, page)
        assert page.data["items"] == []
        assert page.data["unreadable"] == [saved.data]
        assert page.data["count"] == 0
    assert peak < 64 * 1024 * 1024, f"reading a corrupted item peaked at {peak} bytes"


@pytest.mark.parametrize("name", sorted(set(CORRUPTIONS) - READABLE))
def test_an_unreadable_version_can_be_deleted_by_its_id(store: Store, name: str) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-1", make_data(random.Random(5), user_id="u-owner"))
    assert saved.success
    raw = _corrupt(store, saved.data, name)
    user = raw["user_id"]["S"]
    assert handler.list_tailored_cvs_for_user(user).data["unreadable"] == [saved.data]  # type: ignore[index]
    deleted = handler.delete_tailored_cv(*key_of(saved.data))
    assert deleted.success, deleted.error
    assert store.count() == 0
    listed = handler.list_tailored_cvs_for_user(user)
    assert listed.success
    assert listed.data["unreadable"] == []


def test_one_damaged_version_never_blocks_a_users_pages(store: Store) -> None:
    """The user's and the application's pages return what they can read, name the rest, and
    keep exact pagination counting both."""
    handler = store.handler()
    rng = random.Random(11)
    saved = []
    for _ in range(5):
        result = handler.save_tailored_cv("app-d", make_data(rng, user_id="u-d"))
        assert result.success
        saved.append(result.data)
        store.clock.advance(timedelta(seconds=1))
    damaged = saved[2]
    tamper(store.client, store.table_name, damaged, _flip_byte)
    newest_first = saved[::-1]
    listings: list[Callable[[str | None], Result[TailoredCVPage]]] = [
        lambda token: handler.list_tailored_cvs_for_user("u-d", limit=2, start_key=token),
        lambda token: handler.list_tailored_cvs_for_application_page(
            "app-d", limit=2, start_key=token
        ),
    ]
    for listing in listings:
        seen: list[str] = []
        named: list[str] = []
        token = None
        while True:
            page = listing(token)
            assert page.success, page
            assert len(page.data["items"]) + len(page.data["unreadable"]) == min(
                2, len(saved) - len(seen) - len(named)
            )
            seen += [artifact_of(i).artifact_id for i in page.data["items"]]
            named += page.data["unreadable"]
            token = page.data["last_evaluated_key"]
            if token is None:
                break
        assert named == [damaged]
        assert seen == [a for a in newest_first if a != damaged]
    latest = handler.get_latest_tailored_cv("app-d")
    assert latest.success
    assert artifact_of(latest.data).artifact_id == saved[-1]


def test_an_unreadable_version_is_logged_at_error_with_its_id(
    store: Store, log_records: Records
) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-l", make_data(random.Random(12), user_id="u-l"))
    assert saved.success
    tamper(store.client, store.table_name, saved.data, _flip_byte)
    assert handler.list_tailored_cvs_for_user("u-l").success
    (record,) = [r for r in log_records.records if r.levelno == logging.ERROR]
    assert record.__dict__["artifact_id"] == saved.data
    assert record.__dict__["code"] == "INTEGRITY_ERROR"


HOSTILE_KEY = "evil\n\x1b[31mFORGED\u2028x"


def test_stored_text_never_reaches_the_error_and_is_escaped_in_the_log(
    store: Store, log_records: Records
) -> None:
    """A field name written by a table writer (newline, ANSI escape) is not echoed in
    ``Result.error``; the log record keeps msgspec's detail, escaped and bounded."""
    handler = store.handler()
    saved = handler.save_tailored_cv("app-e", make_data(random.Random(13), user_id="u-e"))
    assert saved.success
    _corrupt_with(
        store, saved.data, lambda raw: raw["metadata"]["M"].update({HOSTILE_KEY: {"S": "x"}})
    )
    got = handler.get_tailored_cv(*key_of(saved.data))
    assert got.code is ResultCode.INTEGRITY_ERROR
    assert "FORGED" not in (got.error or "")
    assert "\x1b" not in (got.error or "")
    assert "\n" not in (got.error or "")
    failures = [r for r in log_records.records if r.levelno >= logging.WARNING]
    assert failures
    for record in failures:
        for value in (record.getMessage(), *map(str, record.__dict__.values())):
            assert "\x1b" not in value
            assert "\n" not in value
            assert "\u2028" not in value
    assert any("FORGED" in str(r.__dict__.get("detail", "")) for r in failures)


def _corrupt_with(store: Store, artifact_id: str, edit: Callable[[Raw], object]) -> None:
    try:
        tamper(store.client, store.table_name, artifact_id, edit)
    except (ClientError, UnicodeEncodeError) as exc:
        pytest.skip(f"{store.engine.name} cannot store this edit ({type(exc).__name__})")


def test_an_expired_version_is_not_deleted_and_reads_as_not_found(store: Store) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-1", make_data(random.Random(6)))
    assert saved.success
    expire(store.client, store.table_name, saved.data)
    assert handler.delete_tailored_cv(*key_of(saved.data)).code is ResultCode.NOT_FOUND
    assert store.count() == 1


def test_a_key_the_store_could_not_have_written_is_named_by_every_listing(store: Store) -> None:
    handler = store.handler()
    saved = handler.save_tailored_cv("app-k", make_data(random.Random(7), user_id="u-k"))
    assert saved.success
    raw = raw_item(store.client, store.table_name, saved.data)
    raw["created_at"] = {"S": "2026-11-26 10:30:00"}  # another writer's format
    store.client.put_item(TableName=store.table_name, Item=raw)
    foreign = "app-k#2026-11-26 10:30:00"
    whole = handler.list_tailored_cvs_for_application("app-k")
    assert whole.code is ResultCode.INTEGRITY_ERROR, whole
    assert foreign in (whole.error or "")
    for page in (
        handler.list_tailored_cvs_for_user("u-k"),
        handler.list_tailored_cvs_for_application_page("app-k"),
    ):
        assert page.success, page
        assert page.data["unreadable"] == [foreign]
        assert [artifact_of(i).artifact_id for i in page.data["items"]] == [saved.data]
    for page in (
        handler.list_tailored_cvs_for_user("u-k", limit=1),
        handler.list_tailored_cvs_for_application_page("app-k", limit=1),
    ):
        # The foreign key can be the last of a page: the next page starts after it.
        assert page.success, page
        token = page.data["last_evaluated_key"]
        assert token is not None
    exported = handler.export_tailored_cvs_for_user("u-k")
    assert exported.success
    assert exported.data["unreadable"] == [foreign]
    assert [artifact_of(i).artifact_id for i in exported.data["items"]] == [saved.data]


@pytest.mark.parametrize("foreign", ["a" * 2000, "app-\ud800-x"])
def test_a_foreign_key_at_a_page_boundary_never_stops_the_pages(store: Store, foreign: str) -> None:
    """A key DynamoDB holds but the store could not have written (2,000 bytes, a lone
    surrogate) ends a page: the token carries it and the next page starts after it."""
    handler = store.handler()
    older = handler.save_tailored_cv("app-b", make_data(random.Random(20), user_id="u-b"))
    assert older.success
    store.clock.advance(timedelta(seconds=1))
    newer = handler.save_tailored_cv("app-b", make_data(random.Random(21), user_id="u-b"))
    assert newer.success
    raw = raw_item(store.client, store.table_name, newer.data)
    raw["application_id"] = {"S": foreign}
    try:
        store.client.put_item(TableName=store.table_name, Item=raw)
    except (ClientError, UnicodeEncodeError) as exc:
        pytest.skip(f"{store.engine.name} cannot store this key ({type(exc).__name__})")
    store.client.delete_item(
        TableName=store.table_name,
        Key={
            k: raw_item(store.client, store.table_name, newer.data)[k]
            for k in ("application_id", "created_at")
        },
    )
    first = handler.list_tailored_cvs_for_user("u-b", limit=1)
    assert first.success, first
    assert len(first.data["unreadable"]) == 1
    token = first.data["last_evaluated_key"]
    assert token is not None
    second = handler.list_tailored_cvs_for_user("u-b", limit=1, start_key=token)
    assert second.success, second
    assert [artifact_of(i).artifact_id for i in second.data["items"]] == [older.data]
    assert second.data["last_evaluated_key"] is None

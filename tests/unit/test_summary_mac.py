"""The summary MAC: what it covers, which secrets verify it, and what it costs an index entry."""

from __future__ import annotations

import random

import msgspec

from careervp.dal.codec import SUMMARY_MAC_BYTES, SummarySealer, canonical_json, item_size
from careervp.dal.schema import APPLICATION_ID, CREATED_AT, SUMMARY_MAC, USER_ID
from careervp.dal.table import INDEX_PROJECTION
from support.factories import encode, make_data

CREATED = "2026-11-26T10:30:00.000000Z"
HEADER = ("app-1", CREATED, "u-1", "job-1", 3, True, 1_800_000_000)
METADATA = b'{"fvs_validation_passed":true,"job_id":"job-1","user_id":"u-1"}'


def test_every_field_of_the_summary_and_its_key_is_covered() -> None:
    sealer = SummarySealer([b"a" * 32])
    mac = sealer.seal(HEADER, METADATA)
    assert len(mac) == SUMMARY_MAC_BYTES
    assert sealer.verify(HEADER, METADATA, mac)
    for position in range(len(HEADER)):
        changed = list(HEADER)
        value = changed[position]
        changed[position] = (
            not value if isinstance(value, bool) else value + 1 if isinstance(value, int) else "x"
        )
        assert not sealer.verify(tuple(changed), METADATA, mac), position  # type: ignore[arg-type]
    assert not sealer.verify(HEADER, METADATA.replace(b"job-1", b"job-2"), mac)
    assert not sealer.verify(HEADER, METADATA, mac[:-1] + bytes([mac[-1] ^ 1]))
    assert not sealer.verify(HEADER, METADATA, b"")


def test_previous_secrets_verify_and_only_the_current_one_seals() -> None:
    old, new = b"o" * 32, b"n" * 32
    sealed_before = SummarySealer([old]).seal(HEADER, METADATA)
    rotating = SummarySealer([new, old])
    assert rotating.verify(HEADER, METADATA, sealed_before)
    assert rotating.seal(HEADER, METADATA) == SummarySealer([new]).seal(HEADER, METADATA)
    assert not SummarySealer([new]).verify(HEADER, METADATA, sealed_before)


def test_the_key_is_derived_so_a_page_token_mac_is_no_summary_mac() -> None:
    """The MAC is not an HMAC under the secret itself, which page tokens use."""
    import hashlib  # noqa: PLC0415
    import hmac  # noqa: PLC0415

    secret = b"s" * 32
    message = b"careervp-dal/summary/v1\x00" + canonical_json(HEADER) + METADATA
    direct = hmac.new(secret, message, hashlib.sha256).digest()[:SUMMARY_MAC_BYTES]
    assert SummarySealer([secret]).seal(HEADER, METADATA) != direct


def _entry_size(id_chars: int, *, long_metadata: bool = False) -> int:
    """The user index entry of a typical 15 KB version with ids of ``id_chars`` characters: its
    keys and the attributes the index projects."""
    data = make_data(
        random.Random(5), user_id="u" * id_chars, job_id="j" * id_chars, json_bytes=15_000
    )
    if long_metadata:
        metadata = msgspec.structs.replace(
            data.metadata,
            llm_model="claude-sonnet-4-5-20250929",
            keywords_matched=[f"keyword-{n}" for n in range(8)],
        )
        data = msgspec.structs.replace(data, metadata=metadata)
    item = encode("a" * id_chars, CREATED, 1_803_465_000, data, write_id="w" * 22).item
    kept = {APPLICATION_ID, CREATED_AT, USER_ID, *INDEX_PROJECTION["NonKeyAttributes"]}
    entry = {name: value for name, value in item.items() if name in kept}
    assert SUMMARY_MAC in entry
    return item_size(entry)


def test_an_index_entry_stays_one_write_unit() -> None:
    """Every save writes one index unit: an entry is under 1 KB even with 20-character ids, a
    long model name and eight keywords (the MAC adds 27 bytes)."""
    assert _entry_size(20, long_metadata=True) <= 1024


def test_a_page_of_summaries_with_short_ids_is_half_a_read_unit() -> None:
    """Eleven entries (a page of ten and its lookahead) with 8-character ids fit one 4 KB read
    unit, half a unit eventually consistent; past about 372 bytes an entry (20-character ids
    are 388) a page costs one unit (docs/schema.md)."""
    size = _entry_size(8)
    assert 11 * size <= 4096, size

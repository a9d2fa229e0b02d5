"""``TailoredCVData`` to an item and back, and the checksum that guards it."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from careervp.dal.codec import (
    FORMAT_VERSION,
    IntegrityError,
    TooLargeError,
    canonical_json,
    checksum_of,
    compute_checksum,
    decode_item,
    encode_item,
    item_size,
    rekey_item,
)
from careervp.models.tailor import TailoredCV, TailoredCVData
from tests.factories import make_data

CREATED = "2026-11-26T10:30:00.000000Z"


def test_encode_then_decode_is_the_identity() -> None:
    data = make_data(random.Random(1), json_bytes=15_000)
    encoded = encode_item("app-1", CREATED, 1_800_000_000, data)
    assert encoded.size == item_size(encoded.item)
    assert encoded.json_bytes == len(canonical_json(data.tailored_cv))
    back = decode_item(encoded.item)
    assert back.tailored_cv == data.tailored_cv
    assert back.metadata == data.metadata
    assert back.token_usage == data.token_usage
    assert back.artifact is not None
    assert back.artifact.artifact_id == f"app-1#{CREATED}"
    assert back.artifact.expires_at == 1_800_000_000
    assert back.artifact.checksum == encoded.checksum == compute_checksum(data)
    assert encoded.item["format_version"] == {"N": str(FORMAT_VERSION)}


def test_rekeying_changes_only_the_key_and_ttl() -> None:
    encoded = encode_item("app-1", CREATED, 100, make_data(random.Random(2)))
    moved = rekey_item(encoded.item, "2026-11-26T10:30:00.000001Z", 101)
    assert decode_item(moved).artifact.created_at.endswith("01Z")  # type: ignore[union-attr]
    assert {k: v for k, v in moved.items() if k not in ("created_at", "expiration_timestamp")} == {
        k: v for k, v in encoded.item.items() if k not in ("created_at", "expiration_timestamp")
    }


def test_the_checksum_ignores_field_order_and_the_artifact() -> None:
    data = make_data(random.Random(3))
    before = compute_checksum(data)
    data.artifact = decode_item(encode_item("a", CREATED, 1, data).item).artifact
    assert compute_checksum(data) == before

    class Reordered(msgspec.Struct, kw_only=True):
        certifications: list[str] = []
        education: list[object] = []
        skills: list[str] = []
        experience: list[object] = []
        executive_summary: str
        source_cv_version: int

    shuffled = msgspec.convert(msgspec.to_builtins(data.tailored_cv), Reordered)
    assert canonical_json(shuffled) == canonical_json(data.tailored_cv)


def test_the_checksum_sees_every_content_change() -> None:
    data = make_data(random.Random(4))
    before = compute_checksum(data)
    data.token_usage.output_tokens += 1
    assert compute_checksum(data) != before


def test_the_checksum_matches_what_a_reader_recomputes_for_ints_and_negative_zero() -> None:
    data = make_data(random.Random(5))
    data.token_usage.cost_usd = 2
    data.metadata.relevance_score = -0.0
    read = decode_item(encode_item("a", CREATED, 1, data).item)
    assert compute_checksum(read) == compute_checksum(data)


def test_a_cv_over_the_inflation_cap_is_too_large() -> None:
    data = make_data(random.Random(6))
    data.tailored_cv = TailoredCV(source_cv_version=1, executive_summary="x" * 9_000_000)
    with pytest.raises(TooLargeError, match="inflate"):
        encode_item("a", CREATED, 1, data)


def test_decode_refuses_a_non_mapping_blob() -> None:
    encoded = encode_item("a", CREATED, 1, make_data(random.Random(7)))
    encoded.item["tailored_cv"] = {"B": b"\x1f\x8b" + b"\x00" * 20}
    with pytest.raises(IntegrityError):
        decode_item(encoded.item)


def test_decode_refuses_valid_json_of_the_wrong_shape() -> None:
    from careervp.dal.codec import compress  # noqa: PLC0415

    data = make_data(random.Random(8))
    encoded = encode_item("a", CREATED, 1, data)
    wrong = b'{"source_cv_version":"one"}'
    encoded.item["tailored_cv"] = {"B": compress(wrong)}
    # A matching checksum, so the decoder itself must refuse the shape.
    encoded.item["checksum"] = {"S": checksum_of(wrong, data.metadata, data.token_usage)}
    with pytest.raises(IntegrityError, match="does not decode"):
        decode_item(encoded.item)


def test_models_are_keyword_only() -> None:
    untyped: Any = TailoredCVData
    with pytest.raises(TypeError):
        untyped(1, 2, 3)

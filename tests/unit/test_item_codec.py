"""``TailoredCVData`` to an item and back, and the checksum that guards it."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from careervp.dal.codec import (
    FORMAT_PLAIN,
    canonical_json,
    compute_checksum,
    decode_item,
    item_size,
)
from careervp.dal.codec._canonical import checksum_of
from careervp.dal.codec._envelope import compress
from careervp.dal.errors import IntegrityError, ItemTooLargeError
from careervp.models.tailor import TailoredCV, TailoredCVData
from support.factories import encode, make_data
from support.raw import artifact_of

CREATED = "2026-11-26T10:30:00.000000Z"


def test_encode_then_decode_is_the_identity() -> None:
    data = make_data(random.Random(1), json_bytes=15_000)
    encoded = encode("app-1", CREATED, 1_800_000_000, data)
    assert encoded.size == item_size(encoded.item)
    assert encoded.json_bytes == len(canonical_json(data.tailored_cv))
    back = decode_item(encoded.item)
    assert back.tailored_cv == data.tailored_cv
    assert back.metadata == data.metadata
    assert back.token_usage == data.token_usage
    artifact = artifact_of(back)
    assert artifact.artifact_id == f"app-1#{CREATED}"
    assert artifact.expires_at == 1_800_000_000
    assert artifact.checksum == encoded.checksum == compute_checksum(data)
    assert encoded.item["format_version"] == {"N": str(FORMAT_PLAIN)}
    assert encoded.item["write_id"] == {"S": "write-1"}


def test_the_checksum_ignores_field_order_and_the_artifact() -> None:
    data = make_data(random.Random(3))
    before = compute_checksum(data)
    data.artifact = decode_item(encode("a", CREATED, 1, data).item).artifact
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
    read = decode_item(encode("a", CREATED, 1, data).item)
    assert compute_checksum(read) == compute_checksum(data)
    assert artifact_of(read).checksum == compute_checksum(data)


def test_a_cv_over_the_inflation_cap_is_too_large() -> None:
    data = make_data(random.Random(6))
    data.tailored_cv = TailoredCV(source_cv_version=1, executive_summary="x" * 9_000_000)
    with pytest.raises(ItemTooLargeError, match="inflate"):
        encode("a", CREATED, 1, data)


def test_decode_refuses_a_non_mapping_blob() -> None:
    encoded = encode("a", CREATED, 1, make_data(random.Random(7)))
    encoded.item["tailored_cv"] = {"B": b"\x1f\x8b" + b"\x00" * 20}
    with pytest.raises(IntegrityError):
        decode_item(encoded.item)


def test_decode_refuses_valid_json_of_the_wrong_shape() -> None:
    data = make_data(random.Random(8))
    encoded = encode("a", CREATED, 1, data)
    wrong = b'{"source_cv_version":"one"}'
    encoded.item["tailored_cv"] = {"B": compress(wrong)}
    # A matching checksum, so the decoder itself must refuse the shape.
    checksum = checksum_of(wrong, canonical_json(data.metadata), canonical_json(data.token_usage))
    encoded.item["checksum"] = {"S": checksum}
    with pytest.raises(IntegrityError, match="does not decode"):
        decode_item(encoded.item)


def test_a_key_the_store_could_not_have_written_is_an_integrity_error() -> None:
    encoded = encode("a", CREATED, 1, make_data(random.Random(9)))
    encoded.item["created_at"] = {"S": "2026-11-26 10:30:00"}
    with pytest.raises(IntegrityError, match="created_at"):
        decode_item(encoded.item)


def test_a_lone_surrogate_in_stored_text_is_an_integrity_error_naming_the_artifact() -> None:
    encoded = encode("app-s", CREATED, 1, make_data(random.Random(10)))
    metadata: Any = encoded.item["metadata"]["M"]
    metadata["llm_model"] = {"S": "model \ud800"}
    with pytest.raises(IntegrityError, match=f"app-s#{CREATED}") as caught:
        decode_item(encoded.item)
    str(caught.value).encode("utf-8")  # the sentence itself is valid text


def test_deeply_nested_stored_metadata_is_an_integrity_error() -> None:
    encoded = encode("app-d", CREATED, 1, make_data(random.Random(11)))
    deep: Any = {"S": "x"}
    for _ in range(5_000):
        deep = {"L": [deep]}
    metadata: Any = encoded.item["metadata"]["M"]
    metadata["keywords_matched"] = deep
    with pytest.raises(IntegrityError, match="app-d"):
        decode_item(encoded.item)


def test_models_are_keyword_only() -> None:
    untyped: Any = TailoredCVData
    with pytest.raises(TypeError):
        untyped(1, 2, 3)

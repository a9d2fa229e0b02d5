"""A saved version reads back field for field, and the raw item is the contract's layout."""

from __future__ import annotations

import gzip
import random
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
import pytest

from careervp.dal.codec import canonical_json
from careervp.dal.dynamo_dal_handler import compute_checksum
from careervp.models.tailor import (
    EducationEntry,
    ExperienceEntry,
    TailoredCV,
    TailoredCVData,
    TailoringMetadata,
    TokenUsage,
)
from support.factories import make_data
from support.raw import artifact_of, key_of
from tests.conftest import HANDLER_KINDS

if TYPE_CHECKING:
    from tests.conftest import Store


@pytest.fixture(params=HANDLER_KINDS)
def handler_kind(request: pytest.FixtureRequest) -> str:
    """Every behaviour here holds for both handlers: each test runs on each."""
    return str(request.param)


EXPECTED_TYPES = {
    "application_id": "S",
    "created_at": "S",
    "user_id": "S",
    "job_id": "S",
    "cv_version": "N",
    "tailored_cv": "B",
    "metadata": "M",
    "token_usage": "M",
    "fvs_validation_passed": "BOOL",
    "expiration_timestamp": "N",
    "checksum": "S",
    "format_version": "N",
    "write_id": "S",  # beyond the contract's list: which save call wrote the version
    "summary_mac": "B",  # beyond it too: the keyed value that verifies the version's summary
}


def _unicode_data() -> TailoredCVData:
    return TailoredCVData(
        tailored_cv=TailoredCV(
            source_cv_version=7,
            executive_summary="Ingénieure données — 東京 · Zürich 🚀 «naïve» \u00a0café",
            experience=[
                ExperienceEntry(
                    company="Société Générale",
                    title="Lead",
                    start_date="2019-03",
                    end_date=None,
                    highlights=["Réduit la latence de 40 %", "Line one\nline two\ttabbed"],
                ),
                ExperienceEntry(company="Kōbō", title="Dev", start_date="2015-01"),
            ],
            skills=["Python", "Ελληνικά"],
            education=[EducationEntry(institution="ETH Zürich", degree="MSc")],
            certifications=[],
        ),
        metadata=TailoringMetadata(
            user_id="user-é",
            job_id="job/42",
            fvs_validation_passed=False,
            llm_model=None,
            relevance_score=1 / 3,
            keywords_matched=["DynamoDB", "日本語"],
        ),
        token_usage=TokenUsage(input_tokens=12_345, output_tokens=678, cost_usd=0.1 + 0.2),
    )


def test_every_field_round_trips_and_floats_are_bit_exact(store: Store) -> None:
    handler = store.handler()
    data = _unicode_data()
    saved = handler.save_tailored_cv("app-é-1", data)
    assert saved.success, saved.error
    application_id, created_at = key_of(saved.data)
    got = handler.get_tailored_cv(application_id, created_at)
    assert got.success, got.error
    read = got.data
    assert read.tailored_cv == data.tailored_cv
    assert read.metadata == data.metadata
    assert read.token_usage == data.token_usage
    assert read.metadata.relevance_score is not None
    assert read.metadata.relevance_score.hex() == (1 / 3).hex()
    assert read.token_usage.cost_usd.hex() == (0.1 + 0.2).hex()
    assert read.artifact is not None
    assert artifact_of(read).artifact_id == saved.data
    assert artifact_of(read).application_id == "app-é-1"
    assert artifact_of(read).created_at == created_at


def test_floats_across_the_range_round_trip(store: Store) -> None:
    handler = store.handler()
    rng = random.Random(7)
    values = [0.0, -0.0, 1.0, 5e-130, 1e-100, 123456789.123456789, 9.99e125, -2.5e-7]
    values += [rng.uniform(-1e6, 1e6) for _ in range(5)]
    for value in values:
        data = make_data(rng)
        data.metadata.relevance_score = value
        data.token_usage.cost_usd = abs(value)
        saved = handler.save_tailored_cv("app-floats", data)
        assert saved.success, (value, saved.error)
        got = handler.get_tailored_cv(*key_of(saved.data))
        assert got.success, (value, got.error)
        # -0.0 is stored as 0: DynamoDB numbers are decimals; every other float is bit-exact.
        assert got.data.metadata.relevance_score == value
        assert got.data.metadata.relevance_score.hex() == (value + 0.0).hex()
        assert got.data.token_usage.cost_usd.hex() == (abs(value) + 0.0).hex()


def test_raw_item_has_the_contract_layout(store: Store, rng: random.Random) -> None:
    handler = store.handler()
    data = make_data(rng, json_bytes=15_000)
    saved = handler.save_tailored_cv("app-raw", data)
    assert saved.success, saved.error
    _, created_at = key_of(saved.data)
    raw = store.client.get_item(
        TableName=store.table_name,
        Key={"application_id": {"S": "app-raw"}, "created_at": {"S": created_at}},
        ConsistentRead=True,
    )["Item"]
    assert {name: next(iter(value)) for name, value in raw.items()} == EXPECTED_TYPES
    blob = raw["tailored_cv"]["B"]
    assert blob[:2] == b"\x1f\x8b"
    assert gzip.decompress(blob) == canonical_json(data.tailored_cv)
    assert len(blob) < len(canonical_json(data.tailored_cv)) / 2
    moment = datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%S.%f%z")
    assert created_at == "2026-11-26T10:30:00.000000Z"
    assert int(raw["expiration_timestamp"]["N"]) == int(moment.timestamp()) + 7_776_000
    assert raw["checksum"]["S"] == compute_checksum(data)
    assert len(raw["checksum"]["S"]) == 64
    assert raw["format_version"]["N"] == "1"
    assert raw["user_id"]["S"] == data.metadata.user_id
    assert raw["cv_version"]["N"] == str(data.tailored_cv.source_cv_version)
    assert raw["fvs_validation_passed"]["BOOL"] is data.metadata.fvs_validation_passed
    metadata = raw["metadata"]["M"]
    assert metadata["user_id"] == {"S": data.metadata.user_id}
    assert metadata["llm_model"] == {"S": "claude-sonnet-4"}
    assert msgspec.json.decode(gzip.decompress(blob), type=TailoredCV) == data.tailored_cv


def test_artifact_on_save_is_ignored(store: Store, rng: random.Random) -> None:
    handler = store.handler()
    first = handler.save_tailored_cv("app-a", make_data(rng))
    assert first.success
    read = handler.get_tailored_cv(*key_of(first.data))
    assert read.success
    store.clock.now = store.clock.now.replace(second=5)
    again = handler.save_tailored_cv("app-b", read.data)
    assert again.success, again.error
    copy = handler.get_tailored_cv(*key_of(again.data))
    assert copy.success
    assert copy.data.artifact is not None
    assert artifact_of(copy.data).application_id == "app-b"
    assert artifact_of(copy.data).checksum == artifact_of(read.data).checksum

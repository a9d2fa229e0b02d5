"""Realistic tailored CVs for tests and benchmarks, built from real prose with a fixed seed.

The prose is CPython's own documentation (``pydoc_data``), so the text is varied English that
compresses like a real CV rather than like a repeated string.
"""

from __future__ import annotations

import re
from pydoc_data.topics import topics
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.codec import SummarySealer, assemble, conform, prepare
from careervp.models.tailor import (
    EducationEntry,
    ExperienceEntry,
    TailoredCV,
    TailoredCVData,
    TailoringMetadata,
    TokenUsage,
)

if TYPE_CHECKING:
    import random

    from careervp.dal.codec import Cipher, EncodedItem

__all__ = ["SENTENCES", "encode", "make_cv", "make_data"]

# The secret the engine tests give their handlers (tests/conftest.py): items encoded here carry
# the summary MAC those handlers verify.
_SEALER = SummarySealer([b"test-secret-0123456789abcdef"])

SENTENCES: list[str] = sorted(
    {
        " ".join(sentence.split())
        for text in topics.values()
        for sentence in re.split(r"(?<=[.!?])\s+", text)
        if 40 <= len(sentence) <= 220 and "\n\n" not in sentence and "*" not in sentence
    }
)
_COMPANIES = ["Acme Analytics", "Nordwind GmbH", "Société Générale de Données", "Kōbō Labs"]
_TITLES = ["Senior Data Engineer", "Staff Software Engineer", "Platform Lead", "ML Engineer"]
_SKILLS = ["Python", "DynamoDB", "AWS Lambda", "Kafka", "Terraform", "PostgreSQL", "Rust", "Go"]


def make_cv(rng: random.Random, json_bytes: int = 4_000, *, version: int = 1) -> TailoredCV:
    """A CV whose canonical JSON is close to ``json_bytes`` long."""
    experience: list[ExperienceEntry] = []
    cv = TailoredCV(
        source_cv_version=version,
        executive_summary=" ".join(rng.sample(SENTENCES, 3)),
        experience=experience,
        skills=rng.sample(_SKILLS, 5),
        education=[
            EducationEntry(
                institution="Universität Wien", degree="MSc Informatics", graduation_year=2014
            ),
        ],
        certifications=["AWS Certified Solutions Architect"],
    )
    size = len(msgspec.json.encode(cv))
    while size < json_bytes:
        start = rng.randrange(2005, 2024)
        entry = ExperienceEntry(
            company=rng.choice(_COMPANIES),
            title=rng.choice(_TITLES),
            start_date=f"{start}-{rng.randrange(1, 13):02d}",
            end_date=None if rng.random() < 0.2 else f"{start + rng.randrange(1, 4)}-06",
            highlights=[],
        )
        experience.append(entry)
        size += len(msgspec.json.encode(entry)) + 1
        while size < json_bytes and len(entry.highlights) < 40:
            sentence = rng.choice(SENTENCES)
            entry.highlights.append(sentence)
            size += len(msgspec.json.encode(sentence)) + 1
    return cv


def make_data(
    rng: random.Random,
    *,
    user_id: str = "user-1",
    job_id: str = "job-1",
    json_bytes: int = 4_000,
    version: int = 1,
) -> TailoredCVData:
    return TailoredCVData(
        tailored_cv=make_cv(rng, json_bytes, version=version),
        metadata=TailoringMetadata(
            user_id=user_id,
            job_id=job_id,
            fvs_validation_passed=rng.random() < 0.8,
            llm_model="claude-sonnet-4",
            relevance_score=rng.random(),
            keywords_matched=rng.sample(_SKILLS, 3),
        ),
        token_usage=TokenUsage(
            input_tokens=rng.randrange(1_000, 20_000),
            output_tokens=rng.randrange(500, 8_000),
            cost_usd=rng.random() / 10,
        ),
    )


def encode(
    application_id: str,
    created_at: str,
    expires_at: int,
    data: TailoredCVData,
    *,
    write_id: str | None = "write-1",
    cipher: Cipher | None = None,
    sealer: SummarySealer | None = _SEALER,
) -> EncodedItem:
    """The item a save would store for ``data`` under this key (without a database)."""
    return assemble(
        prepare(conform(data)),
        application_id,
        created_at,
        expires_at,
        write_id=write_id,
        cipher=cipher,
        sealer=sealer,
    )

"""The tailored-CV models: what a handler saves and what the store hands back."""

from __future__ import annotations

from typing import TypedDict

import msgspec

__all__ = [
    "EducationEntry",
    "ExperienceEntry",
    "StoredArtifact",
    "TailoredCV",
    "TailoredCVData",
    "TailoredCVPage",
    "TailoringMetadata",
    "TokenUsage",
]


class ExperienceEntry(msgspec.Struct, kw_only=True):
    company: str
    title: str
    start_date: str
    end_date: str | None = None
    highlights: list[str] = []


class EducationEntry(msgspec.Struct, kw_only=True):
    institution: str
    degree: str
    graduation_year: int | None = None


class TailoredCV(msgspec.Struct, kw_only=True):
    source_cv_version: int
    executive_summary: str
    experience: list[ExperienceEntry] = []
    skills: list[str] = []
    education: list[EducationEntry] = []
    certifications: list[str] = []


class TailoringMetadata(msgspec.Struct, kw_only=True):
    user_id: str
    job_id: str
    fvs_validation_passed: bool
    llm_model: str | None = None
    relevance_score: float | None = None
    keywords_matched: list[str] = []


class TokenUsage(msgspec.Struct, kw_only=True):
    input_tokens: int
    output_tokens: int
    cost_usd: float = 0.0


class StoredArtifact(msgspec.Struct, kw_only=True):
    """Where a version lives: filled in by the DAL on every read, ignored on save."""

    artifact_id: str
    application_id: str
    created_at: str
    expires_at: int
    checksum: str


class TailoredCVData(msgspec.Struct, kw_only=True):
    tailored_cv: TailoredCV
    metadata: TailoringMetadata
    token_usage: TokenUsage
    artifact: StoredArtifact | None = None


class TailoredCVPage(TypedDict):
    items: list[TailoredCVData]
    last_evaluated_key: str | None
    count: int

"""The tailored-CV models: what a handler saves and what the store hands back.

Every model refuses unknown fields, so a misspelled key in a JSON document (an event, the CLI's
``put`` file, an LLM's output) is a ``msgspec.ValidationError`` instead of a field silently
dropped; new fields therefore roll out to readers first. Facts of the domain are declared as
``msgspec.Meta`` constraints and checked whenever a document is decoded or converted (the store
converts every model it is given), never by hand-kept lists.
"""

from __future__ import annotations

from typing import Annotated, TypedDict

import msgspec

__all__ = [
    "EducationEntry",
    "EncryptionProgress",
    "ExperienceEntry",
    "NonEmptyText",
    "NonNegativeFloat",
    "NonNegativeInt",
    "StoredArtifact",
    "StoredTailoredCV",
    "TailoredCV",
    "TailoredCVData",
    "TailoredCVPage",
    "TailoredCVSummary",
    "TailoredCVSummaryPage",
    "TailoringMetadata",
    "TokenUsage",
    "UserExport",
]

NonEmptyText = Annotated[str, msgspec.Meta(min_length=1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
NonNegativeFloat = Annotated[float, msgspec.Meta(ge=0)]


class _Model(msgspec.Struct, forbid_unknown_fields=True):
    """Strict decoding, inherited by every model (``kw_only`` is per class in msgspec)."""


class ExperienceEntry(_Model, kw_only=True):
    company: str
    title: str
    start_date: str
    end_date: str | None = None
    highlights: list[str] = []


class EducationEntry(_Model, kw_only=True):
    institution: str
    degree: str
    graduation_year: int | None = None


class TailoredCV(_Model, kw_only=True):
    source_cv_version: int
    executive_summary: str
    experience: list[ExperienceEntry] = []
    skills: list[str] = []
    education: list[EducationEntry] = []
    certifications: list[str] = []


class TailoringMetadata(_Model, kw_only=True):
    user_id: NonEmptyText
    job_id: NonEmptyText
    fvs_validation_passed: bool
    llm_model: str | None = None
    relevance_score: float | None = None
    keywords_matched: list[str] = []


class TokenUsage(_Model, kw_only=True):
    input_tokens: NonNegativeInt
    output_tokens: NonNegativeInt
    cost_usd: NonNegativeFloat = 0.0


class StoredArtifact(_Model, kw_only=True):
    """Where a version lives: filled in by the DAL on every read, ignored on save."""

    artifact_id: str
    application_id: str
    created_at: str
    expires_at: int
    checksum: str


class TailoredCVData(_Model, kw_only=True):
    tailored_cv: TailoredCV
    metadata: TailoringMetadata
    token_usage: TokenUsage
    artifact: StoredArtifact | None = None


class StoredTailoredCV(TailoredCVData, kw_only=True):
    """A version as every read returns it: a ``TailoredCVData`` whose ``artifact`` is always
    there, so a handler can get or delete exactly that version without a ``None`` check."""

    artifact: StoredArtifact


class TailoredCVPage(TypedDict):
    """One page of versions. ``unreadable`` names (by artifact id) the versions of the page
    that failed their integrity check: they are never returned, and never fail the page."""

    items: list[StoredTailoredCV]
    last_evaluated_key: str | None
    count: int
    unreadable: list[str]


class TailoredCVSummary(_Model, kw_only=True):
    """One version as a history screen shows it: the user index's copy of its attributes,
    read without the item (no CV text) and verified by the keyed value saved with the version
    (``docs/security.md``)."""

    artifact_id: str
    application_id: str
    created_at: str
    expires_at: int
    job_id: str
    cv_version: int
    fvs_validation_passed: bool
    llm_model: str | None = None
    relevance_score: float | None = None


class TailoredCVSummaryPage(TypedDict):
    """One page of summaries. ``unreadable`` names (by artifact id) the entries of the page that
    failed their check (planted, moved, edited): they are never shown, and never fail the page."""

    items: list[TailoredCVSummary]
    last_evaluated_key: str | None
    count: int
    unreadable: list[str]


class UserExport(TypedDict):
    """Everything the table holds for one user, for a data-subject access request."""

    items: list[StoredTailoredCV]
    unreadable: list[str]
    count: int


class EncryptionProgress(TypedDict):
    """One page of an upgrade of format-1 versions to encrypted ones (``encrypt-existing``)."""

    scanned: int
    encrypted: int
    unreadable: list[str]
    changed: list[str]
    too_large: list[str]
    next_cursor: str | None

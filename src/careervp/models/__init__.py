"""Shapes the store accepts and returns."""

from careervp.models.result import Err, Ok, Result, ResultCode
from careervp.models.tailor import (
    EducationEntry,
    ExperienceEntry,
    StoredArtifact,
    TailoredCV,
    TailoredCVData,
    TailoredCVPage,
    TailoringMetadata,
    TokenUsage,
)

__all__ = [
    "EducationEntry",
    "Err",
    "ExperienceEntry",
    "Ok",
    "Result",
    "ResultCode",
    "StoredArtifact",
    "TailoredCV",
    "TailoredCVData",
    "TailoredCVPage",
    "TailoringMetadata",
    "TokenUsage",
]

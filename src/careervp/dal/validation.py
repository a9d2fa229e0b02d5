"""Checks on caller input, run before anything is sent: failures are ``InvalidInputError``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal import schema
from careervp.dal.codec import conform
from careervp.dal.errors import InvalidInputError

if TYPE_CHECKING:
    from careervp.models.tailor import TailoredCVData

__all__ = ["MAX_LIMIT", "check_created_at", "check_data", "check_id", "check_limit"]

MAX_LIMIT = 100


def check_id(name: str, value: object) -> str:
    problem = schema.id_problem(value)
    if problem is not None or not isinstance(value, str):
        raise InvalidInputError(f"{name} {problem}")
    return value


def check_created_at(value: object) -> str:
    problem = schema.created_at_problem(value)
    if problem is not None or not isinstance(value, str):
        raise InvalidInputError(f"created_at {problem}")
    return value


def check_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InvalidInputError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return value


def check_data(data: object) -> TailoredCVData:
    """A strictly checked, normalised copy of ``data``, ``artifact`` dropped."""
    checked = conform(data)
    check_id("metadata.user_id", checked.metadata.user_id)
    check_id("metadata.job_id", checked.metadata.job_id)
    return checked

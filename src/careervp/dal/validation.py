"""Checks on caller input, run before anything is sent to DynamoDB."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec

from careervp.dal.codec import check_number
from careervp.models.tailor import TailoredCVData

__all__ = [
    "CREATED_AT_FORMAT",
    "MAX_ID_BYTES",
    "MAX_LIMIT",
    "InputError",
    "check_created_at",
    "check_id",
    "check_limit",
    "check_tailored_cv_data",
]

MAX_ID_BYTES = 1024
MAX_LIMIT = 100
CREATED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_CREATED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
# C0, DEL and C1 controls, plus the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# to_builtins would turn these into strings that a str field then accepts (bytes as base64);
# kept as they are, the strict conversion refuses them.
_KEPT_AS_IS = (bytes, bytearray, memoryview, datetime, date, time, timedelta, UUID, Decimal)


class InputError(ValueError):
    """Caller input the store refuses; becomes ``VALIDATION_ERROR``."""


def check_id(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InputError(f"{name} must be a string, not {type(value).__name__}")
    if not value:
        raise InputError(f"{name} must not be empty")
    if value != value.strip():
        raise InputError(f"{name} must not start or end with white space")
    if _CONTROL.search(value):
        raise InputError(f"{name} must not contain control characters")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError(f"{name} must be valid Unicode text") from None
    if size > MAX_ID_BYTES:
        raise InputError(f"{name} is {size} bytes in UTF-8, over the {MAX_ID_BYTES}-byte limit")
    return value


def check_created_at(value: object) -> str:
    if not isinstance(value, str) or not _CREATED_AT.fullmatch(value):
        raise InputError(
            "created_at must look like 2026-11-26T10:30:00.123456Z (UTC, microseconds)"
        )
    try:
        datetime.strptime(value, CREATED_AT_FORMAT)  # noqa: DTZ007 - the format pins UTC ("Z")
    except ValueError:
        raise InputError("created_at is not a real date and time") from None
    return value


def check_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InputError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return value


def _check_numbers(data: TailoredCVData) -> None:
    cv, usage = data.tailored_cv, data.token_usage
    # (path, value, whether it must not be negative)
    numbers: list[tuple[str, int | float | None, bool]] = [
        ("tailored_cv.source_cv_version", cv.source_cv_version, False),
        ("metadata.relevance_score", data.metadata.relevance_score, False),
        ("token_usage.input_tokens", usage.input_tokens, True),
        ("token_usage.output_tokens", usage.output_tokens, True),
        ("token_usage.cost_usd", usage.cost_usd, True),
    ]
    numbers += [
        (f"tailored_cv.education[{i}].graduation_year", entry.graduation_year, False)
        for i, entry in enumerate(cv.education)
    ]
    for path, number, counted in numbers:
        if number is None:
            continue
        problem = check_number(number)
        if problem is not None:
            raise InputError(f"{path} cannot be stored: {problem}")
        if counted and number < 0:
            raise InputError(f"{path} must not be negative")


def check_tailored_cv_data(data: object) -> TailoredCVData:
    """A re-validated copy of ``data`` with ``artifact`` dropped.

    msgspec does not check types when a Struct is built in code, so the value is converted
    through builtins with the model's types, strictly: a wrong type anywhere is caught here,
    not half way through a write.
    """
    if not isinstance(data, TailoredCVData):
        raise InputError(f"tailored_cv must be a TailoredCVData, not {type(data).__name__}")
    try:
        plain = msgspec.to_builtins(data, builtin_types=_KEPT_AS_IS)
        checked = msgspec.convert(plain, TailoredCVData, strict=True)
    except msgspec.ValidationError as exc:
        raise InputError(f"the tailored CV is invalid: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"the tailored CV holds a value that cannot be stored: {exc}") from None
    checked.artifact = None
    check_id("metadata.user_id", checked.metadata.user_id)
    check_id("metadata.job_id", checked.metadata.job_id)
    _check_numbers(checked)
    return checked

"""The table's vocabulary: attribute and index names, keys, ids and timestamps.

Every layer (codec, requests, table definition, CLI, tests, benchmarks) takes names from here.
The rules for ids and ``created_at`` live here too, as predicates: the store applies them to
what callers give it (``VALIDATION_ERROR``) and to every key it reads back (``INTEGRITY_ERROR``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import TypeAlias

__all__ = [
    "APPLICATION_ID",
    "ARTIFACT_ID",
    "CHECKSUM",
    "CLOCK_SKEW_SECONDS",
    "CREATED_AT",
    "CREATED_AT_EXAMPLE",
    "CV_VERSION",
    "DELETE_ID",
    "FINGERPRINT",
    "FORMAT_VERSION",
    "FVS_VALIDATION_PASSED",
    "IDEMPOTENCY_KEY",
    "IDEMPOTENCY_TTL_SECONDS",
    "INDEX_NAME",
    "JOB_ID",
    "MAX_ID_BYTES",
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "METADATA",
    "RECORD_MAC",
    "RECORD_TAKEOVER_MARGIN_SECONDS",
    "SUMMARY_MAC",
    "TAILORED_CV",
    "TOKEN_USAGE",
    "TOMBSTONE",
    "TOMBSTONE_TTL_SECONDS",
    "TTL_ATTRIBUTE",
    "TTL_SECONDS",
    "USER_ID",
    "VERSION_CONTENT",
    "VERSION_DELETED",
    "WRITE_ID",
    "AttributeValue",
    "Item",
    "artifact_id",
    "created_at_moment",
    "created_at_problem",
    "epoch_second",
    "format_created_at",
    "id_problem",
    "index_key",
    "record_key",
    "split_artifact_id",
    "table_key",
]

# An item as DynamoDB's low-level API spells it. Defined here, below the codec that builds items,
# so that the keys below can be typed without the codec (which imports this module). botocore's
# stubs type nested "M" and "L" values as Any; this alias keeps them checked.
AttributeValue: TypeAlias = dict[
    str, str | bool | bytes | list["AttributeValue"] | dict[str, "AttributeValue"]
]
Item: TypeAlias = dict[str, AttributeValue]

INDEX_NAME = "user_id_created_at_gsi"
TTL_SECONDS = 90 * 24 * 3600
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
# The clock skew tolerated between any two instances (docs/reliability.md).
CLOCK_SKEW_SECONDS = 15 * 60
# A record is taken over only this long after its TTL by the claimer's clock: a claimer slow
# and a retrier fast by the skew each still find it live for its whole 24 hours.
RECORD_TAKEOVER_MARGIN_SECONDS = 2 * CLOCK_SKEW_SECONDS
# A removed version leaves a tombstone at its key for this long, so that no put of an earlier
# attempt and no keyed retry can store it again (docs/reliability.md, "Deleted stays deleted").
# It outlives every instance's view of a record that can stand for the version: the record's 24
# hours, the takeover margin and the skew of the claimer, the deleter and the retrier.
TOMBSTONE_TTL_SECONDS = 26 * 3600

# A version's attributes (docs/schema.md).
APPLICATION_ID = "application_id"
CREATED_AT = "created_at"
USER_ID = "user_id"
JOB_ID = "job_id"
CV_VERSION = "cv_version"
TAILORED_CV = "tailored_cv"
METADATA = "metadata"
TOKEN_USAGE = "token_usage"  # noqa: S105 - an attribute name
FVS_VALIDATION_PASSED = "fvs_validation_passed"
TTL_ATTRIBUTE = "expiration_timestamp"
CHECKSUM = "checksum"
FORMAT_VERSION = "format_version"
# A random id per save call: a retried request carries the same one, so the store can tell its
# own earlier write from another save that took the same key (docs/reliability.md).
WRITE_ID = "write_id"
# On a version saved with an idempotency key: the key, so deleting the version can tell the
# record (and a retry of that save stores nothing again).
IDEMPOTENCY_KEY = "idempotency_key"
# A keyed value over what a summary shows and its key (codec/_summary.py), projected by the user
# index so a summary is verified without reading its item.
SUMMARY_MAC = "summary_mac"
# An idempotency record's attributes, besides the key, WRITE_ID and TTL_ATTRIBUTE.
ARTIFACT_ID = "artifact_id"
FINGERPRINT = "fingerprint"
# Written by releases up to 0.3.0 on the record of a deleted version, scrubbed of its
# fingerprint; such records carry no RECORD_MAC and decide no save.
VERSION_DELETED = "version_deleted"
# The keyed value binding a record to its application, key, version and content (codec._record).
RECORD_MAC = "record_mac"
# What a removal leaves at a version's key: the key, the version's write id (so a save can tell
# its own removed version from another's), the marker, the removing call's id (so a delete
# retried after a lost response knows its own removal) and a TTL. Nothing personal. A tombstone
# has the marker and no user id: a raw edit adding the marker to a version does not hide it.
TOMBSTONE = "tombstone"
DELETE_ID = "delete_id"
# Everything of a version a removal takes away; other attributes (a raw writer's) go too. The
# idempotency key stays (the caller's request id, not personal): a removal retried after a lost
# response still knows which record to scrub.
VERSION_CONTENT = (
    USER_ID,
    JOB_ID,
    CV_VERSION,
    TAILORED_CV,
    METADATA,
    TOKEN_USAGE,
    FVS_VALIDATION_PASSED,
    CHECKSUM,
    FORMAT_VERSION,
    SUMMARY_MAC,
)

# Idempotency records live in partitions no version can have: ids never hold control
# characters, so no application id starts with this prefix. Records carry no user id, so the
# user index never sees them.
_RECORD_PREFIX = "\x1fidempotency\x1f"
_RECORD_SORT_KEY = "\x1frecord"

MAX_ID_BYTES = 1024
# DynamoDB's own limits on key attributes: what a key read back may hold.
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
CREATED_AT_EXAMPLE = "2026-11-26T10:30:00.123456Z"
_CREATED_AT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{6})Z"
)
# C0, DEL and C1 controls, plus the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)


def id_problem(value: object) -> str | None:
    """Why ``value`` cannot be an id (application, user, job, idempotency key), or ``None``."""
    # Exactly str: a subclass may answer strip() or encode() with anything it likes.
    if type(value) is not str:
        return f"must be a string, not {type(value).__name__}"
    if not value:
        return "must not be empty"
    if value != value.strip():
        return "must not start or end with white space"
    if _CONTROL.search(value) or (
        not value.isascii() and any(unicodedata.category(char) == "Cf" for char in value)
    ):
        # A format character (U+202E reverses the text after it) makes an id read as another.
        return "must not contain control or format characters"
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "must be valid Unicode text"
    if size > MAX_ID_BYTES:
        return f"is {size} bytes in UTF-8, over the {MAX_ID_BYTES}-byte limit"
    return None


def created_at_problem(value: object) -> str | None:
    """Why ``value`` is not a ``created_at`` this store writes, or ``None``."""
    match = _CREATED_AT.fullmatch(value) if type(value) is str else None
    if match is None:
        return f"must look like {CREATED_AT_EXAMPLE} (UTC, microseconds)"
    year, month, day, hour, minute, second, micro = map(int, match.groups())
    try:
        # The constructor checks the calendar (30 February, hour 25) at a fraction of strptime.
        datetime(year, month, day, hour, minute, second, micro)  # noqa: DTZ001 - fields only
    except ValueError:
        return "is not a real date and time"
    return None


def created_at_moment(created_at: str) -> datetime:
    """The aware UTC moment of a ``created_at`` already held to ``created_at_problem``."""
    return datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def format_created_at(moment: datetime) -> str:
    """``moment`` (aware, UTC) in the fixed-width form whose string order is time order."""
    # Formatted by hand: strftime("%Y") does not zero-pad years before 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )


def epoch_second(moment: datetime) -> int:
    return (moment - _EPOCH) // _SECOND  # floored, exact for any microsecond


def artifact_id(application_id: str, created_at: str) -> str:
    return f"{application_id}#{created_at}"


def split_artifact_id(value: str) -> tuple[str, str] | None:
    """``(application_id, created_at)`` of an artifact id, split from the right, or ``None``.

    Application ids may hold ``#``; ``created_at`` never does, so the last ``#`` separates them.
    """
    application_id, sep, created_at = value.rpartition("#")
    return (application_id, created_at) if sep and application_id else None


def table_key(application_id: str, created_at: str) -> Item:
    """The primary key of one version, as GetItem, DeleteItem and BatchGetItem take it."""
    return {APPLICATION_ID: {"S": application_id}, CREATED_AT: {"S": created_at}}


def index_key(user_id: str, application_id: str, created_at: str) -> Item:
    """An ``ExclusiveStartKey`` in the user index: its keys plus the table's."""
    return {**table_key(application_id, created_at), USER_ID: {"S": user_id}}


def record_key(application_id: str, idempotency_key: str) -> Item:
    """The primary key of the record of ``idempotency_key`` within one application.

    Keys are scoped to their application, so one tenant's key never meets another's. The pair
    is hashed: two ids of up to 1,024 bytes each would not fit a partition key.
    """
    pair = f"{application_id}\x1f{idempotency_key}".encode()
    return table_key(_RECORD_PREFIX + hashlib.sha256(pair).hexdigest(), _RECORD_SORT_KEY)

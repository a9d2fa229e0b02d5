"""``TailoredCVData`` to the DynamoDB item of the contract's schema, and back.

An item holds the CV as ``tailored_cv`` (B: gzip of canonical JSON), ``metadata`` and
``token_usage`` as maps, copies of the fields the table and its GSI need at the top level,
the TTL, the SHA-256 checksum and ``format_version`` so the layout can evolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import msgspec

from careervp.dal.codec.attributes import Item, marshal_map, unmarshal, unmarshal_map
from careervp.dal.codec.canonical import canonical_json, checksum_of, decode_tailored_cv
from careervp.dal.codec.envelope import MAX_INFLATED_BYTES, compress, decompress
from careervp.dal.codec.errors import CodecError, IntegrityError, TooLargeError
from careervp.dal.codec.size import MAX_ITEM_BYTES, item_size
from careervp.models.tailor import StoredArtifact, TailoredCVData, TailoringMetadata, TokenUsage

__all__ = [
    "FORMAT_VERSION",
    "EncodedItem",
    "artifact_id",
    "decode_item",
    "encode_item",
    "item_label",
    "read_expiration",
    "read_table_key",
    "rekey_item",
    "table_key",
]

FORMAT_VERSION = 1

S = TypeVar("S")


class EncodedItem(msgspec.Struct, kw_only=True):
    item: Item
    size: int
    json_bytes: int
    checksum: str


def artifact_id(application_id: str, created_at: str) -> str:
    return f"{application_id}#{created_at}"


def table_key(application_id: str, created_at: str) -> Item:
    """The table's primary key of one version, as GetItem and DeleteItem take it."""
    return {"application_id": {"S": application_id}, "created_at": {"S": created_at}}


def read_table_key(raw: Mapping[str, object]) -> Item:
    """The primary key of a raw item (or index entry); ``IntegrityError`` if unreadable."""
    try:
        return table_key(_string(raw, "application_id"), _string(raw, "created_at"))
    except IntegrityError as exc:
        raise _failure(raw, exc) from None


def encode_item(
    application_id: str, created_at: str, expires_at: int, data: TailoredCVData
) -> EncodedItem:
    """The item for one version; ``TooLargeError`` when DynamoDB or a reader could not take it."""
    try:
        cv_json = canonical_json(data.tailored_cv)
        checksum = checksum_of(cv_json, data.metadata, data.token_usage)
    except UnicodeEncodeError:
        raise CodecError("the tailored CV holds text that is not valid Unicode") from None
    if len(cv_json) > MAX_INFLATED_BYTES:
        raise TooLargeError(
            f"the tailored CV is {len(cv_json)} bytes of JSON, over the {MAX_INFLATED_BYTES}"
            " bytes a reader will inflate"
        )
    metadata = data.metadata
    item: Item = {
        **table_key(application_id, created_at),
        "user_id": {"S": metadata.user_id},
        "job_id": {"S": metadata.job_id},
        "cv_version": {"N": str(data.tailored_cv.source_cv_version)},
        "tailored_cv": {"B": compress(cv_json)},
        "metadata": {"M": marshal_map(msgspec.to_builtins(metadata))},
        "token_usage": {"M": marshal_map(msgspec.to_builtins(data.token_usage))},
        "fvs_validation_passed": {"BOOL": metadata.fvs_validation_passed},
        "expiration_timestamp": {"N": str(expires_at)},
        "checksum": {"S": checksum},
        "format_version": {"N": str(FORMAT_VERSION)},
    }
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise TooLargeError(
            f"the item would be {size} bytes, over DynamoDB's {MAX_ITEM_BYTES}-byte limit"
        )
    return EncodedItem(item=item, size=size, json_bytes=len(cv_json), checksum=checksum)


def rekey_item(item: Item, created_at: str, expires_at: int) -> Item:
    """The same item under another timestamp, for a save retried after a collision."""
    return {
        **item,
        "created_at": {"S": created_at},
        "expiration_timestamp": {"N": str(expires_at)},
    }


def _get(raw: Mapping[str, object], name: str, tag: str) -> object:
    value = raw.get(name)
    if not isinstance(value, Mapping) or set(value) != {tag}:
        raise IntegrityError(f"attribute {name!r} is missing or not of type {tag}")
    return value[tag]


def _string(raw: Mapping[str, object], name: str) -> str:
    value = _get(raw, name, "S")
    if not isinstance(value, str):
        raise IntegrityError(f"attribute {name!r} is not a string")
    return value


def _integer(raw: Mapping[str, object], name: str) -> int:
    try:
        value = unmarshal({"N": _get(raw, name, "N")})
    except CodecError:
        value = None
    if not isinstance(value, int) or isinstance(value, bool):
        raise IntegrityError(f"attribute {name!r} is not an integer")
    return value


def _bool(raw: Mapping[str, object], name: str) -> bool:
    value = _get(raw, name, "BOOL")
    if not isinstance(value, bool):
        raise IntegrityError(f"attribute {name!r} is not a boolean")
    return value


def _struct_from_map(raw: Mapping[str, object], name: str, shape: type[S]) -> S:
    value = _get(raw, name, "M")
    if not isinstance(value, Mapping):
        raise IntegrityError(f"attribute {name!r} is not a map")
    try:
        return msgspec.convert(unmarshal_map(value), shape, strict=True)
    except (CodecError, msgspec.ValidationError) as exc:
        raise IntegrityError(f"attribute {name!r} does not decode: {exc}") from None


def item_label(raw: Mapping[str, object]) -> str:
    """The artifact id of a raw item, as far as its keys can be read, for error messages."""
    parts = []
    for name in ("application_id", "created_at"):
        value = raw.get(name)
        text = value.get("S") if isinstance(value, Mapping) else None
        parts.append(text if isinstance(text, str) and len(text) <= 1024 else "?")
    return artifact_id(parts[0], parts[1])


def _failure(raw: Mapping[str, object], exc: IntegrityError) -> IntegrityError:
    return IntegrityError(f"tailored CV {item_label(raw)} failed its integrity check: {exc}")


def read_expiration(raw: Mapping[str, object]) -> int:
    try:
        return _integer(raw, "expiration_timestamp")
    except IntegrityError as exc:
        raise _failure(raw, exc) from None


def decode_item(raw: Mapping[str, object]) -> TailoredCVData:
    """A stored item back to its model, verified.

    ``IntegrityError`` names the artifact and says what is wrong, never quoting content.
    """
    try:
        return _decode(raw)
    except IntegrityError as exc:
        raise _failure(raw, exc) from None


def _decode(raw: Mapping[str, object]) -> TailoredCVData:
    version = _integer(raw, "format_version")
    if version != FORMAT_VERSION:
        raise IntegrityError(f"format_version {version} is not supported")
    application_id = _string(raw, "application_id")
    created_at = _string(raw, "created_at")
    blob = _get(raw, "tailored_cv", "B")
    if not isinstance(blob, (bytes, bytearray)):
        raise IntegrityError("attribute 'tailored_cv' is not binary")
    cv_json = decompress(bytes(blob))
    metadata = _struct_from_map(raw, "metadata", TailoringMetadata)
    usage = _struct_from_map(raw, "token_usage", TokenUsage)
    stored_checksum = _string(raw, "checksum")
    # The inflated bytes are hashed as stored: this store only writes canonical JSON, so any
    # other bytes, even ones decoding to the same CV, are not what was saved.
    if checksum_of(cv_json, metadata, usage) != stored_checksum:
        raise IntegrityError("the content does not match its checksum")
    try:
        tailored_cv = decode_tailored_cv(cv_json)
    except msgspec.DecodeError as exc:
        raise IntegrityError(f"the CV JSON does not decode: {exc}") from None
    data = TailoredCVData(tailored_cv=tailored_cv, metadata=metadata, token_usage=usage)
    # The top-level copies drive the GSI and filters; they must agree with checksummed content.
    copies = (
        ("user_id", _string(raw, "user_id"), metadata.user_id),
        ("job_id", _string(raw, "job_id"), metadata.job_id),
        ("cv_version", _integer(raw, "cv_version"), tailored_cv.source_cv_version),
        (
            "fvs_validation_passed",
            _bool(raw, "fvs_validation_passed"),
            metadata.fvs_validation_passed,
        ),
    )
    for name, stored, expected in copies:
        if stored != expected:
            raise IntegrityError(f"attribute {name!r} disagrees with the checksummed content")
    data.artifact = StoredArtifact(
        artifact_id=artifact_id(application_id, created_at),
        application_id=application_id,
        created_at=created_at,
        expires_at=_integer(raw, "expiration_timestamp"),
        checksum=stored_checksum,
    )
    return data

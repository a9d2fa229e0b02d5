"""``TailoredCVData`` to the table's item and back, verified (``docs/schema.md``).

A save is two steps: ``prepare`` does the work that depends on the content only (canonical
JSON, checksum, compression), ``assemble`` places it under a key, encrypting when there is a
cipher and sizing the result; a save retried under another ``created_at`` assembles again
without preparing again.

Format 1 stores the gzip blob in clear with the SHA-256 checksum beside it. Format 2 (written
with a cipher) stores the gzip blob encrypted, with every attribute in clear bound to it as the
cipher's authenticated data, and no checksum in clear: the plaintext's hash would let anyone
who can read the table test a guess of a CV.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

import msgspec

from careervp.dal import schema
from careervp.dal.codec._attributes import Item, marshal_map, unmarshal_map
from careervp.dal.codec._canonical import canonical_json, checksum_of, decode_tailored_cv
from careervp.dal.codec._envelope import MAX_INFLATED_BYTES, compress, decompress
from careervp.dal.codec._numbers import number_text, parse_number, same_number
from careervp.dal.codec._size import MAX_ITEM_BYTES, item_size
from careervp.dal.errors import IntegrityError, InvalidInputError, ItemTooLargeError, escaped
from careervp.models.tailor import (
    StoredArtifact,
    StoredTailoredCV,
    TailoredCVData,
    TailoringMetadata,
    TokenUsage,
)

if TYPE_CHECKING:
    from careervp.dal.codec._cipher import Cipher
    from careervp.dal.codec._summary import SummarySealer

__all__ = [
    "FORMAT_ENCRYPTED",
    "FORMAT_PLAIN",
    "EncodedItem",
    "PreparedVersion",
    "assemble",
    "check_exact_floats",
    "decode_item",
    "has_content",
    "item_label",
    "prepare",
    "printable",
    "read_expiration",
    "read_idempotency_key",
    "read_key",
    "read_write_id",
]

FORMAT_PLAIN = 1
FORMAT_ENCRYPTED = 2
_BINDING_DOMAIN = b"careervp-dal/tailored-cv/v2\x00"
# How much of a decoder's message about stored data a log record keeps.
_DETAIL_CHARS = 300

S = TypeVar("S", bound=msgspec.Struct)


class PreparedVersion(msgspec.Struct, frozen=True, kw_only=True):
    """Everything about a version that does not depend on where it is stored, built once a
    save: the compressed blob, the checksum, and the attributes that copy the content."""

    data: TailoredCVData
    blob: bytes
    checksum: str
    json_bytes: int
    metadata_json: bytes
    usage_json: bytes
    content: Item
    content_size: int


class EncodedItem(msgspec.Struct, frozen=True, kw_only=True):
    item: Item
    size: int
    json_bytes: int
    checksum: str


def prepare(data: TailoredCVData) -> PreparedVersion:
    """Encode, checksum and compress a conformed ``TailoredCVData`` (see ``conform``)."""
    try:
        cv_json = canonical_json(data.tailored_cv)
        metadata_json = canonical_json(data.metadata)
        usage_json = canonical_json(data.token_usage)
    except UnicodeEncodeError:
        raise InvalidInputError("the tailored CV holds text that is not valid Unicode") from None
    if len(cv_json) > MAX_INFLATED_BYTES:
        raise ItemTooLargeError(
            f"the tailored CV is {len(cv_json)} bytes of JSON, over the {MAX_INFLATED_BYTES}"
            " bytes a reader will inflate"
        )
    metadata = data.metadata
    content: Item = {
        schema.USER_ID: {"S": metadata.user_id},
        schema.JOB_ID: {"S": metadata.job_id},
        schema.CV_VERSION: {"N": number_text(data.tailored_cv.source_cv_version)},
        schema.METADATA: {"M": marshal_map(msgspec.to_builtins(metadata))},
        schema.TOKEN_USAGE: {"M": marshal_map(msgspec.to_builtins(data.token_usage))},
        schema.FVS_VALIDATION_PASSED: {"BOOL": metadata.fvs_validation_passed},
    }
    return PreparedVersion(
        data=data,
        blob=compress(cv_json),
        checksum=checksum_of(cv_json, metadata_json, usage_json),
        json_bytes=len(cv_json),
        metadata_json=metadata_json,
        usage_json=usage_json,
        content=content,
        content_size=item_size(content),
    )


def _binding(
    header: tuple[int, str, str, str, str, int, bool, int, str | None, str | None],
    metadata_json: bytes,
    usage_json: bytes,
) -> bytes:
    """The authenticated data of a format-2 blob: every attribute stored beside it, in clear.

    ``header`` is (format_version, application_id, created_at, user_id, job_id, cv_version,
    fvs_validation_passed, expiration_timestamp, write_id, idempotency_key), as values, not
    wire text, so an
    engine that spells a number differently does not break it.
    """
    return b"".join((_BINDING_DOMAIN, canonical_json(header), metadata_json, b"\x00", usage_json))


def assemble(
    prepared: PreparedVersion,
    application_id: str,
    created_at: str,
    expires_at: int,
    *,
    write_id: str | None,
    cipher: Cipher | None,
    sealer: SummarySealer | None,
    idempotency_key: str | None = None,
) -> EncodedItem:
    """The item of ``prepared`` under a key, with its summary MAC when there is a ``sealer``;
    ``ItemTooLargeError`` when DynamoDB would refuse it."""
    data = prepared.data
    metadata = data.metadata
    placed: Item = {
        **schema.table_key(application_id, created_at),
        schema.TTL_ATTRIBUTE: {"N": str(expires_at)},
    }
    if sealer is not None:
        summary = (
            application_id,
            created_at,
            metadata.user_id,
            metadata.job_id,
            data.tailored_cv.source_cv_version,
            metadata.fvs_validation_passed,
            expires_at,
        )
        placed[schema.SUMMARY_MAC] = {"B": sealer.seal(summary, prepared.metadata_json)}
    if write_id is not None:
        placed[schema.WRITE_ID] = {"S": write_id}
    if idempotency_key is not None:
        placed[schema.IDEMPOTENCY_KEY] = {"S": idempotency_key}
    if cipher is None:
        placed[schema.FORMAT_VERSION] = {"N": str(FORMAT_PLAIN)}
        placed[schema.CHECKSUM] = {"S": prepared.checksum}
        placed[schema.TAILORED_CV] = {"B": prepared.blob}
    else:
        placed[schema.FORMAT_VERSION] = {"N": str(FORMAT_ENCRYPTED)}
        header = (
            FORMAT_ENCRYPTED,
            application_id,
            created_at,
            metadata.user_id,
            metadata.job_id,
            data.tailored_cv.source_cv_version,
            metadata.fvs_validation_passed,
            expires_at,
            write_id,
            idempotency_key,
        )
        aad = _binding(header, prepared.metadata_json, prepared.usage_json)
        placed[schema.TAILORED_CV] = {"B": cipher.encrypt(prepared.blob, aad)}
    # Only what depends on the key is sized again: a retry under the next microsecond can
    # change the TTL's digits, and so the size.
    size = prepared.content_size + item_size(placed)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLargeError(
            f"the item would be {size} bytes, over DynamoDB's {MAX_ITEM_BYTES}-byte limit"
        )
    return EncodedItem(
        item={**placed, **prepared.content},
        size=size,
        json_bytes=prepared.json_bytes,
        checksum=prepared.checksum,
    )


# -- reading ------------------------------------------------------------------------------------


def _get(raw: Mapping[str, object], name: str, tag: str) -> object:
    value = raw.get(name)
    # botocore hands back plain dicts; exact type checks are several times cheaper than ABCs.
    if type(value) is not dict or len(value) != 1 or tag not in value:
        raise IntegrityError(f"attribute {name!r} is missing or not of type {tag}")
    return value[tag]


def _string(raw: Mapping[str, object], name: str) -> str:
    value = _get(raw, name, "S")
    if type(value) is not str:
        raise IntegrityError(f"attribute {name!r} is not a string")
    return value


def _integer(raw: Mapping[str, object], name: str) -> int:
    value = parse_number(_get(raw, name, "N"))
    if not isinstance(value, int):
        raise IntegrityError(f"attribute {name!r} is not an integer")
    return value


def _bool(raw: Mapping[str, object], name: str) -> bool:
    value = _get(raw, name, "BOOL")
    if not isinstance(value, bool):
        raise IntegrityError(f"attribute {name!r} is not a boolean")
    return value


def _binary(raw: Mapping[str, object], name: str) -> bytes:
    value = _get(raw, name, "B")
    if not isinstance(value, (bytes, bytearray)):
        raise IntegrityError(f"attribute {name!r} is not binary")
    return bytes(value)


def _struct_from_map(raw: Mapping[str, object], name: str, shape: type[S]) -> S:
    value = _get(raw, name, "M")
    if type(value) is not dict:
        raise IntegrityError(f"attribute {name!r} is not a map")
    try:
        decoded = msgspec.convert(unmarshal_map(value), shape, strict=True)
    except msgspec.ValidationError as exc:
        # msgspec's message quotes what it met (an unknown field's name is stored text): the
        # error says what failed, the log record keeps the detail, escaped.
        raise IntegrityError(
            f"attribute {name!r} does not decode as {shape.__name__}",
            log_fields={"detail": printable(str(exc), _DETAIL_CHARS)},
        ) from None
    check_exact_floats(name, value, decoded)
    return decoded


def check_exact_floats(name: str, stored: Mapping[str, object], decoded: msgspec.Struct) -> None:
    """``IntegrityError`` unless each float field of ``decoded`` is exactly the number stored
    for it in the map ``stored`` (an engine spells large floats as integers; more digits than
    a float holds are refused, never rounded)."""
    for field, value in stored.items():
        text = value.get("N") if type(value) is dict else None
        number = getattr(decoded, field, None) if type(text) is str else None
        if type(number) is float and not same_number(str(text), number):
            raise IntegrityError(f"attribute {name!r} holds a number a float cannot hold exactly")


def printable(text: str, limit: int = schema.MAX_ID_BYTES) -> str:
    """``text`` safe to log and print (escaped as ``errors.escaped`` does), length capped."""
    return escaped(text[:limit])


def item_label(raw: Mapping[str, object]) -> str:
    """The artifact id of a raw item, as far as its keys can be read, for error messages."""
    parts = []
    for name in (schema.APPLICATION_ID, schema.CREATED_AT):
        value = raw.get(name)
        text = value.get("S") if isinstance(value, Mapping) else None
        parts.append(printable(text) if isinstance(text, str) else "?")
    return schema.artifact_id(parts[0], parts[1])


def _failure(raw: Mapping[str, object], cause: IntegrityError | str) -> IntegrityError:
    fields = cause.log_fields if isinstance(cause, IntegrityError) else {}
    return IntegrityError(
        f"tailored CV {item_label(raw)} failed its integrity check: {cause}",
        log_fields={"artifact_id": item_label(raw), **fields},
    )


def _key(raw: Mapping[str, object]) -> tuple[str, str]:
    application_id = _string(raw, schema.APPLICATION_ID)
    created_at = _string(raw, schema.CREATED_AT)
    problem = schema.id_problem(application_id)
    if problem is not None:
        raise IntegrityError(f"its application_id {problem}")
    problem = schema.created_at_problem(created_at)
    if problem is not None:
        raise IntegrityError(f"its created_at {problem}")
    return application_id, created_at


def read_key(raw: Mapping[str, object]) -> tuple[str, str]:
    """``(application_id, created_at)`` of a raw item or index entry, held to the rules the
    store applies to its input: a key the store could not have written is an integrity fault."""
    try:
        return _key(raw)
    except IntegrityError as exc:
        raise _failure(raw, exc) from None


def read_expiration(raw: Mapping[str, object]) -> int:
    try:
        return _integer(raw, schema.TTL_ATTRIBUTE)
    except IntegrityError as exc:
        raise _failure(raw, exc) from None


def _optional_text(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    text = value.get("S") if type(value) is dict else None
    return text if type(text) is str else None


def read_write_id(raw: Mapping[str, object]) -> str | None:
    return _optional_text(raw, schema.WRITE_ID)


def read_idempotency_key(raw: Mapping[str, object]) -> str | None:
    return _optional_text(raw, schema.IDEMPOTENCY_KEY)


def has_content(raw: Mapping[str, object]) -> bool:
    """Whether ``raw`` is a whole item, not an index entry projecting a few attributes."""
    return schema.TAILORED_CV in raw


def decode_item(
    raw: Mapping[str, object], cipher: Cipher | None = None, *, accept_plaintext: bool = False
) -> StoredTailoredCV:
    """A stored item back to its model, verified.

    With a cipher, a format-1 (plaintext) item is refused unless ``accept_plaintext``: its
    checksum is an unkeyed hash anyone who can write the table can compute, so it proves
    nothing where encryption is required. ``IntegrityError`` names the artifact and says what
    is wrong, never quoting content.
    """
    try:
        return _decode(raw, cipher, accept_plaintext=accept_plaintext)
    except IntegrityError as exc:
        raise _failure(raw, exc) from None
    except UnicodeEncodeError:
        raise _failure(raw, "it holds text that is not valid Unicode") from None
    except RecursionError:
        raise _failure(raw, "it is nested too deeply") from None


def _decode(
    raw: Mapping[str, object], cipher: Cipher | None, *, accept_plaintext: bool
) -> StoredTailoredCV:
    version = _integer(raw, schema.FORMAT_VERSION)
    application_id, created_at = _key(raw)
    user_id = _string(raw, schema.USER_ID)
    job_id = _string(raw, schema.JOB_ID)
    cv_version = _integer(raw, schema.CV_VERSION)
    fvs_passed = _bool(raw, schema.FVS_VALIDATION_PASSED)
    expires_at = _integer(raw, schema.TTL_ATTRIBUTE)
    metadata = _struct_from_map(raw, schema.METADATA, TailoringMetadata)
    usage = _struct_from_map(raw, schema.TOKEN_USAGE, TokenUsage)
    metadata_json = canonical_json(metadata)
    usage_json = canonical_json(usage)
    blob = _binary(raw, schema.TAILORED_CV)
    if version == FORMAT_PLAIN:
        if cipher is not None and not accept_plaintext:
            raise IntegrityError(
                "it is a plaintext version (format_version 1) where encryption is required;"
                " it is refused outside a declared migration window"
                " (TAILORED_CV_ACCEPT_PLAINTEXT=1 while encrypt-existing runs)"
            )
        cv_json = decompress(blob)
        checksum = checksum_of(cv_json, metadata_json, usage_json)
        # The inflated bytes are hashed as stored: this store only writes canonical JSON, so
        # other bytes, even ones decoding to the same CV, are not what was saved.
        if checksum != _string(raw, schema.CHECKSUM):
            raise IntegrityError("the content does not match its checksum")
    elif version == FORMAT_ENCRYPTED:
        if cipher is None:
            raise IntegrityError(
                "it is encrypted (format_version 2) and this handler has no key to read it"
                " (TAILORED_CV_KMS_KEY_ID)"
            )
        header = (
            version,
            application_id,
            created_at,
            user_id,
            job_id,
            cv_version,
            fvs_passed,
            expires_at,
            read_write_id(raw),
            read_idempotency_key(raw),
        )
        cv_json = decompress(cipher.decrypt(blob, _binding(header, metadata_json, usage_json)))
        checksum = checksum_of(cv_json, metadata_json, usage_json)
    else:
        raise IntegrityError(f"format_version {version} is not supported")
    try:
        tailored_cv = decode_tailored_cv(cv_json)
    except msgspec.DecodeError as exc:
        raise IntegrityError(
            "the CV JSON does not decode as a TailoredCV",
            log_fields={"detail": printable(str(exc), _DETAIL_CHARS)},
        ) from None
    # The top-level copies drive the index and filters; they must agree with the content.
    copies = (
        (schema.USER_ID, user_id, metadata.user_id),
        (schema.JOB_ID, job_id, metadata.job_id),
        (schema.CV_VERSION, cv_version, tailored_cv.source_cv_version),
        (schema.FVS_VALIDATION_PASSED, fvs_passed, metadata.fvs_validation_passed),
    )
    for name, stored, expected in copies:
        if stored != expected:
            raise IntegrityError(f"attribute {name!r} disagrees with the checksummed content")
    return StoredTailoredCV(
        tailored_cv=tailored_cv,
        metadata=metadata,
        token_usage=usage,
        artifact=StoredArtifact(
            artifact_id=schema.artifact_id(application_id, created_at),
            application_id=application_id,
            created_at=created_at,
            expires_at=expires_at,
            checksum=checksum,
        ),
    )

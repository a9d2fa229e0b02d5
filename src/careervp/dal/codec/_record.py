"""Idempotency records: which version a key reserved, and a fingerprint of its content.

A record holds no CV text. Its fingerprint is the version's checksum, which a format-1 item
shows in clear anyway; with a cipher it is sealed by the cipher (bound to the record's key), so
a record gives someone who can read the table nothing to test a guess against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from careervp.dal import schema
from careervp.dal.codec._canonical import canonical_json
from careervp.dal.codec._numbers import parse_number
from careervp.dal.errors import IntegrityError

if TYPE_CHECKING:
    from careervp.dal.codec._attributes import Item
    from careervp.dal.codec._cipher import Cipher

__all__ = ["Reservation", "decode_record", "encode_record", "fingerprint_of", "same_content"]

_SEAL_DOMAIN = b"careervp-dal/idempotency/v1\x00"


class Reservation(msgspec.Struct, frozen=True, kw_only=True):
    """The version an idempotency key stands for, and the save call that first claimed it."""

    application_id: str
    created_at: str
    write_id: str
    fingerprint: str | bytes
    # Set when the version was removed after it was stored (its fingerprint scrubbed then): a
    # repeat stores nothing.
    version_deleted: bool = False


def encode_record(
    key: str,
    reservation: Reservation,
    expires_at: int,
) -> Item:
    fingerprint = reservation.fingerprint
    return {
        **schema.record_key(reservation.application_id, key),
        schema.ARTIFACT_ID: {
            "S": schema.artifact_id(reservation.application_id, reservation.created_at)
        },
        schema.WRITE_ID: {"S": reservation.write_id},
        schema.FINGERPRINT: {"S": fingerprint}
        if isinstance(fingerprint, str)
        else {"B": fingerprint},
        schema.TTL_ATTRIBUTE: {"N": str(expires_at)},
    }


def _sealed_for(application_id: str, key: str) -> bytes:
    return _SEAL_DOMAIN + canonical_json([application_id, key])


def fingerprint_of(
    application_id: str, key: str, checksum: str, cipher: Cipher | None
) -> str | bytes:
    if cipher is None:
        return checksum
    return cipher.encrypt(bytes.fromhex(checksum), _sealed_for(application_id, key))


def same_content(key: str, reservation: Reservation, checksum: str, cipher: Cipher | None) -> bool:
    fingerprint = reservation.fingerprint
    if isinstance(fingerprint, str):
        return fingerprint == checksum
    if cipher is None:
        raise IntegrityError(
            f"the idempotency record of key {key!r} is sealed and this handler has no key"
        )
    opened = cipher.decrypt(fingerprint, _sealed_for(reservation.application_id, key))
    return opened == bytes.fromhex(checksum)


def _text(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    text = value.get("S") if isinstance(value, Mapping) else None
    return text if isinstance(text, str) else None


def decode_record(raw: Mapping[str, object], key: str) -> tuple[Reservation, int]:
    """The reservation a stored record holds and its expiry; ``IntegrityError`` if damaged."""
    parts = schema.split_artifact_id(_text(raw, schema.ARTIFACT_ID) or "")
    write_id = _text(raw, schema.WRITE_ID)
    value = raw.get(schema.FINGERPRINT)
    fingerprint = None
    if isinstance(value, Mapping) and len(value) == 1:
        inner = value.get("S", value.get("B"))
        fingerprint = bytes(inner) if isinstance(inner, (bytes, bytearray)) else inner
    ttl = raw.get(schema.TTL_ATTRIBUTE)
    expires_at = parse_number(ttl.get("N")) if isinstance(ttl, Mapping) else None
    marker = raw.get(schema.VERSION_DELETED)
    deleted = isinstance(marker, Mapping) and marker.get("BOOL") is True
    if deleted and fingerprint is None:
        fingerprint = b""  # scrubbed when its version was removed
    if (
        parts is None
        or schema.id_problem(parts[0]) is not None
        or schema.created_at_problem(parts[1]) is not None
        or write_id is None
        or not isinstance(fingerprint, (str, bytes))
        or not isinstance(expires_at, int)
    ):
        raise IntegrityError(f"the idempotency record of key {key!r} is damaged")
    reservation = Reservation(
        application_id=parts[0],
        created_at=parts[1],
        write_id=write_id,
        fingerprint=fingerprint,
        version_deleted=deleted,
    )
    return reservation, expires_at

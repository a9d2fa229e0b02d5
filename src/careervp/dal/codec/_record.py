"""Idempotency records: which version a key reserved, a fingerprint of its content, and a keyed
value binding the two to the application and the key.

A record holds no CV text. Its fingerprint is keyed (HMAC under a key derived from the store's
secret), or sealed by the cipher when there is one (bound to the record's key), so a record gives
someone who can read the table nothing to test a guess of the CV against, and it can stay on the
record after its version is removed: the same key with other content is still told apart.

``record_mac`` (HMAC-SHA256 under the same derived key) covers the application, the key, the
version's ``created_at``, the claiming call's ``write_id`` and the fingerprint. A record without
it, or whose value does not verify (planted, copied from another application's save, edited,
written by a release before 0.4.0 or under another secret), never decides a save's answer: the
save answers ``CONFLICT`` naming the key, never with another application's artifact id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from careervp.dal import schema
from careervp.dal.codec._canonical import canonical_json
from careervp.dal.codec._numbers import parse_number
from careervp.dal.errors import ConflictError, IntegrityError

if TYPE_CHECKING:
    from careervp.dal.codec._attributes import Item
    from careervp.dal.codec._cipher import Cipher

__all__ = [
    "RecordKeys",
    "Reservation",
    "decode_record",
    "encode_record",
    "fingerprint_of",
    "record_mac",
    "same_content",
]

_SEAL_DOMAIN = b"careervp-dal/idempotency/v1\x00"
_KEY_DOMAIN = b"careervp-dal/idempotency-record-key/v1"
_FINGERPRINT_DOMAIN = b"careervp-dal/idempotency-fingerprint/v1\x00"
_MAC_DOMAIN = b"careervp-dal/idempotency-record/v1\x00"


class RecordKeys:
    """The keys records are authenticated with: one per store secret, the current one first
    (records written before a rotation verify under the previous secret)."""

    __slots__ = ("_keys",)

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("at least one secret is required")
        # Derived, so the token secret itself never keys two different things.
        self._keys = tuple(hmac.new(s, _KEY_DOMAIN, hashlib.sha256).digest() for s in secrets)

    def tag(self, domain: bytes, parts: Sequence[object]) -> bytes:
        return self._tag(self._keys[0], domain, parts)

    def verifies(self, domain: bytes, parts: Sequence[object], tag: bytes) -> bool:
        return any(hmac.compare_digest(tag, self._tag(k, domain, parts)) for k in self._keys)

    @staticmethod
    def _tag(key: bytes, domain: bytes, parts: Sequence[object]) -> bytes:
        return hmac.new(key, domain + canonical_json(list(parts)), hashlib.sha256).digest()


class Reservation(msgspec.Struct, frozen=True, kw_only=True):
    """The version an idempotency key stands for, and the save call that first claimed it."""

    application_id: str
    created_at: str
    write_id: str
    fingerprint: str | bytes


def record_mac(key: str, reservation: Reservation, keys: RecordKeys) -> bytes:
    return keys.tag(_MAC_DOMAIN, _bound(key, reservation))


def _bound(key: str, reservation: Reservation) -> list[object]:
    return [
        reservation.application_id,
        key,
        reservation.created_at,
        reservation.write_id,
        reservation.fingerprint,
    ]


def encode_record(key: str, reservation: Reservation, expires_at: int, keys: RecordKeys) -> Item:
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
        schema.RECORD_MAC: {"B": record_mac(key, reservation, keys)},
        schema.TTL_ATTRIBUTE: {"N": str(expires_at)},
    }


def _sealed_for(application_id: str, key: str) -> bytes:
    return _SEAL_DOMAIN + canonical_json([application_id, key])


def fingerprint_of(
    application_id: str, key: str, checksum: str, cipher: Cipher | None, keys: RecordKeys
) -> str | bytes:
    if cipher is None:
        return keys.tag(_FINGERPRINT_DOMAIN, [application_id, key, checksum]).hex()
    return cipher.encrypt(bytes.fromhex(checksum), _sealed_for(application_id, key))


def same_content(
    key: str, reservation: Reservation, checksum: str, cipher: Cipher | None, keys: RecordKeys
) -> bool:
    fingerprint = reservation.fingerprint
    if isinstance(fingerprint, str):
        try:
            tag = bytes.fromhex(fingerprint)
        except ValueError:
            return False
        parts = [reservation.application_id, key, checksum]
        return keys.verifies(_FINGERPRINT_DOMAIN, parts, tag)
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


def _binary(raw: Mapping[str, object], name: str) -> bytes | None:
    value = raw.get(name)
    inner = value.get("B") if isinstance(value, Mapping) else None
    return bytes(inner) if isinstance(inner, (bytes, bytearray)) else None


def decode_record(
    raw: Mapping[str, object], key: str, application_id: str, keys: RecordKeys
) -> tuple[Reservation, int]:
    """The reservation the record of ``key`` in ``application_id`` holds and its expiry.

    ``IntegrityError`` if it cannot be read; ``ConflictError`` if it reads but this store did
    not write it for this application and key.
    """
    parts = schema.split_artifact_id(_text(raw, schema.ARTIFACT_ID) or "")
    write_id = _text(raw, schema.WRITE_ID)
    value = raw.get(schema.FINGERPRINT)
    fingerprint = None
    if isinstance(value, Mapping) and len(value) == 1:
        inner = value.get("S", value.get("B"))
        fingerprint = bytes(inner) if isinstance(inner, (bytes, bytearray)) else inner
    ttl = raw.get(schema.TTL_ATTRIBUTE)
    expires_at = parse_number(ttl.get("N")) if isinstance(ttl, Mapping) else None
    mac = _binary(raw, schema.RECORD_MAC)
    if mac is None or parts is None or parts[0] != application_id:
        # Nothing to verify, or it names another application's version: not this store's.
        raise _foreign(key, application_id)
    if (
        schema.created_at_problem(parts[1]) is not None
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
    )
    if not keys.verifies(_MAC_DOMAIN, _bound(key, reservation), mac):
        raise _foreign(key, application_id)
    return reservation, expires_at


def _foreign(key: str, application_id: str) -> ConflictError:
    return ConflictError(
        f"idempotency key {key!r} of application {application_id} is held by a record this"
        " store cannot verify (planted, copied from another application, altered, written by a"
        " release before 0.4.0 or under another secret); use another key, or retry after it"
        " expires within 24 hours"
    )

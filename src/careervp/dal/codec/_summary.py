"""The keyed value that lets a summary be verified from the user index alone.

Every version carries ``summary_mac``: HMAC-SHA256, truncated to 128 bits, under a key derived
from the store's token secret, over what a summary shows and where it sits::

    key = HMAC-SHA256(secret, "careervp-dal/summary-key/v1")
    mac = HMAC-SHA256(key, "careervp-dal/summary/v1\\0"
                           | canonical_json([application_id, created_at, user_id, job_id,
                                             cv_version, fvs_validation_passed,
                                             expiration_timestamp])
                           | canonical_json(metadata))[:16]

Values, not wire text, like the format-2 binding, so an engine spelling a number differently does
not break it. The key is derived rather than the secret used as it is, so a MAC of one kind can
never be replayed as a page token's or the other way round. Truncated to 16 bytes so an index
entry stays well inside one write unit and a page of eleven entries inside one read unit
(``docs/schema.md``); forging one still takes about 2^128 guesses. Verification tries every
configured secret (the current one first), as page tokens do, so a rotation keeps old versions'
summaries readable while the previous secret is configured.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from careervp.dal import schema
from careervp.dal.codec._canonical import canonical_json

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["SUMMARY_MAC_BYTES", "SummaryHeader", "SummarySealer", "read_summary_mac"]

SUMMARY_MAC_BYTES = 16
_KEY_LABEL = b"careervp-dal/summary-key/v1"
_DOMAIN = b"careervp-dal/summary/v1\x00"

# (application_id, created_at, user_id, job_id, cv_version, fvs_validation_passed,
#  expiration_timestamp)
SummaryHeader = tuple[str, str, str, str, int, bool, int]


class SummarySealer:
    """Seals and verifies the summary MAC of versions with keys derived from ``secrets``."""

    __slots__ = ("_keys",)

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("at least one secret is required")
        self._keys = tuple(hmac.new(s, _KEY_LABEL, hashlib.sha256).digest() for s in secrets)

    @staticmethod
    def _mac(key: bytes, header: SummaryHeader, metadata_json: bytes) -> bytes:
        message = b"".join((_DOMAIN, canonical_json(header), metadata_json))
        return hmac.new(key, message, hashlib.sha256).digest()[:SUMMARY_MAC_BYTES]

    def seal(self, header: SummaryHeader, metadata_json: bytes) -> bytes:
        return self._mac(self._keys[0], header, metadata_json)

    def verify(self, header: SummaryHeader, metadata_json: bytes, mac: bytes) -> bool:
        # Every key is tried, so the time taken does not say which one matched.
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(mac, self._mac(key, header, metadata_json))
        return matched


def read_summary_mac(raw: Mapping[str, object]) -> bytes | None:
    """The MAC a raw item or index entry carries, ``None`` when it has none; anything else
    there (another type, another length) reads as ``b""``, which verifies against nothing."""
    value = raw.get(schema.SUMMARY_MAC)
    if value is None:
        return None
    inner = value.get("B") if type(value) is dict and len(value) == 1 else None
    if isinstance(inner, (bytes, bytearray)) and len(inner) == SUMMARY_MAC_BYTES:
        return bytes(inner)
    return b""

"""Opaque page tokens: a DynamoDB ``LastEvaluatedKey``, signed and bound to one listing.

Layout, URL-safe base64 without padding::

    0x01 | issued_at (8 bytes, big endian, epoch s) | JSON [application_id, created_at] | MAC

MAC = HMAC-SHA256(secret, domain | len+index | len+user_id | everything before the MAC).
The index and user id are not in the token but in the MAC input, so a token only verifies
for the listing that issued it: replayed against another user it fails like a forged one.
The token is signed, not encrypted: it reveals the application id and timestamp of the last
item on a page to the user who has already seen that item. Verification tries each secret
(current first, then previous ones during a rotation) with ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import struct
from typing import TYPE_CHECKING

import msgspec

from careervp.dal import schema
from careervp.dal.errors import InvalidInputError, PageTokenError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "MAX_TOKEN_CHARS",
    "MIN_SECRET_BYTES",
    "PageKey",
    "PageTokenSigner",
    "key_size_problem",
    "read_scan_cursor",
    "scan_cursor",
]

# The longest key DynamoDB holds (2,048 + 1,024 bytes) as JSON (a control character escapes to
# six bytes), signed, in base64: a token of a pathological key is long, never refused.
MAX_TOKEN_CHARS = 32 * 1024
MIN_SECRET_BYTES = 16
_VERSION = 1
_DOMAIN = b"careervp-dal/page-token\x00"
_HEADER = struct.Struct(">BQ")
_MAC_BYTES = hashlib.sha256().digest_size
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def _encode_key(key: PageKey) -> bytes:
    # The standard library's JSON in UTF-8, lone surrogates passed through: a key read back from
    # the table may hold one (DynamoDB's JSON carries it), which strict encoders refuse. Tokens
    # of earlier releases (msgspec's JSON) decode the same way.
    text = json.dumps(
        [key.application_id, key.created_at], separators=(",", ":"), ensure_ascii=False
    )
    return text.encode("utf-8", "surrogatepass")


def _decode_key(raw: bytes) -> tuple[str, str]:
    """``ValueError`` for anything but a JSON array of two strings."""
    try:
        value = json.loads(raw.decode("utf-8", "surrogatepass"))
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if type(value) is not list or len(value) != 2 or not all(type(part) is str for part in value):
        raise ValueError("not a key")
    return value[0], value[1]


class PageKey(msgspec.Struct, frozen=True):
    application_id: str
    created_at: str


def _prefixed(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack(">I", len(raw)) + raw


class PageTokenSigner:
    def __init__(self, secrets: Sequence[bytes], *, max_age_seconds: int) -> None:
        if not secrets:
            raise ValueError("at least one pagination secret is required")
        for secret in secrets:
            if not isinstance(secret, bytes):
                raise TypeError(
                    f"pagination secrets must be bytes, not {type(secret).__name__}"
                    " (encode a text secret first)"
                )
            if len(secret) < MIN_SECRET_BYTES:
                raise ValueError(f"pagination secrets need at least {MIN_SECRET_BYTES} bytes")
        self._secrets = tuple(secrets)
        self._max_age = max_age_seconds

    def _mac(self, secret: bytes, index: str, user_id: str, body: bytes) -> bytes:
        message = _DOMAIN + _prefixed(index) + _prefixed(user_id) + body
        return hmac.new(secret, message, hashlib.sha256).digest()

    def issue(self, key: PageKey, *, index: str, user_id: str, now: int) -> str:
        body = _HEADER.pack(_VERSION, now) + _encode_key(key)
        raw = body + self._mac(self._secrets[0], index, user_id, body)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def verify(self, token: object, *, index: str, user_id: str, now: int) -> PageKey:
        """The key a token carries; ``PageTokenError`` for anything not issued for this listing."""
        if not isinstance(token, str):
            raise PageTokenError("the page token must be a string")
        if not 0 < len(token) <= MAX_TOKEN_CHARS or not _ALPHABET.fullmatch(token):
            raise PageTokenError("the page token is malformed")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise PageTokenError("the page token is malformed") from None
        # Reject non-canonical base64, where an edited last character decodes to the same bytes.
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
            raise PageTokenError("the page token is malformed")
        if len(raw) <= _HEADER.size + _MAC_BYTES:
            raise PageTokenError("the page token is malformed")
        body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if not any(
            hmac.compare_digest(mac, self._mac(secret, index, user_id, body))
            for secret in self._secrets
        ):
            raise PageTokenError("the page token was not issued for this listing")
        version, issued_at = _HEADER.unpack_from(body)
        if version != _VERSION:
            raise PageTokenError(f"page token version {version} is not supported")
        # Each instance's clock may be off by the tolerated skew, in either direction: a token
        # issued by one that fast is read by one that slow, twice the skew later in its clock.
        if issued_at > now + 2 * schema.CLOCK_SKEW_SECONDS:
            raise PageTokenError("the page token was issued in the future")
        if now - issued_at > self._max_age:
            raise PageTokenError("the page token has expired; list again from the first page")
        try:
            application_id, created_at = _decode_key(body[_HEADER.size :])
        except ValueError:
            raise PageTokenError("the page token is malformed") from None
        return PageKey(application_id=application_id, created_at=created_at)


def scan_cursor(key: PageKey) -> str:
    """Where a scan of the whole table stopped, for an operator to resume from (not signed:
    it is handed to whoever can scan the table anyway)."""
    raw = _encode_key(key)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def read_scan_cursor(cursor: object) -> PageKey:
    if not isinstance(cursor, str) or not 0 < len(cursor) <= MAX_TOKEN_CHARS:
        raise InvalidInputError("the resume cursor is malformed")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        application_id, created_at = _decode_key(raw)
    except (binascii.Error, ValueError):
        raise InvalidInputError("the resume cursor is malformed") from None
    if not application_id or not created_at:
        raise InvalidInputError("the resume cursor is malformed")
    key = PageKey(application_id=application_id, created_at=created_at)
    problem = key_size_problem(key)
    if problem is not None:
        # Any key of the table, records' included, but none DynamoDB would refuse for its
        # size: a hostile cursor is the caller's fault, not an item's.
        raise InvalidInputError(f"the resume cursor {problem}")
    return key


def key_size_problem(key: PageKey) -> str | None:
    """Why DynamoDB would refuse ``key`` as a start key, or ``None``. Keys read back from the
    table are measured as DynamoDB does (a lone surrogate kept as its three bytes)."""
    for part, limit in (
        (key.application_id, schema.MAX_PARTITION_KEY_BYTES),
        (key.created_at, schema.MAX_SORT_KEY_BYTES),
    ):
        size = len(part.encode("utf-8", "surrogatepass"))
        if not 0 < size <= limit:
            return f"holds a key part of {size} bytes (DynamoDB takes 1 to {limit})"
    return None

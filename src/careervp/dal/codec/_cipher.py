"""What the codec asks of a cipher (``careervp.dal.encryption.KmsCipher`` is the one we ship)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["Cipher"]


class Cipher(Protocol):
    """Authenticated encryption of a blob bound to ``aad`` (data authenticated, not encrypted).

    ``decrypt`` raises ``IntegrityError`` when the blob or ``aad`` is not what ``encrypt`` was
    given, and ``ServiceError`` or ``ThrottledError`` (naming the key service and key) when the
    key cannot be had; ``encrypt`` raises the latter two.
    """

    @property
    def key_id(self) -> str: ...

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes: ...

    def decrypt(self, blob: bytes, aad: bytes) -> bytes: ...

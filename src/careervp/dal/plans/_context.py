"""What every plan needs to know about the store it works on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from careervp.dal.codec import decode_item, read_expiration
from careervp.dal.schema import epoch_second

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from careervp.dal.codec import Cipher, PageTokenSigner, RecordKeys, SummarySealer
    from careervp.models.tailor import StoredTailoredCV

__all__ = ["StoreContext"]


@dataclass(frozen=True)
class StoreContext:
    table: str
    index: str
    clock: Callable[[], datetime]
    signer: PageTokenSigner
    # Seals and verifies summaries, with keys derived from the same secrets as the signer's;
    # ``None`` when no secret is configured (``plans._summaries``).
    sealer: SummarySealer | None
    # False when page tokens are signed with a random per-process secret: a token refused
    # then most likely came from another process, and the error says what to configure.
    secret_configured: bool
    cipher: Cipher | None
    # With a cipher: whether format-1 (plaintext) versions are read, during a migration window.
    accept_plaintext: bool
    consistent_reads: bool
    new_write_id: Callable[[], str]
    jitter: random.Random
    # Authenticate idempotency records (derived from the token secrets, current first).
    record_keys: RecordKeys

    def now(self) -> datetime:
        return self.clock()

    def now_seconds(self) -> int:
        return epoch_second(self.clock())

    def expired(self, raw: Mapping[str, object], now: int) -> bool:
        """Whether a raw item is past its TTL at ``now``; a missing TTL is an integrity fault."""
        return read_expiration(raw) <= now

    def decode(self, raw: Mapping[str, object]) -> StoredTailoredCV:
        """A stored version, verified under this store's cipher and plaintext policy."""
        return decode_item(raw, self.cipher, accept_plaintext=self.accept_plaintext)

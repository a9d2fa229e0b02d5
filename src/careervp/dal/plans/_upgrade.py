"""Upgrading format-1 versions to encrypted ones, a page of the table at a time, resumably.

Each version is read, verified, encrypted under its own key, TTL and write id, and written back
with a condition that it is still the version that was read. Unreadable versions are left as
they are (encrypting them would launder a corruption) and named; so are versions that changed
between the read and the write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from careervp.dal.codec import (
    PageKey,
    assemble,
    decode_item,
    item_label,
    prepare,
    read_idempotency_key,
    read_scan_cursor,
    read_write_id,
    scan_cursor,
)
from careervp.dal.errors import (
    ConditionFailedError,
    IntegrityError,
    InvalidInputError,
    ItemTooLargeError,
)
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import Put, Scan, send
from careervp.dal.schema import table_key
from careervp.dal.settings import ACCEPT_PLAINTEXT_ENV, KMS_KEY_ENV
from careervp.models.tailor import EncryptionProgress, TailoredCVData

if TYPE_CHECKING:
    from collections.abc import Mapping

    from careervp.dal.codec import Cipher, EncodedItem
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

__all__ = ["encrypt_page"]

MAX_PAGE = 1000


def _encrypted_item(
    ctx: StoreContext, cipher: Cipher, raw: Mapping[str, object]
) -> tuple[EncodedItem, str, int]:
    """The format-2 item of a verified format-1 version: same key, TTL, write id and
    idempotency key, and a summary MAC (a version saved before 0.4.0 gains one here). Returns it
    with the checksum and TTL the write is conditioned on."""
    data = decode_item(raw)
    artifact = data.artifact
    content = TailoredCVData(
        tailored_cv=data.tailored_cv, metadata=data.metadata, token_usage=data.token_usage
    )
    encoded = assemble(
        prepare(content),
        artifact.application_id,
        artifact.created_at,
        artifact.expires_at,
        write_id=read_write_id(raw),
        cipher=cipher,
        sealer=ctx.sealer,
        idempotency_key=read_idempotency_key(raw),
    )
    return encoded, artifact.checksum, artifact.expires_at


def _upgrade(ctx: StoreContext, cipher: Cipher, raw: Mapping[str, object]) -> Plan[bool]:
    """Encrypt one verified format-1 version in place; ``False`` if it changed meanwhile."""
    encoded, checksum, expires_at = _encrypted_item(ctx, cipher, raw)
    request = requests.replace_plain(
        ctx.table, encoded.item, checksum=checksum, expires_at=expires_at
    )
    try:
        yield from send(Put(request))
    except ConditionFailedError:
        return False
    return True


def _one(
    ctx: StoreContext, cipher: Cipher, raw: Mapping[str, object], *, dry_run: bool
) -> Plan[Literal["encrypted", "changed", "unreadable", "too_large"]]:
    try:
        if dry_run:
            _encrypted_item(ctx, cipher, raw)
            return "encrypted"
        return "encrypted" if (yield from _upgrade(ctx, cipher, raw)) else "changed"
    except IntegrityError:
        return "unreadable"
    except ItemTooLargeError:
        # Encryption adds about 140 bytes: a plain item that close to 400 KB stays as it is.
        return "too_large"


def encrypt_page(
    ctx: StoreContext, cursor: str | None, page_size: int, *, dry_run: bool
) -> Plan[EncryptionProgress]:
    cipher = ctx.cipher
    if cipher is None:
        raise InvalidInputError(f"encrypting needs a KMS key ({KMS_KEY_ENV} or --kms-key-id)")
    if not ctx.accept_plaintext and not dry_run:
        # The upgrade trusts the unkeyed checksum of each plaintext version: run outside the
        # migration window it would turn a version planted in clear into a sealed one.
        raise InvalidInputError(
            "encrypting existing versions reads plaintext ones: declare the migration window"
            f" with {ACCEPT_PLAINTEXT_ENV}=1 while it runs"
        )
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidInputError("page_size must be a whole number")
    if not 1 <= page_size <= MAX_PAGE:
        raise InvalidInputError(f"page_size must be from 1 to {MAX_PAGE}")
    start = None
    if cursor is not None:
        key = read_scan_cursor(cursor)
        start = table_key(key.application_id, key.created_at)
    response = yield from send(Scan(requests.scan_plain(ctx.table, start, page_size)))
    progress = EncryptionProgress(
        scanned=int(response.get("ScannedCount", 0)),
        encrypted=0,
        unreadable=[],
        changed=[],
        too_large=[],
        next_cursor=None,
    )
    for raw in response.get("Items", []):
        outcome = yield from _one(ctx, cipher, raw, dry_run=dry_run)
        if outcome == "encrypted":
            progress["encrypted"] += 1
        else:
            progress[outcome].append(item_label(raw))
    last = response.get("LastEvaluatedKey")
    if last is not None:
        application_id = last.get("application_id", {}).get("S", "")
        created_at = last.get("created_at", {}).get("S", "")
        progress["next_cursor"] = scan_cursor(
            PageKey(application_id=str(application_id), created_at=str(created_at))
        )
    return progress

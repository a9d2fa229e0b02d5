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
    read_scan_cursor,
    read_write_id,
    scan_cursor,
)
from careervp.dal.errors import ConditionFailedError, IntegrityError, InvalidInputError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import Put, Scan, send
from careervp.dal.schema import table_key
from careervp.dal.settings import KMS_KEY_ENV
from careervp.models.tailor import EncryptionProgress, TailoredCVData

if TYPE_CHECKING:
    from collections.abc import Mapping

    from careervp.dal.codec import Cipher
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

__all__ = ["encrypt_page"]

MAX_PAGE = 1000


def _upgrade(ctx: StoreContext, cipher: Cipher, raw: Mapping[str, object]) -> Plan[bool]:
    """Encrypt one verified format-1 version in place; ``False`` if it changed meanwhile."""
    data = decode_item(raw)
    artifact = data.artifact
    if artifact is None:  # decode_item fills it in; this keeps the type checker informed
        raise IntegrityError(f"tailored CV {item_label(raw)} has no artifact")
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
    )
    request = requests.replace_plain(
        ctx.table, encoded.item, checksum=artifact.checksum, expires_at=artifact.expires_at
    )
    try:
        yield from send(Put(request))
    except ConditionFailedError:
        return False
    return True


def _one(
    ctx: StoreContext, cipher: Cipher, raw: Mapping[str, object], *, dry_run: bool
) -> Plan[Literal["encrypted", "changed", "unreadable"]]:
    try:
        if dry_run:
            decode_item(raw)
            return "encrypted"
        return "encrypted" if (yield from _upgrade(ctx, cipher, raw)) else "changed"
    except IntegrityError:
        return "unreadable"


def encrypt_page(
    ctx: StoreContext, cursor: str | None, page_size: int, *, dry_run: bool
) -> Plan[EncryptionProgress]:
    cipher = ctx.cipher
    if cipher is None:
        raise InvalidInputError(f"encrypting needs a key: set {KMS_KEY_ENV} or pass cipher=")
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

"""Saving a version exactly once, whatever the network and the caller's retries do.

A version is written with a conditional put that never overwrites. When the condition fails,
the item already there is read (returned by the engine, else a consistent get) and its
``write_id`` compared with this call's: the same id means this call's own write, applied before
its response was lost and then retried by botocore, so its artifact id is returned. Another id
means another save took the same microsecond: the next microsecond is tried, boundedly.

With an idempotency key, a small record claims the key first (one extra write of one unit)::

    claim record ──ok──────────────▶ put version at the claimed created_at ──▶ artifact id
        │ held by a live record
        ├─ not verified ───────────▶ CONFLICT naming the key (not this store's record for
        │                            this application: it never decides the answer)
        ├─ different content ──────▶ CONFLICT naming the key (also once the version is
        │                            removed: the keyed fingerprint stays on the record)
        └─ same content ───────────▶ adopt its created_at and write_id; the version there
                                     (or its tombstone) is ours when its write_id matches,
                                     else put it

Whichever call crashes between any two calls, a retry with the same key and content finds the
record, adopts it, and either finds the version or writes it: one version in every case.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.codec import (
    PreparedVersion,
    Reservation,
    assemble,
    decode_record,
    encode_record,
    fingerprint_of,
    prepare,
    read_write_id,
    record_mac,
    same_content,
)
from careervp.dal.errors import ConditionFailedError, ConflictError, ItemTooLargeError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import Delete, Get, Note, Put, Update, send
from careervp.dal.schema import (
    IDEMPOTENCY_TTL_SECONDS,
    RECORD_TAKEOVER_MARGIN_SECONDS,
    TTL_SECONDS,
    artifact_id,
    created_at_moment,
    epoch_second,
    format_created_at,
    record_key,
    table_key,
)
from careervp.dal.validation import check_data, check_id

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from careervp.dal.codec import EncodedItem, Item
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

__all__ = ["MAX_SAVE_ATTEMPTS", "save"]

# Saves in the same microsecond retry with the next one; past this many, something is wrong.
MAX_SAVE_ATTEMPTS = 16
_MAX_CLAIM_ATTEMPTS = 3
_MICROSECOND = timedelta(microseconds=1)


def save(
    ctx: StoreContext, application_id: str, data: object, idempotency_key: str | None
) -> Plan[str]:
    check_id("application_id", application_id)
    if idempotency_key is not None:
        check_id("idempotency_key", idempotency_key)
    prepared = prepare(check_data(data))
    moment = ctx.now()
    version = _Version(
        prepared=prepared,
        application_id=application_id,
        write_id=ctx.new_write_id(),
        idempotency_key=idempotency_key,
    )
    if idempotency_key is None:
        return (yield from _put(ctx, version, moment))
    # Sized (and, with a cipher, sealed) before the claim: an item DynamoDB would refuse must
    # not hold a key for a day.
    first = version.at(ctx, moment)
    mine = Reservation(
        application_id=application_id,
        created_at=format_created_at(moment),
        write_id=version.write_id,
        fingerprint=fingerprint_of(
            application_id, idempotency_key, prepared.checksum, ctx.cipher, ctx.record_keys
        ),
    )
    held = yield from _claim(ctx, idempotency_key, mine, prepared.checksum)
    if held is not mine:
        # An earlier call claimed the key: its version may be stored already. A read costs a
        # fifth of a refused write of the same item.
        key = table_key(held.application_id, held.created_at)
        raw = yield from _read(ctx, key)
        # Its version is there, or was there and has been removed since (its tombstone keeps
        # the write id): either way the repeat stores nothing.
        if raw is not None and read_write_id(raw) == held.write_id:
            return artifact_id(held.application_id, held.created_at)
    adopted = msgspec.structs.replace(version, write_id=held.write_id, fingerprint=held.fingerprint)
    moment = created_at_moment(held.created_at)
    try:
        return (yield from _put(ctx, adopted, moment, first=first if held is mine else None))
    except ItemTooLargeError:
        # DynamoDB refused the item itself: no version can ever be stored under this claim,
        # so it is released for a corrected retry.
        yield from _release(ctx, application_id, idempotency_key, held.write_id)
        raise


class _Version(msgspec.Struct, frozen=True, kw_only=True):
    """A version on its way in: everything but the microsecond it will be stored under."""

    prepared: PreparedVersion
    application_id: str
    write_id: str
    idempotency_key: str | None
    # The fingerprint its idempotency record holds (moved with the record after a collision).
    fingerprint: str | bytes = b""

    def at(self, ctx: StoreContext, moment: datetime) -> EncodedItem:
        # Assembled (and sized) again under every new key: the TTL's digits can change.
        return assemble(
            self.prepared,
            self.application_id,
            format_created_at(moment),
            epoch_second(moment) + TTL_SECONDS,
            write_id=self.write_id,
            cipher=ctx.cipher,
            sealer=ctx.sealer,
            idempotency_key=self.idempotency_key,
        )


def _read(ctx: StoreContext, key: Item) -> Plan[Mapping[str, object] | None]:
    response = yield from send(Get(requests.get_item(ctx.table, key, consistent=True)))
    return response.get("Item")


def _put(
    ctx: StoreContext,
    version: _Version,
    moment: datetime,
    *,
    first: EncodedItem | None = None,
) -> Plan[str]:
    """Store the version at ``moment`` or the first free microsecond after it; ``first`` is
    the item already assembled for ``moment``."""
    application_id = version.application_id
    for _ in range(MAX_SAVE_ATTEMPTS):
        created_at = format_created_at(moment)
        encoded = first or version.at(ctx, moment)
        first = None
        yield Note(item_bytes=encoded.size, json_bytes=encoded.json_bytes)
        try:
            yield from send(Put(requests.put_version(ctx.table, encoded.item)))
        except ConditionFailedError as exc:
            there = exc.item
            if there is None:
                there = yield from _read(ctx, table_key(application_id, created_at))
            if there is None:
                continue  # removed meanwhile: the key is free again
            if read_write_id(there) == version.write_id:
                # Our own write, retried after a lost response; or our version, removed since
                # (its tombstone keeps the write id): storing it again would undo the removal.
                return artifact_id(application_id, created_at)
            moved = moment + _MICROSECOND
            if version.idempotency_key is not None:
                yield from _move(ctx, version, created_at, moved)
            moment = moved
            continue
        return artifact_id(application_id, created_at)
    raise ConflictError(
        f"could not find a free created_at for application {application_id} after"
        f" {MAX_SAVE_ATTEMPTS} attempts"
    )


def _claim(ctx: StoreContext, key: str, mine: Reservation, checksum: str) -> Plan[Reservation]:
    """The reservation ``key`` stands for: ``mine`` if this call claimed it, else the holder's."""
    now = ctx.now_seconds()
    item = encode_record(key, mine, now + IDEMPOTENCY_TTL_SECONDS, ctx.record_keys)
    where = record_key(mine.application_id, key)
    for _ in range(_MAX_CLAIM_ATTEMPTS):
        try:
            stale = now - RECORD_TAKEOVER_MARGIN_SECONDS
            yield from send(Put(requests.claim_record(ctx.table, item, stale)))
        except ConditionFailedError as exc:
            raw = exc.item if exc.item is not None else (yield from _read(ctx, where))
            if raw is None:
                continue  # expired and removed meanwhile: claim it again
            # A record this store did not write for this application and key is a conflict.
            held, _ = decode_record(raw, key, mine.application_id, ctx.record_keys)
            if held.write_id == mine.write_id:
                return mine  # our own claim, retried after a lost response
            if not same_content(key, held, checksum, ctx.cipher, ctx.record_keys):
                raise ConflictError(
                    f"idempotency key {key!r} was already used within 24 hours for different"
                    f" content in application {mine.application_id}"
                ) from None
            return held
        return mine
    raise ConflictError(f"could not claim idempotency key {key!r}; retry the save")


def _move(ctx: StoreContext, version: _Version, created_at: str, moved: datetime) -> Plan[None]:
    """Point the version's idempotency record at the next microsecond after a collision."""
    application_id, key = version.application_id, str(version.idempotency_key)
    new_artifact = artifact_id(application_id, format_created_at(moved))
    moved_to = Reservation(
        application_id=application_id,
        created_at=format_created_at(moved),
        write_id=version.write_id,
        fingerprint=version.fingerprint,
    )
    request = requests.move_record(
        ctx.table,
        application_id,
        key,
        write_id=version.write_id,
        old_artifact=artifact_id(application_id, created_at),
        new_artifact=new_artifact,
        mac=record_mac(key, moved_to, ctx.record_keys),
    )
    try:
        yield from send(Update(request))
    except ConditionFailedError:
        # Applied by an earlier attempt whose response was lost, or changed by another call.
        raw = yield from _read(ctx, record_key(application_id, key))
        held = (
            decode_record(raw, key, application_id, ctx.record_keys)[0] if raw is not None else None
        )
        if (
            held is None
            or held.write_id != version.write_id
            or (artifact_id(held.application_id, held.created_at) != new_artifact)
        ):
            raise ConflictError(
                f"the idempotency record of key {key!r} was changed by a concurrent save; retry"
            ) from None


def _release(ctx: StoreContext, application_id: str, key: str, write_id: str) -> Plan[None]:
    # A refused condition: another call has taken the key over, nothing of ours to release.
    with contextlib.suppress(ConditionFailedError):
        yield from send(Delete(requests.release_record(ctx.table, application_id, key, write_id)))

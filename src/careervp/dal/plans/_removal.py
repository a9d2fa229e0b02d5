"""Removing a version: its tombstone (``codec._tombstone``), and its idempotency record scrubbed.

One UpdateItem strips the version to its tombstone, conditioned on it being a version (and, for
``delete``, live or unreadable), returning what was there. Two small follow-ups, only when they
apply: attributes a raw writer added are removed too, and a keyed version's record written
before 0.4.0 loses the unkeyed fingerprint of the content while it keeps standing for the
version. The tombstone alone keeps the version removed; the follow-ups only keep the table
clean, so a fault in them is noted with what is left, not raised, and removing the same version
again (``delete``) finishes them from its tombstone.

An erasure cannot come back to a tombstone (it has no user id, so the user index no longer
lists it): it reads each version first and does the follow-ups while the version is still
listed (``prepare``: the scrub, and the strip of names past the 40 that go in the removal's
own write). Whatever stops it, a re-run finds every version whose follow-ups are not done.
Only a raw writer adding attributes between that read and the removal leaves a follow-up
after it, noted as for ``delete``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from careervp.dal.codec import is_tombstone, read_delete_id, read_idempotency_key
from careervp.dal.errors import ConditionFailedError, DalError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import Get, Note, Update, send
from careervp.dal.schema import (
    APPLICATION_ID,
    CREATED_AT,
    DELETE_ID,
    IDEMPOTENCY_KEY,
    TOMBSTONE,
    TOMBSTONE_TTL_SECONDS,
    TTL_ATTRIBUTE,
    VERSION_CONTENT,
    WRITE_ID,
    artifact_id,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from careervp.dal.codec import Item
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

__all__ = ["Prepared", "prepare", "remove"]

# Attribute names a raw writer added, stripped by one write: DynamoDB caps an expression at
# 4 KB, which a raw writer's hundreds of names would pass even as placeholders.
_STRIP_CHUNK = 40

# What the removal itself removes, sets or keeps; anything else a version held goes in a
# second step.
_KNOWN = frozenset(
    {
        APPLICATION_ID,
        CREATED_AT,
        WRITE_ID,
        TTL_ATTRIBUTE,
        TOMBSTONE,
        DELETE_ID,
        IDEMPOTENCY_KEY,
        *VERSION_CONTENT,
    }
)


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    text = value.get("S") if isinstance(value, dict) else None
    return text if isinstance(text, str) else ""


class Prepared:
    """What an erasure did while a version was still listed, before removing it: the tidy
    after the removal skips it."""

    def __init__(self, stripped: Sequence[str] = (), *, scrubbed: bool = False) -> None:
        self.stripped = list(stripped)
        self.scrubbed = scrubbed


def prepare(ctx: StoreContext, key: Item, seen: Mapping[str, object]) -> Plan[Prepared]:
    """A removal's follow-ups, done while the version is still listed (an erasure stopped here
    is finished by its re-run, which finds the version): the scrub of a record 0.3.0 wrote, and
    the strip of a raw writer's attributes past those the removal's own write takes.
    ``seen``: the version as the erasure read it just before."""
    if is_tombstone(seen):
        return Prepared()
    extra = sorted(set(seen) - _KNOWN)
    for first in range(_STRIP_CHUNK, len(extra), _STRIP_CHUNK):
        chunk = extra[first : first + _STRIP_CHUNK]
        # Refused: removed meanwhile, and the removal says by whom.
        with contextlib.suppress(ConditionFailedError):
            yield from send(Update(requests.strip_attributes(ctx.table, key, chunk, None)))
    scrubbed = False
    idempotency_key = read_idempotency_key(seen)
    if idempotency_key is not None:
        application_id = _text(key, APPLICATION_ID)
        artifact = artifact_id(application_id, _text(key, CREATED_AT))
        scrub = requests.scrub_record(ctx.table, application_id, idempotency_key, artifact)
        with contextlib.suppress(ConditionFailedError):
            yield from send(Update(scrub))
        scrubbed = True
    return Prepared(extra[:_STRIP_CHUNK], scrubbed=scrubbed)


def remove(
    ctx: StoreContext, key: Item, *, live_only: bool, prepared: Prepared | None = None
) -> Plan[bool]:
    """Whether this call removed the version at ``key`` (``False``: no version there, or, with
    ``live_only``, none live; a retry of this very call after a lost response is ``True``, and
    so is a call that finished what an interrupted removal left on a tombstone).

    ``prepared``: what ``prepare`` did for it; the strip it left goes in the removal's write."""
    now = ctx.now_seconds()
    delete_id = ctx.new_write_id()
    before = prepared if prepared is not None else Prepared()
    request = requests.remove_version(
        ctx.table,
        key,
        delete_id=delete_id,
        expires_at=now + TOMBSTONE_TTL_SECONDS,
        now=now if live_only else None,
        strip=before.stripped,
    )
    try:
        response = yield from send(Update(request))
    except ConditionFailedError as exc:
        there = exc.item
        if there is None:
            # An engine that does not return the item: read it. botocore's count of attempts
            # cannot decide whether this call was applied before (a retry after a late answer
            # may be the budget's, or botocore's own, counted or not).
            answer = yield from send(Get(requests.get_item(ctx.table, key, consistent=True)))
            there = answer.get("Item")
        if there is None:
            return False
        if read_delete_id(there) == delete_id:
            # Our own removal, its response lost: what it left is tidied from the tombstone.
            yield from _tidy(ctx, key, there, delete_id, before)
            return True
        earlier = read_delete_id(there)
        if earlier is None or not is_tombstone(there):
            return False
        # An earlier removal whose tidy was interrupted: a re-run finishes it.
        return (yield from _tidy(ctx, key, there, earlier, Prepared()))
    yield from _tidy(ctx, key, response.get("Attributes") or {}, delete_id, before)
    return True


def _tidy(
    ctx: StoreContext, key: Item, basis: Mapping[str, object], delete_id: str, before: Prepared
) -> Plan[bool]:
    """Strip what a raw writer added and scrub a keyed version's record written before 0.4.0,
    unless done ``before``; ``basis`` is the version as it was, or the tombstone a removal left.
    Whether anything was left to do; a failure is noted with what is left, never raised (the
    tombstone holds)."""
    application_id = _text(key, APPLICATION_ID)
    artifact = artifact_id(application_id, _text(key, CREATED_AT))
    extra = sorted(set(basis) - _KNOWN - set(before.stripped))
    idempotency_key = None if before.scrubbed else read_idempotency_key(basis)
    done = False
    try:
        while extra:
            chunk = extra[:_STRIP_CHUNK]
            yield from send(Update(requests.strip_attributes(ctx.table, key, chunk, delete_id)))
            done = True
            extra = extra[_STRIP_CHUNK:]
        if idempotency_key is not None:
            scrub = requests.scrub_record(ctx.table, application_id, idempotency_key, artifact)
            # Refused: the record holds a keyed fingerprint (nothing to scrub), was scrubbed
            # already, expired and was taken over, or stands for another version.
            with contextlib.suppress(ConditionFailedError):
                yield from send(Update(scrub))
                done = True
    except DalError as exc:
        left = [f"attributes {', '.join(extra)} on its tombstone"] if extra else []
        if idempotency_key is not None:
            left.append("the fingerprint on its idempotency record (written before 0.4.0)")
        yield Note(cleanup_failed=exc.code.value, unfinished={artifact: "; ".join(left)})
    return done

"""Plans over one user's versions through the user index: a page, the export, the erasure.

The index may project every attribute (the task file's ``ALL``, existing deployments) or only
keys and the TTL (``INCLUDE``, what ``careervp.dal.table`` defines). Entries that carry the
content are decoded as they come; the others are read from the table by key, one batch per
page. Either way the lookahead that makes pages exact reads one index entry, not one item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from careervp.dal.codec import (
    PageKey,
    decode_item,
    has_content,
    item_label,
    read_idempotency_key,
    read_key,
)
from careervp.dal.errors import DalError, IntegrityError, PageTokenError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._batches import BATCH_GET_SIZE, Tally, delete_keys, fetch, query_pages
from careervp.dal.plans._calls import Query, send
from careervp.dal.plans._records import mark_deleted
from careervp.dal.schema import APPLICATION_ID, CREATED_AT, index_key, table_key
from careervp.dal.settings import SECRET_ENV
from careervp.dal.validation import check_id, check_limit
from careervp.models.tailor import TailoredCVPage, UserExport

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from careervp.dal.codec import Item
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.dal.plans._requests import StartKey
    from careervp.models.tailor import TailoredCVData

    Raw = Mapping[str, object]

__all__ = ["count_user", "erase_user", "export_user", "list_user"]


def _start_key(ctx: StoreContext, user_id: str, token: str, now: int) -> StartKey:
    try:
        key = ctx.signer.verify(token, index=ctx.index, user_id=user_id, now=now)
    except PageTokenError as exc:
        if ctx.secret_configured:
            raise
        raise PageTokenError(
            f"{exc}: {SECRET_ENV} is not set, so page tokens only verify in the process that"
            f" issued them; set {SECRET_ENV} to the same value everywhere"
        ) from None
    try:
        check_id("page token application_id", key.application_id)
        read_key(table_key(key.application_id, key.created_at))
    except DalError:
        raise PageTokenError("the page token does not hold a key of this store") from None
    return index_key(user_id, key.application_id, key.created_at)


def _with_content(
    ctx: StoreContext, entries: Sequence[Raw], *, consistent: bool
) -> Plan[list[Raw]]:
    """The whole item of each index entry, in order; entries removed meanwhile are left out."""
    missing = [read_key(e) for e in entries if not has_content(e)]
    fetched = (yield from fetch(ctx, missing, consistent=consistent)) if missing else {}
    whole: list[Raw] = []
    for entry in entries:
        raw = entry if has_content(entry) else fetched.get(read_key(entry))
        if raw is not None:
            whole.append(raw)
    return whole


def _owned(ctx: StoreContext, raw: Raw, user_id: str) -> TailoredCVData:
    data = decode_item(raw, ctx.cipher)
    if data.metadata.user_id != user_id:
        # Only a raw edit of the table makes an index entry and its item disagree.
        raise IntegrityError(
            f"tailored CV {item_label(raw)} failed its integrity check: it is listed under"
            " another user"
        )
    return data


def list_user(
    ctx: StoreContext, user_id: str, limit: int, token: str | None
) -> Plan[TailoredCVPage]:
    check_id("user_id", user_id)
    check_limit(limit)
    now = ctx.now_seconds()
    start = _start_key(ctx, user_id, token, now) if token is not None else None
    entries = yield from query_pages(
        lambda start, batch: requests.query_user(
            ctx.table, ctx.index, user_id, now=now, start=start, limit=batch
        ),
        start=start,
        wanted=limit + 1,  # one entry past the page says whether another page exists
    )
    page = entries[:limit]
    # The index is eventually consistent anyway; reading the items the same way halves the
    # read units of a page.
    whole = yield from _with_content(ctx, page, consistent=False)
    items = [_owned(ctx, raw, user_id) for raw in whole if not ctx.expired(raw, now)]
    next_token = None
    if len(entries) > limit:
        application_id, created_at = read_key(page[-1])
        next_token = ctx.signer.issue(
            PageKey(application_id=application_id, created_at=created_at),
            index=ctx.index,
            user_id=user_id,
            now=now,
        )
    return TailoredCVPage(items=items, last_evaluated_key=next_token, count=len(items))


def _every_entry(ctx: StoreContext, user_id: str, *, keys_only: bool) -> Plan[list[Raw]]:
    return (
        yield from query_pages(
            lambda start, _: requests.query_user(
                ctx.table,
                ctx.index,
                user_id,
                now=None,
                start=start,
                limit=None,
                keys_only=keys_only,
            ),
            start=None,
            wanted=None,
        )
    )


def _readable(ctx: StoreContext, raw: Raw, user_id: str) -> TailoredCVData | str:
    """The version in ``raw``, or its artifact id when it fails its integrity check."""
    try:
        return _owned(ctx, raw, user_id)
    except IntegrityError:
        return item_label(raw)


def _key_or_none(raw: Raw) -> tuple[str, str] | None:
    try:
        return read_key(raw)
    except IntegrityError:
        return None


def _has_key(raw: Raw) -> bool:
    return _key_or_none(raw) is not None


def export_user(
    ctx: StoreContext, user_id: str, on_progress: Callable[[int, int], None] | None
) -> Plan[UserExport]:
    """Every version the table holds for ``user_id``, expired ones included, newest first.

    A version that fails its integrity check is named in ``unreadable``, never returned: the
    export hides nothing the table holds and leaks nothing that cannot be trusted.
    """
    check_id("user_id", user_id)
    entries = yield from _every_entry(ctx, user_id, keys_only=False)
    items: list[TailoredCVData] = []
    unreadable = [item_label(entry) for entry in entries if not _has_key(entry)]
    keyed = [entry for entry in entries if _has_key(entry)]
    for first in range(0, len(keyed), BATCH_GET_SIZE):
        chunk = keyed[first : first + BATCH_GET_SIZE]
        for raw in (yield from _with_content(ctx, chunk, consistent=ctx.consistent_reads)):
            version = _readable(ctx, raw, user_id)
            if isinstance(version, str):
                unreadable.append(version)
            else:
                items.append(version)
        if on_progress is not None:
            on_progress(first + len(chunk), len(keyed))
    return UserExport(items=items, unreadable=unreadable, count=len(items))


def erase_user(
    ctx: StoreContext, user_id: str, on_progress: Callable[[int], None] | None
) -> Plan[int]:
    """Delete every stored version of ``user_id``, expired ones included; returns the count.

    The count is of deletions DynamoDB confirmed to this call; a version deleted by a racing
    call is confirmed to both (DeleteRequest does not say whether anything was there).
    """
    check_id("user_id", user_id)
    tally = Tally(on_progress)
    start: StartKey | None = None
    try:
        while True:
            request = requests.query_user(
                ctx.table, ctx.index, user_id, now=None, start=start, limit=None, keys_only=True
            )
            response = yield from send(Query(request))
            entries = response.get("Items", [])
            # Records first: a retried save must find its version erased, not store it again.
            for raw in entries:
                parts = _key_or_none(raw)
                if parts is not None:
                    yield from mark_deleted(ctx, *parts, read_idempotency_key(raw))
            # The raw keys, even ones the store could not have written: erasure takes all.
            keys = [
                cast("Item", {APPLICATION_ID: raw[APPLICATION_ID], CREATED_AT: raw[CREATED_AT]})
                for raw in entries
            ]
            yield from delete_keys(ctx, keys, tally)
            start = response.get("LastEvaluatedKey")
            if start is None:
                return tally.deleted
    except DalError as exc:
        # The audit trail of an erasure request: how far it got travels with the error.
        exc.args = (
            (
                f"{exc}; erasing user {user_id} stopped after {tally.deleted} versions were"
                " deleted: call again to finish"
            ),
        )
        exc.log_fields.update(user_id=user_id, deleted=tally.deleted)
        raise


def count_user(ctx: StoreContext, user_id: str) -> Plan[int]:
    """How many versions the table holds for ``user_id``, expired ones included."""
    check_id("user_id", user_id)
    entries = yield from _every_entry(ctx, user_id, keys_only=True)
    return len(entries)

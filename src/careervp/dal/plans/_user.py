"""Plans over one user's versions through the user index: a page, the export, the erasure.

The index may project every attribute (the task file's ``ALL``, existing deployments) or only
keys and the TTL (``INCLUDE``, what ``careervp.dal.table`` defines). Entries that carry the
content are decoded as they come; the others are read from the table by key, one batch per
page. Either way the lookahead that makes pages exact reads one index entry, not one item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.codec import has_content, item_label, read_key
from careervp.dal.errors import DalError, IntegrityError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._batches import BATCH_GET_SIZE, Tally, fetch, key_pair, query_pages
from careervp.dal.plans._calls import Query, send
from careervp.dal.plans._pages import issue_token, sort_out, verified_key
from careervp.dal.plans._removal import prepare, remove
from careervp.dal.schema import index_key, table_key
from careervp.dal.validation import check_id, check_limit
from careervp.models.tailor import TailoredCVPage, UserExport

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.dal.plans._requests import StartKey
    from careervp.models.tailor import StoredTailoredCV

    Raw = Mapping[str, object]

__all__ = ["count_user", "erase_user", "export_user", "list_user"]

# An erasure reports progress after this many removals.
_PROGRESS_EVERY = 25


def index_page(
    ctx: StoreContext, user_id: str, limit: int, token: str | None, *, listing: str, now: int
) -> Plan[tuple[list[Raw], str | None]]:
    """A page of the user index's live entries, newest first, and the token for the next page
    (bound to ``listing``), ``None`` when there is none."""
    start: StartKey | None = None
    if token is not None:
        key = verified_key(ctx, token, listing=listing, owner=user_id, now=now)
        start = index_key(user_id, key.application_id, key.created_at)
    entries = yield from query_pages(
        lambda start, batch: requests.query_user(
            ctx.table, ctx.index, user_id, now=now, start=start, limit=batch
        ),
        start=start,
        wanted=limit + 1,  # one entry past the page says whether another page exists
    )
    page = entries[:limit]
    if len(entries) <= limit:
        return page, None
    # Even a key the store could not have written: the next page starts after it.
    return page, issue_token(ctx, page[-1], listing=listing, owner=user_id, now=now)


def _key_or_none(raw: Raw) -> tuple[str, str] | None:
    try:
        return read_key(raw)
    except IntegrityError:
        return None


def _with_content(
    ctx: StoreContext, entries: Sequence[Raw], *, consistent: bool
) -> Plan[list[Raw]]:
    """The whole item of each index entry, in order; entries removed meanwhile are left out.

    An entry whose key the store could not have written is kept as it is: it then fails its
    check and is named, never fetched.
    """
    missing = [key for e in entries if not has_content(e) and (key := _key_or_none(e)) is not None]
    fetched = (yield from fetch(ctx, missing, consistent=consistent)) if missing else {}
    whole: list[Raw] = []
    for entry in entries:
        key = None if has_content(entry) else _key_or_none(entry)
        raw = fetched.get(key) if key is not None else entry
        if raw is not None:
            whole.append(raw)
    return whole


def _owner_check(user_id: str) -> Callable[[Raw, StoredTailoredCV], None]:
    def check(raw: Raw, data: StoredTailoredCV) -> None:
        if data.metadata.user_id != user_id:
            # Only a raw edit of the table makes an index entry and its item disagree.
            raise IntegrityError(
                f"tailored CV {item_label(raw)} failed its integrity check: it is listed under"
                " another user"
            )

    return check


def list_user(
    ctx: StoreContext, user_id: str, limit: int, token: str | None
) -> Plan[TailoredCVPage]:
    check_id("user_id", user_id)
    check_limit(limit)
    now = ctx.now_seconds()
    page, next_token = yield from index_page(ctx, user_id, limit, token, listing=ctx.index, now=now)
    # The index is eventually consistent anyway; reading the items the same way halves the
    # read units of a page.
    whole = yield from _with_content(ctx, page, consistent=False)
    sorted_out = yield from sort_out(ctx, whole, now=now, check=_owner_check(user_id))
    return TailoredCVPage(
        items=sorted_out.items,
        last_evaluated_key=next_token,
        count=len(sorted_out.items),
        unreadable=sorted_out.unreadable,
    )


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


def export_user(
    ctx: StoreContext, user_id: str, on_progress: Callable[[int, int], None] | None
) -> Plan[UserExport]:
    """Every version the table holds for ``user_id``, expired ones included, newest first.

    A version that fails its integrity check is named in ``unreadable``, never returned: the
    export hides nothing the table holds and leaks nothing that cannot be trusted.
    """
    check_id("user_id", user_id)
    entries = yield from _every_entry(ctx, user_id, keys_only=False)
    items: list[StoredTailoredCV] = []
    unreadable: list[str] = []
    for first in range(0, len(entries), BATCH_GET_SIZE):
        chunk = entries[first : first + BATCH_GET_SIZE]
        whole = yield from _with_content(ctx, chunk, consistent=ctx.consistent_reads)
        sorted_out = yield from sort_out(ctx, whole, now=None, check=_owner_check(user_id))
        items.extend(sorted_out.items)
        unreadable.extend(sorted_out.unreadable)
        if on_progress is not None:
            on_progress(first + len(chunk), len(entries))
    return UserExport(items=items, unreadable=unreadable, count=len(items))


def erase_user(
    ctx: StoreContext, user_id: str, on_progress: Callable[[int], None] | None
) -> Plan[int]:
    """Remove every stored version of ``user_id``, expired ones included; returns the count.

    Each removal is conditional (``_removal``), so the count is of versions this call removed:
    a version removed by a racing call counts for that call only.
    """
    check_id("user_id", user_id)
    tally = Tally(on_progress, every=_PROGRESS_EVERY)
    start: StartKey | None = None
    removing: str | None = None
    try:
        while True:
            request = requests.query_user(
                ctx.table, ctx.index, user_id, now=None, start=start, limit=None, keys_only=True
            )
            response = yield from send(Query(request))
            # Every version becomes a tombstone, so no save still on its way (a late put, a
            # keyed retry) can store it again; the raw keys, even ones the store could not
            # have written: erasure takes all.
            pairs = [key_pair(raw) for raw in response.get("Items", [])]
            for first in range(0, len(pairs), BATCH_GET_SIZE):
                chunk = pairs[first : first + BATCH_GET_SIZE]
                # Read first: what a removal leaves to tidy is done while the version is
                # still listed, where a re-run finds it (``_removal``).
                seen = yield from fetch(ctx, chunk, consistent=True)
                for pair in chunk:
                    key = table_key(*pair)
                    version = seen.get(pair)
                    prepared = (yield from prepare(ctx, key, version)) if version else None
                    removing = item_label(key)
                    if (yield from remove(ctx, key, live_only=False, prepared=prepared)):
                        tally.add(1)
                    removing = None
            tally.flush()
            start = response.get("LastEvaluatedKey")
            if start is None:
                return tally.deleted
    except DalError as exc:
        # The audit trail of an erasure request: how far it got travels with the error, and
        # the version whose removal was under way (it may have been removed: a re-run cannot
        # find its tombstone, so the trail names it).
        under_way = (
            f" (the removal of version {removing} was under way and may have been applied)"
            if removing is not None
            else ""
        )
        exc.args = (
            (
                f"{exc}; erasing user {user_id} stopped after {tally.deleted} versions were"
                f" deleted{under_way}: call again to finish"
            ),
        )
        exc.log_fields.update(user_id=user_id, deleted=tally.deleted)
        if removing is not None:
            exc.log_fields.update(under_way=removing)
        raise


def count_user(ctx: StoreContext, user_id: str) -> Plan[int]:
    """How many versions the table holds for ``user_id``, expired ones included."""
    check_id("user_id", user_id)
    entries = yield from _every_entry(ctx, user_id, keys_only=True)
    return len(entries)

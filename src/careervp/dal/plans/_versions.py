"""Plans on one application's versions: get one, the latest, a page, all of them, remove one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.codec import is_tombstone
from careervp.dal.errors import NotFoundError, PageTokenError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._batches import query_pages
from careervp.dal.plans._calls import Get, send
from careervp.dal.plans._pages import APPLICATION_LISTING, issue_token, sort_out, verified_key
from careervp.dal.plans._removal import remove
from careervp.dal.schema import artifact_id, table_key
from careervp.dal.validation import check_created_at, check_id, check_limit
from careervp.models.tailor import TailoredCVPage

if TYPE_CHECKING:
    from collections.abc import Mapping

    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.dal.plans._requests import StartKey
    from careervp.models.tailor import StoredTailoredCV

__all__ = [
    "delete_version",
    "get_latest",
    "get_version",
    "list_application",
    "list_application_page",
]


def _not_found(application_id: str, created_at: str) -> NotFoundError:
    return NotFoundError(f"tailored CV {artifact_id(application_id, created_at)} was not found")


def get_version(ctx: StoreContext, application_id: str, created_at: str) -> Plan[StoredTailoredCV]:
    check_id("application_id", application_id)
    check_created_at(created_at)
    request = requests.get_item(
        ctx.table, table_key(application_id, created_at), consistent=ctx.consistent_reads
    )
    response = yield from send(Get(request))
    raw = response.get("Item")
    if raw is None or is_tombstone(raw) or ctx.expired(raw, ctx.now_seconds()):
        raise _not_found(application_id, created_at)
    return ctx.decode(raw)


def _live_raws(
    ctx: StoreContext, application_id: str, now: int, start: StartKey | None, wanted: int | None
) -> Plan[list[Mapping[str, object]]]:
    return (
        yield from query_pages(
            lambda start, limit: requests.query_application(
                ctx.table,
                application_id,
                now=now,
                start=start,
                limit=limit,
                consistent=ctx.consistent_reads,
            ),
            start=start,
            wanted=wanted,
        )
    )


def get_latest(ctx: StoreContext, application_id: str) -> Plan[StoredTailoredCV]:
    check_id("application_id", application_id)
    # Newest first with a limit of one: a single item read, more only past expired ones.
    raws = yield from _live_raws(ctx, application_id, ctx.now_seconds(), None, 1)
    if not raws:
        raise NotFoundError(f"application {application_id} has no live tailored CV")
    return ctx.decode(raws[0])


def list_application(ctx: StoreContext, application_id: str) -> Plan[list[StoredTailoredCV]]:
    """Every live version; one that fails its check fails the call, naming it."""
    check_id("application_id", application_id)
    raws = yield from _live_raws(ctx, application_id, ctx.now_seconds(), None, None)
    return [ctx.decode(raw) for raw in raws]


def list_application_page(
    ctx: StoreContext, application_id: str, limit: int, token: str | None
) -> Plan[TailoredCVPage]:
    """A page of an application's live versions, newest first; damaged ones named, not fatal."""
    check_id("application_id", application_id)
    check_limit(limit)
    now = ctx.now_seconds()
    start: StartKey | None = None
    if token is not None:
        key = verified_key(ctx, token, listing=APPLICATION_LISTING, owner=application_id, now=now)
        if key.application_id != application_id:
            # Only a token signed for this application reaches here; this is belt and braces.
            raise PageTokenError("the page token was not issued for this listing")
        start = table_key(key.application_id, key.created_at)
    # One entry past the page says whether another page exists.
    raws = yield from _live_raws(ctx, application_id, now, start, limit + 1)
    page = raws[:limit]
    sorted_out = yield from sort_out(ctx, page, now=None)
    next_token = None
    if len(raws) > limit:
        next_token = issue_token(
            ctx, page[-1], listing=APPLICATION_LISTING, owner=application_id, now=now
        )
    return TailoredCVPage(
        items=sorted_out.items,
        last_evaluated_key=next_token,
        count=len(sorted_out.items),
        unreadable=sorted_out.unreadable,
    )


def delete_version(ctx: StoreContext, application_id: str, created_at: str) -> Plan[None]:
    """Remove a live or unreadable version (``_removal``); ``NOT_FOUND`` when there is none."""
    check_id("application_id", application_id)
    check_created_at(created_at)
    removed = yield from remove(ctx, table_key(application_id, created_at), live_only=True)
    if not removed:
        raise _not_found(application_id, created_at)

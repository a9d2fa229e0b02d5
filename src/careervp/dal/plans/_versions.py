"""Plans on one application's versions: get one, the latest, all of them, delete one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.codec import decode_item, read_idempotency_key
from careervp.dal.errors import ConditionFailedError, NotFoundError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._batches import query_pages
from careervp.dal.plans._calls import Delete, Get, send
from careervp.dal.plans._records import mark_deleted
from careervp.dal.schema import artifact_id, table_key
from careervp.dal.validation import check_created_at, check_id

if TYPE_CHECKING:
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.models.tailor import TailoredCVData

__all__ = ["delete_version", "get_latest", "get_version", "list_application"]


def _not_found(application_id: str, created_at: str, *, retried: bool = False) -> NotFoundError:
    note = (
        " (the request was retried after a lost response, so an earlier attempt may have"
        " deleted it)"
        if retried
        else ""
    )
    return NotFoundError(
        f"tailored CV {artifact_id(application_id, created_at)} was not found{note}"
    )


def get_version(ctx: StoreContext, application_id: str, created_at: str) -> Plan[TailoredCVData]:
    check_id("application_id", application_id)
    check_created_at(created_at)
    request = requests.get_item(
        ctx.table, table_key(application_id, created_at), consistent=ctx.consistent_reads
    )
    response = yield from send(Get(request))
    raw = response.get("Item")
    if raw is None or ctx.expired(raw, ctx.now_seconds()):
        raise _not_found(application_id, created_at)
    return decode_item(raw, ctx.cipher)


def _live_versions(
    ctx: StoreContext, application_id: str, wanted: int | None
) -> Plan[list[TailoredCVData]]:
    now = ctx.now_seconds()
    raws = yield from query_pages(
        lambda start, limit: requests.query_application(
            ctx.table,
            application_id,
            now=now,
            start=start,
            limit=limit,
            consistent=ctx.consistent_reads,
        ),
        start=None,
        wanted=wanted,
    )
    return [decode_item(raw, ctx.cipher) for raw in raws[:wanted]]


def get_latest(ctx: StoreContext, application_id: str) -> Plan[TailoredCVData]:
    check_id("application_id", application_id)
    # Newest first with a limit of one: a single item read, more only past expired ones.
    versions = yield from _live_versions(ctx, application_id, 1)
    if not versions:
        raise NotFoundError(f"application {application_id} has no live tailored CV")
    return versions[0]


def list_application(ctx: StoreContext, application_id: str) -> Plan[list[TailoredCVData]]:
    check_id("application_id", application_id)
    return (yield from _live_versions(ctx, application_id, None))


def delete_version(ctx: StoreContext, application_id: str, created_at: str) -> Plan[None]:
    check_id("application_id", application_id)
    check_created_at(created_at)
    request = requests.delete_version(ctx.table, application_id, created_at, ctx.now_seconds())
    try:
        response = yield from send(Delete(request))
    except ConditionFailedError as exc:
        raise _not_found(application_id, created_at, retried=exc.retried) from None
    deleted = response.get("Attributes") or {}
    yield from mark_deleted(ctx, application_id, created_at, read_idempotency_key(deleted))

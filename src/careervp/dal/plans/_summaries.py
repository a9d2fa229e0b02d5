"""A user's history for display: one query of the user index a page, no item reads.

A summary is the index's copy of a version's attributes (``docs/security.md``): the keys, the
TTL, ``job_id``, ``cv_version``, ``fvs_validation_passed`` and the ``metadata`` map that holds
``llm_model`` and ``relevance_score``. ``careervp.dal.table`` projects exactly those; an index
projecting ``ALL`` carries them too. On an index made before they were projected the page reads
what its entries lack from the table by key (one batch) and logs, once per table and index,
that the index should be migrated (``docs/schema.md``).

A summary is not verified against the checksum (that needs the CV); it is only checked for
shape. An entry whose attributes cannot make a summary is left out of the page and logged at
ERROR naming its artifact (by the handler, as for the full listing's unreadable versions), so
one damaged version never blocks a history screen; the full listing names it in
``unreadable`` and ``delete_tailored_cv`` removes it. It still counts
towards its page, exactly like an unreadable version in the full listing, so pages stay exact.

Page tokens are bound to this listing, not only to the index and user: a summary token is
refused by the full listing and the other way round, so neither can be replayed into the other.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.codec import check_exact_floats, is_tombstone, item_label, printable, read_key
from careervp.dal.codec._attributes import unmarshal_map
from careervp.dal.errors import IntegrityError
from careervp.dal.plans._batches import fetch
from careervp.dal.plans._calls import Note
from careervp.dal.plans._user import index_page
from careervp.dal.schema import (
    CV_VERSION,
    FVS_VALIDATION_PASSED,
    JOB_ID,
    METADATA,
    TTL_ATTRIBUTE,
    artifact_id,
)
from careervp.dal.validation import check_id, check_limit
from careervp.models.tailor import TailoredCVSummary, TailoredCVSummaryPage, TailoringMetadata

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

    Raw = Mapping[str, object]

__all__ = ["SUMMARY_ATTRIBUTES", "list_summaries"]

logger = logging.getLogger("careervp.dal")

# What a summary needs beyond the keys, which every index entry carries.
SUMMARY_ATTRIBUTES = (TTL_ATTRIBUTE, JOB_ID, CV_VERSION, FVS_VALIDATION_PASSED, METADATA)
# Appended to the index name in the MAC input of this listing's tokens: a separator no index
# name can hold (index names are [a-zA-Z0-9_.-]).
_LISTING = "\x1fsummaries"
# How much of a decoder's message about stored data a log record keeps.
_DETAIL_CHARS = 300
# Tables whose index was found lacking, so the advice is logged once, not on every page.
_ADVISED: set[tuple[str, str]] = set()


class _Copies(msgspec.Struct):
    """The summary's attributes as plain values (``unmarshal_map``), checked for type."""

    expiration_timestamp: int
    job_id: str
    cv_version: int
    fvs_validation_passed: bool
    metadata: TailoringMetadata


def _lacking(entry: Raw) -> bool:
    return any(name not in entry for name in SUMMARY_ATTRIBUTES)


def _complete(ctx: StoreContext, page: Sequence[Raw]) -> Plan[list[Raw]]:
    """``page`` with each entry that lacks a summary attribute replaced by its item.

    Entries whose key cannot be read stay as they are (they fail as summaries); items removed
    since the query are left out.
    """
    lacking: list[tuple[str, str]] = []
    for entry in page:
        if _lacking(entry):
            try:
                lacking.append(read_key(entry))
            except IntegrityError:
                continue
    if not lacking:
        return list(page)
    fetched = yield from fetch(ctx, lacking, consistent=False)
    complete: list[Raw] = []
    narrow = False
    for entry in page:
        if not _lacking(entry):
            complete.append(entry)
            continue
        try:
            key = read_key(entry)
        except IntegrityError:
            complete.append(entry)
            continue
        item = fetched.get(key)
        if item is None or is_tombstone(item):
            continue  # removed since the query (the index lags its table)
        # The item holds what its entry does not: the index does not project it.
        narrow = narrow or any(name in item and name not in entry for name in SUMMARY_ATTRIBUTES)
        complete.append(item)
    if narrow and (ctx.table, ctx.index) not in _ADVISED:
        _ADVISED.add((ctx.table, ctx.index))
        logger.warning(
            "index %s of table %s does not project the summary attributes: each page of"
            " summaries reads its items too; migrate the index (docs/schema.md)",
            ctx.index,
            ctx.table,
            extra={"table": ctx.table, "index": ctx.index},
        )
    return complete


def _summary(raw: Raw, user_id: str) -> TailoredCVSummary:
    application_id, created_at = read_key(raw)
    try:
        copies = msgspec.convert(
            unmarshal_map({name: raw.get(name) for name in SUMMARY_ATTRIBUTES}),
            _Copies,
            strict=True,
        )
    except (IntegrityError, msgspec.ValidationError) as exc:
        raise IntegrityError(str(exc)) from None
    metadata = copies.metadata
    stored = raw.get(METADATA)
    # As strict as a full read about what it returns: no rounded number, no text that is not
    # valid Unicode (the store could not have written either; a host's encoder would choke).
    if isinstance(stored, dict) and isinstance(stored.get("M"), dict):
        check_exact_floats(METADATA, stored["M"], metadata)
    for text in (copies.job_id, metadata.llm_model or ""):
        text.encode("utf-8")
    if metadata.user_id != user_id:
        raise IntegrityError("it is listed under another user")
    return TailoredCVSummary(
        artifact_id=artifact_id(application_id, created_at),
        application_id=application_id,
        created_at=created_at,
        expires_at=copies.expiration_timestamp,
        job_id=copies.job_id,
        cv_version=copies.cv_version,
        fvs_validation_passed=copies.fvs_validation_passed,
        llm_model=metadata.llm_model,
        relevance_score=metadata.relevance_score,
    )


def _checked(raw: Raw, user_id: str) -> TailoredCVSummary:
    try:
        return _summary(raw, user_id)
    except (RecursionError, UnicodeError) as exc:
        raise IntegrityError(type(exc).__name__) from None


def list_summaries(
    ctx: StoreContext, user_id: str, limit: int, token: str | None
) -> Plan[TailoredCVSummaryPage]:
    check_id("user_id", user_id)
    check_limit(limit)
    now = ctx.now_seconds()
    page, next_token = yield from index_page(
        ctx, user_id, limit, token, listing=ctx.index + _LISTING, now=now
    )
    whole = yield from _complete(ctx, page)
    items: list[TailoredCVSummary] = []
    reasons: dict[str, str] = {}
    for raw in whole:
        try:
            summary = _checked(raw, user_id)
        except IntegrityError as exc:
            # Logged at ERROR by the handler, like an unreadable version of the full listing; a
            # decoder's message can quote stored text, so it is escaped and bounded.
            label = item_label(raw)
            reasons[label] = (
                f"the summary of tailored CV {label} is unreadable and left out of the page:"
                f" {printable(str(exc), _DETAIL_CHARS)}"
            )
            continue
        # The query's filter used the same second; an item read by key may have moved since.
        if summary.expires_at > now:
            items.append(summary)
    if reasons:
        yield Note(unreadable=reasons)
    return TailoredCVSummaryPage(items=items, last_evaluated_key=next_token, count=len(items))

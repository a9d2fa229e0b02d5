"""A user's history for display: one query of the user index a page, every summary verified.

A summary is the index's copy of a version's attributes (``docs/security.md``): the keys, the
TTL, ``job_id``, ``cv_version``, ``fvs_validation_passed`` and the ``metadata`` map that holds
``llm_model`` and ``relevance_score``, with ``summary_mac``, the keyed value the save computed
over all of them and the user id (``codec/_summary.py``). ``careervp.dal.table`` projects exactly
those; an index projecting ``ALL`` carries them too. Each summary is shown only if its MAC
verifies under one of the store's secrets: an entry planted, edited, moved to another key or
user, or carrying another entry's MAC fails, and no item needs reading to know it.

An entry without a MAC is answered by reading its item (one batch a page, as the full listing
does):

- the item has a MAC: the index predates ``summary_mac`` (0.3.0's ``INCLUDE`` list or older);
  the item's MAC is checked instead, and a WARNING, once per table and index, says to migrate
  the index (``docs/schema.md``);
- the item has none: a version saved before summaries were sealed (by 0.3.0 or earlier, or by
  an instance not yet upgraded). It is verified as the full listing verifies it (checksum and
  copies, or the authenticated encryption of format 2), and its summary is built from what was
  verified. One INFO line per table says so; such versions expire within 90 days.

Without a configured pagination secret (a random one per process) there is no key any other
process shares: versions are saved without a MAC and every summary is read from its item and
verified like that, whatever MAC an entry carries.

An entry that fails is left out of the page, named in ``unreadable`` and logged at ERROR by the
handler, like an unreadable version of the full listing; it still counts towards its page, so
pages stay exact. ``delete_tailored_cv`` removes it.

Page tokens are bound to this listing, not only to the index and user: a summary token is
refused by the full listing and the other way round, so neither can be replayed into the other.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.codec import (
    canonical_json,
    check_exact_floats,
    has_content,
    is_tombstone,
    item_label,
    printable,
    read_key,
    read_summary_mac,
)
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
    USER_ID,
    artifact_id,
)
from careervp.dal.validation import check_id, check_limit
from careervp.models.tailor import TailoredCVSummary, TailoredCVSummaryPage, TailoringMetadata

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from careervp.dal.codec import SummarySealer
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

    Raw = Mapping[str, object]

__all__ = ["list_summaries"]

logger = logging.getLogger("careervp.dal")

# What a summary needs beyond the keys, which every index entry carries.
_ATTRIBUTES = (USER_ID, TTL_ATTRIBUTE, JOB_ID, CV_VERSION, FVS_VALIDATION_PASSED, METADATA)
# Appended to the index name in the MAC input of this listing's tokens: a separator no index
# name can hold (index names are [a-zA-Z0-9_.-]).
_LISTING = "\x1fsummaries"
# How much of a decoder's message about stored data a log record keeps.
_DETAIL_CHARS = 300
# Tables whose index was found lacking, and tables found holding versions saved before summaries
# were sealed: each is logged once a process, not on every page.
_ADVISED: set[tuple[str, str]] = set()
_UNSEALED: set[str] = set()


class _Copies(msgspec.Struct):
    """The summary's attributes as plain values (``unmarshal_map``), checked for type."""

    user_id: str
    expiration_timestamp: int
    job_id: str
    cv_version: int
    fvs_validation_passed: bool
    metadata: TailoringMetadata


def _sealed(sealer: SummarySealer, raw: Raw, user_id: str, mac: bytes) -> TailoredCVSummary:
    """The summary a raw entry or item shows, if its MAC verifies; else ``IntegrityError``."""
    application_id, created_at = read_key(raw)
    try:
        copies = msgspec.convert(
            unmarshal_map({name: raw.get(name) for name in _ATTRIBUTES}), _Copies, strict=True
        )
    except (IntegrityError, msgspec.ValidationError) as exc:
        raise IntegrityError(str(exc)) from None
    metadata = copies.metadata
    stored = raw.get(METADATA)
    # As strict as a full read about what it returns: no rounded number, no text that is not
    # valid Unicode (the store could not have written either; a host's encoder would choke).
    if isinstance(stored, dict) and isinstance(stored.get("M"), dict):
        check_exact_floats(METADATA, stored["M"], metadata)
    header = (
        application_id,
        created_at,
        copies.user_id,
        copies.job_id,
        copies.cv_version,
        copies.fvs_validation_passed,
        copies.expiration_timestamp,
    )
    if not sealer.verify(header, canonical_json(metadata), mac):
        raise IntegrityError(
            "it does not match its keyed value (edited, moved to another key or user, or"
            " planted; or sealed under a secret no longer configured)"
        )
    # The MAC says the save wrote these together; the owner says they are this user's.
    if copies.user_id != user_id or metadata.user_id != user_id:
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


def _unsealed(ctx: StoreContext, item: Raw, user_id: str) -> TailoredCVSummary:
    """The summary of a whole item saved without a MAC, from its verified content."""
    version = ctx.decode(item)
    if version.metadata.user_id != user_id:
        raise IntegrityError("it is listed under another user")
    if ctx.table not in _UNSEALED:
        _UNSEALED.add(ctx.table)
        logger.info(
            "table %s holds versions saved before summaries carried a keyed value: their"
            " summaries are verified by reading the versions (until they expire)",
            ctx.table,
            extra={"table": ctx.table},
        )
    artifact = version.artifact
    metadata = version.metadata
    return TailoredCVSummary(
        artifact_id=artifact.artifact_id,
        application_id=artifact.application_id,
        created_at=artifact.created_at,
        expires_at=artifact.expires_at,
        job_id=metadata.job_id,
        cv_version=version.tailored_cv.source_cv_version,
        fvs_validation_passed=metadata.fvs_validation_passed,
        llm_model=metadata.llm_model,
        relevance_score=metadata.relevance_score,
    )


def _summary(ctx: StoreContext, raw: Raw, user_id: str) -> TailoredCVSummary:
    """The verified summary of an entry that carries a MAC or its whole item."""
    try:
        mac = read_summary_mac(raw)
        if mac is not None and ctx.sealer is not None:
            return _sealed(ctx.sealer, raw, user_id, mac)
        return _unsealed(ctx, raw, user_id)
    except (RecursionError, UnicodeError) as exc:
        raise IntegrityError(type(exc).__name__) from None


def _advise(ctx: StoreContext) -> None:
    if (ctx.table, ctx.index) in _ADVISED:
        return
    _ADVISED.add((ctx.table, ctx.index))
    logger.warning(
        "index %s of table %s does not project the summary attributes and their keyed value"
        " (summary_mac): each page of summaries reads its items too; migrate the index"
        " (docs/schema.md)",
        ctx.index,
        ctx.table,
        extra={"table": ctx.table, "index": ctx.index},
    )


def _needs_item(ctx: StoreContext, entry: Raw) -> bool:
    """Whether the entry alone cannot be verified: it is not a whole item, and it has no MAC
    or the store has no configured secret to check one with."""
    if has_content(entry):
        return False
    return ctx.sealer is None or read_summary_mac(entry) is None


def _verifiable(ctx: StoreContext, page: Sequence[Raw]) -> Plan[list[Raw]]:
    """``page`` with each entry that cannot be verified alone replaced by its item, in order.

    Entries whose key cannot be read stay as they are (they fail); items removed since the query
    are left out.
    """
    wanted: dict[int, tuple[str, str]] = {}
    for position, entry in enumerate(page):
        if _needs_item(ctx, entry):
            try:
                wanted[position] = read_key(entry)
            except IntegrityError:
                continue
    if not wanted:
        return list(page)
    fetched = yield from fetch(ctx, list(wanted.values()), consistent=False)
    whole: list[Raw] = []
    for position, entry in enumerate(page):
        key = wanted.get(position)
        if key is None:
            whole.append(entry)
            continue
        item = fetched.get(key)
        if item is None or is_tombstone(item):
            continue  # removed since the query (the index lags its table)
        if ctx.sealer is not None and read_summary_mac(item) is not None:
            _advise(ctx)  # the item has what its entry lacks: the index does not project it
        whole.append(item)
    return whole


def list_summaries(
    ctx: StoreContext, user_id: str, limit: int, token: str | None
) -> Plan[TailoredCVSummaryPage]:
    check_id("user_id", user_id)
    check_limit(limit)
    now = ctx.now_seconds()
    page, next_token = yield from index_page(
        ctx, user_id, limit, token, listing=ctx.index + _LISTING, now=now
    )
    whole = yield from _verifiable(ctx, page)
    items: list[TailoredCVSummary] = []
    unreadable: list[str] = []
    reasons: dict[str, str] = {}
    for raw in whole:
        try:
            summary = _summary(ctx, raw, user_id)
        except IntegrityError as exc:
            # Logged at ERROR by the handler, like an unreadable version of the full listing; a
            # decoder's message can quote stored text, so it is escaped and bounded.
            label = item_label(raw)
            unreadable.append(label)
            reasons[label] = (
                f"the summary of tailored CV {label} failed its check and is left out of the"
                f" page: {printable(str(exc), _DETAIL_CHARS)}"
            )
            continue
        # The query's filter used the same second; an item read by key may have moved since.
        if summary.expires_at > now:
            items.append(summary)
    if reasons:
        yield Note(unreadable=reasons)
    return TailoredCVSummaryPage(
        items=items,
        last_evaluated_key=next_token,
        count=len(items),
        unreadable=unreadable,
    )

"""One page of versions: what can be read is returned, what cannot is named, and a signed token
says where the next page starts.

A page never fails for one damaged version: a version that fails its integrity check (a raw
edit, a damaged blob, a data key KMS will not open for it) is named in ``unreadable`` and
noted for the ERROR log, and counts toward the page's size like any other, so pagination stays
exact. Faults of the database or of KMS itself still fail the call: they are not the version's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.codec import PageKey, is_tombstone, item_label, key_size_problem
from careervp.dal.errors import IntegrityError, PageTokenError
from careervp.dal.plans._calls import Note
from careervp.dal.schema import APPLICATION_ID, CREATED_AT
from careervp.dal.settings import SECRET_ENV

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.models.tailor import StoredTailoredCV

    Raw = Mapping[str, object]

__all__ = ["APPLICATION_LISTING", "Sorted", "issue_token", "sort_out", "verified_key"]

# What an application page's tokens are bound to besides the application id. Index names never
# hold "#", so a token issued for one listing never opens another.
APPLICATION_LISTING = "#application"


def verified_key(ctx: StoreContext, token: str, *, listing: str, owner: str, now: int) -> PageKey:
    """The key a page token carries, if it was issued by this store for this listing."""
    try:
        key = ctx.signer.verify(token, index=listing, user_id=owner, now=now)
    except PageTokenError as exc:
        if ctx.secret_configured:
            raise
        raise PageTokenError(
            f"{exc}: {SECRET_ENV} is not set, so page tokens only verify in the process that"
            f" issued them; set {SECRET_ENV} to the same value everywhere"
        ) from None
    # Signed by us, so it holds a key we read (even one the store could not have written);
    # the bounds keep a leaked secret from turning a token into a request DynamoDB refuses.
    if key_size_problem(key) is not None:
        raise PageTokenError("the page token does not hold a key of this store")
    return key


def _text(raw: Raw, name: str) -> str:
    value = raw.get(name)
    text = value.get("S") if isinstance(value, dict) else None
    return text if isinstance(text, str) else ""


def issue_token(ctx: StoreContext, last: Raw, *, listing: str, owner: str, now: int) -> str:
    """A token for the page after ``last`` (an entry's raw key, even one the store could not
    have written: the next page must start after it, not at it)."""
    key = PageKey(application_id=_text(last, APPLICATION_ID), created_at=_text(last, CREATED_AT))
    return ctx.signer.issue(key, index=listing, user_id=owner, now=now)


class Sorted:
    """The versions of a page that could be read, and the artifact ids of those that could not."""

    __slots__ = ("items", "unreadable")

    def __init__(self) -> None:
        self.items: list[StoredTailoredCV] = []
        self.unreadable: list[str] = []


def sort_out(
    ctx: StoreContext,
    raws: Iterable[Raw],
    *,
    now: int | None,
    check: Callable[[Raw, StoredTailoredCV], None] | None = None,
) -> Plan[Sorted]:
    """Decode each raw item: readable ones in order, the others named and noted for the log.

    With ``now``, items past their TTL are left out (an index entry can lag its item).
    """
    result = Sorted()
    reasons: dict[str, str] = {}
    for raw in raws:
        if is_tombstone(raw):
            continue  # removed since the index entry was written (the index lags its table)
        try:
            if now is not None and ctx.expired(raw, now):
                continue
            version = ctx.decode(raw)
            if check is not None:
                check(raw, version)
        except IntegrityError as exc:
            label = item_label(raw)
            result.unreadable.append(label)
            reasons[label] = str(exc)
            continue
        result.items.append(version)
    if reasons:
        yield Note(unreadable=reasons)
    return result

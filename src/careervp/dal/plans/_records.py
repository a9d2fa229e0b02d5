"""Keeping idempotency records true to deletions: a version deleted or erased is marked on the
record that stands for it, so a retried save returns its id and stores nothing again."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from careervp.dal.errors import ConditionFailedError
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import Update, send
from careervp.dal.schema import (
    IDEMPOTENCY_TTL_SECONDS,
    artifact_id,
    created_at_moment,
    epoch_second,
)

if TYPE_CHECKING:
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext

__all__ = ["mark_deleted"]

# Records outlive their 24 hours by the clock skew between the writer and this call at most.
_SKEW_SECONDS = 300


def mark_deleted(
    ctx: StoreContext, application_id: str, created_at: str, key: str | None
) -> Plan[None]:
    """Mark the record of a deleted version, if it was saved with a key lately enough."""
    if key is None:
        return
    age = ctx.now_seconds() - epoch_second(created_at_moment(created_at))
    if age > IDEMPOTENCY_TTL_SECONDS + _SKEW_SECONDS:
        return  # its record has expired: a retry now is a new save, by the 24-hour rule
    request = requests.mark_version_deleted(
        ctx.table, application_id, key, artifact_id(application_id, created_at)
    )
    # Refused: the record is gone, expired and taken over, or stands for another version.
    with contextlib.suppress(ConditionFailedError):
        yield from send(Update(request))

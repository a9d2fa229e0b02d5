"""Plans that take several calls to finish one job: pages of live items, batched reads with
bounded, jittered retries of what DynamoDB leaves unprocessed, and the tally of an erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from careervp.dal.errors import ThrottledError, without_arns
from careervp.dal.plans import _requests as requests
from careervp.dal.plans._calls import BatchGet, Query, Sleep, send
from careervp.dal.schema import APPLICATION_ID, CREATED_AT, table_key

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef

    from careervp.dal.codec import Item
    from careervp.dal.plans._calls import Plan
    from careervp.dal.plans._context import StoreContext
    from careervp.dal.plans._requests import StartKey

    Raw = Mapping[str, object]

__all__ = ["BATCH_GET_SIZE", "Tally", "fetch", "key_pair", "query_pages"]

BATCH_GET_SIZE = 100  # BatchGetItem's limit
MAX_BATCH_ATTEMPTS = 8
MAX_QUERY_BATCH = 1000
_BASE_DELAY = 0.05
_MAX_DELAY = 2.0


def query_pages(
    build: Callable[[StartKey | None, int | None], QueryInputTypeDef],
    *,
    start: StartKey | None,
    wanted: int | None,
) -> Plan[list[Raw]]:
    """Items of a query until ``wanted`` are found or none are left (``None``: all of them).

    DynamoDB applies ``Limit`` before the filter, so a round can return fewer items than asked
    for; the next round asks for what is missing, growing the batch while filtered items keep
    getting in the way.
    """
    found: list[Raw] = []
    batch = wanted
    while True:
        response = yield from send(Query(build(start, batch)))
        found.extend(response.get("Items", []))
        last_key = response.get("LastEvaluatedKey")
        if last_key is None or (wanted is not None and len(found) >= wanted):
            return found
        start = last_key
        if wanted is not None and batch is not None:
            batch = min(max(wanted - len(found), 2 * batch), MAX_QUERY_BATCH)


def _backoff(ctx: StoreContext, attempt: int) -> Sleep:
    return Sleep(ctx.jitter.uniform(0, min(_MAX_DELAY, _BASE_DELAY * 2**attempt)))


def key_pair(raw: Raw) -> tuple[str, str]:
    """``(application_id, created_at)`` of an item or index entry as stored, unchecked: the
    table's key schema makes both strings, even under keys the store could not have written."""
    application = cast("dict[str, str]", raw[APPLICATION_ID])
    created = cast("dict[str, str]", raw[CREATED_AT])
    return application["S"], created["S"]


def fetch(
    ctx: StoreContext, keys: Sequence[tuple[str, str]], *, consistent: bool
) -> Plan[dict[tuple[str, str], Raw]]:
    """The items at ``keys`` (those that exist), by key, in batches of 100."""
    found: dict[tuple[str, str], Raw] = {}
    for first in range(0, len(keys), BATCH_GET_SIZE):
        pending: list[Item] = [table_key(*k) for k in keys[first : first + BATCH_GET_SIZE]]
        for attempt in range(MAX_BATCH_ATTEMPTS):
            if attempt:
                yield _backoff(ctx, attempt)
            response = yield from send(
                BatchGet(requests.batch_get(ctx.table, pending, consistent=consistent))
            )
            for raw in (response.get("Responses") or {}).get(ctx.table) or []:
                found[key_pair(raw)] = raw
            left = (response.get("UnprocessedKeys") or {}).get(ctx.table)
            # DynamoDB hands back the very keys it was sent: they are Items.
            pending = [cast("Item", key) for key in left["Keys"]] if left else []
            if not pending:
                break
        else:
            raise ThrottledError(
                f"DynamoDB left {len(pending)} reads of table {without_arns(ctx.table)}"
                " unprocessed after"
                f" {MAX_BATCH_ATTEMPTS} attempts"
            )
    return found


class Tally:
    """Removals DynamoDB confirmed so far: exact whatever stops the work; reported to
    ``on_progress`` every ``every`` removals and when flushed."""

    def __init__(self, on_progress: Callable[[int], None] | None = None, every: int = 1) -> None:
        self.deleted = 0
        self._on_progress = on_progress
        self._every = every
        self._unreported = 0

    def add(self, count: int) -> None:
        self.deleted += count
        self._unreported += count
        if self._unreported >= self._every:
            self.flush()

    def flush(self) -> None:
        if self._on_progress is not None and self._unreported:
            self._on_progress(self.deleted)
        self._unreported = 0

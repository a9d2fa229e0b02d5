"""Batched deletes with bounded, jittered retries of ``UnprocessedItems``."""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WriteRequestUnionTypeDef

    from careervp.dal.codec import Item

__all__ = ["BATCH_SIZE", "MAX_BATCH_ATTEMPTS", "BatchDeleter", "IncompleteBatchError"]

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_BATCH_ATTEMPTS = 8
_BASE_DELAY = 0.05
_MAX_DELAY = 2.0


class IncompleteBatchError(Exception):
    """DynamoDB kept returning ``UnprocessedItems`` past the retry budget."""


class BatchDeleter:
    """Deletes keys in groups of 25 and counts every deletion DynamoDB confirms.

    ``deleted`` is exact whatever stops the work (``IncompleteBatchError``, a throttling or
    service error raised by the client), so a caller can report progress and call again.
    ``UnprocessedItems`` (DynamoDB's answer under load) are retried with exponential backoff
    and full jitter, at most ``MAX_BATCH_ATTEMPTS`` times per group.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.deleted = 0
        self._client = client
        self._table = table_name
        self._sleep = sleep
        self._jitter = rng or random.Random()  # noqa: S311 - backoff jitter, not a secret

    def delete(self, keys: Sequence[Item]) -> None:
        for start in range(0, len(keys), BATCH_SIZE):
            self._delete_group(keys[start : start + BATCH_SIZE])

    def _delete_group(self, keys: Sequence[Item]) -> None:
        pending: list[WriteRequestUnionTypeDef] = [{"DeleteRequest": {"Key": k}} for k in keys]
        for attempt in range(MAX_BATCH_ATTEMPTS):
            if attempt:
                self._sleep(self._jitter.uniform(0, min(_MAX_DELAY, _BASE_DELAY * 2**attempt)))
            response = self._client.batch_write_item(RequestItems={self._table: pending})
            left: list[WriteRequestUnionTypeDef] = [
                *response.get("UnprocessedItems", {}).get(self._table, [])
            ]
            self.deleted += len(pending) - len(left)
            pending = left
            if not pending:
                return
        raise IncompleteBatchError(f"{len(pending)} deletions stayed unprocessed")

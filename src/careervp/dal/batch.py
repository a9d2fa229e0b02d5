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

__all__ = ["BATCH_SIZE", "MAX_BATCH_ATTEMPTS", "IncompleteBatchError", "delete_keys"]

BATCH_SIZE = 25  # BatchWriteItem's limit
MAX_BATCH_ATTEMPTS = 8
_BASE_DELAY = 0.05
_MAX_DELAY = 2.0


class IncompleteBatchError(Exception):
    """DynamoDB kept returning ``UnprocessedItems`` past the retry budget."""

    def __init__(self, deleted: int) -> None:
        super().__init__(f"{deleted} deleted before DynamoDB kept refusing the rest")
        self.deleted = deleted


def delete_keys(
    client: DynamoDBClient,
    table_name: str,
    keys: Sequence[Item],
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> int:
    """Delete ``keys`` in groups of 25; returns how many were deleted.

    ``UnprocessedItems`` (DynamoDB's answer under load) are retried with exponential backoff
    and full jitter. On any failure the exception carries on; ``IncompleteBatchError`` says
    how many were deleted first, so a caller can report progress and call again.
    """
    jitter = rng or random.Random()  # noqa: S311 - backoff jitter, not a secret
    deleted = 0
    for start in range(0, len(keys), BATCH_SIZE):
        pending: list[WriteRequestUnionTypeDef] = [
            {"DeleteRequest": {"Key": key}} for key in keys[start : start + BATCH_SIZE]
        ]
        for attempt in range(MAX_BATCH_ATTEMPTS):
            if attempt:
                sleep(jitter.uniform(0, min(_MAX_DELAY, _BASE_DELAY * 2**attempt)))
            response = client.batch_write_item(RequestItems={table_name: pending})
            left: list[WriteRequestUnionTypeDef] = [
                *response.get("UnprocessedItems", {}).get(table_name, [])
            ]
            deleted += len(pending) - len(left)
            pending = left
            if not pending:
                break
        else:
            raise IncompleteBatchError(deleted)
    return deleted

"""The aiobotocore DynamoDB client the async handler runs on, configured as the blocking one.

``build_async_client`` takes ``careervp.dal.client.build_client``'s options and gives the
client the same ``Config`` (retry mode, attempts, connect and read timeouts) and the same call
budget: ``install_deadline``'s handlers are plain functions on botocore's events, and
aiobotocore's emitter calls them (awaiting only what they return when it is awaitable), so
a retry that could not finish within the budget is not started on this client either.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Literal, cast

from aiobotocore.session import get_session

from careervp.dal.client import (
    DEFAULT_CALL_TIMEOUT,
    client_config,
    install_deadline,
    region_from_environment,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from types_aiobotocore_dynamodb import DynamoDBClient

__all__ = ["build_async_client"]


@contextlib.asynccontextmanager
async def build_async_client(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,  # in all, the first try included
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
    local_credentials: bool = False,
) -> AsyncIterator[DynamoDBClient]:
    """An entered aiobotocore client configured from the environment as botocore reads it
    (``AWS_ENDPOINT_URL_DYNAMODB`` included), closed when the block ends."""
    config, attempt_seconds = client_config(
        retry_mode=retry_mode, max_attempts=max_attempts, call_timeout=call_timeout
    )
    placeholder = "local" if local_credentials else None
    async with get_session().create_client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region_from_environment(region_name),
        config=config,
        aws_access_key_id=placeholder,
        aws_secret_access_key=placeholder,
    ) as client:
        install_deadline(client, call_timeout, attempt_seconds=attempt_seconds)
        yield cast("DynamoDBClient", client)

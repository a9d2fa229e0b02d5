"""The boto3 DynamoDB client the handler builds when none is injected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["build_client"]


def build_client(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,  # in all, the first try included
    connect_timeout: float = 2.0,
    read_timeout: float = 5.0,
    local_credentials: bool = False,
) -> DynamoDBClient:
    """A client configured from the environment as boto3 reads it, with explicit retries.

    botocore's default retry mode has changed between releases, so it is pinned here:
    ``standard`` retries throttling, 5xx and connection errors with jittered exponential
    backoff. Short timeouts keep a Lambda from spending its budget on a dead endpoint.
    ``AWS_ENDPOINT_URL_DYNAMODB`` is honoured by boto3 itself when ``endpoint_url`` is unset.
    ``local_credentials`` signs with placeholder keys, for embedded engines that accept any.
    """
    config = Config(
        retries={"mode": retry_mode, "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        tcp_keepalive=True,
    )
    placeholder = "local" if local_credentials else None
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region_name,
        config=config,
        aws_access_key_id=placeholder,
        aws_secret_access_key=placeholder,
    )

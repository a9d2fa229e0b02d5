"""DynamoDB and network failures as ``Err`` results with a sentence a handler can log."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from careervp.models.result import Err, ResultCode

__all__ = ["THROTTLING_CODES", "error_code", "fault_result"]

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
        "TooManyRequestsException",
    }
)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _client_error(exc: ClientError, action: str, table: str, endpoint: str) -> Err:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    if code in THROTTLING_CODES:
        return Err(
            f"DynamoDB throttled {action} on table {table} beyond the retry budget ({code})",
            ResultCode.THROTTLED,
        )
    if code == "ResourceNotFoundException":
        return Err(
            f"table {table} (or its index) does not exist at {endpoint}", ResultCode.DATABASE_ERROR
        )
    if code == "ValidationException" and "size" in message.lower() and "exceed" in message.lower():
        return Err(
            f"DynamoDB rejected {action} on table {table} for its size: {message}",
            ResultCode.ITEM_TOO_LARGE,
        )
    return Err(
        f"DynamoDB refused {action} on table {table} at {endpoint}: {code} {message}".rstrip(),
        ResultCode.DATABASE_ERROR,
    )


def fault_result(
    exc: ClientError | BotoCoreError, *, action: str, table: str, endpoint: str
) -> Err:
    if isinstance(exc, ClientError):
        return _client_error(exc, action, table, endpoint)
    if isinstance(exc, ReadTimeoutError):
        return Err(
            f"DynamoDB at {endpoint} timed out while {action} on table {table}",
            ResultCode.DATABASE_ERROR,
        )
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError, ConnectionClosedError)):
        return Err(
            f"could not reach DynamoDB at {endpoint} while {action} on table {table}",
            ResultCode.DATABASE_ERROR,
        )
    if isinstance(exc, NoCredentialsError):
        return Err(
            f"no AWS credentials were found for {action} on table {table}",
            ResultCode.DATABASE_ERROR,
        )
    return Err(
        f"{action} on table {table} at {endpoint} failed: {type(exc).__name__}: {exc}",
        ResultCode.DATABASE_ERROR,
    )

"""One tree for every failure the store reports; each class carries the ``ResultCode`` it becomes.

::

    DalError
    ├── InvalidInputError ........ VALIDATION_ERROR  caller input; nothing was sent
    │   └── PageTokenError ....... VALIDATION_ERROR  a token not issued for this listing
    ├── ItemTooLargeError ........ ITEM_TOO_LARGE    over 400 KB or the inflation cap
    ├── NotFoundError ............ NOT_FOUND         absent or expired
    ├── ConflictError ............ CONFLICT          collisions, a reused idempotency key
    │   └── ConditionFailedError . CONFLICT          a conditional write refused (drivers
    │                                                catch it and decide what it means)
    ├── IntegrityError ........... INTEGRITY_ERROR   stored data that cannot be trusted
    ├── ThrottledError ........... THROTTLED         throttling beyond the client's retries
    └── ServiceError ............. DATABASE_ERROR    DynamoDB, KMS or the network

The handler catches ``DalError`` once and returns ``Err(str(error), error.code)``; botocore's
exceptions become members of the tree in ``service_error`` only, at the edge where the client
is called. Messages name ids, tables, keys and endpoints, never stored content.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from careervp.models.result import ResultCode

__all__ = [
    "ConditionFailedError",
    "ConflictError",
    "DalError",
    "IntegrityError",
    "InvalidInputError",
    "ItemTooLargeError",
    "NotFoundError",
    "PageTokenError",
    "ServiceError",
    "ThrottledError",
    "error_code",
    "service_error",
]


class DalError(Exception):
    """The base of every failure; ``code`` is set by each subclass in its class statement."""

    code: ClassVar[ResultCode] = ResultCode.DATABASE_ERROR

    def __init_subclass__(cls, code: ResultCode | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, log_fields: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        # Structured context for the failure's log line (ids and counts, never content).
        self.log_fields = dict(log_fields or {})


class InvalidInputError(DalError, code=ResultCode.VALIDATION_ERROR):
    """Caller input the store refuses before sending anything."""


class PageTokenError(InvalidInputError):
    """A page token that is malformed, forged, expired or bound to another listing."""


class ItemTooLargeError(DalError, code=ResultCode.ITEM_TOO_LARGE):
    """An item over DynamoDB's 400 KB, a CV over the inflation cap, or an engine's size refusal."""


class NotFoundError(DalError, code=ResultCode.NOT_FOUND):
    """No live version there (absent, expired, or deleted by an earlier attempt)."""


class ConflictError(DalError, code=ResultCode.CONFLICT):
    """Saves that kept colliding, an idempotency key reused for other content."""


class ConditionFailedError(ConflictError):
    """DynamoDB refused a conditional write. ``item`` is what was there, when the engine said.

    ``retried`` is true when botocore had sent the request more than once: an earlier attempt
    may have been applied and its response lost.
    """

    def __init__(self, message: str, *, item: Mapping[str, object] | None, retried: bool) -> None:
        super().__init__(message)
        self.item = item
        self.retried = retried


class IntegrityError(DalError, code=ResultCode.INTEGRITY_ERROR):
    """Stored data that cannot be trusted: undecodable, altered, or encrypted without a key."""


class ThrottledError(DalError, code=ResultCode.THROTTLED):
    """DynamoDB or KMS throttling that outlasted the client's retries."""


class ServiceError(DalError, code=ResultCode.DATABASE_ERROR):
    """DynamoDB, KMS or the network failed: a missing table, no answer, a refusal."""


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


def _retried(exc: ClientError) -> bool:
    attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    return isinstance(attempts, int) and attempts > 0


def _client_error(
    exc: ClientError, action: str, service: str, resource: str, endpoint: str
) -> DalError:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    if code == "ConditionalCheckFailedException":
        item = exc.response.get("Item")
        return ConditionFailedError(
            f"{service} refused the condition while {action} on {resource}",
            item=item if isinstance(item, Mapping) else None,
            retried=_retried(exc),
        )
    if code in THROTTLING_CODES:
        return ThrottledError(
            f"{service} throttled {action} on {resource} beyond the retry budget ({code})"
        )
    if code in ("ResourceNotFoundException", "NotFoundException"):
        return ServiceError(f"{resource} does not exist at {endpoint} ({service}: {code})")
    lowered = message.lower()
    if code == "ValidationException" and "size" in lowered and "exceed" in lowered:
        return ItemTooLargeError(f"{service} rejected {action} on {resource} for its size")
    return ServiceError(f"{service} refused {action} on {resource}: {code} {message}".rstrip())


def service_error(
    exc: ClientError | BotoCoreError,
    *,
    action: str,
    service: str,
    resource: str,
    endpoint: str,
) -> DalError:
    """The member of the tree for a botocore exception; ``resource`` names a table or a key."""
    if isinstance(exc, ClientError):
        return _client_error(exc, action, service, resource, endpoint)
    if isinstance(exc, ReadTimeoutError):
        return ServiceError(f"{service} at {endpoint} timed out while {action} on {resource}")
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError, ConnectionClosedError)):
        return ServiceError(f"could not reach {service} at {endpoint} while {action} on {resource}")
    if isinstance(exc, NoCredentialsError):
        return ServiceError(f"no AWS credentials were found for {action} on {resource}")
    return ServiceError(
        f"{action} on {resource} at {service} {endpoint} failed: {type(exc).__name__}: {exc}"
    )

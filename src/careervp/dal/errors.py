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
is called. Messages name ids, tables, keys and endpoints, never stored content, and never an
engine's own message, an ARN or an account id: those reach the failure's WARNING log record
only (``engine_message``, escaped and bounded by ``_for_log``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from careervp.dal.client import CallDeadlineError
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
    "escaped",
    "service_error",
    "without_arns",
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
    """DynamoDB refused a conditional write. ``item`` is what was there, when the engine said."""

    def __init__(self, message: str, *, item: Mapping[str, object] | None) -> None:
        super().__init__(message)
        self.item = item


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
# The caller may not do this (IAM, a key policy, a disabled key): nothing to retry.
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "KMSAccessDeniedException",
        "DisabledException",
        "KMSInvalidStateException",
    }
)
# The credentials themselves were refused: unknown, expired or signed wrongly.
CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "IncompleteSignature",
        "MissingAuthenticationTokenException",
        "InvalidClientTokenId",
    }
)
LOG_TEXT_LIMIT = 300
# An error code is an identifier; anything else an engine puts there is not repeated to a client.
_CODE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
# An ARN names the account; a sentence keeps only its resource part ("table/x", "key/...").
_ARN = re.compile(r"arn:[A-Za-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9-]*:[0-9]*:(\S+)")
# An account id is twelve digits; in an ARN, a message ("account 123456789012") or a key policy.
_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_ACCOUNT_MASK = "<account-id>"


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def escaped(text: object) -> str:
    """``text`` fit for a terminal or a log line: control characters (C0 and C1, escape and
    carriage return included), format characters (bidirectional overrides, zero-width ones),
    separators other than the space and lone surrogates written out as Python escapes, so what
    an engine or a stored CV holds can neither move the cursor nor pose as another line."""
    text = str(text)
    if text.isprintable():  # the common case: nothing to escape
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def _masked(text: str) -> str:
    """``text`` with every AWS account id (twelve digits alone, as in an ARN) replaced."""
    return _ACCOUNT_ID.sub(_ACCOUNT_MASK, text)


def _for_log(text: object, limit: int = LOG_TEXT_LIMIT) -> str:
    """``text`` fit for a log record: account ids masked (KMS and DynamoDB quote ARNs), then
    escaped, at most ``limit`` characters (an engine's message may carry anything)."""
    clean = escaped(_masked(str(text))[: limit * 2])
    return clean if len(clean) <= limit else clean[: limit - 1] + "\u2026"


def without_arns(text: str) -> str:
    """``text`` with every ARN reduced to its resource part: no account id reaches a client."""
    return _ARN.sub(lambda found: found.group(1), text)


def _public_code(code: str) -> str:
    return code if _CODE_SHAPE.fullmatch(code) else "an unnamed error"


def _client_error(
    exc: ClientError, action: str, service: str, resource: str, endpoint: str
) -> DalError:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", ""))
    # The engine's own words go to the log record only: they may quote ARNs and account ids.
    engine = {"engine_code": _for_log(code, 80), "engine_message": _for_log(message)}
    public = _public_code(code)
    if code == "ConditionalCheckFailedException":
        item = exc.response.get("Item")
        return ConditionFailedError(
            f"{service} refused the condition while {action} on {resource}",
            item=item if isinstance(item, Mapping) else None,
        )
    if code in THROTTLING_CODES:
        return ThrottledError(
            f"{service} throttled {action} on {resource} beyond the retry budget ({public})",
            log_fields=engine,
        )
    if code in ("ResourceNotFoundException", "NotFoundException"):
        return ServiceError(
            f"{resource} does not exist at {endpoint} ({service}: {public})", log_fields=engine
        )
    if code in ACCESS_DENIED_CODES:
        return ServiceError(
            f"access denied: {service} at {endpoint} refused {action} on {resource} ({public});"
            " check the IAM policy (and the key's state and policy for KMS)",
            log_fields=engine,
        )
    if code in CREDENTIAL_CODES:
        return ServiceError(
            f"access denied: {service} at {endpoint} refused the credentials while {action} on"
            f" {resource} ({public}); check the AWS credentials and the region",
            log_fields=engine,
        )
    if code.isdigit():
        # botocore names an answer without an error code by its HTTP status: an engine's own
        # failure page (moto answers 500 to a region it does not serve).
        return ServiceError(
            f"{service} at {endpoint} failed while {action} on {resource}: HTTP {code} with no"
            " error code, the engine's own failure (a local engine answers so for a region it"
            " does not serve: check the region)",
            log_fields=engine,
        )
    lowered = message.lower()
    if code == "ValidationException" and "size" in lowered and "exceed" in lowered:
        return ItemTooLargeError(f"{service} rejected {action} on {resource} for its size")
    return ServiceError(
        f"{service} at {endpoint} refused {action} on {resource} ({public})", log_fields=engine
    )


# A write sent and never answered may have been applied; the caller needs to know a repeat is
# safe rather than read the failure as "nothing happened".
_OUTCOME_UNKNOWN = (
    "; the write may have been applied (its outcome is unknown): repeating the call is safe,"
    " for a save with the same idempotency key"
)


def _botocore_error(
    exc: BotoCoreError, action: str, service: str, resource: str, endpoint: str, *, write: bool
) -> DalError:
    where = f"while {action} on {resource}"
    detail = {"engine_message": _for_log(exc)}
    unknown = _OUTCOME_UNKNOWN if write else ""
    if isinstance(exc, CallDeadlineError):
        # Raised when an attempt's read timeout left the budget no room for another attempt:
        # the attempt is what timed out, often long before the budget itself.
        return ServiceError(
            f"no answer in time: {service} at {endpoint} did not answer an attempt within its"
            f" read timeout, and the call's {exc.kwargs.get('seconds', 0):g} s budget (retries"
            f" included) left no time for another {where}{unknown}",
            log_fields=detail,
        )
    if isinstance(exc, ReadTimeoutError):
        return ServiceError(
            f"no answer in time: {service} at {endpoint} did not answer {where}{unknown}",
            log_fields=detail,
        )
    if isinstance(exc, ConnectTimeoutError):
        return ServiceError(
            f"could not connect to {service} at {endpoint}: no answer to the connection {where}",
            log_fields=detail,
        )
    if isinstance(exc, ConnectionClosedError):
        return ServiceError(
            f"{service} at {endpoint} closed the connection before answering {where}{unknown}",
            log_fields=detail,
        )
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError)):
        return ServiceError(
            f"could not connect to {service} at {endpoint} {where}", log_fields=detail
        )
    if isinstance(exc, NoCredentialsError):
        return ServiceError(f"no AWS credentials were found for {action} on {resource}")
    if isinstance(exc, NoRegionError):
        return ServiceError(
            f"no AWS region is configured for {service} {where}: set AWS_REGION or"
            " AWS_DEFAULT_REGION"
        )
    return ServiceError(
        f"{action} on {resource} failed at {service} {endpoint}: {type(exc).__name__}",
        log_fields=detail,
    )


def service_error(
    exc: ClientError | BotoCoreError,
    *,
    action: str,
    service: str,
    resource: str,
    endpoint: str,
    write: bool = False,
    unanswered: bool = False,
) -> DalError:
    """The member of the tree for a botocore exception; ``resource`` names a table or a key;
    ``write`` when the call was a write, whose fate is unknown when it went unanswered;
    ``unanswered`` when an earlier attempt of that write went out and was never answered.

    The sentence is safe to show a client: it names the service, the resource as configured
    (an ARN reduced to its resource part), the endpoint and the error's class in our words.
    The engine's own message goes to the failure's log record (``engine_message``), escaped.
    """
    resource = without_arns(resource)
    if isinstance(exc, ClientError):
        error = _client_error(exc, action, service, resource, endpoint)
    else:
        error = _botocore_error(exc, action, service, resource, endpoint, write=write)
    if unanswered and not isinstance(error, ConditionFailedError):
        # An earlier attempt of this write went unanswered: the database was not reached again
        # within the budget, and the write may have been applied.
        message = str(error)
        if _OUTCOME_UNKNOWN not in message:
            return ServiceError(message + _OUTCOME_UNKNOWN, log_fields=error.log_fields)
    return error

"""The outcome of every DAL call: ``Ok[T]`` or ``Err``, never an exception.

``Result[T]`` is the union ``Ok[T] | Err``. Both carry ``success``, ``data``, ``error`` and
``code``; ``success`` is a literal, so ``if result.success:`` narrows ``result.data`` to ``T``
under ``mypy --strict`` without a cast.

=================== ==============================================================
code                raised by
=================== ==============================================================
SUCCESS             every successful call
NOT_FOUND           get / delete of a version that is absent or expired
VALIDATION_ERROR    a malformed id, timestamp, limit, number, model or page token
CONFLICT            a save whose timestamp kept colliding after bounded retries, or an
                    idempotency key reused for different content
ITEM_TOO_LARGE      an item over 400 KB, or a CV over the read-side inflation cap
INTEGRITY_ERROR     a stored item that fails decoding, its checksum or its decryption
THROTTLED           throttling (DynamoDB or KMS) that outlasted the client's retries
DATABASE_ERROR      a missing table, a refused connection, a timeout, any other service
                    fault (DynamoDB or KMS); never an exception of the store's own
INTERNAL_ERROR      a defect in careervp-dal itself (logged with its traceback); the test
                    suite drives every method with hostile input to keep it unreachable
=================== ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, Literal, TypeVar, Union

__all__ = ["Err", "Ok", "Result", "ResultCode"]

T = TypeVar("T")
# Ok is read-only, so an Ok of a subtype is an Ok of its base (a read's StoredTailoredCV is a
# TailoredCVData wherever a host asks for one).
T_co = TypeVar("T_co", covariant=True)


class ResultCode(str, Enum):
    SUCCESS = "SUCCESS"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    CONFLICT = "CONFLICT"
    ITEM_TOO_LARGE = "ITEM_TOO_LARGE"
    INTEGRITY_ERROR = "INTEGRITY_ERROR"
    THROTTLED = "THROTTLED"
    DATABASE_ERROR = "DATABASE_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"


@dataclass(frozen=True, slots=True)
class Ok(Generic[T_co]):
    data: T_co
    success: Literal[True] = True
    error: None = None
    code: Literal[ResultCode.SUCCESS] = ResultCode.SUCCESS


@dataclass(frozen=True, slots=True)
class Err:
    error: str
    code: ResultCode
    success: Literal[False] = False
    data: None = None

    def __post_init__(self) -> None:
        if self.code is ResultCode.SUCCESS:
            raise ValueError("an Err cannot carry ResultCode.SUCCESS")


Result = Union[Ok[T], Err]  # noqa: UP007 - a runtime alias must stay subscriptable on 3.10

"""What a plan asks of the outside world: one DynamoDB call, or a pause, at a time.

A plan is a generator: it yields a ``Call`` and receives its response (or has the call's
``DalError`` thrown into it at the ``yield``), and returns its result. Plans never touch a
client, so the same plan runs under the blocking sender of ``careervp.dal.sender`` or, one day,
an async one, and unit tests can drive it with canned responses.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    # The output types are named in the string type arguments of the Call subclasses below.
    from mypy_boto3_dynamodb.type_defs import (  # noqa: F401
        BatchGetItemInputTypeDef,
        BatchGetItemOutputTypeDef,
        BatchWriteItemInputTypeDef,
        BatchWriteItemOutputTypeDef,
        DeleteItemInputTypeDef,
        DeleteItemOutputTypeDef,
        GetItemInputTypeDef,
        GetItemOutputTypeDef,
        PutItemInputTypeDef,
        PutItemOutputTypeDef,
        QueryInputTypeDef,
        QueryOutputTypeDef,
        ScanInputTypeDef,
        ScanOutputTypeDef,
        UpdateItemInputTypeDef,
        UpdateItemOutputTypeDef,
    )

__all__ = [
    "BatchGet",
    "BatchWrite",
    "Call",
    "Delete",
    "Get",
    "Plan",
    "Put",
    "Query",
    "Scan",
    "Sleep",
    "Update",
    "send",
]

R = TypeVar("R")
T = TypeVar("T")


class Call(Generic[R]):
    """A request whose response has type ``R``."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Put(Call["PutItemOutputTypeDef"]):
    request: PutItemInputTypeDef


@dataclass(frozen=True, slots=True)
class Get(Call["GetItemOutputTypeDef"]):
    request: GetItemInputTypeDef


@dataclass(frozen=True, slots=True)
class Update(Call["UpdateItemOutputTypeDef"]):
    request: UpdateItemInputTypeDef


@dataclass(frozen=True, slots=True)
class Delete(Call["DeleteItemOutputTypeDef"]):
    request: DeleteItemInputTypeDef


@dataclass(frozen=True, slots=True)
class Query(Call["QueryOutputTypeDef"]):
    request: QueryInputTypeDef


@dataclass(frozen=True, slots=True)
class Scan(Call["ScanOutputTypeDef"]):
    request: ScanInputTypeDef


@dataclass(frozen=True, slots=True)
class BatchGet(Call["BatchGetItemOutputTypeDef"]):
    request: BatchGetItemInputTypeDef


@dataclass(frozen=True, slots=True)
class BatchWrite(Call["BatchWriteItemOutputTypeDef"]):
    request: BatchWriteItemInputTypeDef


@dataclass(frozen=True, slots=True)
class Sleep(Call[None]):
    """Back off before retrying what DynamoDB left unprocessed."""

    seconds: float


Plan = Generator[Call[Any], Any, T]


def send(call: Call[R]) -> Generator[Call[Any], Any, R]:
    """``response = yield from send(call)``: the typed way for a plan to make one call."""
    response: R = yield call
    return response

"""What a plan asks of the outside world: one DynamoDB call, or a pause, at a time.

A plan is a generator: it yields a ``Call`` and receives its response (or has the call's
``DalError`` thrown into it at the ``yield``), and returns its result. Plans never touch a
client, so the same plan runs under the blocking sender of ``careervp.dal.sender`` or, one day,
an async one, and unit tests can drive it with canned responses.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    # Named in the string type arguments of the request classes below.
    from mypy_boto3_dynamodb.type_defs import (  # noqa: F401
        BatchGetItemInputTypeDef,
        BatchGetItemOutputTypeDef,
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
    "Call",
    "Delete",
    "Get",
    "Note",
    "Plan",
    "Put",
    "Query",
    "Scan",
    "Sleep",
    "Update",
    "send",
]

R = TypeVar("R")
Q = TypeVar("Q")
T = TypeVar("T")


class Call(Generic[R]):
    """A request whose response has type ``R``."""

    __slots__ = ()


class _Request(Call[R], Generic[Q, R]):
    """A DynamoDB request ``Q`` answered by ``R``. A plain slotted class, not a dataclass: a
    dataclass costs about a millisecond of import time each, and import time is cold start."""

    __slots__ = ("request",)

    def __init__(self, request: Q) -> None:
        self.request = request


class Put(_Request["PutItemInputTypeDef", "PutItemOutputTypeDef"]):
    """A conditional write: a version, an idempotency claim, an upgraded version."""


class Get(_Request["GetItemInputTypeDef", "GetItemOutputTypeDef"]):
    """One item by key, strongly consistent where the plan needs it."""


class Update(_Request["UpdateItemInputTypeDef", "UpdateItemOutputTypeDef"]):
    """A compare-and-set on an idempotency record."""


class Delete(_Request["DeleteItemInputTypeDef", "DeleteItemOutputTypeDef"]):
    """A version, on condition it is live or unreadable."""


class Query(_Request["QueryInputTypeDef", "QueryOutputTypeDef"]):
    """A page of the table or of the user index."""


class Scan(_Request["ScanInputTypeDef", "ScanOutputTypeDef"]):
    """A page of the whole table, for an operator's upgrade."""


class BatchGet(_Request["BatchGetItemInputTypeDef", "BatchGetItemOutputTypeDef"]):
    """Up to 100 items by key: a page's items behind a narrow index."""


class Note(Call[None]):
    """Facts for the call's log line (sizes, attempts); no I/O, the runner keeps them."""

    __slots__ = ("fields",)

    def __init__(self, **fields: object) -> None:
        self.fields = fields


class Sleep(Call[None]):
    """Back off before retrying what DynamoDB left unprocessed."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Plan = Generator[Call[Any], Any, T]


def send(call: Call[R]) -> Generator[Call[Any], Any, R]:
    """``response = yield from send(call)``: the typed way for a plan to make one call."""
    response: R = yield call
    return response

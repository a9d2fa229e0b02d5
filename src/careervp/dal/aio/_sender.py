"""The async side of the plans: each ``Call`` awaited on an aiobotocore client, faults mapped
as the blocking sender maps them, and the same generators driven with ``await``.

A plan's steps (the code between two of its calls: validating, encoding, decoding, checking)
run on the event loop. With a cipher, a step that may call KMS runs in a worker thread
instead: the cipher's KMS client is the blocking one, and a step calls it only when its data
key cache misses (``KmsCipher.seals_without_kms`` and ``opens_without_kms`` tell, from the
response the step is about to read). A cipher without those two methods may block at any
step: every step then runs in a thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import aiohttp
from botocore.exceptions import EndpointConnectionError

from careervp.dal.errors import ConditionFailedError, DalError
from careervp.dal.plans._calls import (
    BatchGet,
    Call,
    Delete,
    Get,
    Note,
    Put,
    Query,
    Scan,
    Sleep,
    Update,
)
from careervp.dal.sender import (
    CallFaults,
    Ran,
    add_note,
    consumed,
    noting_unanswered,
    sent_unanswered,
    watch_unanswered,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from types_aiobotocore_dynamodb import DynamoDBClient

    from careervp.dal.codec import Cipher
    from careervp.dal.plans import Plan

__all__ = ["AsyncSender", "run"]

T = TypeVar("T")


def _sent_unanswered(exc: Exception) -> bool:
    """botocore's cases, and a connection reset after the request went out: aiohttp reports
    it as an OS error, which aiobotocore raises as a failure to connect (a connection that was
    never made is a ``ClientConnectorError``: nothing was sent)."""
    if sent_unanswered(exc):
        return True
    cause = exc.kwargs.get("error") if isinstance(exc, EndpointConnectionError) else None
    return isinstance(cause, aiohttp.ClientOSError) and not isinstance(
        cause, aiohttp.ClientConnectorError
    )


class _CacheAware(Protocol):
    """A cipher that can say, from its cache alone, whether a step would call its key service."""

    def seals_without_kms(self) -> bool: ...

    def opens_without_kms(self, blob: bytes) -> bool: ...


class AsyncSender:
    """Awaits calls on one aiobotocore client for one table."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self.endpoint = str(client.meta.endpoint_url)
        watch_unanswered(client, _sent_unanswered)
        self._faults = CallFaults(table, self.endpoint)

    async def __call__(self, call: Call[Any], action: str) -> Any:
        with noting_unanswered() as unanswered:
            try:
                return await self._dispatch(call)
            except Exception as exc:
                raise self._faults.of(exc, call, action, unanswered) from exc

    async def _dispatch(self, call: Call[Any]) -> Any:
        client = self._client
        if isinstance(call, Get):
            return await client.get_item(**call.request)
        if isinstance(call, Query):
            return await client.query(**call.request)
        if isinstance(call, Put):
            return await client.put_item(**call.request)
        if isinstance(call, Delete):
            return await client.delete_item(**call.request)
        if isinstance(call, Update):
            return await client.update_item(**call.request)
        if isinstance(call, Scan):
            return await client.scan(**call.request)
        if isinstance(call, BatchGet):
            return await client.batch_get_item(**call.request)
        if isinstance(call, Sleep):
            await self._sleep(call.seconds)
            return None
        raise TypeError(f"not a call the sender knows: {type(call).__name__}")


class _Done:
    """A plan's return value, carried out of a worker thread (a future cannot hold a
    ``StopIteration``)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _items(source: object) -> Iterator[dict[str, Any]]:
    """The items a response (or a refused condition) hands a plan: where ciphertext can be."""
    if isinstance(source, ConditionFailedError):
        if isinstance(source.item, dict):
            yield source.item
        return
    if not isinstance(source, dict):
        return
    for name in ("Item", "Attributes"):
        item = source.get(name)
        if isinstance(item, dict):
            yield item
    items = source.get("Items")
    if isinstance(items, list):
        yield from items
    responses = source.get("Responses")
    if isinstance(responses, dict):
        for table_items in responses.values():
            yield from table_items


def _blobs(source: object) -> Iterator[bytes]:
    for item in _items(source):
        for value in item.values():
            blob = value.get("B") if isinstance(value, dict) else None
            if isinstance(blob, bytes):
                yield blob


def _may_call_kms(cipher: Cipher | None, *, seals: bool, source: object) -> bool:
    """Whether the next step may call the cipher's key service (and so must leave the loop)."""
    if cipher is None:
        return False
    if not (hasattr(cipher, "seals_without_kms") and hasattr(cipher, "opens_without_kms")):
        return True
    aware: _CacheAware = cipher  # type: ignore[assignment]
    if seals and not aware.seals_without_kms():
        return True
    return not all(aware.opens_without_kms(blob) for blob in _blobs(source))


def _step(plan: Plan[Any], response: object, error: DalError | None, *, first: bool) -> object:
    try:
        if first:
            return next(plan)
        if error is not None:
            return plan.throw(error)
        return plan.send(response)
    except StopIteration as done:
        return _Done(done.value)


async def run(
    plan: Plan[T], sender: AsyncSender, action: str, *, cipher: Cipher | None, seals: bool
) -> Ran[T]:
    """Drive ``plan`` to its result, as ``careervp.dal.sender.run`` does, awaiting each call.

    ``seals``: whether the plan encrypts (a save, an upgrade), so a step may need a fresh data
    key even when the response it reads holds no ciphertext.
    """
    units = 0.0
    facts: dict[str, object] = {}
    response: object = None
    error: DalError | None = None
    first = True
    while True:
        source = error if error is not None else response
        if _may_call_kms(cipher, seals=seals, source=source):
            call = await asyncio.to_thread(_step, plan, response, error, first=first)
        else:
            call = _step(plan, response, error, first=first)
        first, response, error = False, None, None
        if isinstance(call, _Done):
            return Ran(call.value, units, facts)  # type: ignore[arg-type]
        if isinstance(call, Note):
            add_note(facts, call)
            continue
        try:
            response = await sender(call, action)  # type: ignore[arg-type]
        except DalError as exc:
            error = exc
        else:
            units += consumed(response)

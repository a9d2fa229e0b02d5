"""The blocking side of the plans: each ``Call`` made on a boto3 client, faults mapped once.

``careervp.dal.aio._sender`` is the async side of the same plans; it shares ``Ran``,
``consumed`` and ``add_note`` with this module.

The wire path (on unless ``wire=False`` or ``TAILORED_CV_WIRE=0``): botocore keeps endpoints,
signing, retries, error parsing and checksums, but does not serialize or parse what the codec
already knows. Three botocore events carry it (``docs/architecture.md``):

* ``before-parameter-build`` (PutItem): msgspec writes the request body from the parameters,
  and the item botocore would walk becomes an empty map;
* ``before-call`` (PutItem): the request's body becomes msgspec's, before it is signed;
* ``before-parse`` (GetItem, Query, BatchGetItem; botocore 1.35.16 and later): a successful
  response is decoded by msgspec and botocore's parser is handed an empty document.

The path is on by default only on a client the store built itself: on a client the host passes
in, a handler the host registered on ``before-parameter-build`` would see the placeholder item
and a host's ``Stubber`` its own expectations broken, so there it is off unless the host asks
for it (``wire=True``). The hooks act only inside the sender's own calls (a context variable
says so). Each fails safe: ``codec._wire`` answers ``None`` for anything unusual and botocore
does the work; without ``before-parse`` botocore parses as always; a response whose decoded
members botocore did not merge is completed from what msgspec read (and the read side switched
off); and a put whose body was not replaced (a botocore without ``before-call`` as it is today)
is refused by DynamoDB for its empty item, stores nothing, and is sent again without the wire
path, which stays off for the process (one WARNING says so). An error botocore raises before
anything was sent (a table name it refuses) is only that call's error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
)

from careervp.dal.codec._wire import DECODED_OPERATIONS, decode_response, encode_request
from careervp.dal.errors import DalError, ServiceError, service_error
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
from careervp.dal.settings import WIRE_ENV

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.dal.plans import Plan

__all__ = [
    "WIRE_ENV",
    "CallFaults",
    "Ran",
    "Sender",
    "add_note",
    "consumed",
    "install_wire",
    "noting_unanswered",
    "run",
    "sent_unanswered",
    "watch_unanswered",
    "wire_from_environment",
]

T = TypeVar("T")

logger = logging.getLogger("careervp.dal")


def wire_from_environment() -> bool:
    """Whether the wire path is on by the environment: anything but ``0``/``false``/``off``."""
    return os.environ.get(WIRE_ENV, "1").strip().lower() not in ("0", "false", "off", "no")


class _WireCall:
    """One call made on the wire path: the body msgspec wrote, whether botocore sent it, and
    what msgspec decoded of the response."""

    __slots__ = ("body", "decoded", "swapped")

    def __init__(self) -> None:
        self.body: bytes | None = None
        self.swapped = False
        self.decoded: dict[str, Any] | None = None


_CURRENT: ContextVar[_WireCall | None] = ContextVar("careervp_dal_wire", default=None)
# Set when a put went out without its body replaced: the events no longer work as they did.
_broken = False
# Set when botocore returned a response without the members msgspec decoded for it.
_read_broken = False


def _write_body(params: dict[str, Any], **_: object) -> None:
    """before-parameter-build.dynamodb.PutItem: the body, written once by msgspec."""
    call = _CURRENT.get()
    if call is None or _broken:
        return
    body = encode_request(params)
    if body is None:
        return
    call.body = body
    # What botocore serializes now is thrown away in before-call: an empty map costs nothing.
    params["Item"] = {}


def _replace_body(params: dict[str, Any], **_: object) -> None:
    """before-call.dynamodb.PutItem: msgspec's body replaces botocore's, before signing."""
    call = _CURRENT.get()
    if call is None or call.body is None:
        return
    params["body"] = call.body
    call.swapped = True


def _read_body(
    operation_model: Any,
    response_dict: dict[str, Any],
    customized_response_dict: dict[str, Any],
    **_: object,
) -> None:
    """before-parse: a successful response decoded by msgspec; botocore parses what is left.

    botocore merges ``customized_response_dict`` into what its parser returns, so the parser
    is handed an empty document and adds only the response metadata.
    """
    call = _CURRENT.get()
    if call is None or _read_broken or response_dict.get("status_code") != 200:
        return
    body = response_dict.get("body")
    if type(body) is not bytes:
        return
    parsed = decode_response(operation_model.name, body)
    if parsed is None:
        return
    customized_response_dict.update(parsed)
    call.decoded = parsed
    response_dict["body"] = b"{}"


# Per store call: whether an attempt went out and was never answered (it may have applied).
_UNANSWERED: ContextVar[list[bool] | None] = ContextVar("careervp_dal_unanswered", default=None)


def sent_unanswered(exc: Exception) -> bool:
    """Whether botocore raised ``exc`` for an attempt it sent and never saw answered."""
    return isinstance(exc, (ReadTimeoutError, ConnectionClosedError))


def watch_unanswered(
    client: Any, unanswered: Callable[[Exception], bool] = sent_unanswered
) -> None:
    """Note, per store call, each attempt of ``client`` that went out and was never answered
    (``unanswered`` tells it by the attempt's exception, which needs-retry carries: botocore's
    and aiobotocore's alike), remembered whatever later attempts meet."""

    def note(caught_exception: Exception | None = None, **_: object) -> None:
        noted = _UNANSWERED.get()
        if noted is not None and caught_exception is not None and unanswered(caught_exception):
            noted.append(True)

    client.meta.events.register("needs-retry.dynamodb", note, unique_id="careervp-dal-unanswered")


@contextlib.contextmanager
def noting_unanswered() -> Iterator[list[bool]]:
    """For one store call (a thread's, or an asyncio task's: the context is theirs): a list
    that holds an entry once an attempt went unanswered."""
    unanswered: list[bool] = []
    token = _UNANSWERED.set(unanswered)
    try:
        yield unanswered
    finally:
        _UNANSWERED.reset(token)


class CallFaults:
    """What both senders make of an exception a call raised: the store's error for it."""

    def __init__(self, table: str, endpoint: str) -> None:
        self._table = table
        self._endpoint = endpoint

    def of(self, exc: Exception, call: Call[Any], action: str, unanswered: list[bool]) -> DalError:
        if isinstance(exc, (ClientError, BotoCoreError)):
            # A write whose earlier attempt went unanswered may have been applied, whatever
            # the last attempt met (a refused connection, throttling).
            write = isinstance(call, (Put, Update, Delete))
            return service_error(
                exc,
                action=action,
                service="DynamoDB",
                resource=f"table {self._table}",
                endpoint=self._endpoint,
                write=write,
                unanswered=write and bool(unanswered),
            )
        # Only botocore (or aiobotocore and aiohttp) and the engine run in there; moto's
        # in-process mock raises its own exceptions for data it cannot handle: a fault of the
        # database side, not ours. (Cancellation is no Exception: it reaches the host.)
        return ServiceError(
            f"the DynamoDB client failed while {action} at {self._endpoint}: {type(exc).__name__}"
        )


def install_wire(client: Any) -> None:
    """Register the wire path's handlers on ``client`` (once, however often it is called)."""
    events = client.meta.events
    # Last among PutItem's own handlers, so the body holds what they made of the parameters.
    # botocore runs handlers of broader names (before-parameter-build.dynamodb) after it: what
    # those change no longer reaches the body, and they see the placeholder. The store's own
    # clients have none; on a client the host passes in the path is off unless asked for.
    events.register_last(
        "before-parameter-build.dynamodb.PutItem", _write_body, unique_id="careervp-dal-wire-put"
    )
    # First: a handler answering before-call itself ends the event, and the body must be ours
    # before anyone looks at it.
    events.register_first(
        "before-call.dynamodb.PutItem", _replace_body, unique_id="careervp-dal-wire-body"
    )
    for operation in sorted(DECODED_OPERATIONS):
        events.register(
            f"before-parse.dynamodb.{operation}",
            _read_body,
            unique_id=f"careervp-dal-wire-{operation}",
        )


class Sender:
    """Makes calls on one client for one table; counts the capacity they consumed."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        wire: bool = False,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self.wire = wire
        if wire:
            install_wire(client)
        watch_unanswered(client)
        self.endpoint = str(client.meta.endpoint_url)
        self._faults = CallFaults(table, self.endpoint)

    def __call__(self, call: Call[Any], action: str) -> Any:
        with noting_unanswered() as unanswered:
            try:
                return self._dispatch(call)
            except Exception as exc:
                raise self._faults.of(exc, call, action, unanswered) from exc

    def _wired(self, method: Callable[..., Any], request: Any) -> Any:
        """``method(**request)`` with the wire path's hooks acting on it."""
        global _read_broken  # noqa: PLW0603 - one switch for the process, flipped at most once
        call = _WireCall()
        token = _CURRENT.set(call)
        try:
            response = method(**request)
        finally:
            _CURRENT.reset(token)
        decoded = call.decoded
        if decoded is None or all(name in response for name in decoded):
            return response
        # botocore no longer merges what before-parse handed it: the members msgspec read are
        # put back, and botocore parses every response from now on.
        _read_broken = True
        logger.warning(
            "botocore did not merge the response the wire path decoded (its before-parse event"
            " no longer works as it did); responses are parsed by botocore for this process",
            extra={"action": "wire"},
        )
        return {**response, **decoded}

    def _wired_put(self, request: Any) -> Any:
        global _broken  # noqa: PLW0603 - one switch for the process, flipped at most once
        call = _WireCall()
        token = _CURRENT.set(call)
        try:
            response = self._client.put_item(**request)
        except ClientError:
            if call.body is None or call.swapped:
                raise
            response = None  # the engine refused the placeholder that went out
        except BotoCoreError:
            # Raised by botocore itself (a table name it refuses, before before-call), or on
            # the network: nothing says the events misbehaved.
            raise
        finally:
            _CURRENT.reset(token)
        if call.body is None or call.swapped:
            return response
        # The empty placeholder item went out: DynamoDB refuses an item without its key, so
        # nothing was stored, and the put goes again the ordinary way.
        _broken = True
        logger.warning(
            "botocore did not send the body of the wire path (its before-call event no longer"
            " works as it did); the wire path is off for this process",
            extra={"action": "wire"},
        )
        return self._client.put_item(**request)

    def _send(self, method: Callable[..., Any], request: Any, *, decoded: bool) -> Any:
        if decoded and self.wire and not _broken:
            return self._wired(method, request)
        return method(**request)

    def _dispatch(self, call: Call[Any]) -> Any:
        client = self._client
        if isinstance(call, Get):
            return self._send(client.get_item, call.request, decoded=True)
        if isinstance(call, Query):
            return self._send(client.query, call.request, decoded=True)
        if isinstance(call, Put):
            if self.wire and not _broken:
                return self._wired_put(call.request)
            return client.put_item(**call.request)
        if isinstance(call, Delete):
            return client.delete_item(**call.request)
        if isinstance(call, Update):
            return client.update_item(**call.request)
        if isinstance(call, Scan):
            return client.scan(**call.request)
        if isinstance(call, BatchGet):
            return self._send(client.batch_get_item, call.request, decoded=True)
        if isinstance(call, Sleep):
            self._sleep(call.seconds)
            return None
        raise TypeError(f"not a call the sender knows: {type(call).__name__}")


def consumed(response: object) -> float:
    """Capacity units a response reports (one table, or a list for batch calls)."""
    if not isinstance(response, dict):
        return 0.0
    reported = response.get("ConsumedCapacity")
    parts = reported if isinstance(reported, list) else [reported]
    return sum(float(p.get("CapacityUnits", 0.0)) for p in parts if isinstance(p, dict))


class Ran(Generic[T]):
    """A plan's result, the capacity units its calls consumed and the facts it noted."""

    __slots__ = ("facts", "units", "value")

    def __init__(self, value: T, units: float, facts: dict[str, object]) -> None:
        self.value = value
        self.units = units
        self.facts = facts


def add_note(facts: dict[str, object], note: Note) -> None:
    """Keep a plan's ``Note`` in the facts of its run."""
    for name, value in note.fields.items():
        known = facts.get(name)
        # Notes of a kind add up (unreadable versions met batch after batch).
        facts[name] = (
            {**known, **value} if isinstance(known, dict) and isinstance(value, dict) else value
        )


def run(plan: Plan[T], sender: Sender, action: str) -> Ran[T]:
    """Drive ``plan`` to its result.

    A call's ``DalError`` is thrown into the plan where it yielded the call, so a plan can
    catch what it expects (a refused condition) and let everything else end the run.
    """
    units = 0.0
    facts: dict[str, object] = {}
    try:
        call = next(plan)
        while True:
            if isinstance(call, Note):
                add_note(facts, call)
                call = plan.send(None)
                continue
            try:
                response = sender(call, action)
            except DalError as exc:
                call = plan.throw(exc)
            else:
                units += consumed(response)
                call = plan.send(response)
    except StopIteration as done:
        return Ran(done.value, units, facts)

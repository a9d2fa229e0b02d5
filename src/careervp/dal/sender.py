"""The blocking side of the plans: each ``Call`` made on a boto3 client, faults mapped once.

An async variant of the store would replace this module only: the plans, the codec and the
requests stay as they are.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

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

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.dal.plans import Plan

__all__ = ["Ran", "Sender", "consumed", "run"]

T = TypeVar("T")


class Sender:
    """Makes calls on one client for one table; counts the capacity they consumed."""

    def __init__(
        self, client: DynamoDBClient, table: str, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._sleep = sleep
        self.endpoint = str(client.meta.endpoint_url)
        self._fault = partial(
            service_error, service="DynamoDB", resource=f"table {table}", endpoint=self.endpoint
        )

    def __call__(self, call: Call[Any], action: str) -> Any:
        try:
            return self._dispatch(call)
        except (ClientError, BotoCoreError) as exc:
            raise self._fault(exc, action=action) from exc
        except Exception as exc:
            # Only botocore and the engine run in there (moto's in-process mock raises its own
            # exceptions for data it cannot handle): a fault of the database side, not ours.
            raise ServiceError(
                f"the DynamoDB client failed while {action} at {self.endpoint}:"
                f" {type(exc).__name__}"
            ) from exc

    def _dispatch(self, call: Call[Any]) -> Any:
        client = self._client
        if isinstance(call, Get):
            return client.get_item(**call.request)
        if isinstance(call, Query):
            return client.query(**call.request)
        if isinstance(call, Put):
            return client.put_item(**call.request)
        if isinstance(call, Delete):
            return client.delete_item(**call.request)
        if isinstance(call, Update):
            return client.update_item(**call.request)
        if isinstance(call, Scan):
            return client.scan(**call.request)
        if isinstance(call, BatchGet):
            return client.batch_get_item(**call.request)
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
                for name, value in call.fields.items():
                    known = facts.get(name)
                    # Notes of a kind add up (unreadable versions met batch after batch).
                    facts[name] = (
                        {**known, **value}
                        if isinstance(known, dict) and isinstance(value, dict)
                        else value
                    )
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

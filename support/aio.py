"""The async handler behind a blocking face, so one behaviour suite runs on both handlers.

``AsyncSide`` runs an event loop in a thread of its own and owns the aiobotocore clients
entered on it; ``Blocking`` wraps an ``AsyncDynamoDalHandler`` so each method call runs its
coroutine on that loop and waits for its Result. Calls from several threads at once run
concurrently on the one loop. Nothing is re-implemented: every call is the async handler's.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from typing import TYPE_CHECKING, Any

from careervp.dal.aio import AsyncDynamoDalHandler, build_async_client
from careervp.dal.client import DEFAULT_CALL_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from mypy_boto3_dynamodb import DynamoDBClient
    from types_aiobotocore_dynamodb import DynamoDBClient as AsyncDynamoDBClient

__all__ = ["AsyncSide", "Blocking"]


class Blocking:
    """An ``AsyncDynamoDalHandler`` that looks like a ``DynamoDalHandler``."""

    def __init__(self, handler: AsyncDynamoDalHandler, side: AsyncSide) -> None:
        self.handler = handler
        self._side = side

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.handler, name)
        if not inspect.iscoroutinefunction(value):
            return value

        def call(*args: object, **kwargs: object) -> object:
            return self._side.wait(value(*args, **kwargs))

        return call


class AsyncSide:
    """An event loop on its own thread and the async clients opened on it, closed together."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._stack = contextlib.AsyncExitStack()

    def wait(self, work: Coroutine[Any, Any, Any]) -> Any:
        """Run ``work`` on the loop; its result, once done."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def client_like(
        self, blocking: DynamoDBClient, *, call_timeout: float = DEFAULT_CALL_TIMEOUT
    ) -> AsyncDynamoDBClient:
        """An aiobotocore client to the same endpoint, with the same number of attempts, and
        ``call_timeout`` (the blocking client's budget is not readable back from it)."""
        retries: dict[str, Any] = getattr(blocking.meta.config, "retries", None) or {}
        opened = build_async_client(
            endpoint_url=blocking.meta.endpoint_url,
            region_name=blocking.meta.region_name,
            max_attempts=int(retries.get("total_max_attempts", 5)),
            call_timeout=call_timeout,
        )
        client: AsyncDynamoDBClient = self.wait(self._stack.enter_async_context(opened))
        return client

    def handler(self, client: AsyncDynamoDBClient, table_name: str, **options: Any) -> Blocking:
        return Blocking(AsyncDynamoDalHandler(client, table_name, **options), self)

    def close(self) -> None:
        self.wait(self._stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()

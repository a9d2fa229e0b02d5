"""The boto3 DynamoDB client the handler builds when none is injected.

Three settings matter in a Lambda:

* retries in botocore's ``standard`` mode (its default has changed between releases): throttling,
  5xx and connection errors are retried with jittered exponential backoff;
* a deadline for each call, retries included (``call_timeout``, 10 s by default): an endpoint
  that accepts connections and never answers must not hold a request for most of API Gateway's
  29 seconds. A retry that could not finish within it is not started;
* attempt timeouts sized so the budget always holds one retry after a read timeout
  (``attempt_timeouts``): a write DynamoDB applied but answered late is sent again, fails its
  condition, and the store recognises its own write, instead of the budget reporting a failure
  of a write that happened;
* ``parameter_validation=False``: the store builds every request from typed, checked values,
  so botocore's second check of each request only costs CPU (about 200 µs per put). Injected
  clients should be built the same way, or with ``build_client`` itself.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Literal, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "CallDeadlineError",
    "attempt_timeouts",
    "build_client",
    "client_config",
    "install_deadline",
    "region_from_environment",
]

DEFAULT_CALL_TIMEOUT = 10.0
_CONTEXT_KEY = "careervp_dal_deadline"
# The longest botocore's standard and adaptive modes wait before the first retry.
_FIRST_BACKOFF = 1.0
# Below this a budget cannot hold two attempts and a backoff of useful length.
_RETRY_FLOOR = 3.0


def attempt_timeouts(call_timeout: float) -> tuple[float, float]:
    """Connect and read timeouts of one attempt within a ``call_timeout`` budget.

    From 3 s up they leave room for a second attempt after the first one's read timeout
    (connect + read, the backoff, connect + read, with a twentieth to spare), so a write whose
    answer came late is retried, never reported as failed while it was applied. Under 3 s a
    retry cannot fit and the attempt gets two fifths of the budget, as before.
    """
    if call_timeout < _RETRY_FLOOR:
        return min(2.0, call_timeout / 5), call_timeout * 2 / 5
    connect = min(1.0, call_timeout / 10)
    read = (call_timeout - _FIRST_BACKOFF - 2 * connect) * 0.48
    return connect, read


class CallDeadlineError(BotoCoreError):
    fmt = "no answer within the call's {seconds:g} s budget, retries included"


class _Deadline:
    """botocore event handlers that stop retrying a call before it would overrun its budget."""

    def __init__(self, seconds: float, attempt_seconds: float) -> None:
        self.seconds = seconds
        self._attempt = attempt_seconds  # connect + read timeout: the longest one attempt takes

    def start(self, context: dict[str, Any], **_: object) -> None:
        context.setdefault(_CONTEXT_KEY, time.monotonic() + self.seconds)

    def check(
        self,
        request_dict: dict[str, Any],
        attempts: int,
        response: tuple[Any, dict[str, Any]] | None,
        caught_exception: Exception | None,
        operation: Any,
        **_: object,
    ) -> None:
        deadline = request_dict.get("context", {}).get(_CONTEXT_KEY)
        if deadline is None:
            return
        # The longest botocore's standard backoff waits before the next attempt.
        backoff = min(_FIRST_BACKOFF * 2.0 ** (attempts - 1), 20.0)
        if time.monotonic() + backoff + self._attempt <= deadline:
            return  # botocore's own handler decides whether to retry
        if isinstance(caught_exception, ReadTimeoutError):
            # Slow answers used the budget up: that, and only that, is "no answer in time".
            raise CallDeadlineError(seconds=self.seconds) from caught_exception
        if caught_exception is not None:
            # Anything else (a refused connection, a reset) is the real cause: reported as it is,
            # never hidden behind the deadline that merely stopped the retries.
            raise caught_exception
        if response is not None and response[0].status_code >= 300:
            # The last answer stands as the call's error, exactly as botocore would raise it,
            # with the attempts counted as botocore counts them once its loop ends.
            parsed = cast("Any", response[1])
            parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = attempts - 1
            raise ClientError(parsed, operation.name)


def install_deadline(
    client: BaseClient, seconds: float, *, attempt_seconds: float, service: str = "dynamodb"
) -> None:
    """Bound every call of ``client`` (a ``service`` client) to ``seconds``, retries included."""
    deadline = _Deadline(seconds, attempt_seconds)
    events = client.meta.events
    events.register(f"before-call.{service}", deadline.start)
    # First, so it runs before botocore's retry handler decides to sleep and try again.
    events.register_first(f"needs-retry.{service}", deadline.check)


def region_from_environment(region_name: str | None) -> str | None:
    """``region_name``, else ``AWS_REGION`` where ``AWS_DEFAULT_REGION`` is unset: botocore reads
    only the latter, and ``AWS_REGION`` alone (what many shells and the docs of other SDKs set)
    would otherwise fail with "no region"."""
    if region_name is not None or os.environ.get("AWS_DEFAULT_REGION"):
        return region_name
    return os.environ.get("AWS_REGION") or None


def client_config(
    *,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,  # in all, the first try included
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
) -> tuple[Config, float]:
    """The botocore ``Config`` of the store's clients, blocking (``build_client``) and async
    (``careervp.dal.aio.build_async_client``): retry mode, attempts and each attempt's
    timeouts as fractions of the call's budget; and the longest one attempt takes (connect and
    read timeouts), for ``install_deadline``."""
    if not call_timeout > 0:
        raise ValueError("call_timeout must be a positive number of seconds")
    connect_timeout, read_timeout = attempt_timeouts(call_timeout)
    config = Config(
        retries={"mode": retry_mode, "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        tcp_keepalive=True,
        parameter_validation=False,
    )
    return config, connect_timeout + read_timeout


def build_client(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,  # in all, the first try included
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
    local_credentials: bool = False,
) -> DynamoDBClient:
    """A client configured from the environment as boto3 reads it.

    ``AWS_ENDPOINT_URL_DYNAMODB`` is honoured by boto3 itself when ``endpoint_url`` is unset.
    ``local_credentials`` signs with placeholder keys, for embedded engines that accept any.
    """
    config, attempt_seconds = client_config(
        retry_mode=retry_mode, max_attempts=max_attempts, call_timeout=call_timeout
    )
    placeholder = "local" if local_credentials else None
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region_from_environment(region_name),
        config=config,
        aws_access_key_id=placeholder,
        aws_secret_access_key=placeholder,
    )
    install_deadline(client, call_timeout, attempt_seconds=attempt_seconds)
    return client

"""The boto3 DynamoDB client the handler builds when none is injected.

Three settings matter in a Lambda:

* retries in botocore's ``standard`` mode (its default has changed between releases): throttling,
  5xx and connection errors are retried with jittered exponential backoff;
* a deadline for each call, retries included (``call_timeout``, 10 s by default): an endpoint
  that accepts connections and never answers must not hold a request for most of API Gateway's
  29 seconds. Each attempt's connect and read timeouts are fractions of it, and a retry that
  could not finish within it is not started;
* ``parameter_validation=False``: the store builds every request from typed, checked values,
  so botocore's second check of each request only costs CPU (about 200 µs per put). Injected
  clients should be built the same way, or with ``build_client`` itself.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["DEFAULT_CALL_TIMEOUT", "CallDeadlineError", "build_client", "install_deadline"]

DEFAULT_CALL_TIMEOUT = 10.0
_CONTEXT_KEY = "careervp_dal_deadline"


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
        backoff = min(2.0 ** (attempts - 1), 20.0)
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
            # The last answer stands as the call's error, exactly as botocore would raise it.
            raise ClientError(cast("Any", response[1]), operation.name)


def install_deadline(
    client: BaseClient, seconds: float, *, attempt_seconds: float, service: str = "dynamodb"
) -> None:
    """Bound every call of ``client`` (a ``service`` client) to ``seconds``, retries included."""
    deadline = _Deadline(seconds, attempt_seconds)
    events = client.meta.events
    events.register(f"before-call.{service}", deadline.start)
    # First, so it runs before botocore's retry handler decides to sleep and try again.
    events.register_first(f"needs-retry.{service}", deadline.check)


def build_client(
    *,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,  # in all, the first try included
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
    read_timeout: float | None = None,
    local_credentials: bool = False,
) -> DynamoDBClient:
    """A client configured from the environment as boto3 reads it.

    ``AWS_ENDPOINT_URL_DYNAMODB`` is honoured by boto3 itself when ``endpoint_url`` is unset.
    ``read_timeout`` is each attempt's (default: 2/5 of ``call_timeout``, at most 5 s); a local
    engine that takes seconds for a page (moto) needs a longer one, and a budget to match.
    ``local_credentials`` signs with placeholder keys, for embedded engines that accept any.
    """
    if not call_timeout > 0:
        raise ValueError("call_timeout must be a positive number of seconds")
    if read_timeout is not None and not read_timeout > 0:
        raise ValueError("read_timeout must be a positive number of seconds")
    connect_timeout = min(2.0, call_timeout / 5)
    if read_timeout is None:
        read_timeout = min(5.0, call_timeout * 2 / 5)
    config = Config(
        retries={"mode": retry_mode, "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        tcp_keepalive=True,
        parameter_validation=False,
    )
    placeholder = "local" if local_credentials else None
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=region_name,
        config=config,
        aws_access_key_id=placeholder,
        aws_secret_access_key=placeholder,
    )
    install_deadline(client, call_timeout, attempt_seconds=connect_timeout + read_timeout)
    return client

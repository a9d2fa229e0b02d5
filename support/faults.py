"""Fault injection on a real botocore client: canned responses from a ``before-send`` hook.

botocore sends nothing when a ``before-send`` handler returns a response, so these faults go
through the client's real parsing and retry logic, exactly like a fault from DynamoDB.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from botocore.client import BaseClient

__all__ = ["Fault", "error_body"]

_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def _in_process_moto() -> bool:
    from moto.core.models import botocore_stubber  # noqa: PLC0415 - only needed here

    return bool(botocore_stubber.enabled)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body


def error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"__type": _PREFIX + error_type, "message": message}).encode()


class Fault:
    """Answer ``times`` calls of ``operation``, after the first ``after``, with ``body``."""

    def __init__(
        self,
        client: BaseClient,
        operation: str,
        *,
        times: int,
        after: int = 0,
        status: int = 400,
        body: bytes | Callable[[dict[str, Any]], bytes] = b"{}",
    ) -> None:
        service = client.meta.service_model.service_id.hyphenize()
        if client.meta.endpoint_url.startswith(f"https://{service}.") and _in_process_moto():
            pytest.skip("moto's in-process mock answers before-send itself; faults need HTTP")
        self.calls = 0
        self.injected = 0
        self._times = times
        self._after = after
        self._status = status
        self._body = body
        client.meta.events.register(f"before-send.{service}.{operation}", self)

    # Returns Any: botocore-stubs type event handlers as returning None, but before-send
    # handlers answer with a response.
    def __call__(self, request: AWSPreparedRequest, **_: object) -> Any:
        self.calls += 1
        if self.calls <= self._after or self.injected >= self._times:
            return None
        self.injected += 1
        body = self._body
        if callable(body):
            raw = request.body
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            body = body(json.loads(text))
        headers: Any = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault"}
        return AWSResponse(request.url, self._status, headers, _Raw(body))

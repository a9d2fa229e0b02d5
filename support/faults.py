"""Fault injection on a real botocore client: canned responses from a ``before-send`` hook.

botocore sends nothing when a ``before-send`` handler returns a response, so these faults go
through the client's real parsing and retry logic, exactly like a fault from DynamoDB. On an
aiobotocore client (the async handler's) the canned response is aiobotocore's kind.
"""

from __future__ import annotations

import http.client
import json
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from botocore.client import BaseClient

__all__ = ["Fault", "HeldRequest", "error_body"]

_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def _in_process_moto() -> bool:
    from moto.core.models import botocore_stubber  # noqa: PLC0415 - only needed here

    return bool(botocore_stubber.enabled)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body

    async def read(self) -> bytes:  # what aiobotocore reads a response's body with
        return self._body


def _responder(client: BaseClient) -> type[AWSResponse]:
    """The response class ``client``'s endpoint expects from a ``before-send`` handler."""
    if type(client).__module__.startswith("aiobotocore"):
        from aiobotocore.awsrequest import AioAWSResponse  # noqa: PLC0415 - async clients only

        return cast("type[AWSResponse]", AioAWSResponse)
    return AWSResponse


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
        self._response = _responder(client)
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
        return self._response(request.url, self._status, headers, _Raw(body))


class HeldRequest:
    """Hold the ``nth`` request of ``operation`` on the wire: it is kept, not sent, and the
    client is answered with a 500 (so botocore retries it, or, with retries off, the call fails
    as if the caller had crashed). ``deliver()`` sends the very request (signed as it was) to
    the engine later: a put of an earlier attempt arriving late."""

    def __init__(self, client: BaseClient, operation: str, *, nth: int = 1) -> None:
        service = client.meta.service_model.service_id.hyphenize()
        if client.meta.endpoint_url.startswith(f"https://{service}.") and _in_process_moto():
            pytest.skip("moto's in-process mock answers before-send itself; faults need HTTP")
        self._nth = nth
        self._seen = 0
        self.held: tuple[str, dict[str, str], bytes] | None = None
        self._response = _responder(client)
        client.meta.events.register(f"before-send.{service}.{operation}", self)

    def __call__(self, request: AWSPreparedRequest, **_: object) -> Any:
        self._seen += 1
        if self._seen != self._nth:
            return None
        raw = request.body
        body = raw if isinstance(raw, bytes) else str(raw or "").encode()
        # botocore keeps some header values as bytes (X-Amz-Target), whatever the stubs say.
        values: dict[str, object] = dict(request.headers.items())
        headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in values.items()}
        self.held = (request.url, headers, body)
        answer: Any = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "held"}
        refusal = _Raw(error_body("InternalServerError", ""))
        return self._response(request.url, 500, answer, refusal)

    def deliver(self) -> tuple[int, dict[str, Any]]:
        """Send the held request now; the engine's status and decoded answer."""
        assert self.held is not None, "nothing was held"  # noqa: S101 - a test helper
        url, headers, body = self.held
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=10
        )
        try:
            connection.request("POST", parts.path or "/", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

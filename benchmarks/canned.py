"""Clients answered from memory: the client's CPU without a network or an engine.

botocore sends nothing when a ``before-send`` handler returns a response, so the canned answer
goes through the client's real parsing, exactly as DynamoDB's would.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, TypedDict

import boto3
from botocore.awsrequest import AWSResponse

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from botocore.awsrequest import AWSPreparedRequest
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["LOCAL", "NOWHERE", "answer", "default_client", "wire"]

NOWHERE = "http://127.0.0.1:9"


def wire(value: Any) -> Any:
    """An AttributeValue as DynamoDB's JSON protocol spells it (binary in base64)."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [wire(v) for v in value]
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    return value


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._body


def _answering(body: bytes) -> Callable[..., Any]:
    def answer(request: AWSPreparedRequest, **_: object) -> Any:
        headers: Any = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(request.url, 200, headers, _Body(body))

    return answer


def answer(client: Any, responses: Mapping[str, object]) -> None:
    """Make ``client`` answer each operation with its response document."""
    for operation, document in responses.items():
        body = json.dumps(wire(document)).encode()
        client.meta.events.register(f"before-send.dynamodb.{operation}", _answering(body))


class _Signing(TypedDict):
    region_name: str
    aws_access_key_id: str
    aws_secret_access_key: str


# What a local engine or a canned client needs to sign requests: any region, any keys.
LOCAL: _Signing = {
    "region_name": "us-east-1",
    "aws_access_key_id": "local",
    "aws_secret_access_key": "local",
}


def default_client() -> DynamoDBClient:
    """A client as a user writes it: boto3's defaults, nothing tuned."""
    return boto3.client("dynamodb", endpoint_url=NOWHERE, **LOCAL)

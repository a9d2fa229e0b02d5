import base64, json, random, time, statistics
from typing import Any
import boto3
from botocore.awsrequest import AWSResponse
from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from support.factories import encode, make_data
from benchmarks.timing import compare

class _Canned:
    def __init__(self, body): self._body = body
    def stream(self, **_): yield self._body

def _wire(value):
    if isinstance(value, bytes): return base64.b64encode(value).decode()
    if isinstance(value, list): return [_wire(v) for v in value]
    if isinstance(value, dict): return {k: _wire(v) for k, v in value.items()}
    return value

def canned(client, responses):
    def answering(body):
        def answer(request, **_):
            return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Canned(body))
        return answer
    for op, body in responses.items():
        client.meta.events.register(f"before-send.dynamodb.{op}", answering(body))
    return client

data = make_data(random.Random(1), json_bytes=15000, user_id="u-bench")
item = encode("app-1", "2026-11-26T10:30:00.000000Z", 4_000_000_000, data).item
responses = {"PutItem": b"{}", "GetItem": json.dumps({"Item": _wire(item)}).encode()}
ours = canned(build_client(endpoint_url="http://127.0.0.1:9", region_name="us-east-1", local_credentials=True), responses)
raw = canned(boto3.client("dynamodb", endpoint_url="http://127.0.0.1:9", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"), responses)
dal = DynamoDalHandler(ours, "t", token_secret=b"s"*32)





"""Benchmarks of the store against boto3's serializers and the task file's naive layout.

Every figure is a ratio against a baseline measured in the same run, on the same machine:

1. codec: ``TailoredCVData`` to item and back, ours vs boto3's Type(De)Serializer + Decimals;
2. checksum: canonical JSON + SHA-256, ours vs ``json.dumps(sort_keys=True)``;
3. compression: gzip producers by stored size and CPU;
4. capacity: WCU/RCU per operation on dynalite, ours vs the naive layout;
5. client CPU: the DAL vs raw client calls, both on canned responses (no network);
6. end to end: operations per second on dynalite over loopback, ours vs naive.

Run: ``uv run python -m benchmarks`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import platform
import random
import time
import zlib
from functools import partial
from typing import TYPE_CHECKING, Any

import boto3
import msgspec

from benchmarks import naive
from benchmarks.timing import compare, per_call
from careervp.dal.client import build_client
from careervp.dal.codec import _envelope as envelope_module
from careervp.dal.codec import canonical_json, compute_checksum, decode_item
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import create_table
from support.engines import dynalite_server
from support.factories import encode, make_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.awsrequest import AWSPreparedRequest
    from mypy_boto3_dynamodb import DynamoDBClient

SIZES = {"4 KB": 4_000, "15 KB": 15_000, "120 KB": 120_000}
TYPICAL = "15 KB"
CREATED = "2026-11-26T10:30:00.000000Z"
SECRET = b"benchmark-secret-0123456789"
Row = list[str]


def _data(label: str, seed: int = 1) -> Any:
    return make_data(random.Random(seed), json_bytes=SIZES[label], user_id="u-bench")


def _ratio(baseline: float, ours: float) -> str:
    return f"{baseline / ours:.1f}x"


def bench_codec(min_time: float) -> list[Row]:
    rows = []
    for label in SIZES:
        data = _data(label)

        def ours(data: Any = data) -> object:
            return decode_item(encode("app-1", CREATED, 1_800_000_000, data).item)

        def boto(data: Any = data) -> object:
            wire = naive.naive_marshal(naive.naive_item("app-1", CREATED, data))
            return naive.naive_from_item(naive.naive_unmarshal(wire))

        mine, base = compare(ours, boto, min_time=min_time)
        rows.append(
            [
                "codec round trip",
                label,
                f"{mine * 1e6:.0f} µs",
                f"{base * 1e6:.0f} µs",
                _ratio(base, mine),
                ">= 5x (typical)",
            ]
        )
    return rows


def bench_checksum(min_time: float) -> list[Row]:
    rows = []
    for label in SIZES:
        data = _data(label)
        mine, base = compare(
            partial(compute_checksum, data), partial(naive.naive_checksum, data), min_time=min_time
        )
        rows.append(
            [
                "canonical JSON + SHA-256",
                label,
                f"{mine * 1e6:.0f} µs",
                f"{base * 1e6:.0f} µs",
                _ratio(base, mine),
                ">= 8x",
            ]
        )
    return rows


def _producers() -> dict[str, Callable[[bytes], bytes]]:
    def stdlib(level: int) -> Callable[[bytes], bytes]:
        def run(raw: bytes) -> bytes:
            packer = zlib.compressobj(level, zlib.DEFLATED, 31)
            return packer.compress(raw) + packer.flush()

        return run

    producers = {f"zlib {level}": stdlib(level) for level in (1, 6, 9)}
    try:
        from isal import igzip  # noqa: PLC0415 - optional, measured when installed

        for level in (1, 2, 3):
            producers[f"isal {level}"] = partial(igzip.compress, compresslevel=level, mtime=0)
    except ImportError:
        pass
    try:
        from zlib_ng import gzip_ng  # noqa: PLC0415

        for level in (1, 4, 5, 6, 9):
            producers[f"zlib-ng {level}"] = partial(gzip_ng.compress, compresslevel=level, mtime=0)
    except ImportError:
        pass
    producers["chosen (codec.compress)"] = envelope_module.compress
    return producers


def bench_compression(min_time: float) -> list[Row]:
    rows = []
    for label in SIZES:
        raw = canonical_json(_data(label).tailored_cv)
        producers = _producers()
        reference_size = len(producers["zlib 9"](raw))
        reference_time = per_call(partial(producers["zlib 6"], raw), min_time=min_time)
        for name, produce in producers.items():
            blob = produce(raw)
            assert gzip.decompress(blob) == raw
            spent = per_call(partial(produce, raw), min_time=min_time)
            inflate = per_call(partial(envelope_module.decompress, blob), min_time=min_time)
            rows.append(
                [
                    name,
                    label,
                    f"{len(blob):,} B ({len(blob) / len(raw):.0%})",
                    f"{len(blob) / reference_size - 1:+.1%}",
                    f"{spent / reference_time:.0%}",
                    f"{spent * 1e6:.0f} / {inflate * 1e6:.0f} µs",
                ]
            )
    return rows


class CapacityMeter:
    """Adds up ``ConsumedCapacity`` from every response a client parses."""

    def __init__(self, client: Any) -> None:
        self.units = 0.0
        client.meta.events.register("after-call.dynamodb", self._count)

    def _count(self, parsed: dict[str, Any], **_: object) -> None:
        consumed = parsed.get("ConsumedCapacity")
        if isinstance(consumed, dict):
            self.units += float(consumed.get("CapacityUnits", 0))

    def take(self) -> float:
        units, self.units = self.units, 0.0
        return units


def _naive_table(endpoint: str, name: str) -> Any:
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    return resource.Table(name)


def _fill(dal: DynamoDalHandler, table: Any, label: str, count: int) -> list[str]:
    ids = []
    for index in range(count):
        data = _data(label, seed=index)
        saved = dal.save_tailored_cv(f"app-{label}", data)
        assert saved.success, saved.error
        ids.append(saved.data)
        table.put_item(Item=naive.naive_item(f"naive-{label}", saved.data.split("#")[1], data))
    return ids


def bench_capacity_and_throughput(endpoint: str, ops: int) -> tuple[list[Row], list[Row]]:
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    meter = CapacityMeter(client)
    capacity: list[Row] = []
    speed: list[Row] = []
    for number, label in enumerate(SIZES):
        # Fresh tables per size, so every listing reads only this size's items.
        create_table(client, f"bench-ours-{number}")
        create_table(client, f"bench-naive-{number}")
        table = _naive_table(endpoint, f"bench-naive-{number}")
        naive_meter = CapacityMeter(table.meta.client)
        dal = DynamoDalHandler(client, f"bench-ours-{number}", token_secret=SECRET)
        eventual = DynamoDalHandler(
            client, f"bench-ours-{number}", token_secret=SECRET, consistent_reads=False
        )
        ids = _fill(dal, table, label, 12)
        meter.take()
        naive_meter.take()
        data = _data(label, seed=99)

        saved = dal.save_tailored_cv(f"app-{label}", data)
        assert saved.success
        ours_w = meter.take()
        table.put_item(
            Item=naive.naive_item(f"naive-{label}", "2030-01-01T00:00:00.000000Z", data),
            ReturnConsumedCapacity="TOTAL",
        )
        naive_w = naive_meter.take()
        capacity.append(
            [
                "save (WCU, table + GSI)",
                label,
                f"{ours_w:g}",
                f"{naive_w:g}",
                f"{ours_w / naive_w:.2f}",
                "<= 0.5",
            ]
        )

        application_id, created_at = ids[0].split("#")
        assert eventual.get_tailored_cv(application_id, created_at).success
        ours_r = meter.take()
        assert dal.get_tailored_cv(application_id, created_at).success
        ours_rc = meter.take()
        table.get_item(
            Key={"application_id": f"naive-{label}", "created_at": created_at},
            ReturnConsumedCapacity="TOTAL",
        )
        naive_r = naive_meter.take()
        capacity.append(
            [
                "get (RCU, eventually consistent)",
                label,
                f"{ours_r:g}",
                f"{naive_r:g}",
                f"{ours_r / naive_r:.2f}",
                "<= 0.5",
            ]
        )
        capacity.append(
            [
                "get (RCU, consistent: our default)",
                label,
                f"{ours_rc:g}",
                f"{naive_r:g} (eventual)",
                f"{ours_rc / naive_r:.2f}",
                "-",
            ]
        )

        assert dal.list_tailored_cvs_for_user("u-bench", limit=10).success
        ours_l = meter.take()
        table.query(
            IndexName="user_id_created_at_gsi",
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": "u-bench"},
            Limit=10,
            ScanIndexForward=False,
            ReturnConsumedCapacity="TOTAL",
        )
        naive_l = naive_meter.take()
        capacity.append(
            [
                "list 10 (RCU, GSI)",
                label,
                f"{ours_l:g}",
                f"{naive_l:g}",
                f"{ours_l / naive_l:.2f}",
                "<= 0.5",
            ]
        )

        speed += _throughput(dal, table, label, ops, ids)
    return capacity, speed


def _throughput(
    dal: DynamoDalHandler, table: Any, label: str, ops: int, ids: list[str]
) -> list[Row]:
    data = _data(label, seed=7)
    application_id, created_at = ids[0].split("#")
    counter = iter(range(10**9))

    def timed(fn: Callable[[], object]) -> float:
        start = time.perf_counter()
        for _ in range(ops):
            fn()
        return ops / (time.perf_counter() - start)

    rows = []
    for name, mine, base in (
        (
            "save",
            lambda: dal.save_tailored_cv(f"app-{label}", data),
            lambda: table.put_item(
                Item=naive.naive_item(
                    f"naive-{label}", f"2031-01-01T00:00:00.{next(counter):06d}Z", data
                )
            ),
        ),
        (
            "get",
            lambda: dal.get_tailored_cv(application_id, created_at),
            lambda: naive.naive_from_item(
                table.get_item(Key={"application_id": f"naive-{label}", "created_at": created_at})[
                    "Item"
                ]
            ),
        ),
        (
            "list 10",
            lambda: dal.list_tailored_cvs_for_user("u-bench", limit=10),
            lambda: [
                naive.naive_from_item(i)
                for i in table.query(
                    IndexName="user_id_created_at_gsi",
                    KeyConditionExpression="user_id = :u",
                    ExpressionAttributeValues={":u": "u-bench"},
                    Limit=10,
                    ScanIndexForward=False,
                )["Items"]
            ],
        ),
    ):
        ours_rate, naive_rate = timed(mine), timed(base)
        rows.append(
            [
                f"{name} on dynalite",
                label,
                f"{ours_rate:.0f} ops/s",
                f"{naive_rate:.0f} ops/s",
                f"{ours_rate / naive_rate:.2f}",
                "-",
            ]
        )
    return rows


def _wire(value: Any) -> Any:
    """An AttributeValue as DynamoDB's JSON protocol spells it (binary in base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


class _Canned:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> Any:
        yield self._body


def _canned_client(responses: dict[str, bytes]) -> DynamoDBClient:
    from botocore.awsrequest import AWSResponse  # noqa: PLC0415

    client = build_client(
        endpoint_url="http://127.0.0.1:9", region_name="us-east-1", local_credentials=True
    )

    def answering(body: bytes) -> Callable[..., Any]:
        def answer(request: AWSPreparedRequest, **_: object) -> Any:
            headers: Any = {"Content-Type": "application/x-amz-json-1.0"}
            return AWSResponse(request.url, 200, headers, _Canned(body))

        return answer

    for operation, body in responses.items():
        client.meta.events.register(f"before-send.dynamodb.{operation}", answering(body))
    return client


def bench_client_cpu(min_time: float) -> list[Row]:
    return [row for label in SIZES for row in _client_cpu(label, min_time)]


def _client_cpu(label: str, min_time: float) -> list[Row]:
    rows = []
    data = _data(label)
    items = [
        encode(
            f"app-{i}", f"2026-11-26T10:30:{i:02d}.000000Z", 4_000_000_000, _data(label, seed=i)
        ).item
        for i in range(11)
    ]
    wire_items = [_wire(i) for i in items]
    responses = {
        "PutItem": b"{}",
        "GetItem": json.dumps({"Item": wire_items[0]}).encode(),
        "Query": json.dumps({"Items": wire_items, "Count": 11, "ScannedCount": 11}).encode(),
    }
    client = _canned_client(responses)
    dal = DynamoDalHandler(client, "t-bench", token_secret=SECRET)
    key: Any = {k: items[0][k] for k in ("application_id", "created_at")}
    created_at = str(items[0]["created_at"]["S"])
    query: Any = {
        "TableName": "t-bench",
        "IndexName": "user_id_created_at_gsi",
        "KeyConditionExpression": "user_id = :u",
        "ExpressionAttributeValues": {":u": {"S": "u-bench"}},
        "Limit": 11,
    }
    for name, mine, raw in (
        (
            "save",
            lambda: dal.save_tailored_cv("app-1", data),
            lambda: client.put_item(TableName="t-bench", Item=items[0]),
        ),
        (
            "get",
            lambda: dal.get_tailored_cv("app-0", created_at),
            lambda: client.get_item(TableName="t-bench", Key=key),
        ),
        (
            "list 10",
            lambda: dal.list_tailored_cvs_for_user("u-bench", limit=10),
            lambda: client.query(**query),
        ),
    ):
        ours_t, raw_t = compare(mine, raw, min_time=min_time)
        rows.append(
            [
                f"{name}: DAL / raw client",
                label,
                f"{ours_t * 1e6:.0f} µs",
                f"{raw_t * 1e6:.0f} µs",
                f"{ours_t / raw_t:.2f}",
                "<= 1.3",
            ]
        )
    return rows


def _print(title: str, headers: Row, rows: list[Row]) -> None:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    print(f"\n### {title}\n")
    for index, row in enumerate([headers, *rows]):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timings, for a smoke run")
    args = parser.parse_args(argv)
    min_time, ops = (0.02, 20) if args.quick else (0.3, 200)
    print(f"# careervp-dal benchmarks, {time.strftime('%Y-%m-%d')}")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.processor() or 'unknown CPU'}; msgspec {msgspec.__version__}"
    )
    timing = ["benchmark", "CV JSON", "ours", "baseline", "speed-up", "goal"]
    _print(
        "1. Codec: model to item and back (baseline: boto3 Type(De)Serializer + Decimal)",
        timing,
        bench_codec(min_time),
    )
    _print(
        "2. Canonical JSON + SHA-256 (baseline: json.dumps(sort_keys=True) + sha256)",
        timing,
        bench_checksum(min_time),
    )
    _print(
        "3. Compression (size vs zlib 9, CPU vs zlib 6; goal: <= +2% and <= 50%)",
        ["producer", "CV JSON", "stored", "vs zlib 9", "CPU vs zlib 6", "compress / inflate"],
        bench_compression(min_time),
    )
    _print(
        "5. Client CPU on canned responses (ratio: DAL time / raw client time)",
        ["operation", "CV JSON", "DAL", "raw client", "ratio", "goal"],
        bench_client_cpu(min_time),
    )
    with dynalite_server() as endpoint:
        capacity, speed = bench_capacity_and_throughput(endpoint, ops)
    _print(
        "4. Capacity per operation on dynalite (ratio: ours / naive)",
        ["operation", "CV JSON", "ours", "naive", "ratio", "goal"],
        capacity,
    )
    _print(
        "6. End to end on dynalite over loopback (ratio: ours / naive)",
        ["operation", "CV JSON", "ours", "naive", "ratio", "goal"],
        speed,
    )
    return 0

"""The gzip compressor chosen by dollars: CPU against bytes, for the store's own blob.

Candidates write standard gzip (RFC 1952), so any of them can be read by the store's reader
whatever wrote the blob. Each is timed twice: alone in a loop (its best case) and in place,
between the other work of a save (canonical JSON, SHA-256 and a put on a canned client), where
its state and the caches around it start cold as they do in a Lambda. Bytes are the blob's.

libdeflate comes from the ``deflate`` package (the store's writer since it was measured here).
Dollars per million saves: the compressor's CPU on a 1,769
MB Lambda (one vCPU, 0.0000166667 $ a GB-second, so 1 µs costs about 0.0295 $ per million),
plus the blob's write units (a save writes ``ceil(item KB)``, 0.625 $ per million units) and
its storage for the 3 months a version is kept (0.25 $ a GB-month).
"""

from __future__ import annotations

import hashlib
import time
import zlib
from typing import TYPE_CHECKING

import boto3
from zlib_ng import zlib_ng

from benchmarks.canned import LOCAL, NOWHERE, answer
from benchmarks.cpu import SIZES, data_of
from benchmarks.report import Section, micros
from benchmarks.timing import per_call
from careervp.dal.codec import canonical_json
from careervp.dal.codec._envelope import decompress

if TYPE_CHECKING:
    from collections.abc import Callable

import deflate

__all__ = ["candidates", "section"]

LAMBDA_DOLLARS_PER_MICROSECOND = 1769 / 1024 * 0.0000166667 / 1e6  # per call
WRITE_UNIT = 0.625e-6
READ_UNIT = 0.125e-6
READS = 3
GB_MONTH = 0.25
MONTHS_HELD = 3
# The rest of a typical item besides the blob (keys, metadata, checksum...): bytes.
ITEM_OVERHEAD = 450


def _gzip(module: object, level: int) -> Callable[[bytes], bytes]:
    def compress(raw: bytes) -> bytes:
        packer = module.compressobj(level, module.DEFLATED, 31)  # type: ignore[attr-defined]
        return bytes(packer.compress(raw) + packer.flush())

    return compress


def candidates() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes]] = {
        "stdlib zlib 6 (the reference)": _gzip(zlib, 6),
        "zlib-ng 5 (today)": _gzip(zlib_ng, 5),
        "zlib-ng 6": _gzip(zlib_ng, 6),
    }
    for level in range(5, 10):

        def compress(raw: bytes, level: int = level) -> bytes:
            return bytes(deflate.gzip_compress(raw, level))

        found[f"libdeflate {level}"] = compress
    return found


def _in_place(compress: Callable[[bytes], bytes], cv_json: bytes, calls: int) -> float:
    """Seconds the compressor takes between the rest of a save's work (canonical JSON hashed,
    a put on a canned client), as it runs in the store: only the compressor is timed."""
    client = boto3.client("dynamodb", endpoint_url=NOWHERE, **LOCAL)
    answer(client, {"PutItem": {}})
    item = {"application_id": {"S": "a"}, "created_at": {"S": "c"}}
    spent = 0
    for _ in range(calls):
        hashlib.sha256(cv_json).hexdigest()
        start = time.perf_counter_ns()
        blob = compress(cv_json)
        spent += time.perf_counter_ns() - start
        client.put_item(TableName="t", Item={**item, "tailored_cv": {"B": blob}})
    return spent / calls / 1e9


def _dollars(compress_s: float, inflate_s: float, blob: int) -> float:
    """Per million saves of the workload (each version read three times): the compressor's and
    the reads' inflating CPU, the write and read units of the blob's bytes (as a fraction of a
    unit: over a spread of CV sizes a byte costs its share of one) and its storage."""
    cpu = (compress_s + READS * inflate_s) * 1e6 * LAMBDA_DOLLARS_PER_MICROSECOND * 1e6
    stored = blob + ITEM_OVERHEAD
    units = stored / 1024 * WRITE_UNIT + READS * stored / 4096 * READ_UNIT
    storage = (stored + 100) / 1e9 * GB_MONTH * MONTHS_HELD
    return cpu + (units + storage) * 1e6


def section(min_time: float) -> Section:
    result = Section(
        "gzip compressors on the store's blob (standard gzip, any reader inflates any of them)",
        [
            "compressor",
            "CV JSON",
            "blob",
            "vs stdlib 6",
            "alone",
            "in a save",
            "inflate (zlib-ng)",
            "inflate (libdeflate)",
            "$ / M versions",
        ],
        notes=[
            (
                "'alone' is the compressor in a tight loop; 'in a save' times only the compressor,"
                " called between the rest of a save's work (hashing, a put on a canned client)"
                " as in the store, where its state and caches start cold. $ per million"
                " versions: compressing once and inflating three times on a 1,769 MB Lambda, the"
                " blob's share of write and read units, and 3 months of storage; at these prices"
                " a stored byte costs about as much as 50 µs of CPU."
            ),
        ],
    )
    for label, size in SIZES.items():
        cv_json = canonical_json(data_of(label).tailored_cv)
        reference = len(_gzip(zlib, 6)(cv_json))
        calls = max(20, int(min_time * 4000))
        for name, compress in candidates().items():
            blob = compress(cv_json)

            def alone_call(c: Callable[[bytes], bytes] = compress, raw: bytes = cv_json) -> object:
                return c(raw)

            def inflate_call(b: bytes = blob) -> object:
                return decompress(b)

            def libdeflate_call(b: bytes = blob) -> object:
                return deflate.gzip_decompress(b)

            alone = per_call(alone_call, min_time=min_time)
            in_save = min(_in_place(compress, cv_json, calls) for _ in range(5))
            inflate = per_call(inflate_call, min_time=min_time)
            other = micros(per_call(libdeflate_call, min_time=min_time))
            result.add(
                name,
                f"{size // 1000} KB",
                f"{len(blob):,} B",
                f"{len(blob) / reference:.3f}",
                micros(alone),
                micros(in_save),
                micros(inflate),
                other,
                f"{_dollars(in_save, inflate, len(blob)):.3f}",
            )
    return result

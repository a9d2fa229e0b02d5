"""The gzip compressor chosen by dollars: CPU against bytes, for the store's own blob.

Candidates write standard gzip (RFC 1952), so the store's reader inflates a blob whatever wrote
it. Each is timed alone in a loop (its best case) and in place: the store's whole save with that
compressor swapped in, rounds alternating between candidates, where its state and the caches
around it start cold as they do in a Lambda. Bytes are the blob's. libdeflate comes from the
``deflate`` package (the store's writer since it was measured here).

Dollars per million versions, to rank compressors (the cost of a whole version is
``capacity.py``'s): the save's and the reads' inflating CPU on a 1,769 MB Lambda (one vCPU at
0.0000166667 $ a GB-second: 1 µs a call costs 0.0000288 $ per million calls), and the item's
write units, the gets' read units and its storage as fractions of a unit (over a spread of CV
sizes a byte costs its share of one), at ``costs.py``'s prices for the table class the store
creates and its workload.
"""

from __future__ import annotations

import statistics
import time
import zlib
from typing import TYPE_CHECKING

import deflate
from zlib_ng import zlib_ng

from benchmarks import costs
from benchmarks.canned import NOWHERE, answer
from benchmarks.cpu import SECRET, SIZES, data_of
from benchmarks.report import Section, micros
from benchmarks.timing import per_call
from careervp.dal.client import build_client
from careervp.dal.codec import _item, canonical_json
from careervp.dal.codec._envelope import decompress
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import TABLE_CLASS

if TYPE_CHECKING:
    from collections.abc import Callable

    from careervp.models.tailor import TailoredCVData

__all__ = ["candidates", "section"]

LAMBDA_DOLLARS_PER_MICROSECOND = 1769 / 1024 * 0.0000166667 / 1e6  # per call
PRICES = costs.PRICES[TABLE_CLASS]
READS = costs.WORKLOAD.gets
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


def _saves(
    compressors: dict[str, Callable[[bytes], bytes]], data: TailoredCVData, rounds: int, loops: int
) -> dict[str, float]:
    """Seconds of CPU per store save with each compressor in place, rounds alternating between
    them so each sees the same machine; the median round of each."""
    client = build_client(endpoint_url=NOWHERE, region_name="us-east-1", local_credentials=True)
    answer(client, {"PutItem": {}})
    dal = DynamoDalHandler(client, "t", token_secret=SECRET)
    times: dict[str, list[float]] = {name: [] for name in compressors}
    # The item codec's own name for the compressor, swapped for each candidate in turn.
    namespace = vars(_item)
    kept = namespace["compress"]
    try:
        for _ in range(rounds):
            for name, compress in compressors.items():
                namespace["compress"] = compress
                start = time.process_time()
                for _ in range(loops):
                    dal.save_tailored_cv("app-0", data)
                times[name].append((time.process_time() - start) / loops)
    finally:
        namespace["compress"] = kept
    return {name: statistics.median(values) for name, values in times.items()}


def _dollars(save_s: float, inflate_s: float, blob: int) -> float:
    """Per million versions (each read three times): the save's and the reads' inflating CPU,
    the write and read units of the blob's bytes (as a fraction of a
    unit: over a spread of CV sizes a byte costs its share of one) and its storage."""
    cpu = (save_s + READS * inflate_s) * 1e6 * LAMBDA_DOLLARS_PER_MICROSECOND * 1e6
    stored = blob + ITEM_OVERHEAD
    units = stored / 1024 * PRICES.write_unit + READS * stored / 4096 * PRICES.read_unit
    stored_gb = (stored + costs.STORAGE_OVERHEAD) / 1e9
    storage = stored_gb * PRICES.gb_month * costs.WORKLOAD.months_held
    return cpu + (units + storage) * 1e6


def _byte_in_micros() -> float:
    """What one more byte of blob costs, in µs of Lambda CPU."""
    return (_dollars(0, 0, 1) - _dollars(0, 0, 0)) / 1e6 / LAMBDA_DOLLARS_PER_MICROSECOND


def section(min_time: float) -> Section:
    result = Section(
        "gzip compressors on the store's blob (standard gzip, any reader inflates any of them)",
        [
            "compressor",
            "CV JSON",
            "blob",
            "vs stdlib 6",
            "alone",
            "the store's save",
            "inflate (zlib-ng)",
            "inflate (libdeflate)",
            "$ / M versions",
        ],
        notes=[
            (
                "'alone' is the compressor in a tight loop; 'the store's save' is a whole save"
                " (canned client, wire path on) with that compressor in place, rounds"
                " alternating between compressors (median): the difference between two rows is"
                " what the compressor costs where it runs, its cold state included. $ per million"
                " versions, to rank the compressors: that save and three inflations on a"
                " 1,769 MB Lambda, the item's share of write and read units and 3 months of"
                f" storage on a {TABLE_CLASS} table (the cost table prices whole versions); at"
                f" these prices a stored byte costs about as much as {_byte_in_micros():.0f} µs"
                " of CPU."
            ),
        ],
    )
    for label, size in SIZES.items():
        cv_json = canonical_json(data_of(label).tailored_cv)
        reference = len(_gzip(zlib, 6)(cv_json))
        data = data_of(label)
        saves = _saves(candidates(), data, rounds=7 if min_time < 0.05 else 15, loops=30)
        for name, compress in candidates().items():
            blob = compress(cv_json)

            def alone_call(c: Callable[[bytes], bytes] = compress, raw: bytes = cv_json) -> object:
                return c(raw)

            def inflate_call(b: bytes = blob) -> object:
                return decompress(b)

            def libdeflate_call(b: bytes = blob) -> object:
                return deflate.gzip_decompress(b)

            alone = per_call(alone_call, min_time=min_time)
            inflate = per_call(inflate_call, min_time=min_time)
            other = micros(per_call(libdeflate_call, min_time=min_time))
            result.add(
                name,
                f"{size // 1000} KB",
                f"{len(blob):,} B",
                f"{len(blob) / reference:.3f}",
                micros(alone),
                micros(saves[name]),
                micros(inflate),
                other,
                f"{_dollars(saves[name], inflate, len(blob)):.3f}",
            )
    return result

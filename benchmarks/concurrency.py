"""N concurrent saves and gets: the async handler on one event loop against the blocking
handler on N threads, side by side on dynalite, in one run.

Each round runs both (the blocking one with its wire path on, as shipped, and off, as the
async one runs), turning which goes first; every worker (a coroutine or a thread)
makes its share of the calls one after the other. Both clients get the store's own ``Config``
(``client_config``) with a connection pool of N, so neither queues for a connection. Reported:
throughput (calls per second of wall time) as the median of the rounds with its range (how
noisy the machine was), and p50/p99 of every call's latency pooled over the rounds.

Run ``uv run python -m benchmarks.concurrency`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

import boto3
from aiobotocore.session import get_session
from botocore.config import Config

from benchmarks.cpu import TYPICAL, data_of
from benchmarks.report import Section
from careervp.dal import DynamoDalHandler
from careervp.dal.aio import AsyncDynamoDalHandler
from careervp.dal.client import client_config, install_deadline
from careervp.dal.table import create_table
from support.engines import dynalite_server

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from careervp.models.tailor import TailoredCVData

__all__ = ["main", "section"]

SECRET = b"benchmark-secret-0123456789"
REGION = "us-east-1"


def _config(workers: int) -> tuple[Config, float]:
    config, attempt = client_config()
    return config.merge(Config(max_pool_connections=workers)), attempt


def _blocking(endpoint: str, table: str, workers: int, *, wire: bool) -> DynamoDalHandler:
    config, attempt = _config(workers)
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        config=config,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    install_deadline(client, 10.0, attempt_seconds=attempt)
    return DynamoDalHandler(client, table, token_secret=SECRET, wire=wire)


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class _Tally:
    def __init__(self) -> None:
        self.rates: list[float] = []
        self.latencies: list[float] = []

    def add(self, calls: int, wall: float, latencies: list[float]) -> None:
        self.rates.append(calls / wall)
        self.latencies += latencies


def _keys(saved: list[str]) -> list[tuple[str, str]]:
    return [(a.rsplit("#", 1)[0], a.rsplit("#", 1)[1]) for a in saved]


def _threads(workers: int, calls: int, job: Callable[[int], Any]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    share = calls // workers

    def work(worker: int) -> None:
        mine = []
        for index in range(share):
            started = time.perf_counter()
            result = job(worker * share + index)
            mine.append(time.perf_counter() - started)
            assert result.success, result.error
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, latencies


async def _coroutines(
    workers: int, calls: int, job: Callable[[int], Any]
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    share = calls // workers

    async def work(worker: int) -> None:
        for index in range(share):
            started = time.perf_counter()
            result = await job(worker * share + index)
            latencies.append(time.perf_counter() - started)
            assert result.success, result.error

    started = time.perf_counter()
    await asyncio.gather(*(work(w) for w in range(workers)))
    return time.perf_counter() - started, latencies


def _blocking_round(
    endpoint: str, table: str, workers: int, calls: int, data: list[TailoredCVData], *, wire: bool
) -> dict[str, tuple[float, list[float]]]:
    blocking = _blocking(endpoint, table, workers, wire=wire)
    run = uuid.uuid4().hex[:8]
    saved: list[str] = [""] * calls

    def save(i: int) -> Any:
        result = blocking.save_tailored_cv(f"app-b-{run}-{i}", data[i % len(data)])
        saved[i] = result.data or ""
        return result

    name = "blocking" if wire else "blocking, wire off"
    out = {f"{name} save": _threads(workers, calls, save)}
    keys = _keys(saved)
    out[f"{name} get"] = _threads(workers, calls, lambda i: blocking.get_tailored_cv(*keys[i]))
    return out


def _async_round(
    endpoint: str, table: str, workers: int, calls: int, data: list[TailoredCVData]
) -> dict[str, tuple[float, list[float]]]:
    out: dict[str, tuple[float, list[float]]] = {}
    run = uuid.uuid4().hex[:8]

    async def on_loop() -> None:
        config, attempt = _config(workers)
        async with get_session().create_client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            config=config,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        ) as client:
            install_deadline(client, 10.0, attempt_seconds=attempt)
            handler = AsyncDynamoDalHandler(client, table, token_secret=SECRET)
            saved: list[str] = [""] * calls

            async def save(i: int) -> Any:
                result = await handler.save_tailored_cv(f"app-a-{run}-{i}", data[i % len(data)])
                saved[i] = result.data or ""
                return result

            out["async save"] = await _coroutines(workers, calls, save)
            keys = _keys(saved)
            out["async get"] = await _coroutines(
                workers, calls, lambda i: handler.get_tailored_cv(*keys[i])
            )

    asyncio.run(on_loop())
    return out


def _round(
    endpoint: str, table: str, workers: int, calls: int, data: list[TailoredCVData], turn: int
) -> dict[str, tuple[float, list[float]]]:
    """One round: each handler's saves, then its gets of what it saved; the order of the
    handlers turns from round to round, so a slow spell of the machine hits each in turn."""
    runs: list[Callable[[], dict[str, tuple[float, list[float]]]]] = [
        lambda: _blocking_round(endpoint, table, workers, calls, data, wire=True),
        lambda: _blocking_round(endpoint, table, workers, calls, data, wire=False),
        lambda: _async_round(endpoint, table, workers, calls, data),
    ]
    out: dict[str, tuple[float, list[float]]] = {}
    for index in range(len(runs)):
        out.update(runs[(index + turn) % len(runs)]())
    return out


def _raw_gets(endpoint: str, table: str, keys: list[tuple[str, str]]) -> tuple[float, float]:
    """Median latency of one raw GetItem after another: boto3's, then aiobotocore's (the
    clients alone, without the store)."""
    config, _ = _config(1)
    requests: list[Any] = [{"application_id": {"S": a}, "created_at": {"S": c}} for a, c in keys]
    blocking = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        config=config,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    spent = []
    for key in requests:
        started = time.perf_counter()
        blocking.get_item(TableName=table, Key=key)
        spent.append(time.perf_counter() - started)

    async def awaited() -> list[float]:
        async with get_session().create_client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=REGION,
            config=config,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        ) as client:
            times = []
            for key in requests:
                started = time.perf_counter()
                await client.get_item(TableName=table, Key=key)
                times.append(time.perf_counter() - started)
            return times

    return statistics.median(spent), statistics.median(asyncio.run(awaited()))


def section(endpoint: str, *, quick: bool = False) -> Section:
    table = f"bench-concurrency-{uuid.uuid4().hex[:8]}"
    setup = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    create_table(setup, table)
    rng = random.Random(3)
    data = [data_of(TYPICAL, seed=rng.randrange(1 << 30)) for _ in range(8)]
    rounds = 2 if quick else 5
    result = Section(
        f"N concurrent calls on dynalite: one event loop (async handler) against N threads"
        f" (blocking handler), typical {TYPICAL} CV",
        ["N", "call", "handler", "calls/s (median)", "range over rounds", "p50", "p99"],
    )
    for workers in (8, 32) if not quick else (8,):
        calls = workers * (4 if quick else 10)
        tallies: dict[str, _Tally] = {}
        for turn in range(rounds):
            ran = _round(endpoint, table, workers, calls, data, turn)
            for name, (wall, latencies) in ran.items():
                tallies.setdefault(name, _Tally()).add(calls, wall, latencies)
        for call in ("save", "get"):
            for kind in ("blocking", "blocking, wire off", "async"):
                tally = tallies[f"{kind} {call}"]
                low, high = min(tally.rates), max(tally.rates)
                result.add(
                    workers,
                    call,
                    "async, 1 loop" if kind == "async" else f"{kind}, {workers} threads",
                    f"{statistics.median(tally.rates):,.0f}",
                    f"{low:,.0f}-{high:,.0f}",
                    f"{_percentile(tally.latencies, 0.5) * 1e3:.1f} ms",
                    f"{_percentile(tally.latencies, 0.99) * 1e3:.1f} ms",
                )
    handler = _blocking(endpoint, table, 1, wire=False)
    keys = _keys([handler.save_tailored_cv(f"app-raw-{i}", data[0]).data or "" for i in range(50)])
    boto3_get, aiobotocore_get = _raw_gets(endpoint, table, keys)
    result.notes.append(
        f"The clients alone, one raw GetItem after another on the same table: boto3"
        f" {boto3_get * 1e3:.1f} ms, aiobotocore {aiobotocore_get * 1e3:.1f} ms (median of 50)."
    )
    result.notes.append(
        f"{rounds} rounds per N, each handler's saves then gets in each round, the order turning"
        " from round to round; dynalite on"
        " 127.0.0.1 (Node.js, one process) serves both, so both share its one core: the"
        " figures compare the clients' overheads, not what DynamoDB would sustain."
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args(argv)
    with dynalite_server() as running:
        print(section(running.endpoint, quick=args.quick).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

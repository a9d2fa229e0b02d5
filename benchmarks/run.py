"""careervp-dal's benchmarks: every figure a ratio against a baseline measured in the same run.

Sections: client CPU (the store beside raw boto3, the floor and the naive read), the peers
(PynamoDB, the Table resource), the codec cuts before and after, the gzip compressors by
dollars, capacity, summaries and cost on dynalite for each index layout, scale, import cost,
encryption.
Run ``uv run python -m benchmarks`` (``--quick`` for a smoke run, ``--only`` to pick sections).
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import TYPE_CHECKING

import msgspec

from benchmarks import capacity, compressors, cpu, cuts, encryption, imports, peers
from support.engines import dynalite_server

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from benchmarks.report import Section

__all__ = ["main"]

SECTIONS = ("cpu", "peers", "cuts", "compressors", "capacity", "imports", "encryption")


def _sections(args: argparse.Namespace) -> dict[str, Callable[[], list[Section]]]:
    min_time = 0.01 if args.quick else 0.05
    sizes = [cpu.TYPICAL] if args.quick else list(cpu.SIZES)

    def on_dynalite() -> list[Section]:
        with dynalite_server() as running:
            return capacity.sections(running.endpoint, quick=args.quick)

    return {
        "cpu": lambda: [cpu.client_cpu(min_time, sizes), cpu.breakdown(min_time)],
        "cuts": lambda: [cuts.section(min_time)],
        "peers": lambda: [peers.section(min_time)],
        "compressors": lambda: [compressors.section(min_time)],
        "capacity": on_dynalite,
        "imports": lambda: [imports.section(runs=6 if args.quick else 30)],
        "encryption": lambda: encryption.sections(min_time),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short timings, for a smoke run")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run these sections only")
    args = parser.parse_args(argv)
    print(f"# careervp-dal benchmarks, {time.strftime('%Y-%m-%d')}\n")
    print(
        f"Python {platform.python_version()} on {platform.machine()}; msgspec"
        f" {msgspec.__version__}; command: `uv run python -m benchmarks"
        f"{' --quick' if args.quick else ''}`\n",
        flush=True,
    )
    runners = _sections(args)
    for name in args.only or SECTIONS:
        for section in runners[name]():
            print(section.markdown(), flush=True)
    return 0

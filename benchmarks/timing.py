"""Ratios on a noisy machine: both sides timed in alternating rounds, each a calibrated loop.

Each round times ``ours`` and then ``baseline`` back to back, so both see the same machine
state; the ratio of a round is ours / baseline. ``compare`` reports the median ratio and its
spread (lowest and highest round) and each side's fastest round as its absolute time. A ratio
drifts far less with CPU frequency or a neighbour's load than two separate measurements do.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Comparison", "compare", "per_call"]


@dataclass(frozen=True)
class Comparison:
    ours: float  # seconds per call, fastest round
    baseline: float
    ratio: float  # median over rounds of ours / baseline
    low: float
    high: float

    @property
    def spread(self) -> str:
        return f"{self.low:.2f}-{self.high:.2f}"


def _loops(fn: Callable[[], object], min_time: float) -> int:
    loops = 1
    while True:
        start = time.process_time()
        for _ in range(loops):
            fn()
        if time.process_time() - start >= min_time or loops >= 1 << 20:
            return loops
        loops *= 2


def _round(fn: Callable[[], object], loops: int) -> float:
    start = time.process_time()
    for _ in range(loops):
        fn()
    return (time.process_time() - start) / loops


def compare(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    min_time: float = 0.05,
    rounds: int = 15,
) -> Comparison:
    loops_a, loops_b = _loops(ours, min_time), _loops(baseline, min_time)
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(_round(ours, loops_a))
        times_b.append(_round(baseline, loops_b))
    ratios = [a / b for a, b in zip(times_a, times_b, strict=True)]
    return Comparison(
        ours=min(times_a),
        baseline=min(times_b),
        ratio=statistics.median(ratios),
        low=min(ratios),
        high=max(ratios),
    )


def per_call(fn: Callable[[], object], *, min_time: float = 0.05, rounds: int = 7) -> float:
    """Seconds per call of one function, fastest of ``rounds`` calibrated loops."""
    loops = _loops(fn, min_time)
    return min(_round(fn, loops) for _ in range(rounds))

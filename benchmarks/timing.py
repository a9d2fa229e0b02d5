"""A small timer for ratios on a noisy machine.

``compare`` times two functions in alternating rounds, each a loop calibrated to a minimum
duration, and keeps each one's fastest round: both see the same machine state, so a ratio does
not drift with CPU frequency or a neighbour's load the way two separate measurements do.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["compare", "per_call"]


def _loops(fn: Callable[[], object], min_time: float) -> int:
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        if time.perf_counter() - start >= min_time / 4 or loops >= 1 << 20:
            return loops
        loops *= 2


def _round(fn: Callable[[], object], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


def compare(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    min_time: float = 0.2,
    rounds: int = 7,
) -> tuple[float, float]:
    """Seconds per call of ``ours`` and of ``baseline``, fastest of alternating rounds."""
    loops_a, loops_b = _loops(ours, min_time), _loops(baseline, min_time)
    best_a = best_b = float("inf")
    for _ in range(rounds):
        best_a = min(best_a, _round(ours, loops_a))
        best_b = min(best_b, _round(baseline, loops_b))
    return best_a, best_b


def per_call(fn: Callable[[], object], *, min_time: float = 0.2, rounds: int = 5) -> float:
    """Seconds per call of one function, fastest of ``rounds`` calibrated loops."""
    loops = _loops(fn, min_time)
    return min(_round(fn, loops) for _ in range(rounds))

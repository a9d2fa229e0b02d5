"""What importing the store costs a cold Lambda: fresh interpreters, alternating runs."""

from __future__ import annotations

import statistics
import subprocess
import sys

from benchmarks.report import Section

__all__ = ["section"]

BASELINE = "import boto3, msgspec"
OURS = "import careervp.dal.dynamo_dal_handler"


def _seconds(statement: str) -> float:
    """Wall time of one fresh interpreter importing ``statement``, minus an empty one's."""
    probe = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed statements
        [sys.executable, "-X", "frozen_modules=on", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def section(runs: int) -> Section:
    ours: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):  # alternating, so both see the same page cache and CPU state
        ours.append(_seconds(OURS))
        baseline.append(_seconds(BASELINE))
    ratios = sorted(a / b for a, b in zip(ours, baseline, strict=True))
    result = Section(
        f"Import cost in fresh interpreters ({runs} alternating runs each, medians)",
        ["import", "median", "ratio to boto3 + msgspec", "middle half of ratios", "goal"],
        notes=[
            (
                "Measured inside each process (time of the import statement itself), so interpreter"
                " start-up is excluded from both."
            ),
        ],
    )
    quarter = len(ratios) // 4
    result.add(BASELINE, f"{statistics.median(baseline) * 1e3:.1f} ms", "1.00", "-", "-")
    result.add(
        OURS,
        f"{statistics.median(ours) * 1e3:.1f} ms",
        f"{statistics.median(ratios):.2f}",
        f"{ratios[quarter]:.2f}-{ratios[-quarter - 1]:.2f}",
        "<= 1.2",
    )
    return result

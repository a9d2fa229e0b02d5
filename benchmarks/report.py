"""Benchmark output: each section a titled markdown table, rows built by one helper."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.timing import Comparison

__all__ = ["Section", "micros", "ratio_row"]


def micros(seconds: float) -> str:
    value = seconds * 1e6
    return f"{value:,.2f} µs" if value < 10 else f"{value:,.0f} µs"


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        table = [self.headers, *self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.headers))]
        lines = [f"### {self.title}", ""]
        for index, row in enumerate(table):
            lines.append(
                "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
            )
            if index == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        lines += ["", *self.notes]
        return "\n".join(lines).rstrip() + "\n"


def ratio_row(section: Section, name: str, label: str, result: Comparison, goal: str) -> None:
    """One row of a side-by-side timing: both times, the median ratio and its spread."""
    section.add(
        name,
        label,
        micros(result.ours),
        micros(result.baseline),
        f"{result.ratio:.2f}",
        result.spread,
        goal,
    )


RATIO_HEADERS = ["figure", "CV JSON", "ours", "baseline", "ratio", "spread", "goal"]

"""Output: results on stdout (aligned columns for people, one JSON document with ``--json``),
everything else (errors, warnings, progress) on stderr."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.codec import canonical_json
from careervp.dal.errors import escaped
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from careervp.models.tailor import TailoredCVData

__all__ = [
    "EXIT_CODES",
    "INTERRUPTED_EXIT",
    "VERSION_HEADERS",
    "emit",
    "fail",
    "interrupted",
    "kilobytes",
    "note",
    "plural",
    "report_json",
    "table",
    "version_rows",
]

EXIT_CODES: dict[ResultCode, int] = {
    ResultCode.SUCCESS: 0,
    ResultCode.NOT_FOUND: 1,
    ResultCode.VALIDATION_ERROR: 2,
    ResultCode.ITEM_TOO_LARGE: 2,
    ResultCode.INTEGRITY_ERROR: 3,
    ResultCode.CONFLICT: 4,
    ResultCode.THROTTLED: 4,
    ResultCode.DATABASE_ERROR: 4,
    ResultCode.INTERNAL_ERROR: 5,
}
INTERRUPTED_EXIT = 130  # 128 + SIGINT
_JSON = msgspec.json.Encoder()


def emit(args: argparse.Namespace, document: object, human: Sequence[str]) -> None:
    """The command's result: one JSON document with ``--json`` (JSON escapes controls itself),
    else the human lines, escaped: stored text never reaches a terminal raw."""
    if args.json:
        sys.stdout.write(_JSON.encode(document).decode() + "\n")
    else:
        sys.stdout.write("".join(f"{escaped(line)}\n" for line in human))
    sys.stdout.flush()


def note(line: str) -> None:
    """One line on stderr (a warning, an unreadable version's name), escaped."""
    sys.stderr.write(f"{escaped(line)}\n")


class _Mode:
    """How this process reports: set once by ``main`` from ``--json``."""

    json = False


def report_json(enabled: bool) -> None:  # noqa: FBT001 - a switch, named by its function
    _Mode.json = enabled


# The library names its configuration ("(TAILORED_CV_KMS_KEY_ID)"); an operator has flags too.
_CLI_WORDS = (("(TAILORED_CV_KMS_KEY_ID)", "(--kms-key-id or TAILORED_CV_KMS_KEY_ID)"),)


def _report(code: str, message: str) -> None:
    for library, cli in _CLI_WORDS:
        message = message.replace(library, cli)
    if _Mode.json:
        sys.stdout.write(_JSON.encode({"code": code, "error": message}).decode() + "\n")
        sys.stdout.flush()
    else:
        sys.stderr.write(f"error ({code}): {escaped(message)}\n")


def fail(code: ResultCode, message: str) -> int:
    """Report a failure once: one JSON document on stdout with ``--json`` (scripts read the
    code there), else one line on stderr. Returns the exit code."""
    _report(code.value, message)
    return EXIT_CODES[code]


def interrupted(message: str) -> int:
    """Ctrl-C: reported like a failure (code ``INTERRUPTED``), exit 130 as a shell says it."""
    _report("INTERRUPTED", message)
    return INTERRUPTED_EXIT


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def kilobytes(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=False)]
    return [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in (headers, *rows)
    ]


VERSION_HEADERS = ["ARTIFACT", "USER", "JOB", "CV", "FVS", "SCORE", "CV JSON"]


def version_rows(items: Sequence[TailoredCVData]) -> list[list[str]]:
    rows = []
    for item in items:
        artifact = item.artifact
        score = item.metadata.relevance_score
        rows.append(
            [
                artifact.artifact_id if artifact else "?",
                item.metadata.user_id,
                item.metadata.job_id,
                str(item.tailored_cv.source_cv_version),
                "yes" if item.metadata.fvs_validation_passed else "no",
                "-" if score is None else f"{score:.2f}",
                kilobytes(len(canonical_json(item.tailored_cv))),
            ]
        )
    return rows

"""Data-subject requests: ``export-user`` (access) and ``erase-user`` (erasure).

Both report progress on stderr. The export writes JSON Lines atomically (a temporary file in
the same folder, renamed into place only when complete); the erasure counts first and asks
before deleting unless ``--yes`` is given.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.cli.progress import Progress
from careervp.dal.cli.render import EXIT_CODES, emit, fail, interrupted, note, plural
from careervp.dal.errors import escaped
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.models.tailor import TailoredCVData

__all__ = ["erase_user", "export_user"]

_LINE = msgspec.json.Encoder()


def _write_atomically(path: Path, items: Sequence[TailoredCVData]) -> None:
    """``path`` holds every line or is left as it was; never a partial export."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for item in items:
                out.write(_LINE.encode(item) + b"\n")
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def _not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` must not be replaced by an export, or ``None``: only a regular file (or
    nothing) is; a symlink, a device, a pipe or a folder is refused, never replaced."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "not a regular file (a device, a pipe or a socket)"
    )
    return f"{path} is {kind}: export-user writes a regular file only"


def _deliver(out: Path | None, items: Sequence[TailoredCVData]) -> str | None:
    """The lines to ``out`` (``None``: standard output); why they could not be, or ``None``."""
    if out is None:
        for item in items:
            sys.stdout.buffer.write(_LINE.encode(item) + b"\n")
        sys.stdout.buffer.flush()
        return None
    refused = _not_a_regular_file(out)  # again: the export took a while
    if refused is not None:
        return refused
    try:
        _write_atomically(out, items)
    except OSError as exc:
        return f"cannot write {out}: {exc.strerror}"
    return None


def export_user(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    to_stdout = args.out == "-"  # as put reads -: the lines on stdout, the summary on stderr
    out = Path(args.out)
    if not to_stdout:
        if not out.parent.is_dir():
            return fail(ResultCode.VALIDATION_ERROR, f"folder {out.parent} does not exist")
        refused = _not_a_regular_file(out)
        if refused is not None:
            return fail(ResultCode.VALIDATION_ERROR, refused)
    progress = Progress(f"reading {args.user_id}'s versions")
    try:
        exported = dal.export_tailored_cvs_for_user(args.user_id, on_progress=progress)
    finally:
        progress.close()
    if not exported.success:
        return fail(exported.code, exported.error)
    export = exported.data
    problem = _deliver(None if to_stdout else out, export["items"])
    if problem is not None:
        return fail(ResultCode.VALIDATION_ERROR, problem)
    for artifact in export["unreadable"]:
        note(f"unreadable (failed its integrity check, not exported): {artifact}")
    where = "standard output" if to_stdout else str(out)
    summary = f"exported {plural(export['count'], 'version')} of {args.user_id} to {where}"
    if export["unreadable"]:
        summary += f"; {len(export['unreadable'])} unreadable (named on stderr)"
    if to_stdout:
        note(summary)
    else:
        emit(
            args,
            {
                "user_id": args.user_id,
                "file": str(out),
                "count": export["count"],
                "unreadable": export["unreadable"],
            },
            [summary],
        )
    return EXIT_CODES[ResultCode.INTEGRITY_ERROR] if export["unreadable"] else 0


def _confirmed(user_id: str, count: int) -> bool:
    sys.stderr.write(
        f"This deletes {plural(count, 'version')} of user {escaped(user_id)} for good."
        f" Type the user id to confirm: "
    )
    sys.stderr.flush()
    return sys.stdin.readline().strip() == user_id


def erase_user(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    counted = dal.count_tailored_cvs_for_user(args.user_id)
    if not counted.success:
        return fail(counted.code, counted.error)
    if args.dry_run:
        emit(
            args,
            {"user_id": args.user_id, "would_delete": counted.data, "deleted": 0},
            [f"would delete {plural(counted.data, 'version')} of {args.user_id} (dry run)"],
        )
        return 0
    if counted.data == 0:  # nothing to confirm: asking for the id would only alarm
        emit(
            args,
            {"user_id": args.user_id, "deleted": 0},
            [f"{args.user_id} has no versions; nothing to delete"],
        )
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            return fail(
                ResultCode.VALIDATION_ERROR,
                f"erasing {plural(counted.data, 'version')} of {args.user_id} needs --yes"
                " (no terminal to confirm on); nothing was deleted",
            )
        if not _confirmed(args.user_id, counted.data):
            return fail(ResultCode.VALIDATION_ERROR, "not confirmed; nothing was deleted")
    progress = Progress(f"erasing {args.user_id}")
    try:
        erased = dal.delete_all_tailored_cvs_for_user(
            args.user_id, on_progress=lambda deleted: progress(deleted, counted.data)
        )
    except KeyboardInterrupt:
        erased = None
    finally:
        progress.close()
    if erased is None:
        # The count is the last batch reported: a batch cut short may have removed more.
        return interrupted(
            f"interrupted: at least {plural(progress.done, 'version')} of {args.user_id} were"
            " deleted and stay deleted; run again to finish the erasure"
        )
    if not erased.success:
        return fail(erased.code, erased.error)
    emit(
        args,
        {"user_id": args.user_id, "deleted": erased.data},
        [f"deleted {plural(erased.data, 'version')} of {args.user_id}"],
    )
    return 0

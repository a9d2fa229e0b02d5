"""Operators' commands: ``create-table`` (create, or check and repair TTL) and
``encrypt-existing`` (upgrade format-1 versions to encrypted ones, resumably)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careervp.dal.cli.progress import Progress
from careervp.dal.cli.render import EXIT_CODES, emit, fail, note, plural
from careervp.dal.errors import IntegrityError
from careervp.dal.schema import INDEX_NAME
from careervp.dal.settings import INDEX_NAME_ENV

# One definition of "the store's table", kept in table.py; the CLI consults it before
# ensure_table so a refused table is left exactly as it was.
from careervp.dal.table import ensure_table
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    import argparse

    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler

__all__ = ["SizingCipher", "create_table", "encrypt_existing"]

# The table exists but cannot serve the store: the database-side failure code.
UNSERVICEABLE_EXIT = 4


class SizingCipher:
    """What ``encrypt-existing --dry-run`` encrypts with: no KMS, no key, the same layout.

    A dry run writes nothing, but it sizes each version as it would be stored encrypted (a
    version near 400 KB can be too large once encrypted). The blob has ``KmsCipher``'s layout
    with an encrypted data key of ``KEY_BYTES``, more than AWS KMS's 184, so the dry run may
    call a version too large that would just fit, never the other way round.
    """

    KEY_BYTES = 256
    _OVERHEAD = 3 + KEY_BYTES + 12 + 16  # header, encrypted key, nonce, tag

    def __init__(self, key_id: str) -> None:
        self._key_id = key_id

    @property
    def key_id(self) -> str:
        return self._key_id

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:  # noqa: ARG002 - sized only
        return bytes(len(plaintext) + self._OVERHEAD)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:  # noqa: ARG002 - never called
        raise IntegrityError("a dry run reads no encrypted version")


def create_table(args: argparse.Namespace, client: DynamoDBClient, name: str) -> int:
    index = os.environ.get(INDEX_NAME_ENV) or INDEX_NAME
    report = ensure_table(
        client,
        name,
        index_name=index,
        wait_timeout=args.wait_timeout,
        table_class=args.table_class,
    )
    for advisory in report.advisories:
        note(f"note: {advisory}")
    for problem in report.problems:
        note(f"problem: {problem}")
    if report.created:
        human = [f"table {name} created and active"]
    elif report.serviceable:
        human = [f"table {name} already exists and can serve the store"]
    else:
        refusal = f"table {name} exists but cannot serve the store (see the problems above)"
        human = [f"{refusal}; nothing was changed"]
    human += [f"repaired: {line}" for line in report.repaired]
    emit(
        args,
        {
            "table": name,
            "created": report.created,
            "serviceable": report.serviceable,
            "repaired": report.repaired,
            "problems": report.problems,
            "advisories": report.advisories,
        },
        human,
    )
    return 0 if report.serviceable else UNSERVICEABLE_EXIT


def _read_checkpoint(path: Path | None) -> str | None:
    if path is None or not path.exists():
        return None
    return path.read_text().strip() or None


def _write_checkpoint(path: Path, cursor: str | None) -> None:
    if cursor is None:
        path.unlink(missing_ok=True)  # finished: the next run starts from the beginning
        return
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(cursor + "\n")
    partial.replace(path)


def encrypt_existing(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    checkpoint = Path(args.checkpoint) if args.checkpoint else None
    cursor = _read_checkpoint(checkpoint)
    totals: dict[str, Any] = {
        "scanned": 0,
        "encrypted": 0,
        "unreadable": [],
        "changed": [],
        "too_large": [],
    }
    progress = Progress("would encrypt" if args.dry_run else "encrypted")
    try:
        while True:
            page = dal.encrypt_existing_versions(
                cursor, page_size=args.page_size, dry_run=args.dry_run
            )
            if not page.success:
                resume = f"; run again with --checkpoint {checkpoint}" if checkpoint else ""
                return fail(page.code, f"{page.error}{resume}")
            for name in totals:
                totals[name] += page.data[name]  # type: ignore[literal-required]
            progress(totals["encrypted"])
            cursor = page.data["next_cursor"]
            if checkpoint is not None and not args.dry_run:
                _write_checkpoint(checkpoint, cursor)
            if cursor is None:
                break
    finally:
        progress.close()
    for artifact in totals["unreadable"]:
        note(f"unreadable (left as it was): {artifact}")
    for artifact in totals["changed"]:
        note(f"changed while upgrading (left as it was; run again): {artifact}")
    for artifact in totals["too_large"]:
        note(f"too large to encrypt (left as it was, in clear): {artifact}")
    verb = "would encrypt" if args.dry_run else "encrypted"
    emit(
        args,
        {"dry_run": args.dry_run, **totals},
        [
            (
                f"{verb} {plural(totals['encrypted'], 'version')} of {totals['scanned']} scanned;"
                f" {len(totals['unreadable'])} unreadable, {len(totals['changed'])} changed"
                " meanwhile"
            )
        ],
    )
    left = totals["unreadable"] or totals["too_large"]
    return EXIT_CODES[ResultCode.INTEGRITY_ERROR] if left else 0

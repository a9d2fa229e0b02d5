"""The data commands: put, get, latest, list, delete."""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from careervp.dal.cli.render import VERSION_HEADERS, emit, fail, plural, table, version_rows
from careervp.dal.schema import artifact_id, split_artifact_id
from careervp.dal.settings import SECRET_ENV
from careervp.models.result import Err, ResultCode
from careervp.models.tailor import TailoredCVData

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.models.result import Result
    from careervp.models.tailor import TailoredCVPage

__all__ = ["delete", "get", "latest", "listing", "put", "version_key"]

_DATA_DECODER = msgspec.json.Decoder(TailoredCVData, strict=True)


def version_key(parts: list[str]) -> tuple[str, str] | Err:
    """``(application_id, created_at)`` from ``APP#CREATED_AT`` or ``APP CREATED_AT``."""
    if len(parts) == 2:
        return parts[0], parts[1]
    split = split_artifact_id(parts[0]) if len(parts) == 1 else None
    if split is not None:
        return split
    return Err(
        "give an artifact id (APPLICATION_ID#CREATED_AT, as put prints it) or both parts",
        ResultCode.VALIDATION_ERROR,
    )


def _read_data(source: str) -> TailoredCVData | str:
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        return f"cannot read {source}: {exc.strerror}"
    try:
        return _DATA_DECODER.decode(raw)
    except msgspec.DecodeError as exc:
        return f"{source} is not a TailoredCVData document: {exc}"


def put(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    data = _read_data(args.file)
    if isinstance(data, str):
        return fail(ResultCode.VALIDATION_ERROR, data)
    saved = dal.save_tailored_cv(args.application_id, data, idempotency_key=args.idempotency_key)
    if not saved.success:
        return fail(saved.code, saved.error)
    emit(args, {"artifact_id": saved.data}, [saved.data])
    return 0


def _show(args: argparse.Namespace, data: TailoredCVData) -> None:
    cv = data.tailored_cv
    human = [*table(VERSION_HEADERS, version_rows([data])), "", cv.executive_summary]
    human += [
        f"- {e.title}, {e.company} ({e.start_date} to {e.end_date or 'now'})" for e in cv.experience
    ]
    emit(args, data, human)


def get(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    key = version_key(args.version)
    got = key if isinstance(key, Err) else dal.get_tailored_cv(*key)
    if not got.success:
        return fail(got.code, got.error)
    _show(args, got.data)
    return 0


def latest(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    got = dal.get_latest_tailored_cv(args.application_id)
    if not got.success:
        return fail(got.code, got.error)
    _show(args, got.data)
    return 0


DEFAULT_PAGE = 10
# What to do when a listing has more pages and no secret signs tokens the next process can use.
SET_THE_SECRET = (
    f"set {SECRET_ENV} (the same value for every command, for example"
    f" export {SECRET_ENV}=$(openssl rand -base64 32)) and list again"
)


def _page(
    args: argparse.Namespace, fetch: Callable[[int, str | None], Result[TailoredCVPage]]
) -> int:
    """One page of a user's or an application's versions, with the token for the next."""
    secret = bool(os.environ.get(SECRET_ENV))
    if args.next_token is not None and not secret:
        return fail(
            ResultCode.VALIDATION_ERROR,
            f"--next-token verifies only with the secret that signed it: {SET_THE_SECRET}",
        )
    page = fetch(DEFAULT_PAGE if args.limit is None else args.limit, args.next_token)
    if not page.success:
        return fail(page.code, page.error)
    document = dict(page.data)
    token = page.data["last_evaluated_key"]
    human = table(VERSION_HEADERS, version_rows(page.data["items"]))
    human.append(plural(page.data["count"], "version"))
    # Named, never shown: each failed its integrity check (why is logged at ERROR, on stderr).
    human += [f"unreadable: {artifact}" for artifact in page.data["unreadable"]]
    if token is not None and secret:
        human.append(f"next page: --next-token {token}")
    elif token is not None:
        # This process's random secret signed the token: no other process could use it.
        document.update(last_evaluated_key=None, more=True, next_page=SET_THE_SECRET)
        human.append(f"more versions follow; to page through them {SET_THE_SECRET}")
    emit(args, document, human)
    return 0


def listing(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    if args.user is not None:
        return _page(args, partial(dal.list_tailored_cvs_for_user, args.user))
    if args.limit is not None or args.next_token is not None:
        return _page(args, partial(dal.list_tailored_cvs_for_application_page, args.application))
    versions = dal.list_tailored_cvs_for_application(args.application)
    if not versions.success:
        return fail(versions.code, versions.error)
    human = [
        *table(VERSION_HEADERS, version_rows(versions.data)),
        plural(len(versions.data), "version"),
    ]
    emit(args, {"items": versions.data, "count": len(versions.data)}, human)
    return 0


def delete(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    key = version_key(args.version)
    deleted = key if isinstance(key, Err) else dal.delete_tailored_cv(*key)
    if isinstance(key, Err) or not deleted.success:
        return fail(deleted.code, deleted.error or "")
    artifact = artifact_id(*key)
    emit(args, {"deleted": artifact}, [f"deleted {artifact}"])
    return 0

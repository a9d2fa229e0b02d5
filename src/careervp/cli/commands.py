"""The data commands: create-table, put, get, list, delete, erase-user."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from botocore.exceptions import BotoCoreError, ClientError

from careervp.cli.render import (
    VERSION_HEADERS,
    emit,
    fail,
    short_token,
    table,
    version_rows,
)
from careervp.dal.faults import error_code, fault_result
from careervp.dal.table import create_table, table_differences
from careervp.models.result import ResultCode
from careervp.models.tailor import TailoredCVData

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.dal.dynamo_dal_handler import DynamoDalHandler

__all__ = ["DATA_COMMANDS", "client_failure", "create_table_command"]

_DATA_DECODER = msgspec.json.Decoder(TailoredCVData, strict=True)


def create_table_command(args: argparse.Namespace, client: DynamoDBClient, name: str) -> int:
    try:
        described = client.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    else:
        problems = table_differences(described, name)
        if problems:
            return fail(
                ResultCode.CONFLICT,
                f"table {name} exists but differs: " + "; ".join(problems),
            )
        emit(args, {"table": name, "created": False}, [f"table {name} already exists"])
        return 0
    ttl = create_table(client, name, wait_timeout=args.wait_timeout)
    note = "" if ttl else " (this engine has no TTL API; reads still hide expired items)"
    emit(
        args,
        {"table": name, "created": True, "ttl_enabled": ttl},
        [f"table {name} created and active{note}"],
    )
    return 0


def _read_data(source: str) -> TailoredCVData | str:
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        return f"cannot read {source}: {exc.strerror}"
    try:
        return _DATA_DECODER.decode(raw)
    except msgspec.DecodeError as exc:
        return f"{source} is not a TailoredCVData document: {exc}"


def _put(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    data = _read_data(args.file)
    if isinstance(data, str):
        return fail(ResultCode.VALIDATION_ERROR, data)
    saved = dal.save_tailored_cv(args.application_id, data)
    if not saved.success:
        return fail(saved.code, saved.error)
    emit(args, {"artifact_id": saved.data}, [saved.data])
    return 0


def _get(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    got = dal.get_tailored_cv(args.application_id, args.created_at)
    if not got.success:
        return fail(got.code, got.error)
    cv = got.data.tailored_cv
    human = [*table(VERSION_HEADERS, version_rows([got.data])), "", cv.executive_summary]
    human += [
        f"- {e.title}, {e.company} ({e.start_date} to {e.end_date or 'now'})" for e in cv.experience
    ]
    emit(args, got.data, human)
    return 0


def _list(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    if args.user is not None:
        page = dal.list_tailored_cvs_for_user(args.user, args.limit, args.next_token)
        if not page.success:
            return fail(page.code, page.error)
        token = page.data["last_evaluated_key"]
        human = table(VERSION_HEADERS, version_rows(page.data["items"]))
        human.append(f"{page.data['count']} version(s); next token {short_token(token)}")
        emit(args, page.data, human)
        return 0
    versions = dal.list_tailored_cvs_for_application(args.application)
    if not versions.success:
        return fail(versions.code, versions.error)
    human = [
        *table(VERSION_HEADERS, version_rows(versions.data)),
        f"{len(versions.data)} version(s)",
    ]
    emit(args, {"items": versions.data, "count": len(versions.data)}, human)
    return 0


def _delete(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    deleted = dal.delete_tailored_cv(args.application_id, args.created_at)
    if not deleted.success:
        return fail(deleted.code, deleted.error)
    artifact = f"{args.application_id}#{args.created_at}"
    emit(args, {"deleted": artifact}, [f"deleted {artifact}"])
    return 0


def _erase_user(args: argparse.Namespace, dal: DynamoDalHandler) -> int:
    erased = dal.delete_all_tailored_cvs_for_user(args.user_id)
    if not erased.success:
        return fail(erased.code, erased.error)
    emit(
        args,
        {"user_id": args.user_id, "deleted": erased.data},
        [f"deleted {erased.data} version(s) of {args.user_id}"],
    )
    return 0


DATA_COMMANDS: dict[str, Callable[[argparse.Namespace, DynamoDalHandler], int]] = {
    "put": _put,
    "get": _get,
    "list": _list,
    "delete": _delete,
    "erase-user": _erase_user,
}


def client_failure(exc: ClientError | BotoCoreError, table_name: str, endpoint: str) -> int:
    result = fault_result(exc, action="running the command", table=table_name, endpoint=endpoint)
    return fail(result.code, result.error)

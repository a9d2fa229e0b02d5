"""Argument parsing and dispatch for ``careervp-dal``.

Exit codes: 0 success, 1 not found, 2 usage or validation (and items too large),
3 integrity, 4 database, throttling or conflict. Every failure is one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from careervp.cli.commands import DATA_COMMANDS, client_failure, create_table_command
from careervp.cli.demo import run_demo
from careervp.cli.local import LocalEngineMissingError, embedded_engine
from careervp.cli.render import fail
from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import SECRET_ENV, DynamoDalHandler
from careervp.dal.table import TABLE_NAME_ENV, create_table
from careervp.handlers.utils.observability import logger
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["build_parser", "main"]

DEFAULT_TABLE = "careervp-tailored-cvs"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careervp-dal",
        description="Operate the CareerVP tailored-CV store on DynamoDB.",
        epilog="Exit codes: 0 ok, 1 not found, 2 usage/validation, 3 integrity, 4 database.",
    )
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (default: as boto3 finds it)")
    parser.add_argument(
        "--table", help=f"table name (default: ${TABLE_NAME_ENV} or {DEFAULT_TABLE})"
    )
    parser.add_argument("--region", help="AWS region (default: as boto3 finds it)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--verbose", action="store_true", help="show the store's logs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("demo", help="run the store end to end on an embedded engine")
    local = commands.add_parser("local-server", help="moto's server on 127.0.0.1 with the table")
    local.add_argument("--port", type=int, default=8000)
    create = commands.add_parser("create-table", help="create the table, GSI, TTL (idempotent)")
    create.add_argument("--wait-timeout", type=float, default=60.0, metavar="SECONDS")

    put = commands.add_parser("put", help="save a TailoredCVData JSON file as a new version")
    put.add_argument("file", help="path to the JSON document, or - for standard input")
    put.add_argument("--application-id", required=True)
    for name, text in (("get", "show one version"), ("delete", "delete one version")):
        command = commands.add_parser(name, help=text)
        command.add_argument("application_id")
        command.add_argument("created_at")
    listing = commands.add_parser("list", help="list a user's or an application's versions")
    scope = listing.add_mutually_exclusive_group(required=True)
    scope.add_argument("--user")
    scope.add_argument("--application")
    listing.add_argument("--limit", type=int, default=10)
    listing.add_argument("--next-token")
    erase = commands.add_parser("erase-user", help="delete every version of a user")
    erase.add_argument("user_id")
    return parser


def _serve_locally(args: argparse.Namespace, table_name: str) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with embedded_engine(args.port) as endpoint:
        region = args.region or "us-east-1"
        client = build_client(endpoint_url=endpoint, region_name=region, local_credentials=True)
        create_table(client, table_name)
        print(f"moto's DynamoDB server is listening at {endpoint}; export:")
        for name, value in (
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
            ("AWS_DEFAULT_REGION", region),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            (TABLE_NAME_ENV, table_name),
            (SECRET_ENV, secrets.token_urlsafe(32)),
        ):
            print(f"export {name}={value}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    table_name = args.table or os.environ.get(TABLE_NAME_ENV) or DEFAULT_TABLE
    if args.command == "demo":
        return run_demo()
    if args.command == "local-server":
        return _serve_locally(args, table_name)
    client = build_client(endpoint_url=args.endpoint_url, region_name=args.region)
    endpoint = str(client.meta.endpoint_url)
    try:
        if args.command == "create-table":
            return create_table_command(args, client, table_name)
        return DATA_COMMANDS[args.command](args, DynamoDalHandler(client, table_name))
    except (ClientError, BotoCoreError) as exc:
        return client_failure(exc, table_name, endpoint)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage line already
        return exc.code if isinstance(exc.code, int) else 2
    logger.setLevel("INFO" if args.verbose else "WARNING")
    try:
        return _dispatch(args)
    except LocalEngineMissingError as exc:
        return fail(ResultCode.VALIDATION_ERROR, str(exc))
    except BotoCoreError as exc:  # raised while building the client: no region, bad profile
        return fail(ResultCode.VALIDATION_ERROR, f"AWS configuration: {exc}")
    except ValueError as exc:  # the handler's configuration checks
        return fail(ResultCode.VALIDATION_ERROR, str(exc))
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the operator
        return fail(ResultCode.DATABASE_ERROR, f"unexpected {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())

"""Argument parsing and dispatch for ``careervp-dal``.

Exit codes: 0 success, 1 not found, 2 usage, validation or a refused confirmation (and items too
large), 3 integrity (an export that met unreadable versions too), 4 database, throttling,
conflict or a table that cannot serve the store, 5 a defect of the tool, 141 stdout closed.
stdout holds the result only; errors, logs and progress go to stderr.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import secrets
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from careervp.dal import __version__
from careervp.dal.cli import admin, commands, subject
from careervp.dal.cli.demo import DEMO_OPTIONS, run_demo
from careervp.dal.cli.local import LocalEngineError, is_local, local_client, serve_locally
from careervp.dal.cli.render import EXIT_CODES, fail, interrupted, report_json
from careervp.dal.client import build_client
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.errors import escaped, service_error
from careervp.dal.schema import CREATED_AT_EXAMPLE
from careervp.dal.settings import KMS_KEY_ENV, SECRET_ENV, TABLE_NAME_ENV
from careervp.dal.table import TABLE_CLASS, TABLE_CLASSES
from careervp.dal.validation import MAX_LIMIT
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["build_parser", "main"]

DEFAULT_TABLE = "careervp-tailored-cvs"
CLOSED_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a closed pipe

_DATA_COMMANDS: dict[str, Callable[[argparse.Namespace, DynamoDalHandler], int]] = {
    "put": commands.put,
    "get": commands.get,
    "latest": commands.latest,
    "list": commands.listing,
    "delete": commands.delete,
    "export-user": subject.export_user,
    "erase-user": subject.erase_user,
    "encrypt-existing": admin.encrypt_existing,
}


def _global_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    # Subcommands accept the same options; SUPPRESS keeps them from overwriting a value given
    # before the subcommand with their default.
    default = argparse.SUPPRESS if nested else None
    flag_default = argparse.SUPPRESS if nested else False
    parser.add_argument(
        "--endpoint-url", default=default, help="DynamoDB endpoint (default: as boto3 finds it)"
    )
    parser.add_argument(
        "--table",
        default=default,
        help=f"table name (default: ${TABLE_NAME_ENV}, else {DEFAULT_TABLE})",
    )
    parser.add_argument(
        "--region",
        default=default,
        help="AWS region for DynamoDB and KMS (default: as boto3 finds it)",
    )
    parser.add_argument(
        "--kms-key-id",
        default=default,
        help=f"the KMS key that encrypts the CVs (id, ARN or alias; default ${KMS_KEY_ENV});"
        " its endpoint is AWS_ENDPOINT_URL_KMS as boto3 reads it",
    )
    parser.add_argument(
        "--json", action="store_true", default=flag_default, help="print one JSON document"
    )
    parser.add_argument(
        "--verbose", action="store_true", default=flag_default, help="log the store's calls"
    )


_VERSION_HELP = (
    f"the version: its artifact id APPLICATION_ID#CREATED_AT as put prints it, or the two parts"
    f" APPLICATION_ID CREATED_AT (CREATED_AT like {CREATED_AT_EXAMPLE}, UTC)"
)


def _command(
    commands_: argparse._SubParsersAction[_Parser], name: str, text: str
) -> argparse.ArgumentParser:
    command = commands_.add_parser(name, help=text, description=text)
    _global_options(command, nested=True)
    return command


class _ArgumentError(Exception):
    """A command line argparse refused; ``main`` reports it as plain text or, with --json, JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    # Subcommands' parsers are of this class too (add_subparsers uses the parser's own type).
    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(self, message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="careervp-dal",
        description="Operate the CareerVP tailored-CV store on DynamoDB.",
        epilog="Exit codes: 0 ok, 1 not found, 2 usage/validation/configuration or an item too"
        " large, 3 integrity, 4 database, 5 internal, 130 interrupted (Ctrl-C), 141 closed pipe."
        " Options may come before or after the command.",
    )
    parser.add_argument("--version", action="version", version=f"careervp-dal {__version__}")
    _global_options(parser, nested=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _command(
        sub,
        "demo",
        "run the store end to end on its own embedded engine and KMS key (no AWS account; the"
        " shell's AWS settings are not read, and --endpoint-url, --table, --region and"
        " --kms-key-id are refused)",
    )
    local = _command(sub, "local-server", "serve moto's DynamoDB on 127.0.0.1 with the table")
    local.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    local.add_argument(
        "--kms-key",
        action="store_true",
        help="also create a KMS key there and export it as TAILORED_CV_KMS_KEY_ID",
    )
    create = _command(
        sub, "create-table", "create the table, or check one and repair its TTL (idempotent)"
    )
    create.add_argument(
        "--wait-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for a new table to become active (default 60)",
    )
    create.add_argument(
        "--table-class",
        choices=TABLE_CLASSES,
        default=TABLE_CLASS,
        help=f"the class of a new table (default {TABLE_CLASS}, the cheaper for this workload:"
        " docs/operations.md); an existing table keeps its own",
    )

    put = _command(sub, "put", "save a TailoredCVData JSON document as a new version")
    put.add_argument("file", help="path to the JSON document, or - for standard input")
    put.add_argument("--application-id", required=True, help="the application it belongs to")
    put.add_argument(
        "--idempotency-key",
        help="a key for this save: repeating it with the same content stores nothing new",
    )
    for name, text in (("get", "show one version"), ("delete", "delete one version")):
        command = _command(sub, name, text)
        command.add_argument("version", nargs="+", metavar="VERSION", help=_VERSION_HELP)
    latest = _command(sub, "latest", "show the newest live version of an application")
    latest.add_argument("application_id", help="the application id")

    listing = _command(sub, "list", "list a user's versions a page at a time, or an application's")
    scope = listing.add_mutually_exclusive_group(required=True)
    scope.add_argument("--user", help="list this user's versions, newest first, a page at a time")
    scope.add_argument("--application", help="list every live version of this application")
    listing.add_argument(
        "--limit",
        type=int,
        default=None,
        help=f"versions per page, 1 to {MAX_LIMIT} (default 10 with --user; without it"
        " --application lists every version at once)",
    )
    listing.add_argument(
        "--next-token", help="the token a previous page printed, to list the next page"
    )

    export = _command(
        sub, "export-user", "write every version held for a user to a JSON Lines file"
    )
    export.add_argument("user_id", help="the data subject's user id")
    export.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the file to write (replaced only when the export is complete), or - for standard"
        " output (the summary then goes to stderr)",
    )
    erase = _command(sub, "erase-user", "delete every version of a user, expired ones included")
    erase.add_argument("user_id", help="the data subject's user id")
    erase.add_argument("--dry-run", action="store_true", help="count what would be deleted")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    encrypt = _command(
        sub,
        "encrypt-existing",
        "encrypt every format-1 (plain) version in place with the KMS key; resumable",
    )
    encrypt.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="keep the position here after every page; a stopped run resumes from it",
    )
    encrypt.add_argument(
        "--page-size", type=int, default=100, help="items scanned per page, 1 to 1000 (default 100)"
    )
    encrypt.add_argument(
        "--dry-run",
        action="store_true",
        help="verify and count what would be encrypted (needs no key and makes no KMS call)",
    )
    return parser


# The log record's own fields an operator needs: the engine's words, a decoder's detail.
_RECORD_DETAILS = ("engine_code", "engine_message", "detail")


class _Formatter(logging.Formatter):
    """One escaped line a record: the message, then the engine's words when it has them."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        details = [
            f"{name}={getattr(record, name)}" for name in _RECORD_DETAILS if hasattr(record, name)
        ]
        if details:
            line += f" ({'; '.join(details)})"
        return escaped(line)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(_Formatter("careervp-dal: %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _not_a_result(record: logging.LogRecord) -> bool:
    # A method's failure record says what its Result says, and the command reports that
    # Result itself: printed twice it reads as two failures. Other records pass: why a version
    # in a page that succeeded is unreadable is said there only.
    failure = isinstance(record.msg, str) and record.msg.startswith("%s failed: ")
    return not (failure and hasattr(record, "action") and hasattr(record, "code"))


def _configure_logging(*, verbose: bool) -> None:
    """The command line owns its process: the store's log lines go to stderr, never stdout."""
    store = logging.getLogger("careervp.dal")
    handler = next((h for h in store.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        store.addHandler(handler)
    handler.filters.clear()
    if not verbose:  # --verbose shows every record, the engine's own message included
        handler.addFilter(_not_a_result)
    store.setLevel(logging.DEBUG if verbose else logging.WARNING)
    store.propagate = False


def _handler(args: argparse.Namespace, client: DynamoDBClient, table_name: str) -> DynamoDalHandler:
    options: dict[str, Any] = {}
    if not os.environ.get(SECRET_ENV):
        # Without the secret a token would verify in this process only, and a command lives
        # one page: ``list`` says how to set it instead of printing a token (commands.listing),
        # so the store's warning about the per-process secret has nothing left to warn about.
        options["token_secret"] = secrets.token_bytes(32)
    key_id = args.kms_key_id or os.environ.get(KMS_KEY_ENV)
    if args.command == "encrypt-existing" and args.dry_run:
        # A dry run verifies and sizes each version; nothing is written, so no data key is
        # needed, and an operator can check a table before the key exists.
        options["cipher"] = admin.SizingCipher(key_id or "(dry run)")
    elif key_id:
        from careervp.dal.encryption import KmsCipher  # noqa: PLC0415 - only with a key

        # --region reaches KMS too; its endpoint is AWS_ENDPOINT_URL_KMS, as boto3 reads it.
        options["cipher"] = KmsCipher.from_environment(key_id, region_name=args.region)
    elif args.command == "encrypt-existing":
        raise _UsageError(f"encrypting needs a key: pass --kms-key-id or set {KMS_KEY_ENV}")
    return DynamoDalHandler(client, table_name, **options)


def _dispatch(args: argparse.Namespace) -> int:
    table_name = args.table or os.environ.get(TABLE_NAME_ENV) or DEFAULT_TABLE
    if args.command == "demo":
        given = [f"--{name.replace('_', '-')}" for name in DEMO_OPTIONS if getattr(args, name)]
        if given:
            raise _UsageError(
                f"demo runs on its own embedded engine and KMS key, so {', '.join(given)} would"
                " be ignored: run it without, or point the other commands at local-server"
            )
        return run_demo(json_output=args.json)
    if args.command == "local-server":
        return serve_locally(
            args.port,
            table_name,
            args.region or "us-east-1",
            json_output=args.json,
            kms_key=args.kms_key,
        )
    endpoint = (
        args.endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
        or os.environ.get("AWS_ENDPOINT_URL")
    )
    client = (
        local_client(endpoint, args.region, credentials=False)
        if endpoint is not None and is_local(endpoint)
        else build_client(endpoint_url=args.endpoint_url, region_name=args.region)
    )
    if args.command == "create-table":
        run = functools.partial(admin.create_table, args, client, table_name)
    else:
        run = functools.partial(
            _DATA_COMMANDS[args.command], args, _handler(args, client, table_name)
        )
    try:
        return run()
    except (ClientError, BotoCoreError) as exc:
        error = service_error(
            exc,
            action=f"running {args.command}",
            service="DynamoDB",
            resource=f"table {table_name}",
            endpoint=str(client.meta.endpoint_url),
        )
        return fail(error.code, str(error))


class _UsageError(Exception):
    """A command given too little to start (exit 2), said in the command line's words."""


def _interrupted(args: argparse.Namespace) -> int:
    if args.command == "encrypt-existing" and not args.dry_run:
        where = (
            f" from the position in {args.checkpoint}"
            if args.checkpoint
            else " (versions already encrypted are skipped; --checkpoint FILE also skips the"
            " pages already scanned)"
        )
        hint = f"versions encrypted so far stay encrypted; run again to resume{where}"
    elif args.command == "erase-user":
        hint = "versions deleted so far stay deleted; run again to finish the erasure"
    elif args.command in ("export-user", "encrypt-existing"):
        # An export and a dry run keep no position: a new run starts over, honestly said.
        hint = "nothing was written; run it again to start over"
    else:
        hint = "nothing half-written was left behind; run it again"
    return interrupted(f"interrupted: {hint}")


def _quiet_stdout() -> None:
    """After a reader closed stdout: send what is still buffered nowhere, silently."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _refused(exc: _ArgumentError, *, json_output: bool) -> int:
    """A command line argparse refused: its usage and message, or with --json one document
    (a script reads the failure where it reads every other one)."""
    if json_output:
        report_json(enabled=True)
        return fail(ResultCode.VALIDATION_ERROR, f"{exc} (see {exc.parser.prog} --help)")
    exc.parser.print_usage(sys.stderr)
    sys.stderr.write(f"{exc.parser.prog}: error: {escaped(str(exc))}\n")
    return EXIT_CODES[ResultCode.VALIDATION_ERROR]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse has printed the help or the version
        return exc.code if isinstance(exc.code, int) else 2
    except _ArgumentError as exc:
        return _refused(exc, json_output="--json" in words)
    _configure_logging(verbose=args.verbose)
    report_json(bool(args.json))
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return _interrupted(args)
    except BrokenPipeError:
        _quiet_stdout()
        return CLOSED_PIPE_EXIT
    except (LocalEngineError, _UsageError) as exc:
        return fail(ResultCode.VALIDATION_ERROR, str(exc))
    except NoRegionError:  # raised while building a client, before any call
        return fail(
            ResultCode.VALIDATION_ERROR,
            "no AWS region: pass --region or set AWS_REGION or AWS_DEFAULT_REGION",
        )
    except BotoCoreError as exc:  # raised while building the client: a bad profile
        return fail(ResultCode.VALIDATION_ERROR, f"AWS configuration: {exc}")
    except (TypeError, ValueError) as exc:  # the handler's configuration checks
        return fail(ResultCode.VALIDATION_ERROR, str(exc))
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the operator
        return fail(ResultCode.INTERNAL_ERROR, f"unexpected {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())

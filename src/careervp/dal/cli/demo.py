"""``careervp-dal demo``: the store end to end on an embedded engine, no AWS account needed.

The demo brings its own engine and KMS key (moto's server on 127.0.0.1) and reads nothing of
the shell's AWS or store configuration. It is also a check: when a step does not do what it
should it says so on stderr and exits with the code of what failed (4 the engine, 5 the
store). With ``--json`` it prints one document summarising every step instead of the narrative.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from typing import TYPE_CHECKING, Any

import msgspec

from careervp.dal.cli.local import embedded_engine, local_cipher, local_client
from careervp.dal.cli.render import (
    EXIT_CODES,
    VERSION_HEADERS,
    fail,
    kilobytes,
    plural,
    table,
    version_rows,
)
from careervp.dal.codec import canonical_json
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.errors import escaped
from careervp.dal.examples import load_examples
from careervp.dal.schema import split_artifact_id
from careervp.dal.table import create_table
from careervp.models.result import ResultCode

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["DEMO_OPTIONS", "DEMO_TABLE", "run_demo"]

DEMO_TABLE = "careervp-demo-tailored-cvs"
_REGION = "us-east-1"
# The global options that name an engine, a table or a key: the demo has its own, so it refuses
# them rather than ignore them.
DEMO_OPTIONS = ("endpoint_url", "table", "region", "kms_key_id")
# What the engine or the network did is the engine's code; anything else a step got wrong is a
# defect of the tool (the demo's input is the bundled examples).
_ENGINE_CODES = (ResultCode.DATABASE_ERROR, ResultCode.THROTTLED)
_STORE_PREFIXES = ("AWS_", "TAILORED_CV_")


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """No AWS or store setting of the shell reaches the demo (an endpoint, a profile, a key, a
    region, a config file), so it runs the same in any shell; the environment comes back after."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(_STORE_PREFIXES)}
    for name in saved:
        del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    try:
        yield
    finally:
        for name in [k for k in os.environ if k.startswith(_STORE_PREFIXES)]:
            del os.environ[name]
        os.environ.update(saved)


class _Report:
    """The narrative for people, or the summary document for ``--json``."""

    def __init__(self, table: str, *, json_output: bool) -> None:
        self.json_output = json_output
        self.summary: dict[str, Any] = {"table": table, "ok": False}

    def say(self, line: str = "") -> None:
        if not self.json_output:
            # The narrative's own line breaks stay; anything in a line is escaped.
            sys.stdout.write("".join(f"{escaped(part)}\n" for part in line.split("\n")))
            sys.stdout.flush()

    def failed(self, step: str, error: str | None, code: ResultCode | None = None) -> int:
        code = code if code in _ENGINE_CODES else ResultCode.INTERNAL_ERROR
        message = f"demo step {step!r} failed: {error}"
        self.summary["failed"] = {"step": step, "code": code.value, "error": message}
        if self.json_output:  # the summary is the one document, its failure included
            self.finish(ok=False)
            return EXIT_CODES[code]
        return fail(code, message)

    def finish(self, *, ok: bool) -> int:
        self.summary["ok"] = ok
        if self.json_output:
            sys.stdout.write(msgspec.json.encode(self.summary).decode() + "\n")
            sys.stdout.flush()
        return 0


def run_demo(*, json_output: bool = False) -> int:
    # moto keeps its tables per process, so a second demo in one process gets its own table.
    table_name = f"{DEMO_TABLE}-{secrets.token_hex(3)}"
    report = _Report(table_name, json_output=json_output)
    with _isolated(), embedded_engine() as endpoint:
        client = local_client(endpoint, _REGION, credentials=True)
        create_table(client, table_name)
        try:
            cipher = local_cipher(endpoint, _REGION, "demo")
            dal = DynamoDalHandler(
                client, table_name, token_secret=secrets.token_bytes(32), cipher=cipher
            )
            report.summary["endpoint"] = endpoint
            report.say(
                f"Embedded DynamoDB and KMS engine (moto) at {endpoint}; table {table_name}"
                f" created, CVs encrypted under its KMS key {cipher.key_id}."
            )
            failed = _steps(dal, report)
        finally:
            client.delete_table(TableName=table_name)
    if failed is not None:
        return failed
    report.say("\nDone: the embedded engine is stopped.")
    return report.finish(ok=True)


def _steps(dal: DynamoDalHandler, report: _Report) -> int | None:
    """Every step in turn; ``None`` when all did what they should, else the exit code."""
    report.say("\n1. Saving the bundled tailored CVs (each with an idempotency key)")
    rows, saved = [], []
    for number, example in enumerate(load_examples()):
        result = dal.save_tailored_cv(
            example.application_id, example.data, idempotency_key=f"demo-request-{number}"
        )
        if not result.success:
            return report.failed("save", result.error, result.code)
        rows.append([result.data, kilobytes(len(canonical_json(example.data.tailored_cv)))])
        saved.append(result.data)
    for line in table(["ARTIFACT", "CV JSON"], rows):
        report.say(f"   {line}")
    report.summary["saved"] = saved

    first = load_examples()[0]
    again = dal.save_tailored_cv(first.application_id, first.data, idempotency_key="demo-request-0")
    if not again.success or again.data != saved[0]:
        return report.failed("repeated save", again.error or "stored a second version", again.code)
    report.say(f"   saving the first one again with its key returns {again.data}: nothing new")

    report.say("\n2. Reading one version back (inflated, checksum verified)")
    application_id, created_at = split_artifact_id(saved[0]) or ("", "")
    got = dal.get_tailored_cv(application_id, created_at)
    if not got.success:
        return report.failed("get", got.error, got.code)
    cv = got.data.tailored_cv
    checksum = got.data.artifact.checksum if got.data.artifact else "?"
    report.say(f"   {saved[0]}: CV v{cv.source_cv_version}, {plural(len(cv.experience), 'role')}")
    report.say(f"   checksum {checksum}")
    report.summary["read"] = {"artifact_id": saved[0], "checksum": checksum}

    user_id = got.data.metadata.user_id
    report.say(f"\n3. Listing {user_id}'s versions, two per page, newest first")
    token: str | None = None
    pages = []
    for number in (1, 2):
        page = dal.list_tailored_cvs_for_user(user_id, limit=2, start_key=token)
        if not page.success:
            return report.failed("list", page.error, page.code)
        token = page.data["last_evaluated_key"]
        pages.append([item.artifact.artifact_id for item in page.data["items"] if item.artifact])
        more = "another page follows" if token else "the last page"
        report.say(f"   page {number}: {plural(page.data['count'], 'version')}, {more}")
        for line in table(VERSION_HEADERS, version_rows(page.data["items"])):
            report.say(f"     {line}")
    if token is not None:
        return report.failed("list", "more pages than expected")
    report.summary["pages"] = pages

    report.say(f"\n4. The latest version of {application_id}")
    latest = dal.get_latest_tailored_cv(application_id)
    if not latest.success or latest.data.artifact is None:
        return report.failed("latest", latest.error, latest.code)
    report.say(f"   {latest.data.artifact.artifact_id}")
    report.summary["latest"] = latest.data.artifact.artifact_id

    report.say(f"\n5. Deleting {saved[0]}")
    deleted = dal.delete_tailored_cv(application_id, created_at)
    versions = dal.list_tailored_cvs_for_application(application_id)
    if not deleted.success or not versions.success:
        return report.failed(
            "delete",
            deleted.error or versions.error,
            deleted.code if not deleted.success else versions.code,
        )
    report.say(f"   {application_id} now has {plural(len(versions.data), 'version')} left")
    gone = dal.get_tailored_cv(application_id, created_at)
    report.say(f"   reading it again: {gone.code.value}")
    report.summary["after_delete"] = {"left": len(versions.data), "read_again": gone.code.value}
    return None

"""``careervp-dal demo``: the store end to end on an embedded engine, no AWS account needed.

The demo is also a check: it exits 1 when a step does not do what it should. With ``--json`` it
prints one document summarising every step instead of the narrative.
"""

from __future__ import annotations

import secrets
import sys
from typing import Any

import msgspec

from careervp.dal.cli.local import embedded_engine
from careervp.dal.cli.render import VERSION_HEADERS, kilobytes, plural, table, version_rows
from careervp.dal.client import build_client
from careervp.dal.codec import canonical_json
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.examples import load_examples
from careervp.dal.schema import split_artifact_id
from careervp.dal.table import create_table

__all__ = ["DEMO_TABLE", "run_demo"]

DEMO_TABLE = "careervp-demo-tailored-cvs"


class _Report:
    """The narrative for people, or the summary document for ``--json``."""

    def __init__(self, table: str, *, json_output: bool) -> None:
        self.json_output = json_output
        self.summary: dict[str, Any] = {"table": table, "ok": False}

    def say(self, line: str = "") -> None:
        if not self.json_output:
            sys.stdout.write(f"{line}\n")
            sys.stdout.flush()

    def failed(self, step: str, error: str | None) -> int:
        self.summary["failed"] = {"step": step, "error": error}
        self.say(f"   {step} failed: {error}")
        return self.finish(1)

    def finish(self, code: int) -> int:
        self.summary["ok"] = code == 0
        if self.json_output:
            sys.stdout.write(msgspec.json.encode(self.summary).decode() + "\n")
            sys.stdout.flush()
        return code


def run_demo(*, json_output: bool = False) -> int:
    # moto keeps its tables per process, so a second demo in one process gets its own table.
    table_name = f"{DEMO_TABLE}-{secrets.token_hex(3)}"
    report = _Report(table_name, json_output=json_output)
    with embedded_engine() as endpoint:
        client = build_client(
            endpoint_url=endpoint, region_name="us-east-1", max_attempts=3, local_credentials=True
        )
        create_table(client, table_name)
        try:
            dal = DynamoDalHandler(client, table_name, token_secret=secrets.token_bytes(32))
            report.summary["endpoint"] = endpoint
            report.say(
                f"Embedded DynamoDB engine (moto) at {endpoint}; table {table_name} created."
            )
            code = _steps(dal, report)
        finally:
            client.delete_table(TableName=table_name)
    report.say("\nDone: the embedded engine is stopped.")
    return report.finish(code)


def _steps(dal: DynamoDalHandler, report: _Report) -> int:
    report.say("\n1. Saving the bundled tailored CVs (each with an idempotency key)")
    rows, saved = [], []
    for number, example in enumerate(load_examples()):
        result = dal.save_tailored_cv(
            example.application_id, example.data, idempotency_key=f"demo-request-{number}"
        )
        if not result.success:
            return report.failed("save", result.error)
        rows.append([result.data, kilobytes(len(canonical_json(example.data.tailored_cv)))])
        saved.append(result.data)
    for line in table(["ARTIFACT", "CV JSON"], rows):
        report.say(f"   {line}")
    report.summary["saved"] = saved

    first = load_examples()[0]
    again = dal.save_tailored_cv(first.application_id, first.data, idempotency_key="demo-request-0")
    if not again.success or again.data != saved[0]:
        return report.failed("repeated save", again.error or "stored a second version")
    report.say(f"   saving the first one again with its key returns {again.data}: nothing new")

    report.say("\n2. Reading one version back (inflated, checksum verified)")
    application_id, created_at = split_artifact_id(saved[0]) or ("", "")
    got = dal.get_tailored_cv(application_id, created_at)
    if not got.success:
        return report.failed("get", got.error)
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
            return report.failed("list", page.error)
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
        return report.failed("latest", latest.error)
    report.say(f"   {latest.data.artifact.artifact_id}")
    report.summary["latest"] = latest.data.artifact.artifact_id

    report.say(f"\n5. Deleting {saved[0]}")
    deleted = dal.delete_tailored_cv(application_id, created_at)
    versions = dal.list_tailored_cvs_for_application(application_id)
    if not deleted.success or not versions.success:
        return report.failed("delete", deleted.error or versions.error)
    report.say(f"   {application_id} now has {plural(len(versions.data), 'version')} left")
    gone = dal.get_tailored_cv(application_id, created_at)
    report.say(f"   reading it again: {gone.code.value}")
    report.summary["after_delete"] = {"left": len(versions.data), "read_again": gone.code.value}
    return 0

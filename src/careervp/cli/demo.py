"""``careervp-dal demo``: the store end to end on an embedded engine, no AWS account needed."""

from __future__ import annotations

import secrets

from careervp.cli.local import embedded_engine
from careervp.cli.render import VERSION_HEADERS, kilobytes, short_token, table, version_rows
from careervp.dal.client import build_client
from careervp.dal.codec import canonical_json, encode_item
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.table import create_table
from careervp.examples import load_examples

__all__ = ["DEMO_TABLE", "run_demo"]

DEMO_TABLE = "careervp-demo-tailored-cvs"


def _say(line: str = "") -> None:
    print(line, flush=True)


def run_demo() -> int:
    """Returns 0 when every step did what it should, 1 otherwise (the demo is also a check)."""
    with embedded_engine() as endpoint:
        client = build_client(
            endpoint_url=endpoint, region_name="us-east-1", max_attempts=3, local_credentials=True
        )
        create_table(client, DEMO_TABLE)
        dal = DynamoDalHandler(client, DEMO_TABLE, token_secret=secrets.token_bytes(32))
        _say(f"Embedded DynamoDB engine (moto) at {endpoint}; table {DEMO_TABLE} created.")

        _say("\n1. Saving the bundled tailored CVs")
        rows, saved = [], []
        for example in load_examples():
            result = dal.save_tailored_cv(example.application_id, example.data)
            if not result.success:
                _say(f"   save failed: {result.error}")
                return 1
            created_at = result.data.rsplit("#", 1)[1]
            json_size = len(canonical_json(example.data.tailored_cv))
            stored = encode_item(example.application_id, created_at, 0, example.data).size
            rows.append([result.data, kilobytes(json_size), kilobytes(stored)])
            saved.append(result.data)
        for line in table(["ARTIFACT", "CV JSON", "STORED ITEM"], rows):
            _say(f"   {line}")

        _say("\n2. Reading one version back (inflated, checksum verified)")
        application_id, created_at = saved[0].rsplit("#", 1)
        got = dal.get_tailored_cv(application_id, created_at)
        if not got.success:
            _say(f"   get failed: {got.error}")
            return 1
        cv = got.data.tailored_cv
        _say(f"   {saved[0]}: CV v{cv.source_cv_version}, {len(cv.experience)} roles")
        _say(f"   checksum {got.data.artifact.checksum if got.data.artifact else '?'}")

        user_id = got.data.metadata.user_id
        _say(f"\n3. Listing {user_id}'s versions, two per page, newest first")
        token: str | None = None
        for number in (1, 2):
            page = dal.list_tailored_cvs_for_user(user_id, limit=2, start_key=token)
            if not page.success:
                _say(f"   list failed: {page.error}")
                return 1
            token = page.data["last_evaluated_key"]
            _say(
                f"   page {number}: {page.data['count']} versions, next token {short_token(token)}"
            )
            for line in table(VERSION_HEADERS, version_rows(page.data["items"])):
                _say(f"     {line}")
        if token is not None:
            _say("   (more pages than expected)")
            return 1

        _say(f"\n4. Deleting {saved[0]}")
        deleted = dal.delete_tailored_cv(application_id, created_at)
        versions = dal.list_tailored_cvs_for_application(application_id)
        if not deleted.success or not versions.success:
            _say(f"   delete failed: {deleted.error or versions.error}")
            return 1
        _say(f"   {application_id} now has {len(versions.data)} version(s) left")
        again = dal.get_tailored_cv(application_id, created_at)
        _say(f"   reading it again: {again.code.value}")
    _say("\nDone: the embedded engine is stopped.")
    return 0

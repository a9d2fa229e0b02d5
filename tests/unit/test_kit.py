"""The kit for a host's tests: ``local_store`` and the ``tailored_cv_store`` fixture, in a host
project with no conftest, loaded by pytest from the package's ``pytest11`` entry point."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

import boto3

from careervp.dal.testing import local_store
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from pathlib import Path

MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

HOST_TEST = """
import sys

from careervp.models.tailor import TailoredCV, TailoredCVData, TailoringMetadata, TokenUsage

HEAVY = ("boto3", "botocore", "moto")
LOADED_AT_COLLECTION = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)


def test_the_plugin_loads_without_moto_or_boto3(request):
    assert request.config.pluginmanager.has_plugin("careervp-dal")
    assert LOADED_AT_COLLECTION == []


def test_a_host_handler_saves_and_reads(tailored_cv_store):
    data = TailoredCVData(
        tailored_cv=TailoredCV(source_cv_version=1, executive_summary="Ships."),
        metadata=TailoringMetadata(user_id="u-1", job_id="j-1", fvs_validation_passed=True),
        token_usage=TokenUsage(input_tokens=10, output_tokens=5),
    )
    saved = tailored_cv_store.save_tailored_cv("app-1", data)
    assert saved.success, saved.error
    page = tailored_cv_store.list_tailored_cvs_for_user("u-1")
    assert page.success and [i.artifact.artifact_id for i in page.data["items"]] == [saved.data]


def test_each_test_gets_an_empty_table(tailored_cv_store):
    page = tailored_cv_store.list_tailored_cvs_for_user("u-1")
    assert page.success and page.data["items"] == []
"""


def test_the_entry_point_is_installed_with_the_project() -> None:
    # uv sync installs the project itself (editable), entry points included.
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "careervp-dal"]
    assert plugin.value == "careervp.dal.testing.plugin"


def test_a_host_project_without_conftest_gets_the_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_host.py").write_text(textwrap.dedent(HOST_TEST))
    # No AWS settings at all: the kit needs none of the host's.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TAILORED_CV_"))}
    env["PYTHONPATH"] = ""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own test file
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout, done.stdout


def test_local_store_uses_the_clock_and_the_secret() -> None:
    with local_store(clock=lambda: MOMENT, secret=b"s" * 32) as first:
        for index in range(3):
            assert first.save_tailored_cv(
                f"app-{index}", make_data(random.Random(index), user_id="u")
            ).success
        page = first.list_tailored_cvs_for_user("u", limit=2)
        assert page.success, page.error
        assert key_of(page.data["items"][0].artifact.artifact_id)[1] == (
            "2026-12-01T09:00:00.000000Z"
        )
        token = page.data["last_evaluated_key"]
    assert token is not None
    # The same secret in another block verifies the token; the data ended with the first block.
    with local_store(clock=lambda: MOMENT, secret=b"s" * 32) as second:
        rest = second.list_tailored_cvs_for_user("u", limit=2, start_key=token)
        assert rest.success, rest.error
        assert rest.data["items"] == []
    with local_store(clock=lambda: MOMENT) as third:
        assert third.list_tailored_cvs_for_user("u", limit=2, start_key=token).code.value == (
            "VALIDATION_ERROR"
        )


def test_an_encrypted_local_store_writes_format_2() -> None:
    with local_store(encrypted=True) as store:
        saved = store.save_tailored_cv("app-1", make_data(random.Random(1), user_id="u"))
        assert saved.success, saved.error
        application_id, created_at = key_of(saved.data)
        raw = boto3.client("dynamodb", region_name="us-east-1").get_item(
            TableName="tailored-cvs-test",
            Key={"application_id": {"S": application_id}, "created_at": {"S": created_at}},
        )["Item"]
        assert raw["format_version"] == {"N": "2"}
        read = store.get_tailored_cv(application_id, created_at)
        assert read.success, read.error

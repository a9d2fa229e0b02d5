"""The README's examples are programs: each Python block passes ``mypy --strict`` as written,
and its sample log records are the records the library really emits."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from moto import mock_aws

from careervp.dal import DynamoDalHandler
from careervp.dal.table import create_table

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.timeout(600)  # a cold mypy cache takes a while on a small machine
def test_every_python_block_passes_mypy_strict_as_written(tmp_path: Path) -> None:
    blocks = _blocks("python")
    assert len(blocks) >= 3
    files = []
    for number, block in enumerate(blocks, start=1):
        path = tmp_path / f"readme_block_{number}.py"
        path.write_text(block)
        files.append(str(path))
    # What a host's settings would say (the README's own advice), with the library from src.
    config = tmp_path / "mypy.ini"
    config.write_text(
        f"[mypy]\nstrict = True\nexplicit_package_bases = True\nmypy_path = {ROOT / 'src'}\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter's mypy on files written here
        [sys.executable, "-m", "mypy", "--config-file", str(config), *files],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _real_records(stream: io.StringIO, service: str) -> list[dict[str, object]]:
    # Powertools keeps one logger per service for the process: each test names its own.
    host = Logger(service=service, logger_handler=logging.StreamHandler(stream))
    copy_config_to_registered_loggers(source_logger=host, include={"careervp"})
    logging.getLogger("careervp.dal").setLevel(logging.DEBUG)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-central-1")
        create_table(client, "careervp-tailored-cvs")
        typo = DynamoDalHandler(client, "careervp-tailored-cvs-typo", token_secret=b"s" * 32)
        typo.get_latest_tailored_cv("app_123")
        store = DynamoDalHandler(client, "careervp-tailored-cvs", token_secret=b"s" * 32)
        store.get_latest_tailored_cv("app_123")  # NOT_FOUND: logged at DEBUG
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_sample_failure_record_is_the_one_the_library_emits() -> None:
    samples = [json.loads(block) for block in _blocks("json")]
    (sample,) = [s for s in samples if s["level"] == "WARNING"]
    store = logging.getLogger("careervp")
    saved = (store.handlers[:], store.level, store.propagate)
    try:
        (real,) = [r for r in _real_records(io.StringIO(), "tailor") if r["level"] == "WARNING"]
    finally:
        store.handlers, store.level, store.propagate = saved
    assert set(real) == set(sample)
    variable = {"timestamp", "location"}  # when and on which line; the rest is the same
    assert {k: v for k, v in real.items() if k not in variable} == {
        k: v for k, v in sample.items() if k not in variable
    }


def test_the_readme_logging_advice_scopes_debug_to_the_store() -> None:
    # The advice this test follows (_real_records) is the README's, word for word.
    assert 'copy_config_to_registered_loggers(source_logger=logger, include={"careervp"})' in (
        README
    )
    assert 'logging.getLogger("careervp.dal").setLevel(logging.DEBUG)' in README
    stream = io.StringIO()
    loggers = [logging.getLogger(name) for name in ("careervp", "careervp.dal", "botocore")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    try:
        # Other tests may have left botocore at DEBUG; the advice must not put it there.
        logging.getLogger("botocore").setLevel(logging.WARNING)
        records = _real_records(stream, "tailor-debug")
        botocore_level = logging.getLogger("botocore").getEffectiveLevel()
    finally:
        for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            lg.handlers, lg.level, lg.propagate = handlers, level, propagate
    assert any(r["level"] == "DEBUG" and r["name"] == "careervp.dal" for r in records)
    assert {r["name"] for r in records} == {"careervp.dal"}  # no botocore bodies, no signing
    assert botocore_level > logging.DEBUG


def test_powertools_copies_to_top_level_loggers_only_as_the_readme_says() -> None:
    store = logging.getLogger("careervp.dal")
    before = store.handlers[:]
    host = Logger(service="tailor-include", logger_handler=logging.StreamHandler(io.StringIO()))
    copy_config_to_registered_loggers(source_logger=host, include={"careervp.dal"})
    assert store.handlers == before  # a dotted name matches nothing
    assert "matches nothing" in README

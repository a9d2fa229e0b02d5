"""The CLI's exit codes and human formatting."""

from __future__ import annotations

import json

import pytest

from careervp.dal.cli.demo import _Report
from careervp.dal.cli.render import EXIT_CODES, plural, report_json, table
from careervp.models.result import ResultCode


def test_every_result_code_has_its_documented_exit_code() -> None:
    assert set(EXIT_CODES) == set(ResultCode)
    assert EXIT_CODES[ResultCode.SUCCESS] == 0
    assert EXIT_CODES[ResultCode.NOT_FOUND] == 1
    assert EXIT_CODES[ResultCode.VALIDATION_ERROR] == 2
    assert EXIT_CODES[ResultCode.INTEGRITY_ERROR] == 3
    assert EXIT_CODES[ResultCode.THROTTLED] == EXIT_CODES[ResultCode.DATABASE_ERROR] == 4
    assert EXIT_CODES[ResultCode.INTERNAL_ERROR] == 5


def test_counts_are_spelled_for_people() -> None:
    assert plural(1, "version") == "1 version"
    assert plural(0, "version") == "0 versions"
    assert plural(3, "version") == "3 versions"


def test_columns_are_aligned() -> None:
    assert table(["A", "BB"], [["long", "x"], ["s", "yy"]]) == ["A     BB", "long  x", "s     yy"]


@pytest.mark.parametrize(
    ("code", "exit_code"),
    [
        (ResultCode.NOT_FOUND, 5),  # a version the demo saved is gone: the tool's defect
        (ResultCode.INTEGRITY_ERROR, 5),
        (ResultCode.DATABASE_ERROR, 4),  # the engine's
        (ResultCode.THROTTLED, 4),
    ],
)
def test_a_failed_demo_step_goes_to_stderr_with_a_defined_exit_code(
    capsys: pytest.CaptureFixture[str], code: ResultCode, exit_code: int
) -> None:
    report_json(False)
    assert _Report("t", json_output=False).failed("get", "what went wrong", code) == exit_code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error (")
    assert "demo step 'get' failed: what went wrong" in err
    assert exit_code != EXIT_CODES[ResultCode.NOT_FOUND]
    assert _Report("t", json_output=True).failed("get", "what went wrong", code) == exit_code
    out, err = capsys.readouterr()
    assert json.loads(out)["ok"] is False  # one document: the summary, its failure in it
    assert err == ""

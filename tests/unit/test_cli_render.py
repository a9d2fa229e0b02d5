"""The CLI's exit codes and human formatting."""

from __future__ import annotations

from careervp.dal.cli.render import EXIT_CODES, plural, table
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

"""The CLI's exit codes and human formatting."""

from __future__ import annotations

from careervp.cli.render import EXIT_CODES, short_token, table
from careervp.models.result import ResultCode


def test_every_result_code_has_its_documented_exit_code() -> None:
    assert set(EXIT_CODES) == set(ResultCode)
    assert EXIT_CODES[ResultCode.SUCCESS] == 0
    assert EXIT_CODES[ResultCode.NOT_FOUND] == 1
    assert EXIT_CODES[ResultCode.VALIDATION_ERROR] == 2
    assert EXIT_CODES[ResultCode.INTEGRITY_ERROR] == 3
    assert EXIT_CODES[ResultCode.THROTTLED] == EXIT_CODES[ResultCode.DATABASE_ERROR] == 4


def test_tokens_are_shortened_for_people() -> None:
    assert short_token(None) == "-"
    assert short_token("short") == "short"
    assert short_token("A" * 8 + "x" * 40 + "B" * 8) == "AAAAAAAA…BBBBBBBB"


def test_columns_are_aligned() -> None:
    assert table(["A", "BB"], [["long", "x"], ["s", "yy"]]) == ["A     BB", "long  x", "s     yy"]

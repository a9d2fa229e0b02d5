"""Progress on stderr that is not a terminal: a line now and then, and always the final count."""

from __future__ import annotations

import pytest

from careervp.dal.cli.progress import Progress


def test_the_last_line_in_a_log_is_the_final_count(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress("exporting", every=60.0)
    for done in range(100, 302, 100):
        progress(min(done, 301), 301)
    progress(301, 301)
    progress.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["exporting: 100 of 301", "exporting: 301 of 301"]


def test_a_count_already_printed_is_not_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress("erasing", every=0.0)
    progress(25, 50)
    progress(50, 50)
    progress.close()
    assert capsys.readouterr().err.splitlines() == ["erasing: 25 of 50", "erasing: 50 of 50"]

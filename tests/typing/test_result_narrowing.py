"""mypy narrows ``Result[T]`` on ``success``: proven by running mypy on a snippet."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from mypy import api

if TYPE_CHECKING:
    from pathlib import Path

SNIPPET = textwrap.dedent(
    """
    from careervp.dal.dynamo_dal_handler import DynamoDalHandler
    from careervp.models.result import Result
    from careervp.models.tailor import TailoredCVData

    def show(dal: DynamoDalHandler) -> None:
        result = dal.get_tailored_cv("app", "2026-11-26T10:30:00.000000Z")
        reveal_type(result.data)
        if result.success:
            reveal_type(result.data)
            summary: str = result.data.tailored_cv.executive_summary
            # Every read fills in artifact: no None check.
            artifact_id: str = result.data.artifact.artifact_id
        else:
            reveal_type(result.error)
        page = dal.list_tailored_cvs_for_user("u")
        if page.success:
            reveal_type(page.data["items"])
            for item in page.data["items"]:
                created_at: str = item.artifact.created_at
        # The contract's type still holds: a read is a Result[TailoredCVData].
        contract: Result[TailoredCVData] = dal.get_latest_tailored_cv("app")
    """
)


def test_success_narrows_data_without_a_cast(tmp_path: Path) -> None:
    source = tmp_path / "snippet.py"
    source.write_text(SNIPPET)
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    revealed = [
        line.split("Revealed type is ")[1].replace("builtins.", "")
        for line in out.splitlines()
        if "Revealed" in line
    ]
    assert revealed == [
        '"careervp.models.tailor.StoredTailoredCV | None"',
        '"careervp.models.tailor.StoredTailoredCV"',
        '"str"',
        '"list[careervp.models.tailor.StoredTailoredCV]"',
    ], out + err
    assert "error:" not in out, out
    assert status in (0, 1)  # older mypy exits 1 for reveal_type notes alone


def test_unnarrowed_data_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "snippet.py"
    source.write_text(
        textwrap.dedent(
            """
            from careervp.dal.dynamo_dal_handler import DynamoDalHandler

            def show(dal: DynamoDalHandler) -> str:
                return dal.get_tailored_cv("app", "x").data.tailored_cv.executive_summary
            """
        )
    )
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    assert status == 1
    assert 'Item "None" of "StoredTailoredCV | None" has no attribute "tailored_cv"' in out

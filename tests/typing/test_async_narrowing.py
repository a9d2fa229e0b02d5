"""mypy narrows the async handler's ``Result`` after ``await`` as it does the blocking one's,
and a host's FastAPI-style snippet (``open_handler`` in a lifespan) is ``--strict`` clean."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from mypy import api

if TYPE_CHECKING:
    from pathlib import Path

SNIPPET = textwrap.dedent(
    """
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from careervp.dal.aio import AsyncDynamoDalHandler, open_handler
    from careervp.models.result import Result
    from careervp.models.tailor import TailoredCVData

    async def show(dal: AsyncDynamoDalHandler) -> None:
        result = await dal.get_tailored_cv("app", "2026-11-26T10:30:00.000000Z")
        reveal_type(result.data)
        if result.success:
            reveal_type(result.data)
            artifact_id: str = result.data.artifact.artifact_id
        else:
            reveal_type(result.error)
        page = await dal.list_tailored_cvs_for_user("u")
        if page.success:
            reveal_type(page.data["items"])
        contract: Result[TailoredCVData] = await dal.get_latest_tailored_cv("app")
        saved = await dal.save_tailored_cv("app", contract.data) if contract.success else None
        if saved is not None and saved.success:
            reveal_type(saved.data)

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        async with open_handler() as store:  # once per application
            count = await store.count_tailored_cvs_for_user("u")
            if count.success:
                total: int = count.data
            yield
    """
)


def _mypy(tmp_path: Path, source: str) -> tuple[str, int]:
    path = tmp_path / "snippet.py"
    path.write_text(source)
    out, _, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(path)]
    )
    return out, status


def test_await_then_success_narrows_data(tmp_path: Path) -> None:
    out, status = _mypy(tmp_path, SNIPPET)
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
        '"str"',
    ], out
    assert "error:" not in out, out
    assert status in (0, 1)  # older mypy exits 1 for reveal_type notes alone


def test_a_coroutine_not_awaited_is_no_result(tmp_path: Path) -> None:
    out, status = _mypy(
        tmp_path,
        textwrap.dedent(
            """
            from careervp.dal.aio import AsyncDynamoDalHandler

            async def show(dal: AsyncDynamoDalHandler) -> bool:
                return dal.get_tailored_cv("app", "x").success
            """
        ),
    )
    assert status == 1
    assert 'has no attribute "success"' in out, out

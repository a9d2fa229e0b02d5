"""The async handler mirrors the blocking one: the same public methods with the same
signatures (as coroutines), and importing ``careervp.dal.aio`` is the only thing that loads
aiobotocore."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
from typing import Any

import pytest

from careervp.dal import DynamoDalHandler
from careervp.dal.aio import AsyncDynamoDalHandler, open_handler


def _public(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(member)
    }


def test_the_same_public_methods_with_the_same_signatures() -> None:
    blocking = _public(DynamoDalHandler)
    awaited = _public(AsyncDynamoDalHandler)
    assert sorted(awaited) == sorted(blocking)
    assert len(blocking) == 12
    for name, signature in blocking.items():
        # Parameters, defaults, annotations and the Result type alike; only `async` differs.
        assert awaited[name] == signature, name
        assert inspect.iscoroutinefunction(getattr(AsyncDynamoDalHandler, name)), name
        assert not inspect.iscoroutinefunction(getattr(DynamoDalHandler, name)), name


def test_the_same_properties() -> None:
    def properties(cls: type) -> set[str]:
        return {n for n, v in vars(cls).items() if isinstance(v, property)}

    assert properties(AsyncDynamoDalHandler) == properties(DynamoDalHandler)


def test_the_constructor_takes_the_blocking_options_but_its_own_sleep_and_no_wire() -> None:
    blocking = inspect.signature(DynamoDalHandler.__init__).parameters
    awaited = inspect.signature(AsyncDynamoDalHandler.__init__).parameters
    assert set(blocking) - set(awaited) == {"call_timeout", "wire"}  # the client's, not ours
    assert list(awaited)[:3] == ["self", "client", "table_name"]
    for name in set(awaited) - {"client", "sleep"}:
        assert awaited[name] == blocking[name], name


def test_only_careervp_dal_aio_imports_aiobotocore() -> None:
    probe = """
import sys
import careervp.dal, careervp.dal.dynamo_dal_handler, careervp.dal.encryption
import careervp.dal.table, careervp.dal.cli, careervp.dal.testing, careervp.dal.testing.plugin
before = sorted(m for m in sys.modules if m.split(".")[0] in ("aiobotocore", "aiohttp"))
import careervp.dal.aio
after = "aiobotocore" in sys.modules
print(before, after)
"""
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True"


def _enter(**options: Any) -> None:
    async def main() -> None:
        async with open_handler(**options):
            pass

    asyncio.run(main())


def test_open_handler_refuses_what_the_blocking_constructor_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TAILORED_CV_TABLE_NAME", raising=False)
    with pytest.raises(ValueError, match="TAILORED_CV_TABLE_NAME"):
        _enter(region_name="us-east-1")
    monkeypatch.setenv("TAILORED_CV_PAGINATION_SECRET", "short")
    with pytest.raises(ValueError, match="TAILORED_CV_PAGINATION_SECRET is too short"):
        _enter(table_name="t", region_name="us-east-1")
    monkeypatch.delenv("TAILORED_CV_PAGINATION_SECRET")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(ValueError, match="no AWS region"):
        _enter(table_name="t", token_secret=b"s" * 32)

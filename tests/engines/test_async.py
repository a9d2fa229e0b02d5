"""What only the async handler can show: many calls in flight on one event loop, the two
handlers reading each other's versions and tokens, the call budget on aiobotocore, and KMS
never called on the loop. (The behaviour files run on both handlers through ``handler_kind``.)
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from aws_lambda_powertools import Tracer
from aws_xray_sdk.core.models.segment import Segment  # type: ignore[import-untyped]
from aws_xray_sdk.core.models.subsegment import Subsegment  # type: ignore[import-untyped]

from careervp.dal.aio import AsyncDynamoDalHandler, open_handler
from careervp.dal.encryption import KmsCipher
from careervp.models.result import ResultCode
from support.factories import make_data
from support.network import silent_server
from support.raw import artifact_of, key_of
from tests.conftest import TOKEN_SECRET

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from careervp.dal.codec import Cipher
    from tests.conftest import Records, Store


def _on(store: Store, work: Callable[[AsyncDynamoDalHandler], Awaitable[Any]], **kw: Any) -> Any:
    """``work(handler)`` on an async handler opened on ``store``'s table, in a fresh loop."""

    async def main() -> Any:
        async with open_handler(
            store.table_name,
            endpoint_url=store.engine.endpoint_url,
            region_name="us-east-1",
            clock=store.clock,
            token_secret=TOKEN_SECRET,
            **kw,
        ) as handler:
            return await work(handler)

    return asyncio.run(main())


def test_forty_concurrent_saves_for_one_user_page_exactly(http_store: Store) -> None:
    http_store.engine.require_atomic_conditions()
    rng = random.Random(40)
    data = [make_data(rng, user_id="u-many", json_bytes=800) for _ in range(40)]

    async def work(handler: AsyncDynamoDalHandler) -> tuple[list[str], list[list[str]]]:
        # One clock moment for all: same-microsecond collisions within an application too.
        saved = await asyncio.gather(
            *(handler.save_tailored_cv(f"app-{i % 4}", d) for i, d in enumerate(data))
        )
        assert all(r.success for r in saved), [r.error for r in saved if not r.success]
        ids = [r.data for r in saved if r.success]
        pages: list[list[str]] = []
        token: str | None = None
        while True:
            page = await handler.list_tailored_cvs_for_user("u-many", limit=7, start_key=token)
            assert page.success, page.error
            pages.append([artifact_of(item).artifact_id for item in page.data["items"]])
            token = page.data["last_evaluated_key"]
            if token is None:
                return ids, pages

    ids, pages = _on(http_store, work)
    assert len(set(ids)) == 40
    walked = [artifact for page in pages for artifact in page]
    assert sorted(walked) == sorted(ids)  # each exactly once
    assert walked == sorted(walked, key=lambda a: key_of(a)[1], reverse=True)
    assert [len(page) for page in pages] == [7, 7, 7, 7, 7, 5]
    assert http_store.count() == 40


def test_versions_and_tokens_continue_across_the_two_handlers(http_store: Store) -> None:
    blocking = http_store.handler()
    rng = random.Random(5)
    by_blocking = []
    for _ in range(3):
        http_store.clock.advance(timedelta(seconds=1))
        saved = blocking.save_tailored_cv("app-b", make_data(rng, user_id="u-both"))
        assert saved.success
        by_blocking.append(saved.data)

    async def save_three(handler: AsyncDynamoDalHandler) -> list[str]:
        ids = []
        for _ in range(3):
            http_store.clock.advance(timedelta(seconds=1))
            saved = await handler.save_tailored_cv("app-a", make_data(rng, user_id="u-both"))
            assert saved.success, saved.error
            ids.append(saved.data)
        return ids

    by_async = _on(http_store, save_three)
    newest_first = list(reversed(by_blocking + by_async))
    # Blocking reads what the async handler saved, and starts a listing ...
    read = blocking.get_tailored_cv(*key_of(by_async[0]))
    assert read.success, read.error
    first = blocking.list_tailored_cvs_for_user("u-both", limit=2)
    assert first.success
    assert first.data["last_evaluated_key"] is not None

    async def rest_of(handler: AsyncDynamoDalHandler) -> tuple[list[str], str | None]:
        # ... the async handler continues it, reads a blocking save, and hands a token back.
        got = await handler.get_tailored_cv(*key_of(by_blocking[0]))
        assert got.success, got.error
        page = await handler.list_tailored_cvs_for_user(
            "u-both", limit=2, start_key=first.data["last_evaluated_key"]
        )
        assert page.success, page.error
        return [artifact_of(i).artifact_id for i in page.data["items"]], page.data[
            "last_evaluated_key"
        ]

    second, token = _on(http_store, rest_of)
    third = blocking.list_tailored_cvs_for_user("u-both", limit=2, start_key=token)
    assert third.success, third.error
    walked = [artifact_of(i).artifact_id for i in first.data["items"]] + second
    walked += [artifact_of(i).artifact_id for i in third.data["items"]]
    assert walked == newest_first
    assert third.data["last_evaluated_key"] is None


def test_a_validation_error_is_the_same_result_in_both(http_store: Store) -> None:
    blocking = http_store.handler().delete_tailored_cv("app", "yesterday")

    async def work(handler: AsyncDynamoDalHandler) -> Any:
        return await handler.delete_tailored_cv("app", "yesterday")

    awaited = _on(http_store, work)
    assert awaited == blocking
    assert awaited.code is ResultCode.VALIDATION_ERROR


def test_the_call_budget_holds_on_aiobotocore() -> None:
    """aiobotocore's emitter runs install_deadline's handlers: without them ten attempts of a
    0.6 s read timeout, with backoff, would take well over 6 s."""

    async def main(endpoint: str) -> tuple[float, Any]:
        async with open_handler(
            "tailored",
            endpoint_url=endpoint,
            region_name="us-east-1",
            token_secret=b"s" * 32,
            call_timeout=1.5,
            max_attempts=10,
        ) as handler:
            started = time.monotonic()
            result = await handler.get_tailored_cv("app-1", "2026-11-26T10:30:00.000000Z")
            return time.monotonic() - started, result

    with silent_server() as endpoint:
        spent, result = asyncio.run(main(endpoint))
    assert result.code is ResultCode.DATABASE_ERROR
    assert result.error.startswith("no answer in time: DynamoDB at"), result.error
    assert spent < 2.5


class _KmsThreads:
    """The threads the cipher's KMS client is called on."""

    def __init__(self, cipher: Cipher) -> None:
        self.threads: list[threading.Thread] = []
        kms: Any = cipher._kms  # type: ignore[attr-defined]
        kms.meta.events.register("before-call.kms", self._seen)

    def _seen(self, **_: object) -> None:
        self.threads.append(threading.current_thread())


def test_kms_is_called_in_a_worker_thread_and_only_on_a_cache_miss(http_store: Store) -> None:
    writer = http_store.cipher()
    calls = _KmsThreads(writer)
    rng = random.Random(9)

    async def work(handler: AsyncDynamoDalHandler) -> list[str]:
        loop_thread = threading.current_thread()
        ids = []
        for _ in range(3):
            http_store.clock.advance(timedelta(seconds=1))
            saved = await handler.save_tailored_cv("app-k", make_data(rng, user_id="u-k"))
            assert saved.success, saved.error
            ids.append(saved.data)
        listed = await handler.list_tailored_cvs_for_user("u-k")
        assert listed.success
        assert listed.data["count"] == 3
        assert loop_thread not in calls.threads
        return ids

    ids = _on(http_store, work, cipher=writer)
    assert len(calls.threads) == 1  # one data key for three saves and a page: the cache held
    # A reader with a cold cache: KMS once for the data key, off the loop; then cached.
    reader = KmsCipher(http_store.engine.kms(), writer.key_id)
    reader_calls = _KmsThreads(reader)

    async def read(handler: AsyncDynamoDalHandler) -> None:
        loop_thread = threading.current_thread()
        for artifact in ids:
            got = await handler.get_tailored_cv(*key_of(artifact))
            assert got.success, got.error
        assert reader_calls.threads
        assert loop_thread not in reader_calls.threads

    _on(http_store, read, cipher=reader)
    # Plaintext of the async saves is readable by the blocking handler with the same key.
    blocking = http_store.handler(cipher=writer)
    assert blocking.get_tailored_cv(*key_of(ids[0])).success


class _AsyncSubsegments:
    """A tracing provider whose async subsegments are aws_xray_sdk's own, kept for inspection."""

    def __init__(self) -> None:
        self.segment = Segment("host-handler")
        self.subsegments: list[Subsegment] = []

    @asynccontextmanager
    async def in_subsegment_async(self, name: str) -> AsyncIterator[Subsegment]:
        subsegment = Subsegment(name, "local", self.segment)
        self.subsegments.append(subsegment)
        yield subsegment


@pytest.fixture
def provider() -> Iterator[_AsyncSubsegments]:
    yield _AsyncSubsegments()
    # Powertools keeps a Tracer's provider for the whole process: later tests get the default.
    Tracer._reset_config()  # type: ignore[no-untyped-call]


def test_traces_and_logs_as_the_blocking_handler(
    http_store: Store, log_records: Records, provider: _AsyncSubsegments
) -> None:
    tracer = Tracer(service="s", disabled=True, provider=provider)  # type: ignore[arg-type]

    async def work(handler: AsyncDynamoDalHandler) -> None:
        assert (await handler.save_tailored_cv("app-t", make_data(random.Random(2)))).success
        assert (await handler.get_latest_tailored_cv("app-none")).code is ResultCode.NOT_FOUND

    _on(http_store, work, tracer=tracer)

    async def missing(handler: AsyncDynamoDalHandler) -> None:
        broken = await handler.get_latest_tailored_cv("app-t")
        assert broken.code is ResultCode.DATABASE_ERROR
        assert "table no-such-table does not exist" in (broken.error or "")

    async def main() -> None:
        async with open_handler(
            "no-such-table",
            endpoint_url=http_store.engine.endpoint_url,
            region_name="us-east-1",
            token_secret=TOKEN_SECRET,
            tracer=tracer,
        ) as handler:
            await missing(handler)

    asyncio.run(main())
    assert [s.name for s in provider.subsegments] == [
        "save_tailored_cv",
        "get_latest_tailored_cv",
        "get_latest_tailored_cv",
    ]
    assert [s.annotations for s in provider.subsegments] == [
        {"code": "SUCCESS"},
        {"code": "NOT_FOUND"},
        {"code": "DATABASE_ERROR"},
    ]
    assert getattr(provider.subsegments[2], "fault", False)
    failures = [r for r in log_records.records if r.levelname == "WARNING"]
    assert [(r.getMessage().split(":")[0], r.__dict__["code"]) for r in failures] == [
        ("get_latest_tailored_cv failed", "DATABASE_ERROR")
    ]
    saved = [r for r in log_records.records if r.getMessage() == "save_tailored_cv succeeded"]
    assert saved
    assert saved[0].__dict__["artifact_id"].startswith("app-t#")

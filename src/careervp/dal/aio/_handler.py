"""``AsyncDynamoDalHandler``: the blocking handler's methods as coroutines, on the same plans.

Each method is the blocking one's plan, driven by the async runner (``_sender``) instead of
the blocking one; options, Results, logs and tracing come from ``careervp.dal._shell``, which
both handlers share. ``tests/unit/test_async_surface.py`` keeps the two surfaces equal.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Literal, TypeVar

from botocore.exceptions import NoRegionError

from careervp.dal import plans
from careervp.dal._shell import (
    ACTIONS,
    DEFAULT_TOKEN_MAX_AGE,
    Options,
    defect,
    failed,
    guarded,
    store_context,
    succeeded,
    traced_async,
)
from careervp.dal.aio._client import build_async_client
from careervp.dal.aio._sender import AsyncSender, run
from careervp.dal.client import DEFAULT_CALL_TIMEOUT
from careervp.dal.errors import DalError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
    from datetime import datetime, timedelta

    from aws_lambda_powertools import Tracer
    from types_aiobotocore_dynamodb import DynamoDBClient

    from careervp.dal.codec import Cipher
    from careervp.dal.plans import Plan
    from careervp.models.result import Result
    from careervp.models.tailor import (
        EncryptionProgress,
        StoredTailoredCV,
        TailoredCVData,
        TailoredCVPage,
        TailoredCVSummaryPage,
        UserExport,
    )

__all__ = ["AsyncDynamoDalHandler", "open_handler"]

T = TypeVar("T")

# The plans that encrypt: with a cipher, any of their steps may need a fresh data key.
_SEALING = frozenset({"save_tailored_cv", "encrypt_existing_versions"})


class AsyncDynamoDalHandler:
    """The tailored-CV store on one DynamoDB table, for an asyncio application.

    ``client`` is an aiobotocore DynamoDB client the host has entered (``async with
    session.create_client("dynamodb", ...)``, or ``careervp.dal.aio.build_async_client``), one
    per application; ``open_handler`` builds both from the environment. The other options are
    the blocking handler's; ``sleep`` is awaited between retries of unprocessed batch keys.
    The wire path of the blocking handler is not offered here (``docs/architecture.md``).
    """

    def __init__(  # noqa: PLR0913 - the contract's options, all keyword-only but two
        self,
        client: DynamoDBClient,
        table_name: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        token_secret: bytes | None = None,
        cipher: Cipher | None = None,
        tracer: Tracer | None = None,
        accept_plaintext: bool | None = None,
        previous_token_secrets: Sequence[bytes] = (),
        token_max_age: timedelta = DEFAULT_TOKEN_MAX_AGE,
        consistent_reads: bool = True,
        index_name: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        options = Options(
            table_name=table_name,
            clock=clock,
            token_secret=token_secret,
            cipher=cipher,
            accept_plaintext=accept_plaintext,
            previous_token_secrets=previous_token_secrets,
            token_max_age=token_max_age,
            consistent_reads=consistent_reads,
            index_name=index_name,
        )
        try:
            self._ctx = store_context(options)
        except NoRegionError:  # a KMS key from the environment, and no region for its client
            raise ValueError("no AWS region: set AWS_REGION or AWS_DEFAULT_REGION") from None
        self.table_name = self._ctx.table
        self._client = client
        self._sender = AsyncSender(client, self.table_name, sleep=sleep)
        if tracer is not None:
            # Instance attributes shadow the methods: without a tracer nothing wraps them.
            for method in ACTIONS:
                setattr(self, method, traced_async(tracer, method, getattr(self, method)))

    @property
    def endpoint(self) -> str:
        return self._sender.endpoint

    @property
    def index_name(self) -> str:
        return self._ctx.index

    async def _run(self, method: str, plan: Plan[T]) -> Result[T]:
        try:
            ran = await run(
                plan,
                self._sender,
                ACTIONS[method],
                cipher=self._ctx.cipher,
                seals=method in _SEALING,
            )
        except DalError as exc:
            return failed(method, exc)
        except Exception as exc:  # noqa: BLE001 - a defect of ours, reported as a Result
            return defect(method, exc)
        return succeeded(method, ran)

    async def save_tailored_cv(
        self,
        application_id: str,
        tailored_cv: TailoredCVData,
        *,
        idempotency_key: str | None = None,
    ) -> Result[str]:
        """``DynamoDalHandler.save_tailored_cv``, awaited."""
        return await self._run(
            "save_tailored_cv",
            plans.save(self._ctx, application_id, tailored_cv, idempotency_key),
        )

    async def get_tailored_cv(
        self, application_id: str, created_at: str
    ) -> Result[StoredTailoredCV]:
        """``DynamoDalHandler.get_tailored_cv``, awaited."""
        return await self._run(
            "get_tailored_cv", plans.get_version(self._ctx, application_id, created_at)
        )

    async def get_latest_tailored_cv(self, application_id: str) -> Result[StoredTailoredCV]:
        """``DynamoDalHandler.get_latest_tailored_cv``, awaited."""
        return await self._run(
            "get_latest_tailored_cv", plans.get_latest(self._ctx, application_id)
        )

    async def list_tailored_cvs_for_user(
        self, user_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVPage]:
        """``DynamoDalHandler.list_tailored_cvs_for_user``, awaited; tokens continue in either."""
        return await self._run(
            "list_tailored_cvs_for_user", plans.list_user(self._ctx, user_id, limit, start_key)
        )

    async def list_tailored_cv_summaries_for_user(
        self, user_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVSummaryPage]:
        """``DynamoDalHandler.list_tailored_cv_summaries_for_user``, awaited."""
        return await self._run(
            "list_tailored_cv_summaries_for_user",
            plans.list_summaries(self._ctx, user_id, limit, start_key),
        )

    async def list_tailored_cvs_for_application(
        self, application_id: str
    ) -> Result[list[StoredTailoredCV]]:
        """``DynamoDalHandler.list_tailored_cvs_for_application``, awaited."""
        return await self._run(
            "list_tailored_cvs_for_application",
            plans.list_application(self._ctx, application_id),
        )

    async def list_tailored_cvs_for_application_page(
        self, application_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVPage]:
        """``DynamoDalHandler.list_tailored_cvs_for_application_page``, awaited."""
        return await self._run(
            "list_tailored_cvs_for_application_page",
            plans.list_application_page(self._ctx, application_id, limit, start_key),
        )

    async def delete_tailored_cv(self, application_id: str, created_at: str) -> Result[None]:
        """``DynamoDalHandler.delete_tailored_cv``, awaited."""
        return await self._run(
            "delete_tailored_cv", plans.delete_version(self._ctx, application_id, created_at)
        )

    async def export_tailored_cvs_for_user(
        self, user_id: str, *, on_progress: Callable[[int, int], None] | None = None
    ) -> Result[UserExport]:
        """``DynamoDalHandler.export_tailored_cvs_for_user``, awaited (``on_progress`` is
        called on the loop, after each batch)."""
        progress = guarded(on_progress, "export_tailored_cvs_for_user")
        return await self._run(
            "export_tailored_cvs_for_user", plans.export_user(self._ctx, user_id, progress)
        )

    async def delete_all_tailored_cvs_for_user(
        self, user_id: str, *, on_progress: Callable[[int], None] | None = None
    ) -> Result[int]:
        """``DynamoDalHandler.delete_all_tailored_cvs_for_user``, awaited."""
        progress = guarded(on_progress, "delete_all_tailored_cvs_for_user")
        return await self._run(
            "delete_all_tailored_cvs_for_user", plans.erase_user(self._ctx, user_id, progress)
        )

    async def count_tailored_cvs_for_user(self, user_id: str) -> Result[int]:
        """``DynamoDalHandler.count_tailored_cvs_for_user``, awaited."""
        return await self._run("count_tailored_cvs_for_user", plans.count_user(self._ctx, user_id))

    async def encrypt_existing_versions(
        self, cursor: str | None = None, *, page_size: int = 100, dry_run: bool = False
    ) -> Result[EncryptionProgress]:
        """``DynamoDalHandler.encrypt_existing_versions``, awaited."""
        return await self._run(
            "encrypt_existing_versions",
            plans.encrypt_page(self._ctx, cursor, page_size, dry_run=dry_run),
        )


@contextlib.asynccontextmanager
async def open_handler(  # noqa: PLR0913 - the handler's options and the client's
    table_name: str | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    token_secret: bytes | None = None,
    cipher: Cipher | None = None,
    tracer: Tracer | None = None,
    accept_plaintext: bool | None = None,
    previous_token_secrets: Sequence[bytes] = (),
    token_max_age: timedelta = DEFAULT_TOKEN_MAX_AGE,
    consistent_reads: bool = True,
    index_name: str | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    endpoint_url: str | None = None,
    region_name: str | None = None,
    retry_mode: Literal["standard", "adaptive"] = "standard",
    max_attempts: int = 5,
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
) -> AsyncIterator[AsyncDynamoDalHandler]:
    """An ``AsyncDynamoDalHandler`` on a client built from the environment as the blocking
    handler builds its own (``build_async_client``), closed when the block ends. Enter it once
    per application (a FastAPI lifespan, an aiohttp cleanup context), not per request.

    Misconfiguration raises ``ValueError``/``TypeError`` on entering, as the blocking
    constructor does: no table name, no region, a short secret.
    """
    try:
        async with build_async_client(
            endpoint_url=endpoint_url,
            region_name=region_name,
            retry_mode=retry_mode,
            max_attempts=max_attempts,
            call_timeout=call_timeout,
        ) as client:
            handler = AsyncDynamoDalHandler(
                client,
                table_name,
                clock=clock,
                token_secret=token_secret,
                cipher=cipher,
                tracer=tracer,
                accept_plaintext=accept_plaintext,
                previous_token_secrets=previous_token_secrets,
                token_max_age=token_max_age,
                consistent_reads=consistent_reads,
                index_name=index_name,
                sleep=sleep,
            )
            yield handler
    except NoRegionError:
        raise ValueError(
            "no AWS region: set AWS_REGION or AWS_DEFAULT_REGION, or pass region_name"
        ) from None

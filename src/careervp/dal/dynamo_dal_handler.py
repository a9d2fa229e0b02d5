"""``DynamoDalHandler``: save, read, list, export and delete tailored-CV versions.

Each public method is one plan (``careervp.dal.plans``) run by the blocking sender: validate,
build each request, send it, interpret the response. Every outcome is a ``Result``; the one
``except DalError`` below maps every failure to its code, and anything else is a defect of the
store, reported as ``INTERNAL_ERROR`` with its traceback in the log. Options, Results, logs and
tracing are ``careervp.dal._shell``'s, shared with the async handler (``careervp.dal.aio``).

The store logs through the standard logger ``careervp.dal`` and configures nothing: successes at
DEBUG, faults at WARNING, integrity failures and stopped erasures at ERROR, with ids, sizes and
capacity units as ``extra`` fields, never CV text or secrets. Tracing is the host's to switch on
(``tracer=``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

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
    traced,
)
from careervp.dal.client import DEFAULT_CALL_TIMEOUT, build_client
from careervp.dal.codec import compute_checksum
from careervp.dal.errors import DalError
from careervp.dal.sender import Sender, run, wire_from_environment

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime, timedelta

    from aws_lambda_powertools import Tracer
    from mypy_boto3_dynamodb import DynamoDBClient

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

# compute_checksum is part of this module's contract (its import path predates the codec).
__all__ = ["DynamoDalHandler", "compute_checksum"]

T = TypeVar("T")


class DynamoDalHandler:
    """The tailored-CV store on one DynamoDB table."""

    def __init__(  # noqa: PLR0913 - the contract's options, all keyword-only but two
        self,
        client: DynamoDBClient | None = None,
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
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        wire: bool | None = None,
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
        own_client = client is None
        try:
            self._ctx = store_context(options)
            if client is None:
                client = build_client(call_timeout=call_timeout)
        except NoRegionError:
            raise ValueError(
                "no AWS region: set AWS_REGION or AWS_DEFAULT_REGION, or pass a client"
            ) from None
        self.table_name = self._ctx.table
        self._client = client
        # The codec writes and reads the wire itself (sender.py); TAILORED_CV_WIRE=0 turns it off.
        # On a client the host passed in it is off unless asked for: the host's own event
        # handlers and stubs must see the store's real requests.
        if wire is None:
            wire = own_client and wire_from_environment()
        self._sender = Sender(self._client, self.table_name, sleep=sleep, wire=wire)
        if tracer is not None:
            # Instance attributes shadow the methods: without a tracer nothing wraps them.
            for method in ACTIONS:
                setattr(self, method, traced(tracer, method, getattr(self, method)))

    @property
    def endpoint(self) -> str:
        return self._sender.endpoint

    @property
    def index_name(self) -> str:
        return self._ctx.index

    def _run(self, method: str, plan: Plan[T]) -> Result[T]:
        try:
            ran = run(plan, self._sender, ACTIONS[method])
        except DalError as exc:
            return failed(method, exc)
        except Exception as exc:  # noqa: BLE001 - a defect of ours, reported as a Result
            return defect(method, exc)
        return succeeded(method, ran)

    def save_tailored_cv(
        self,
        application_id: str,
        tailored_cv: TailoredCVData,
        *,
        idempotency_key: str | None = None,
    ) -> Result[str]:
        """Store a new version; returns its artifact id ``"{application_id}#{created_at}"``.

        With ``idempotency_key``, a repeat of the same save within 24 hours returns the first
        artifact id and stores nothing; the same key with other content is ``CONFLICT``.
        """
        return self._run(
            "save_tailored_cv",
            plans.save(self._ctx, application_id, tailored_cv, idempotency_key),
        )

    def get_tailored_cv(self, application_id: str, created_at: str) -> Result[StoredTailoredCV]:
        return self._run(
            "get_tailored_cv", plans.get_version(self._ctx, application_id, created_at)
        )

    def get_latest_tailored_cv(self, application_id: str) -> Result[StoredTailoredCV]:
        """The newest live version of an application (one item read, more only past expired)."""
        return self._run("get_latest_tailored_cv", plans.get_latest(self._ctx, application_id))

    def list_tailored_cvs_for_user(
        self, user_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVPage]:
        """One page of a user's live versions, newest first.

        ``start_key`` is the ``last_evaluated_key`` of the previous page; ``None`` there means
        the listing is complete. Each page holds ``min(limit, remaining)`` items.
        """
        return self._run(
            "list_tailored_cvs_for_user", plans.list_user(self._ctx, user_id, limit, start_key)
        )

    def list_tailored_cv_summaries_for_user(
        self, user_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVSummaryPage]:
        """One page of a user's live versions as summaries, newest first, from the user index
        alone: no CV text and no item reads (on a migrated index). A summary is the index's
        copy, not verified; ``get_tailored_cv`` is the verified read of one version.

        Tokens work like ``list_tailored_cvs_for_user``'s, but only for this listing.
        """
        return self._run(
            "list_tailored_cv_summaries_for_user",
            plans.list_summaries(self._ctx, user_id, limit, start_key),
        )

    def list_tailored_cvs_for_application(
        self, application_id: str
    ) -> Result[list[StoredTailoredCV]]:
        """Every live version of an application, newest first, across all DynamoDB pages."""
        return self._run(
            "list_tailored_cvs_for_application",
            plans.list_application(self._ctx, application_id),
        )

    def list_tailored_cvs_for_application_page(
        self, application_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVPage]:
        """One page of an application's live versions, newest first; versions that fail their
        integrity check are named in ``unreadable``, never fail the page. ``start_key`` is the
        previous page's ``last_evaluated_key``, a token bound to this application."""
        return self._run(
            "list_tailored_cvs_for_application_page",
            plans.list_application_page(self._ctx, application_id, limit, start_key),
        )

    def delete_tailored_cv(self, application_id: str, created_at: str) -> Result[None]:
        """Delete a live version, or an unreadable one; ``NOT_FOUND`` if absent or expired."""
        return self._run(
            "delete_tailored_cv", plans.delete_version(self._ctx, application_id, created_at)
        )

    def export_tailored_cvs_for_user(
        self, user_id: str, *, on_progress: Callable[[int, int], None] | None = None
    ) -> Result[UserExport]:
        """Every version the table holds for a user (expired ones included), for an access
        request; unreadable versions are named, never returned. ``on_progress(done, total)``
        is called after each batch."""
        progress = guarded(on_progress, "export_tailored_cvs_for_user")
        return self._run(
            "export_tailored_cvs_for_user", plans.export_user(self._ctx, user_id, progress)
        )

    def delete_all_tailored_cvs_for_user(
        self, user_id: str, *, on_progress: Callable[[int], None] | None = None
    ) -> Result[int]:
        """Erase every stored version of a user, expired ones included; returns the count.

        Idempotent: a second call returns 0. When DynamoDB stops it part way, the error says
        how many were deleted first and a later call finishes the job. ``on_progress(deleted)``
        is called every 25 removals and once at the end, with the count removed so far.
        """
        progress = guarded(on_progress, "delete_all_tailored_cvs_for_user")
        return self._run(
            "delete_all_tailored_cvs_for_user", plans.erase_user(self._ctx, user_id, progress)
        )

    def count_tailored_cvs_for_user(self, user_id: str) -> Result[int]:
        """How many versions the table holds for a user, expired ones included."""
        return self._run("count_tailored_cvs_for_user", plans.count_user(self._ctx, user_id))

    def encrypt_existing_versions(
        self, cursor: str | None = None, *, page_size: int = 100, dry_run: bool = False
    ) -> Result[EncryptionProgress]:
        """Encrypt one page of the table's format-1 versions in place (an operator's task: it
        scans the table). Call again with ``next_cursor`` until it is ``None``; a stopped run
        resumes from the last cursor, and versions already encrypted are not read again."""
        return self._run(
            "encrypt_existing_versions",
            plans.encrypt_page(self._ctx, cursor, page_size, dry_run=dry_run),
        )

"""``DynamoDalHandler``: save, read, list, export and delete tailored-CV versions.

Each public method is one plan (``careervp.dal.plans``) run by the blocking sender: validate,
build each request, send it, interpret the response. Every outcome is a ``Result``; the one
``except DalError`` below maps every failure to its code, and anything else is a defect of the
store, reported as ``INTERNAL_ERROR`` with its traceback in the log.

The store logs through the standard logger ``careervp.dal`` and configures nothing: successes at
DEBUG, faults at WARNING, integrity failures and stopped erasures at ERROR, with ids, sizes and
capacity units as ``extra`` fields, never CV text or secrets. Tracing is the host's to switch on
(``tracer=``).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import NoRegionError

from careervp.dal import plans
from careervp.dal.client import DEFAULT_CALL_TIMEOUT, build_client
from careervp.dal.codec import MIN_SECRET_BYTES, PageTokenSigner, compute_checksum
from careervp.dal.errors import DalError
from careervp.dal.schema import INDEX_NAME
from careervp.dal.sender import Sender, run, wire_from_environment
from careervp.dal.settings import (
    ACCEPT_PLAINTEXT_ENV,
    INDEX_NAME_ENV,
    KMS_KEY_ENV,
    SECRET_ENV,
    SECRET_PREVIOUS_ENV,
    TABLE_NAME_ENV,
)
from careervp.models.result import Err, Ok, Result, ResultCode

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aws_lambda_powertools import Tracer
    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.dal.codec import Cipher
    from careervp.dal.plans import Plan
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

logger = logging.getLogger("careervp.dal")

DEFAULT_TOKEN_MAX_AGE = timedelta(hours=24)
T = TypeVar("T")

# What each method is doing, for error sentences ("DynamoDB throttled saving a tailored CV").
_ACTIONS = {
    "save_tailored_cv": "saving a tailored CV",
    "get_tailored_cv": "reading a tailored CV",
    "get_latest_tailored_cv": "reading an application's latest tailored CV",
    "list_tailored_cvs_for_user": "listing a user's tailored CVs",
    "list_tailored_cvs_for_application": "listing an application's tailored CVs",
    "list_tailored_cvs_for_application_page": "listing a page of an application's tailored CVs",
    "list_tailored_cv_summaries_for_user": "listing a user's tailored CV summaries",
    "delete_tailored_cv": "deleting a tailored CV",
    "export_tailored_cvs_for_user": "exporting a user's tailored CVs",
    "delete_all_tailored_cvs_for_user": "erasing a user's tailored CVs",
    "count_tailored_cvs_for_user": "counting a user's tailored CVs",
    "encrypt_existing_versions": "encrypting stored tailored CVs",
}
_FAILURE_LEVELS = {
    ResultCode.VALIDATION_ERROR: logging.DEBUG,
    ResultCode.NOT_FOUND: logging.DEBUG,
    ResultCode.ITEM_TOO_LARGE: logging.INFO,
    ResultCode.CONFLICT: logging.WARNING,
    ResultCode.THROTTLED: logging.WARNING,
    ResultCode.DATABASE_ERROR: logging.WARNING,
    ResultCode.INTEGRITY_ERROR: logging.ERROR,
}


@functools.lru_cache(maxsize=1)
def _process_secret() -> bytes:
    logger.warning(
        "%s is not set: page tokens are signed with a random per-process secret and will not"
        " verify in any other process",
        SECRET_ENV,
    )
    return secrets.token_bytes(32)


def _utc(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    def now() -> datetime:
        moment = clock()
        if moment.tzinfo is None:
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)

    return now


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


def _new_write_id() -> str:
    return secrets.token_urlsafe(16)


def _cipher_from_environment() -> Cipher | None:
    key_id = os.environ.get(KMS_KEY_ENV)
    if not key_id:
        return None
    # Imported here: a handler without a key never loads the cryptography package.
    from careervp.dal.encryption import KmsCipher  # noqa: PLC0415

    return KmsCipher.from_environment(key_id)


def _accept_plaintext(option: bool | None, /) -> bool:  # noqa: FBT001 - one flag, named where called
    if option is not None:
        return option
    value = os.environ.get(ACCEPT_PLAINTEXT_ENV, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(
            f"{ACCEPT_PLAINTEXT_ENV} must be 1 (migration window open) or 0, not {value!r}"
        )
    return value == "1"


def _summary(value: object) -> dict[str, object]:
    """Log fields describing a result: its id or its size, never its content."""
    if isinstance(value, str):
        return {"artifact_id": value}
    if isinstance(value, int):
        return {"count": value}
    if isinstance(value, (list, dict)):
        return {"count": value.get("count") if isinstance(value, dict) else len(value)}
    artifact = getattr(value, "artifact", None)
    return {"artifact_id": getattr(artifact, "artifact_id", None)}


def _guarded(callback: Callable[..., object] | None, method: str) -> Callable[..., None] | None:
    """The caller's progress callback, made harmless: if it raises (a closed stderr, a bug),
    the work goes on without it and one warning says so."""
    if callback is None:
        return None
    failed = False

    def call(*args: object) -> None:
        nonlocal failed
        if failed:
            return
        try:
            callback(*args)
        except Exception as exc:  # noqa: BLE001 - the caller's code must not stop an erasure
            failed = True
            logger.warning(
                "%s: on_progress raised %s; progress is no longer reported",
                method,
                type(exc).__name__,
                extra={"action": method},
            )

    return call


# X-Ray's flags: "error" for what the caller can fix, "fault" for the service side,
# "throttle" (with "error") for throttling. Failures are Results, never exceptions, so the
# tracer's own exception capture never sees them: the subsegment is marked here.
_TRACE_FLAGS = {
    ResultCode.THROTTLED: ("add_error_flag", "add_throttle_flag"),
    ResultCode.DATABASE_ERROR: ("add_fault_flag",),
    ResultCode.INTEGRITY_ERROR: ("add_fault_flag",),
    ResultCode.INTERNAL_ERROR: ("add_fault_flag",),
}


def _mark(subsegment: object, result: object) -> None:
    """Annotate the method's subsegment with its result code; flag it when the call failed.

    Looked up by name: a provider other than X-Ray may yield a subsegment without flags."""
    code = getattr(result, "code", None)
    if not isinstance(code, ResultCode):
        return
    annotate = getattr(subsegment, "put_annotation", None)
    if callable(annotate):
        annotate("code", code.value)
    if code is ResultCode.SUCCESS:
        return
    for flag in _TRACE_FLAGS.get(code, ("add_error_flag",)):
        mark = getattr(subsegment, flag, None)
        if callable(mark):
            mark()


def _traced(tracer: Tracer, name: str, method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def traced(*args: object, **kwargs: object) -> T:
        with tracer.provider.in_subsegment(name=name) as subsegment:
            result = method(*args, **kwargs)
            _mark(subsegment, result)
            return result

    return traced


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
        name = table_name if table_name is not None else os.environ.get(TABLE_NAME_ENV)
        if not name:
            raise ValueError(f"no table name: pass table_name or set {TABLE_NAME_ENV}")
        if not isinstance(name, str):
            raise TypeError(f"table_name must be a string, not {type(name).__name__}")
        self.table_name = name
        secret_configured = True
        if token_secret is None:
            configured = os.environ.get(SECRET_ENV)
            secret_configured = bool(configured)
            token_secret = configured.encode("utf-8") if configured else _process_secret()
            previous = os.environ.get(SECRET_PREVIOUS_ENV)
            if previous and not previous_token_secrets:
                previous_token_secrets = (previous.encode("utf-8"),)
            # The signer below says a secret is short; only here is it known which variable.
            for variable, value in ((SECRET_ENV, configured), (SECRET_PREVIOUS_ENV, previous)):
                if value and len(value.encode("utf-8")) < MIN_SECRET_BYTES:
                    raise ValueError(
                        f"{variable} is too short: pagination secrets need at least"
                        f" {MIN_SECRET_BYTES} bytes"
                    )
        signer = PageTokenSigner(
            [token_secret, *previous_token_secrets],
            max_age_seconds=int(token_max_age.total_seconds()),
        )
        accept = _accept_plaintext(accept_plaintext)
        if client is None:
            try:
                client = build_client(call_timeout=call_timeout)
            except NoRegionError:
                raise ValueError(
                    "no AWS region: set AWS_REGION or AWS_DEFAULT_REGION, or pass a client"
                ) from None
        self._client = client
        # The codec writes and reads the wire itself (sender.py); TAILORED_CV_WIRE=0 turns it off.
        self._sender = Sender(
            self._client,
            name,
            sleep=sleep,
            wire=wire_from_environment() if wire is None else wire,
        )
        self._ctx = plans.StoreContext(
            table=name,
            index=index_name or os.environ.get(INDEX_NAME_ENV) or INDEX_NAME,
            clock=_utc(clock or _system_clock),
            signer=signer,
            secret_configured=secret_configured,
            cipher=cipher if cipher is not None else _cipher_from_environment(),
            accept_plaintext=accept,
            consistent_reads=consistent_reads,
            new_write_id=_new_write_id,
            jitter=random.Random(),  # noqa: S311 - backoff jitter, not a secret
        )
        if tracer is not None:
            # Instance attributes shadow the methods: without a tracer nothing wraps them.
            for method in _ACTIONS:
                setattr(self, method, _traced(tracer, method, getattr(self, method)))

    @property
    def endpoint(self) -> str:
        return self._sender.endpoint

    @property
    def index_name(self) -> str:
        return self._ctx.index

    def _run(self, method: str, plan: Plan[T]) -> Result[T]:
        action = _ACTIONS[method]
        try:
            ran = run(plan, self._sender, action)
        except DalError as exc:
            level = _FAILURE_LEVELS.get(exc.code, logging.WARNING)
            if exc.log_fields.get("deleted") is not None:
                level = logging.ERROR  # a stopped erasure is part of a data-subject request
            if logger.isEnabledFor(level):
                logger.log(
                    level,
                    "%s failed: %s: %s",
                    method,
                    exc.code.value,
                    exc,
                    extra={
                        "action": method,
                        "code": exc.code.value,
                        "error": str(exc),
                        **exc.log_fields,
                    },
                )
            return Err(str(exc), exc.code)
        except Exception as exc:
            logger.exception("%s failed unexpectedly", method, extra={"action": method})
            return Err(
                f"internal error in careervp-dal while {action} ({type(exc).__name__}):"
                " a defect of the store, not of the database; please report it",
                ResultCode.INTERNAL_ERROR,
            )
        unreadable = ran.facts.pop("unreadable", None)
        if isinstance(unreadable, dict):
            for artifact, reason in unreadable.items():
                # The call succeeds without these versions; each is an integrity failure to see.
                logger.error(
                    "%s: %s: %s",
                    method,
                    ResultCode.INTEGRITY_ERROR.value,
                    reason,
                    extra={
                        "action": method,
                        "code": ResultCode.INTEGRITY_ERROR.value,
                        "error": reason,
                        "artifact_id": artifact,
                    },
                )
        cleanup = ran.facts.pop("cleanup_failed", None)
        if cleanup is not None:
            # The version is removed (its tombstone holds); tidying after it was not.
            logger.warning(
                "%s: the version was removed, but scrubbing what it left failed (%s); the"
                " idempotency record expires by itself within 24 hours",
                method,
                cleanup,
                extra={"action": method, "code": cleanup},
            )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s succeeded",
                method,
                extra={
                    "action": method,
                    "consumed_capacity": ran.units,
                    **ran.facts,
                    **_summary(ran.value),
                },
            )
        return Ok(ran.value)

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
        progress = _guarded(on_progress, "export_tailored_cvs_for_user")
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
        progress = _guarded(on_progress, "delete_all_tailored_cvs_for_user")
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

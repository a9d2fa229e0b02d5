"""What the blocking and the async handler share: configuration, Results, logs and tracing.

Both handlers are thin shells over the same plans (``careervp.dal.plans``); only the sender
that makes their calls differs. This module turns constructor options and the environment into
the plans' ``StoreContext``, a plan's outcome into a ``Result`` (with the log lines it owes),
and wraps methods in the host's tracer.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from careervp.dal import plans
from careervp.dal.codec import (
    MIN_SECRET_BYTES,
    PageTokenSigner,
    RecordKeys,
    SummarySealer,
    printable,
)
from careervp.dal.schema import INDEX_NAME
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
    from collections.abc import Awaitable, Callable, Sequence

    from aws_lambda_powertools import Tracer

    from careervp.dal.codec import Cipher
    from careervp.dal.errors import DalError
    from careervp.dal.sender import Ran

__all__: list[str] = []

logger = logging.getLogger("careervp.dal")

DEFAULT_TOKEN_MAX_AGE = timedelta(hours=24)
T = TypeVar("T")
# Keys idempotency records where no secret is configured (see store_context): public on purpose.
_UNCONFIGURED_KEY = b"careervp-dal/no-secret-configured"

# What each method is doing, for error sentences ("DynamoDB throttled saving a tailored CV").
ACTIONS = {
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
        " verify in any other process; versions are saved without a summary MAC and summaries"
        " read their items; idempotency records are bound to their application and key but not"
        " authenticated against a writer with table access",
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


@dataclass(frozen=True)
class Options:
    """The constructor options both handlers take, beside their client."""

    table_name: str | None = None
    clock: Callable[[], datetime] | None = None
    token_secret: bytes | None = None
    cipher: Cipher | None = None
    accept_plaintext: bool | None = None
    previous_token_secrets: Sequence[bytes] = ()
    token_max_age: timedelta = DEFAULT_TOKEN_MAX_AGE
    consistent_reads: bool = True
    index_name: str | None = None


def resolve_table_name(option: str | None) -> str:
    """The table from the option or ``TAILORED_CV_TABLE_NAME``; raises when there is none."""
    name = option if option is not None else os.environ.get(TABLE_NAME_ENV)
    if not name:
        raise ValueError(f"no table name: pass table_name or set {TABLE_NAME_ENV}")
    if not isinstance(name, str):
        raise TypeError(f"table_name must be a string, not {type(name).__name__}")
    return name


def store_context(options: Options) -> plans.StoreContext:
    """The plans' context from the options and the environment; raises for misconfiguration
    (a bad deployment fails at start-up, not on the tenth request)."""
    name = resolve_table_name(options.table_name)
    token_secret = options.token_secret
    previous_token_secrets = options.previous_token_secrets
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
        max_age_seconds=int(options.token_max_age.total_seconds()),
    )
    accept = _accept_plaintext(options.accept_plaintext)
    cipher = options.cipher
    secrets_in_use = [token_secret, *previous_token_secrets]
    return plans.StoreContext(
        table=name,
        index=options.index_name or os.environ.get(INDEX_NAME_ENV) or INDEX_NAME,
        clock=_utc(options.clock or _system_clock),
        signer=signer,
        # A per-process secret would seal versions no other process can verify: without a
        # configured secret versions are saved without a MAC and summaries read the items.
        sealer=SummarySealer(secrets_in_use) if secret_configured else None,
        secret_configured=secret_configured,
        cipher=cipher if cipher is not None else _cipher_from_environment(),
        accept_plaintext=accept,
        consistent_reads=options.consistent_reads,
        new_write_id=_new_write_id,
        jitter=random.Random(),  # noqa: S311 - backoff jitter, not a secret
        # Likewise records: a per-process key would make a keyed retry reaching another
        # process a CONFLICT. Without a configured secret they are keyed with a public
        # constant: bound to their application, key and version, not authenticated.
        record_keys=RecordKeys(secrets_in_use if secret_configured else [_UNCONFIGURED_KEY]),
    )


def failed(method: str, exc: DalError) -> Result[Any]:
    """The ``Err`` of a plan that raised ``exc``, logged at the level its code deserves."""
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


def defect(method: str, exc: Exception) -> Result[Any]:
    """The ``Err`` of an exception that is no ``DalError``: a defect of the store, logged with
    its traceback (call it from the ``except`` block)."""
    logger.exception("%s failed unexpectedly", method, extra={"action": method})
    return Err(
        f"internal error in careervp-dal while {ACTIONS[method]} ({type(exc).__name__}):"
        " a defect of the store, not of the database; please report it",
        ResultCode.INTERNAL_ERROR,
    )


def succeeded(method: str, ran: Ran[T]) -> Result[T]:
    """The ``Ok`` of a plan that ran to its end, with the log lines of what it noted."""
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
    unfinished = ran.facts.pop("unfinished", None)
    if cleanup is not None and isinstance(unfinished, dict):
        # Removed (the tombstone holds); tidying after it was not: what is left, and how to
        # finish (an erasure's re-run cannot find a tombstone: it has no user id).
        for artifact, left in unfinished.items():
            logger.warning(
                "%s: version %s was removed, but scrubbing what it left failed (%s): %s"
                " remain until they expire within 26 hours; delete %s again to finish",
                method,
                printable(artifact),
                cleanup,
                left,
                printable(artifact),
                extra={"action": method, "code": cleanup, "artifact_id": artifact},
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


def guarded(callback: Callable[..., object] | None, method: str) -> Callable[..., None] | None:
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


def traced(tracer: Tracer, name: str, method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def run(*args: object, **kwargs: object) -> T:
        with tracer.provider.in_subsegment(name=name) as subsegment:
            result = method(*args, **kwargs)
            _mark(subsegment, result)
            return result

    return run


def traced_async(
    tracer: Tracer, name: str, method: Callable[..., Awaitable[T]]
) -> Callable[..., Awaitable[T]]:
    @functools.wraps(method)
    async def run(*args: object, **kwargs: object) -> T:
        async with tracer.provider.in_subsegment_async(name=name) as subsegment:
            result = await method(*args, **kwargs)
            _mark(subsegment, result)
            return result

    return run

"""``DynamoDalHandler``: save, get, list and delete tailored-CV versions.

The handler owns every DynamoDB call; the codec owns the bytes. Every public method returns a
``Result`` and never raises: input is validated before any call, and each failure is mapped to
a ``ResultCode`` by ``_returns_result``.

Expiry: DynamoDB deletes expired items lazily (often days late), so every read hides items
whose ``expiration_timestamp`` is not after the clock's current second, and a delete of one
reports ``NOT_FOUND``.
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from careervp.dal.batch import BatchDeleter, IncompleteBatchError
from careervp.dal.client import build_client
from careervp.dal.codec import (
    CodecError,
    IntegrityError,
    PageKey,
    PageTokenSigner,
    TokenError,
    TooLargeError,
    artifact_id,
    compute_checksum,
    decode_item,
    encode_item,
    read_expiration,
    read_table_key,
    rekey_item,
    table_key,
)
from careervp.dal.faults import error_code, fault_result
from careervp.dal.table import INDEX_NAME, TABLE_NAME_ENV, TTL_SECONDS
from careervp.dal.validation import (
    InputError,
    check_created_at,
    check_id,
    check_limit,
    check_tailored_cv_data,
)
from careervp.handlers.utils.observability import logger, tracer
from careervp.models.result import Err, Ok, Result, ResultCode
from careervp.models.tailor import TailoredCVData, TailoredCVPage

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        ConsumedCapacityTypeDef,
        DeleteItemInputTypeDef,
        GetItemInputTypeDef,
        PutItemInputTypeDef,
        QueryInputTypeDef,
        UniversalAttributeValueTypeDef,
    )

    StartKey = Mapping[str, UniversalAttributeValueTypeDef]

__all__ = ["SECRET_ENV", "SECRET_PREVIOUS_ENV", "DynamoDalHandler", "compute_checksum"]

SECRET_ENV = "TAILORED_CV_PAGINATION_SECRET"  # noqa: S105 - a variable name
SECRET_PREVIOUS_ENV = "TAILORED_CV_PAGINATION_SECRET_PREVIOUS"  # noqa: S105
# Saves in the same microsecond retry with the next one; past this many, something is wrong.
MAX_SAVE_ATTEMPTS = 16
# Upper bound on one Query's Limit while skipping expired items on the way to a full page.
MAX_QUERY_BATCH = 1000
DEFAULT_TOKEN_MAX_AGE = timedelta(hours=24)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Keeps items whose TTL is after now. Written as "not (a number that is not after now)"
# rather than "expiration_timestamp > :now" so that an item whose TTL attribute is missing or
# not a number passes and then fails decoding loudly instead of silently vanishing; the type
# test comes first so no engine has to compare a string with a number.
_LIVE_FILTER = (
    "NOT (attribute_type(expiration_timestamp, :number) AND expiration_timestamp <= :now)"
)

P = ParamSpec("P")
T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def _process_secret() -> bytes:
    logger.warning(
        f"{SECRET_ENV} is not set: page tokens are signed with a random per-process secret"
        " and will not verify in any other process"
    )
    return secrets.token_bytes(32)


def _returns_result(
    action: str,
) -> Callable[
    [Callable[Concatenate[DynamoDalHandler, P], Result[T]]],
    Callable[Concatenate[DynamoDalHandler, P], Result[T]],
]:
    """Turn every exception a method can meet into the ``Err`` that describes it."""

    def decorate(
        method: Callable[Concatenate[DynamoDalHandler, P], Result[T]],
    ) -> Callable[Concatenate[DynamoDalHandler, P], Result[T]]:
        @functools.wraps(method)
        def run(self: DynamoDalHandler, /, *args: P.args, **kwargs: P.kwargs) -> Result[T]:
            try:
                return method(self, *args, **kwargs)
            except TooLargeError as exc:  # a CodecError too: it must come first
                return Err(str(exc), ResultCode.ITEM_TOO_LARGE)
            except (InputError, TokenError, CodecError) as exc:
                return Err(str(exc), ResultCode.VALIDATION_ERROR)
            except IntegrityError as exc:
                logger.error("integrity check failed", action=action, error=str(exc))
                return Err(str(exc), ResultCode.INTEGRITY_ERROR)
            except (ClientError, BotoCoreError) as exc:
                result = fault_result(
                    exc, action=action, table=self.table_name, endpoint=self.endpoint
                )
                logger.warning(
                    "DynamoDB call failed",
                    action=action,
                    code=result.code.value,
                    error_type=type(exc).__name__,
                    error=str(exc)[:300],
                )
                return result
            except Exception as exc:  # noqa: BLE001 - the contract: no method raises
                logger.exception("unexpected failure", action=action)
                return Err(
                    f"unexpected {type(exc).__name__} while {action} on table {self.table_name}",
                    ResultCode.DATABASE_ERROR,
                )

        return run

    return decorate


def _epoch_second(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)  # floored, exact for any microsecond


def _timestamps(moment: datetime) -> tuple[str, int]:
    """``created_at`` and the TTL (its floored epoch second plus 90 days) for a save."""
    # Formatted by hand: strftime("%Y") does not zero-pad years before 1000 on every platform.
    created_at = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond:06d}Z"
    )
    return created_at, _epoch_second(moment) + TTL_SECONDS


def _capacity(consumed: ConsumedCapacityTypeDef | None) -> float:
    return float(consumed.get("CapacityUnits", 0.0)) if consumed else 0.0


class DynamoDalHandler:
    """The tailored-CV store on one DynamoDB table."""

    def __init__(
        self,
        client: DynamoDBClient | None = None,
        table_name: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        token_secret: bytes | None = None,
        previous_token_secrets: Sequence[bytes] = (),
        token_max_age: timedelta = DEFAULT_TOKEN_MAX_AGE,
        consistent_reads: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        name = table_name or os.environ.get(TABLE_NAME_ENV)
        if not name:
            raise ValueError(f"no table name: pass table_name or set {TABLE_NAME_ENV}")
        self.table_name = name
        self._client = client if client is not None else build_client()
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        if token_secret is None:
            configured = os.environ.get(SECRET_ENV)
            token_secret = configured.encode("utf-8") if configured else _process_secret()
            previous = os.environ.get(SECRET_PREVIOUS_ENV)
            if previous and not previous_token_secrets:
                previous_token_secrets = (previous.encode("utf-8"),)
        self._signer = PageTokenSigner(
            [token_secret, *previous_token_secrets],
            max_age_seconds=int(token_max_age.total_seconds()),
        )
        self._consistent_reads = consistent_reads
        self._sleep = sleep

    @property
    def endpoint(self) -> str:
        return str(self._client.meta.endpoint_url)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            return now.replace(tzinfo=timezone.utc)
        return now.astimezone(timezone.utc)

    def _now_seconds(self) -> int:
        return _epoch_second(self._now())

    # -- save ---------------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("saving a tailored CV")
    def save_tailored_cv(self, application_id: str, tailored_cv: TailoredCVData) -> Result[str]:
        """Store a new version; returns its artifact id ``"{application_id}#{created_at}"``."""
        check_id("application_id", application_id)
        data = check_tailored_cv_data(tailored_cv)
        moment = self._now()
        created_at, expires_at = _timestamps(moment)
        encoded = encode_item(application_id, created_at, expires_at, data)
        item = encoded.item
        for attempt in range(1, MAX_SAVE_ATTEMPTS + 1):
            request: PutItemInputTypeDef = {
                "TableName": self.table_name,
                "Item": item,
                # A version is never overwritten: the put only succeeds if no item holds this
                # (application_id, created_at) key yet, live or expired.
                "ConditionExpression": "attribute_not_exists(application_id)",
                "ReturnConsumedCapacity": "TOTAL",
            }
            try:
                response = self._client.put_item(**request)
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
                logger.info("created_at collision, retrying", application_id=application_id)
                moment += timedelta(microseconds=1)
                created_at, expires_at = _timestamps(moment)
                item = rekey_item(item, created_at, expires_at)
                continue
            saved_id = artifact_id(application_id, created_at)
            logger.info(
                "tailored CV saved",
                artifact_id=saved_id,
                user_id=data.metadata.user_id,
                item_bytes=encoded.size,
                json_bytes=encoded.json_bytes,
                attempts=attempt,
                consumed_wcu=_capacity(response.get("ConsumedCapacity")),
            )
            return Ok(saved_id)
        return Err(
            f"could not find a free created_at for application {application_id} after"
            f" {MAX_SAVE_ATTEMPTS} attempts",
            ResultCode.CONFLICT,
        )

    # -- get ----------------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("reading a tailored CV")
    def get_tailored_cv(self, application_id: str, created_at: str) -> Result[TailoredCVData]:
        check_id("application_id", application_id)
        check_created_at(created_at)
        wanted = artifact_id(application_id, created_at)
        request: GetItemInputTypeDef = {
            "TableName": self.table_name,
            "Key": table_key(application_id, created_at),
            "ConsistentRead": self._consistent_reads,
            "ReturnConsumedCapacity": "TOTAL",
        }
        response = self._client.get_item(**request)
        raw = response.get("Item")
        if raw is None or self._expired(raw):
            return Err(f"tailored CV {wanted} was not found", ResultCode.NOT_FOUND)
        data = decode_item(raw)
        logger.info(
            "tailored CV read",
            artifact_id=wanted,
            consumed_rcu=_capacity(response.get("ConsumedCapacity")),
        )
        return Ok(data)

    def _expired(self, raw: Mapping[str, object]) -> bool:
        return read_expiration(raw) <= self._now_seconds()

    # -- list by user -------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("listing a user's tailored CVs")
    def list_tailored_cvs_for_user(
        self, user_id: str, limit: int = 10, start_key: str | None = None
    ) -> Result[TailoredCVPage]:
        """One page of a user's live versions, newest first.

        ``start_key`` is the ``last_evaluated_key`` of the previous page; ``None`` there means
        the listing is complete. Each page holds ``min(limit, remaining)`` items: the store
        reads one item past the page (skipping expired ones) to know whether another exists.
        """
        check_id("user_id", user_id)
        check_limit(limit)
        now = self._now_seconds()
        start: StartKey | None = None
        if start_key is not None:
            key = self._signer.verify(start_key, index=INDEX_NAME, user_id=user_id, now=now)
            check_id("page token application_id", key.application_id)
            check_created_at(key.created_at)
            start = {
                "user_id": {"S": user_id},
                "created_at": {"S": key.created_at},
                "application_id": {"S": key.application_id},
            }
        raw_items, capacity = self._query_live(
            {
                "TableName": self.table_name,
                "IndexName": INDEX_NAME,
                "KeyConditionExpression": "user_id = :user_id",
                "ExpressionAttributeValues": {":user_id": {"S": user_id}},
            },
            now=now,
            start=start,
            wanted=limit + 1,
        )
        items = [decode_item(raw) for raw in raw_items[:limit]]
        token = None
        last = items[-1].artifact if items else None
        if len(raw_items) > limit and last is not None:
            token = self._signer.issue(
                PageKey(application_id=last.application_id, created_at=last.created_at),
                index=INDEX_NAME,
                user_id=user_id,
                now=now,
            )
        logger.info(
            "tailored CVs listed for user",
            user_id=user_id,
            count=len(items),
            more=token is not None,
            consumed_rcu=capacity,
        )
        return Ok(TailoredCVPage(items=items, last_evaluated_key=token, count=len(items)))

    def _query_live(
        self, base: QueryInputTypeDef, *, now: int, start: StartKey | None, wanted: int | None
    ) -> tuple[list[Mapping[str, object]], float]:
        """Raw live items at ``now``, newest first, until ``wanted`` are found or none are left.

        DynamoDB applies ``Limit`` before the filter, so a round can return fewer live items
        than asked for; the next round asks for what is missing, growing the batch while
        expired items keep getting in the way.
        """
        found: list[Mapping[str, object]] = []
        capacity = 0.0
        batch = wanted
        while True:
            request: QueryInputTypeDef = {
                **base,
                "ExpressionAttributeValues": {
                    **base.get("ExpressionAttributeValues", {}),
                    ":now": {"N": str(now)},
                    ":number": {"S": "N"},
                },
                "FilterExpression": _LIVE_FILTER,
                "ScanIndexForward": False,
                "ReturnConsumedCapacity": "TOTAL",
            }
            if batch is not None:
                request["Limit"] = batch
            if start is not None:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            found.extend(response.get("Items", []))
            capacity += _capacity(response.get("ConsumedCapacity"))
            last_key = response.get("LastEvaluatedKey")
            if last_key is None or (wanted is not None and len(found) >= wanted):
                return found, capacity
            start = last_key
            if wanted is not None and batch is not None:
                batch = min(max(wanted - len(found), 2 * batch), MAX_QUERY_BATCH)

    # -- list by application ------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("listing an application's tailored CVs")
    def list_tailored_cvs_for_application(
        self, application_id: str
    ) -> Result[list[TailoredCVData]]:
        """Every live version of an application, newest first, across all DynamoDB pages."""
        check_id("application_id", application_id)
        raw_items, capacity = self._query_live(
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "application_id = :application_id",
                "ExpressionAttributeValues": {":application_id": {"S": application_id}},
                "ConsistentRead": self._consistent_reads,
            },
            now=self._now_seconds(),
            start=None,
            wanted=None,
        )
        items = [decode_item(raw) for raw in raw_items]
        logger.info(
            "tailored CVs listed for application",
            application_id=application_id,
            count=len(items),
            consumed_rcu=capacity,
        )
        return Ok(items)

    # -- delete -------------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("deleting a tailored CV")
    def delete_tailored_cv(self, application_id: str, created_at: str) -> Result[None]:
        check_id("application_id", application_id)
        check_created_at(created_at)
        wanted = artifact_id(application_id, created_at)
        request: DeleteItemInputTypeDef = {
            "TableName": self.table_name,
            "Key": table_key(application_id, created_at),
            # Only a live version is deleted: an absent item, or one past its TTL that DynamoDB
            # has not removed yet, fails the condition and reads as NOT_FOUND like everywhere.
            "ConditionExpression": "expiration_timestamp > :now",
            "ExpressionAttributeValues": {":now": {"N": str(self._now_seconds())}},
            "ReturnConsumedCapacity": "TOTAL",
        }
        try:
            response = self._client.delete_item(**request)
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return Err(f"tailored CV {wanted} was not found", ResultCode.NOT_FOUND)
            raise
        logger.info(
            "tailored CV deleted",
            artifact_id=wanted,
            consumed_wcu=_capacity(response.get("ConsumedCapacity")),
        )
        return Ok(None)

    # -- erasure ------------------------------------------------------------------------

    @tracer.capture_method(capture_response=False)
    @_returns_result("erasing a user's tailored CVs")
    def delete_all_tailored_cvs_for_user(self, user_id: str) -> Result[int]:
        """Delete every stored version of a user, expired ones included; returns the count.

        For erasure requests. Idempotent: a second call returns 0. When DynamoDB stops it
        part way (throttling, an outage), the error says how many were deleted first and a
        later call finishes the job. The GSI is eventually consistent, so a version saved
        within the last moment may be missed by this call and caught by the next.
        """
        check_id("user_id", user_id)
        deleter = BatchDeleter(self._client, self.table_name, sleep=self._sleep)
        start: StartKey | None = None
        try:
            while True:
                request: QueryInputTypeDef = {
                    "TableName": self.table_name,
                    "IndexName": INDEX_NAME,
                    "KeyConditionExpression": "user_id = :user_id",
                    "ExpressionAttributeValues": {":user_id": {"S": user_id}},
                    # Only the table key is needed to delete; no filter: expired items too.
                    "ProjectionExpression": "application_id, created_at",
                }
                if start is not None:
                    request["ExclusiveStartKey"] = start
                response = self._client.query(**request)
                deleter.delete([read_table_key(raw) for raw in response.get("Items", [])])
                start = response.get("LastEvaluatedKey")
                if start is None:
                    break
        except IncompleteBatchError:
            return Err(
                f"DynamoDB throttled erasing user {user_id} on table {self.table_name}:"
                f" {deleter.deleted} versions were deleted; call again to finish",
                ResultCode.THROTTLED,
            )
        except (ClientError, BotoCoreError) as exc:
            fault = fault_result(
                exc,
                action="erasing a user's tailored CVs",
                table=self.table_name,
                endpoint=self.endpoint,
            )
            return Err(
                f"{fault.error}; {deleter.deleted} versions were deleted before it stopped,"
                " call again to finish",
                fault.code,
            )
        logger.info("user's tailored CVs erased", user_id=user_id, deleted=deleter.deleted)
        return Ok(deleter.deleted)

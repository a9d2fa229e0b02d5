"""Every DynamoDB request the store makes, built by pure functions and typed by the stubs.

Each condition and filter is explained where it is built. ``:now`` is always the clock's epoch
second, so "live" means ``expiration_timestamp > :now`` everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careervp.dal.schema import (
    APPLICATION_ID,
    ARTIFACT_ID,
    CHECKSUM,
    CREATED_AT,
    FORMAT_VERSION,
    TOMBSTONE,
    TTL_ATTRIBUTE,
    USER_ID,
    WRITE_ID,
    record_key,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_dynamodb.type_defs import (
        BatchGetItemInputTypeDef,
        BatchWriteItemInputTypeDef,
        DeleteItemInputTypeDef,
        GetItemInputTypeDef,
        PutItemInputTypeDef,
        QueryInputTypeDef,
        ScanInputTypeDef,
        UniversalAttributeValueTypeDef,
        UpdateItemInputTypeDef,
    )

    from careervp.dal.codec import Item

    StartKey = Mapping[str, UniversalAttributeValueTypeDef]

__all__ = [
    "batch_get",
    "batch_tombstones",
    "claim_record",
    "get_item",
    "move_record",
    "put_version",
    "query_application",
    "query_user",
    "release_record",
    "remove_version",
    "replace_plain",
    "scan_plain",
]

# Keeps items whose TTL is after :now. Written as "not (a number that is not after now)"
# rather than "expiration_timestamp > :now" so that an item whose TTL attribute is missing or
# not a number passes and then fails decoding loudly instead of silently vanishing; the type
# test comes first so no engine has to compare a string with a number.
_LIVE = f"NOT (attribute_type({TTL_ATTRIBUTE}, :number) AND {TTL_ATTRIBUTE} <= :now)"


def _now(now: int) -> dict[str, UniversalAttributeValueTypeDef]:
    return {":now": {"N": str(now)}, ":number": {"S": "N"}}


def put_version(table: str, item: Item) -> PutItemInputTypeDef:
    return {
        "TableName": table,
        "Item": item,
        # A version is never overwritten: the put succeeds only while no item holds this key,
        # live or expired. When it fails, engines that can return what is there (ALL_OLD), so
        # the store can tell its own earlier, retried write from another save's.
        "ConditionExpression": f"attribute_not_exists({APPLICATION_ID})",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }


def claim_record(table: str, item: Item, now: int) -> PutItemInputTypeDef:
    return {
        "TableName": table,
        "Item": item,
        # An idempotency key is free while no record holds it, or the one there is past its
        # 24 hours (TTL deletion lags by days). Otherwise the record there is returned.
        "ConditionExpression": f"attribute_not_exists({APPLICATION_ID}) OR {TTL_ATTRIBUTE} <= :now",
        "ExpressionAttributeValues": {":now": {"N": str(now)}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }


def move_record(
    table: str,
    application_id: str,
    key: str,
    *,
    write_id: str,
    old_artifact: str,
    new_artifact: str,
) -> UpdateItemInputTypeDef:
    return {
        "TableName": table,
        "Key": record_key(application_id, key),
        "UpdateExpression": f"SET {ARTIFACT_ID} = :new",
        # Compare and set: only the save call that claimed the record moves it, and only from
        # the version it last pointed at.
        "ConditionExpression": f"{ARTIFACT_ID} = :old AND {WRITE_ID} = :write_id",
        "ExpressionAttributeValues": {
            ":new": {"S": new_artifact},
            ":old": {"S": old_artifact},
            ":write_id": {"S": write_id},
        },
        "ReturnConsumedCapacity": "TOTAL",
    }


def release_record(
    table: str, application_id: str, key: str, write_id: str
) -> DeleteItemInputTypeDef:
    return {
        "TableName": table,
        "Key": record_key(application_id, key),
        # Only the claim this save call made: its version could not be stored at all.
        "ConditionExpression": f"{WRITE_ID} = :write_id",
        "ExpressionAttributeValues": {":write_id": {"S": write_id}},
        "ReturnConsumedCapacity": "TOTAL",
    }


def get_item(table: str, key: Item, *, consistent: bool) -> GetItemInputTypeDef:
    return {
        "TableName": table,
        "Key": key,
        "ConsistentRead": consistent,
        "ReturnConsumedCapacity": "TOTAL",
    }


def remove_version(table: str, tombstone: Item, now: int) -> PutItemInputTypeDef:
    return {
        "TableName": table,
        # The version is replaced by its tombstone rather than deleted, so that a put of an
        # earlier save attempt arriving later finds the key taken and stores nothing.
        "Item": tombstone,
        # Removes a version that exists and is live or unreadable (its TTL missing or not a
        # number), so one damaged item never blocks its user; an absent version, a tombstone,
        # or one past its TTL that DynamoDB has not removed yet, fails and reads as NOT_FOUND.
        "ConditionExpression": (
            f"attribute_exists({APPLICATION_ID}) AND attribute_not_exists({TOMBSTONE}) AND {_LIVE}"
        ),
        "ExpressionAttributeValues": _now(now),
        # A refused retry of this very removal (its response lost) is told by the tombstone's
        # delete_id.
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }


def query_user(
    table: str,
    index: str,
    user_id: str,
    *,
    now: int | None,
    start: StartKey | None,
    limit: int | None,
    keys_only: bool = False,
) -> QueryInputTypeDef:
    """A page of the user index, newest first; live entries only when ``now`` is given."""
    request: QueryInputTypeDef = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": f"{USER_ID} = :user_id",
        "ExpressionAttributeValues": {":user_id": {"S": user_id}},
        "ScanIndexForward": False,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if now is not None:
        request["FilterExpression"] = _LIVE
        request["ExpressionAttributeValues"] = {":user_id": {"S": user_id}, **_now(now)}
    if keys_only:
        # The table's key is in every index entry whatever the projection: enough to remove.
        request["ProjectionExpression"] = f"{APPLICATION_ID}, {CREATED_AT}"
    if limit is not None:
        request["Limit"] = limit
    if start is not None:
        request["ExclusiveStartKey"] = start
    return request


def query_application(
    table: str,
    application_id: str,
    *,
    now: int,
    start: StartKey | None,
    limit: int | None,
    consistent: bool,
) -> QueryInputTypeDef:
    """Live versions of one application, newest first, from the table itself."""
    request: QueryInputTypeDef = {
        "TableName": table,
        "KeyConditionExpression": f"{APPLICATION_ID} = :application_id",
        # Tombstones share the partition of the versions they replaced; never listed.
        "FilterExpression": f"attribute_not_exists({TOMBSTONE}) AND {_LIVE}",
        "ExpressionAttributeValues": {":application_id": {"S": application_id}, **_now(now)},
        "ScanIndexForward": False,
        "ConsistentRead": consistent,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if limit is not None:
        request["Limit"] = limit
    if start is not None:
        request["ExclusiveStartKey"] = start
    return request


def batch_get(table: str, keys: Sequence[Item], *, consistent: bool) -> BatchGetItemInputTypeDef:
    return {
        "RequestItems": {table: {"Keys": list(keys), "ConsistentRead": consistent}},
        "ReturnConsumedCapacity": "TOTAL",
    }


def batch_tombstones(table: str, tombstones: Sequence[Item]) -> BatchWriteItemInputTypeDef:
    """An erasure's removals: each version replaced by its tombstone (BatchWriteItem takes no
    conditions; whatever is at an erased key, a tombstone is what it must become)."""
    return {
        "RequestItems": {table: [{"PutRequest": {"Item": item}} for item in tombstones]},
        "ReturnConsumedCapacity": "TOTAL",
    }


def scan_plain(table: str, start: StartKey | None, limit: int) -> ScanInputTypeDef:
    """A page of the table's format-1 versions (idempotency records have no format_version)."""
    request: ScanInputTypeDef = {
        "TableName": table,
        "FilterExpression": f"{FORMAT_VERSION} = :plain",
        "ExpressionAttributeValues": {":plain": {"N": "1"}},
        "ConsistentRead": True,
        "Limit": limit,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if start is not None:
        request["ExclusiveStartKey"] = start
    return request


def replace_plain(table: str, item: Item, *, checksum: str, expires_at: int) -> PutItemInputTypeDef:
    return {
        "TableName": table,
        "Item": item,
        # Replaces the format-1 version exactly as it was read: a version deleted, re-encrypted
        # or edited meanwhile is left alone (and reported), never overwritten.
        "ConditionExpression": (
            f"{FORMAT_VERSION} = :plain AND {CHECKSUM} = :checksum AND {TTL_ATTRIBUTE} = :ttl"
        ),
        "ExpressionAttributeValues": {
            ":plain": {"N": "1"},
            ":checksum": {"S": checksum},
            ":ttl": {"N": str(expires_at)},
        },
        "ReturnConsumedCapacity": "TOTAL",
    }

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
    DELETE_ID,
    FINGERPRINT,
    FORMAT_VERSION,
    RECORD_MAC,
    TOMBSTONE,
    TTL_ATTRIBUTE,
    USER_ID,
    VERSION_CONTENT,
    VERSION_DELETED,
    WRITE_ID,
    record_key,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_dynamodb.type_defs import (
        BatchGetItemInputTypeDef,
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
    "scrub_record",
    "strip_attributes",
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


def claim_record(table: str, item: Item, stale: int) -> PutItemInputTypeDef:
    return {
        "TableName": table,
        "Item": item,
        # An idempotency key is free while no record holds it, or the one there expired by
        # ``stale`` (the clock less a skew margin; TTL deletion lags by days). Otherwise the
        # record there is returned.
        "ConditionExpression": (
            f"attribute_not_exists({APPLICATION_ID}) OR {TTL_ATTRIBUTE} <= :stale"
        ),
        "ExpressionAttributeValues": {":stale": {"N": str(stale)}},
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
    mac: bytes,
) -> UpdateItemInputTypeDef:
    return {
        "TableName": table,
        "Key": record_key(application_id, key),
        # The keyed value covers the version's created_at: it moves with it.
        "UpdateExpression": f"SET {ARTIFACT_ID} = :new, {RECORD_MAC} = :mac",
        # Compare and set: only the save call that claimed the record moves it, and only from
        # the version it last pointed at.
        "ConditionExpression": f"{ARTIFACT_ID} = :old AND {WRITE_ID} = :write_id",
        "ExpressionAttributeValues": {
            ":new": {"S": new_artifact},
            ":mac": {"B": mac},
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


def _names(names: Sequence[str], prefix: str) -> dict[str, str]:
    return {f"#{prefix}{i}": name for i, name in enumerate(names)}


# A version, not a tombstone: a tombstone has the marker and no user id.
_NOT_A_TOMBSTONE = f"(attribute_not_exists({TOMBSTONE}) OR attribute_exists({USER_ID}))"


def remove_version(
    table: str,
    key: Item,
    *,
    delete_id: str,
    expires_at: int,
    now: int | None,
    strip: Sequence[str] = (),
) -> UpdateItemInputTypeDef:
    """Strip a version down to its tombstone (``_tombstone`` says why it is not deleted).

    With ``now``, only a live or unreadable version (``delete``); without, any version, expired
    ones included (an erasure). ``strip``: attributes a raw writer added, seen on the version
    just before, removed by the same write.
    """
    content = {**_names(VERSION_CONTENT, "c"), **_names(strip, "x")}
    values: dict[str, UniversalAttributeValueTypeDef] = {
        ":tombstone": {"BOOL": True},
        ":delete_id": {"S": delete_id},
        ":expires_at": {"N": str(expires_at)},
    }
    condition = f"attribute_exists({APPLICATION_ID}) AND {_NOT_A_TOMBSTONE}"
    if now is not None:
        # Live or unreadable (its TTL missing or not a number), so one damaged item never
        # blocks its user; one past its TTL that DynamoDB has not removed yet is NOT_FOUND.
        condition += f" AND {_LIVE}"
        values.update(_now(now))
    return {
        "TableName": table,
        "Key": key,
        # The write id stays: a save refused by the tombstone tells its own removed version
        # from another save's by it.
        "UpdateExpression": (
            f"REMOVE {', '.join(content)}"
            f" SET {TOMBSTONE} = :tombstone, {DELETE_ID} = :delete_id,"
            f" {TTL_ATTRIBUTE} = :expires_at"
        ),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": content,
        "ExpressionAttributeValues": values,
        # What was there: attributes a raw writer added go too, and a keyed version's record
        # is scrubbed. A refused retry of this very removal is told by the delete_id.
        "ReturnValues": "ALL_OLD",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ReturnConsumedCapacity": "TOTAL",
    }


def strip_attributes(
    table: str, key: Item, names: Sequence[str], delete_id: str | None
) -> UpdateItemInputTypeDef:
    """Remove attributes the store does not write: from a tombstone this call made
    (``delete_id``), or from a version still listed, before an erasure removes it (``None``)."""
    extra = _names(names, "x")
    request: UpdateItemInputTypeDef = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": f"REMOVE {', '.join(extra)}",
        "ConditionExpression": f"attribute_exists({APPLICATION_ID}) AND {_NOT_A_TOMBSTONE}",
        "ExpressionAttributeNames": extra,
        "ReturnConsumedCapacity": "TOTAL",
    }
    if delete_id is not None:
        request["ConditionExpression"] = f"{DELETE_ID} = :delete_id"
        request["ExpressionAttributeValues"] = {":delete_id": {"S": delete_id}}
    return request


def scrub_record(
    table: str, application_id: str, key: str, artifact_id: str
) -> UpdateItemInputTypeDef:
    return {
        "TableName": table,
        "Key": record_key(application_id, key),
        # A record written by 0.3.0 or before holds its version's checksum unkeyed: it loses it
        # once the version is removed, while it stands for this very version. A record with
        # its keyed value holds a keyed fingerprint and is left as it is.
        "UpdateExpression": f"REMOVE {FINGERPRINT} SET {VERSION_DELETED} = :deleted",
        # Refused once done, so a removal that only meets a scrub already done has removed
        # nothing and counts nothing.
        "ConditionExpression": (
            f"{ARTIFACT_ID} = :artifact AND attribute_not_exists({RECORD_MAC})"
            f" AND attribute_exists({FINGERPRINT})"
        ),
        "ExpressionAttributeValues": {":deleted": {"BOOL": True}, ":artifact": {"S": artifact_id}},
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
        "FilterExpression": f"{_NOT_A_TOMBSTONE} AND {_LIVE}",
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

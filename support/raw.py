"""Raw reads and edits of stored items, as someone with table access would make them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from careervp.dal.schema import TTL_ATTRIBUTE, split_artifact_id, table_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient

    from careervp.models.tailor import StoredArtifact, TailoredCVData

__all__ = ["Raw", "artifact_of", "expire", "key_of", "raw_item", "tamper"]

Raw = dict[str, Any]


def key_of(artifact_id: str) -> tuple[str, str]:
    parts = split_artifact_id(artifact_id)
    assert parts is not None, artifact_id  # noqa: S101 - a test helper
    return parts


def artifact_of(data: TailoredCVData) -> StoredArtifact:
    """The ``artifact`` every read fills in."""
    assert data.artifact is not None  # noqa: S101 - a test helper
    return data.artifact


def raw_item(client: DynamoDBClient, table: str, artifact_id: str) -> Raw:
    found = client.get_item(
        TableName=table, Key=table_key(*key_of(artifact_id)), ConsistentRead=True
    )
    return dict(found["Item"])


def tamper(
    client: DynamoDBClient, table: str, artifact_id: str, edit: Callable[[Raw], object]
) -> Raw:
    """Read the stored item, apply ``edit`` to it and write it back as it is."""
    raw = raw_item(client, table, artifact_id)
    edit(raw)
    client.put_item(TableName=table, Item=raw)
    return raw


def expire(client: DynamoDBClient, table: str, artifact_id: str, at: int = 1000) -> None:
    """Move a version's TTL into the past, as if DynamoDB had not deleted it yet."""
    client.update_item(
        TableName=table,
        Key=table_key(*key_of(artifact_id)),
        UpdateExpression=f"SET {TTL_ATTRIBUTE} = :t",
        ExpressionAttributeValues={":t": {"N": str(at)}},
    )

"""The table the store lives in: one definition for tests, the CLI, docs and deployments."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from careervp.handlers.utils.observability import logger

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import CreateTableInputTypeDef

__all__ = [
    "HANDLER_ACTIONS",
    "INDEX_NAME",
    "TABLE_NAME_ENV",
    "TTL_ATTRIBUTE",
    "TTL_SECONDS",
    "create_table",
    "table_definition",
    "table_differences",
]

TABLE_NAME_ENV = "TAILORED_CV_TABLE_NAME"
INDEX_NAME = "user_id_created_at_gsi"
TTL_ATTRIBUTE = "expiration_timestamp"
TTL_SECONDS = 90 * 24 * 3600
# Every DynamoDB action DynamoDalHandler calls: the handler role's IAM policy grants exactly these.
HANDLER_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
)


def table_definition(table_name: str) -> CreateTableInputTypeDef:
    """CreateTable input: keys, the user GSI, on-demand billing, KMS server-side encryption."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": "application_id", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
            {"AttributeName": "user_id", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "application_id", "KeyType": "HASH"},
            {"AttributeName": "created_at", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": "user_id", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
    }


def create_table(client: DynamoDBClient, table_name: str, *, wait_timeout: float = 60.0) -> bool:
    """Create the table, wait until it is active and enable TTL.

    Returns whether TTL could be enabled: engines without the TTL API (dynalite) still get a
    working table, and the store filters expired items on every read regardless.
    """
    client.create_table(**table_definition(table_name))
    # The waiter checks at once, so an engine that creates tables instantly costs no sleep.
    client.get_waiter("table_exists").wait(
        TableName=table_name,
        WaiterConfig={"Delay": 1, "MaxAttempts": max(1, math.ceil(wait_timeout))},
    )
    try:
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        logger.warning("TTL could not be enabled", table=table_name, error_code=code)
        return False
    return True


def table_differences(description: Mapping[str, Any], table_name: str) -> list[str]:
    """How an existing table (DescribeTable's ``Table``) differs from ``table_definition``.

    Keys, attribute types, the GSI and its projection must match. Billing mode and
    encryption are compared when the engine reports them (local engines often do not).
    """
    wanted = table_definition(table_name)
    problems: list[str] = []

    def keys(schema: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
        return [(str(k["AttributeName"]), str(k["KeyType"])) for k in schema]

    if keys(description.get("KeySchema", [])) != keys(wanted["KeySchema"]):
        problems.append(f"key schema is {keys(description.get('KeySchema', []))}")
    types = {
        a["AttributeName"]: a["AttributeType"] for a in description.get("AttributeDefinitions", [])
    }
    for attribute in wanted["AttributeDefinitions"]:
        name, kind = attribute["AttributeName"], attribute["AttributeType"]
        if types.get(name) != kind:
            problems.append(f"attribute {name} is {types.get(name)!r}, not {kind!r}")
    indexes = {i["IndexName"]: i for i in description.get("GlobalSecondaryIndexes", [])}
    index = indexes.get(INDEX_NAME)
    if index is None:
        problems.append(f"global secondary index {INDEX_NAME} is missing")
    else:
        if keys(index.get("KeySchema", [])) != keys(
            wanted["GlobalSecondaryIndexes"][0]["KeySchema"]
        ):
            problems.append(f"index {INDEX_NAME} has key schema {keys(index.get('KeySchema', []))}")
        projection = index.get("Projection", {}).get("ProjectionType")
        if projection != "ALL":
            problems.append(f"index {INDEX_NAME} projects {projection!r}, not 'ALL'")
    billing = description.get("BillingModeSummary", {}).get("BillingMode")
    if billing not in (None, "PAY_PER_REQUEST"):
        problems.append(f"billing mode is {billing}, not PAY_PER_REQUEST")
    sse = description.get("SSEDescription")
    if sse is not None and sse.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        problems.append(f"server-side encryption is {sse.get('Status')}")
    return problems

"""The table the store lives in: one definition for tests, the CLI, docs and deployments.

``ensure_table`` is what ``careervp-dal create-table`` runs: it creates the table, or checks an
existing one against the definition, repairs what can be repaired in place (TTL, which a table
restored from a backup comes back without) and reports the rest.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from careervp.dal.errors import error_code
from careervp.dal.schema import (
    APPLICATION_ID,
    CREATED_AT,
    CV_VERSION,
    FVS_VALIDATION_PASSED,
    IDEMPOTENCY_KEY,
    INDEX_NAME,
    JOB_ID,
    METADATA,
    SUMMARY_MAC,
    TTL_ATTRIBUTE,
    USER_ID,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.literals import TableClassType
    from mypy_boto3_dynamodb.type_defs import CreateTableInputTypeDef, ProjectionTypeDef

__all__ = [
    "HANDLER_ACTIONS",
    "INDEX_PROJECTION",
    "OPERATOR_ACTIONS",
    "SUMMARY_PROJECTION",
    "TABLE_CLASS",
    "TABLE_CLASSES",
    "TableReport",
    "create_table",
    "ensure_table",
    "index_advisory",
    "index_problem",
    "table_definition",
]

logger = logging.getLogger(__name__)

# Every DynamoDB action DynamoDalHandler calls: the handler role's IAM policy grants exactly these.
HANDLER_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
# What only operators run (the CLI's create-table and encrypt-existing), never the handler role.
OPERATOR_ACTIONS = (
    "dynamodb:CreateTable",
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:Scan",
    "dynamodb:UpdateTimeToLive",
)
# The user index carries the keys and the TTL, enough to find and filter a user's versions (a
# page of full versions reads its items from the table by key), the idempotency key for
# erasures, and a summary's attributes with the keyed value that verifies them: a history screen
# reads the index alone. ``metadata`` rather than top-level copies of llm_model and
# relevance_score: an index entry stays well under one write unit (about 380 bytes) and stored
# items keep their format. docs/schema.md has the cost model and the migration from older indexes.
SUMMARY_PROJECTION = (JOB_ID, CV_VERSION, FVS_VALIDATION_PASSED, METADATA, SUMMARY_MAC)
INDEX_PROJECTION: ProjectionTypeDef = {
    "ProjectionType": "INCLUDE",
    "NonKeyAttributes": [TTL_ATTRIBUTE, IDEMPOTENCY_KEY, *SUMMARY_PROJECTION],
}


# A version is written once, read a few times and kept 90 days, so storage weighs more than
# requests: the cost model (docs/performance.md, benchmarks/costs.py) finds Standard-IA cheaper
# for this workload with pages of versions and more so with pages of summaries.
TABLE_CLASSES: tuple[TableClassType, ...] = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
TABLE_CLASS: TableClassType = "STANDARD_INFREQUENT_ACCESS"


def table_definition(
    table_name: str,
    *,
    index_name: str = INDEX_NAME,
    projection: ProjectionTypeDef | None = None,
    table_class: TableClassType = TABLE_CLASS,
) -> CreateTableInputTypeDef:
    """CreateTable input: keys, the user index, on-demand billing, KMS server-side encryption,
    the table class.

    ``projection`` exists for tests of tables made before the index was narrowed (``ALL``).
    """
    return {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": APPLICATION_ID, "AttributeType": "S"},
            {"AttributeName": CREATED_AT, "AttributeType": "S"},
            {"AttributeName": USER_ID, "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": APPLICATION_ID, "KeyType": "HASH"},
            {"AttributeName": CREATED_AT, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index_name,
                "KeySchema": [
                    {"AttributeName": USER_ID, "KeyType": "HASH"},
                    {"AttributeName": CREATED_AT, "KeyType": "RANGE"},
                ],
                "Projection": projection or INDEX_PROJECTION,
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
        "TableClass": table_class,
    }


# What an engine without the TTL API answers (dynalite); AWS and Alternator have it.
_NO_TTL_API = "UnknownOperationException"


def _enable_ttl(client: DynamoDBClient, table_name: str) -> str | None:
    """Turn TTL on; ``None`` when done, else the error code saying why not."""
    try:
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    except ClientError as exc:
        return error_code(exc)
    return None


def create_table(
    client: DynamoDBClient,
    table_name: str,
    *,
    wait_timeout: float = 60.0,
    projection: ProjectionTypeDef | None = None,
    table_class: TableClassType = TABLE_CLASS,
) -> bool:
    """Create the table, wait until it is active and enable TTL.

    Returns whether TTL could be enabled: engines without the TTL API (dynalite) still get a
    working table, and the store filters expired items on every read regardless.
    """
    client.create_table(
        **table_definition(table_name, projection=projection, table_class=table_class)
    )
    # The waiter checks at once, so an engine that creates tables instantly costs no sleep.
    client.get_waiter("table_exists").wait(
        TableName=table_name,
        WaiterConfig={"Delay": 1, "MaxAttempts": max(1, math.ceil(wait_timeout))},
    )
    refused = _enable_ttl(client, table_name)
    if refused is not None:
        logger.warning(
            "TTL could not be enabled on table %s (%s)",
            table_name,
            refused,
            extra={"table": table_name},
        )
    return refused is None


@dataclass
class TableReport:
    """What ``ensure_table`` found and did. ``problems`` mean the store cannot work on it."""

    table: str
    created: bool = False
    repaired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)

    @property
    def serviceable(self) -> bool:
        return not self.problems


def _keys(schema: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [(str(k.get("AttributeName")), str(k.get("KeyType"))) for k in schema]


def index_problem(projection: Mapping[str, Any]) -> str | None:
    """Why the store cannot list users through an index with this projection, or ``None``.

    ``ALL`` (the naive layout's, existing deployments) and ``INCLUDE`` with the TTL and the
    idempotency key both work: the TTL lets a query skip expired versions before their items
    are read, the key lets an erasure tell the idempotency records of what it deletes.
    """
    kind = projection.get("ProjectionType")
    if kind == "ALL":
        return None
    included = projection.get("NonKeyAttributes", [])
    missing = [name for name in (TTL_ATTRIBUTE, IDEMPOTENCY_KEY) if name not in included]
    if kind == "INCLUDE" and not missing:
        return None
    return f"projects {kind} without {', '.join(missing)}: the store needs both"


def index_advisory(projection: Mapping[str, Any]) -> str | None:
    """What an index the store can work on lacks for summaries from the index alone, or ``None``.

    Such an index (0.3.0's, without ``summary_mac``, or an older one) still serves summaries
    correctly: each page reads its items from the table and verifies them, at the cost of an
    item read per entry.
    """
    if projection.get("ProjectionType") == "ALL":
        return None
    included = projection.get("NonKeyAttributes", [])
    missing = [name for name in SUMMARY_PROJECTION if name not in included]
    if not missing:
        return None
    return (
        f"projects no {', '.join(missing)}: summaries read their items too; migrate the index"
        " (docs/schema.md)"
    )


def _structure(description: Mapping[str, Any], table_name: str, index_name: str) -> list[str]:
    """Differences that no update can fix: the table cannot serve the store with them."""
    wanted = table_definition(table_name, index_name=index_name)
    problems: list[str] = []
    if _keys(description.get("KeySchema", [])) != _keys(wanted["KeySchema"]):
        problems.append(f"key schema is {_keys(description.get('KeySchema', []))}")
    types = {
        a["AttributeName"]: a["AttributeType"] for a in description.get("AttributeDefinitions", [])
    }
    for attribute in wanted["AttributeDefinitions"]:
        name, kind = attribute["AttributeName"], attribute["AttributeType"]
        if types.get(name) != kind:
            problems.append(f"attribute {name} is {types.get(name)!r}, not {kind!r}")
    indexes = {i["IndexName"]: i for i in description.get("GlobalSecondaryIndexes", [])}
    index = indexes.get(index_name)
    if index is None:
        problems.append(f"global secondary index {index_name} is missing")
        return problems
    index_keys = _keys(wanted["GlobalSecondaryIndexes"][0]["KeySchema"])
    if _keys(index.get("KeySchema", [])) != index_keys:
        problems.append(f"index {index_name} has key schema {_keys(index.get('KeySchema', []))}")
    problem = index_problem(index.get("Projection", {}))
    if problem is not None:
        problems.append(f"index {index_name} {problem}")
    return problems


def _index_advisories(description: Mapping[str, Any], index_name: str) -> list[str]:
    for index in description.get("GlobalSecondaryIndexes", []):
        if index.get("IndexName") == index_name:
            advice = index_advisory(index.get("Projection", {}))
            return [] if advice is None else [f"index {index_name} {advice}"]
    return []


def _advisories(client: DynamoDBClient, description: Mapping[str, Any]) -> list[str]:
    """Settings production needs that this command leaves to the deployment (the template)."""
    notes: list[str] = []
    billing = description.get("BillingModeSummary", {}).get("BillingMode")
    if billing not in (None, "PAY_PER_REQUEST"):
        notes.append(f"billing mode is {billing}, not PAY_PER_REQUEST")
    sse = description.get("SSEDescription")
    if sse is not None and sse.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        notes.append(f"server-side encryption is {sse.get('Status')}")
    if description.get("DeletionProtectionEnabled") is False:
        notes.append("deletion protection is off (deploy/template.yaml turns it on)")
    try:
        backups = client.describe_continuous_backups(TableName=description["TableName"])
    except (ClientError, BotoCoreError):
        notes.append("point-in-time recovery is not reported by this engine")
    else:
        recovery = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        if recovery.get("PointInTimeRecoveryStatus") != "ENABLED":
            notes.append("point-in-time recovery is off (deploy/template.yaml turns it on)")
    return notes


def _check_ttl(client: DynamoDBClient, report: TableReport) -> None:
    try:
        ttl = client.describe_time_to_live(TableName=report.table)["TimeToLiveDescription"]
    except ClientError as exc:
        report.advisories.append(
            f"TTL is not reported by this engine ({error_code(exc)}); reads still hide expired"
            " versions"
        )
        return
    status, attribute = ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")
    if status in ("ENABLED", "ENABLING"):
        if attribute != TTL_ATTRIBUTE:
            report.problems.append(
                f"TTL deletes by {attribute}, not {TTL_ATTRIBUTE}: versions would never expire"
            )
        return
    refused = _enable_ttl(client, report.table)
    if refused is None:
        report.repaired.append(f"TTL was {status or 'off'}; enabled it on {TTL_ATTRIBUTE}")
    elif refused == _NO_TTL_API:
        report.advisories.append("this engine has no TTL API; reads still hide expired versions")
    else:
        report.problems.append(
            f"TTL is {status or 'off'} and could not be enabled ({refused}):"
            " CVs would outlive 90 days"
        )


def ensure_table(
    client: DynamoDBClient,
    table_name: str,
    *,
    index_name: str = INDEX_NAME,
    wait_timeout: float = 60.0,
    table_class: TableClassType = TABLE_CLASS,
) -> TableReport:
    """Create the table, or check an existing one and repair its TTL. A table whose keys or
    index are not the store's is reported and left exactly as it is. Raises botocore errors."""
    report = TableReport(table=table_name)
    try:
        description = client.describe_table(TableName=table_name)["Table"]
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
        if not create_table(client, table_name, wait_timeout=wait_timeout, table_class=table_class):
            report.advisories.append(
                "this engine has no TTL API; reads still hide expired versions"
            )
        report.created = True
        # create-table leaves these to the deployment: a new table says so, as an old one does.
        created = client.describe_table(TableName=table_name)["Table"]
        report.advisories.extend(_advisories(client, created))
        return report
    report.problems.extend(_structure(description, table_name, index_name))
    if report.problems:
        # Not the store's table (a typo can name another team's): change nothing on it.
        return report
    _check_ttl(client, report)
    report.advisories.extend(_index_advisories(description, index_name))
    report.advisories.extend(_advisories(client, description))
    return report

"""``create-table``: create the table, or check an existing one and repair its TTL."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from careervp.dal.cli.render import emit
from careervp.dal.table import ensure_table

if TYPE_CHECKING:
    import argparse

    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["create_table"]

# The table exists but cannot serve the store: the database-side failure code.
UNSERVICEABLE_EXIT = 4


def create_table(args: argparse.Namespace, client: DynamoDBClient, name: str) -> int:
    report = ensure_table(client, name, wait_timeout=args.wait_timeout)
    for note in report.advisories:
        sys.stderr.write(f"note: {note}\n")
    for problem in report.problems:
        sys.stderr.write(f"problem: {problem}\n")
    if report.created:
        human = [f"table {name} created and active"]
    elif report.serviceable:
        human = [f"table {name} already exists and can serve the store"]
    else:
        human = [f"table {name} exists but cannot serve the store (see the problems above)"]
    human += [f"repaired: {line}" for line in report.repaired]
    emit(
        args,
        {
            "table": name,
            "created": report.created,
            "serviceable": report.serviceable,
            "repaired": report.repaired,
            "problems": report.problems,
            "advisories": report.advisories,
        },
        human,
    )
    return 0 if report.serviceable else UNSERVICEABLE_EXIT

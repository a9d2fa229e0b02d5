"""What "deleted stays deleted" costs: a removal by tombstone against a plain DeleteItem.

On dynalite (which sizes items by DynamoDB's rules), for each CV size: the write units of
0.2.0's removal (DeleteItem, plus an UpdateItem marking the idempotency record of a keyed
version) against 0.3.0's (one PutItem replacing the version by its tombstone). A write that
replaces an item is charged for the larger of the two, so the tombstone costs what the delete
did. Index writes are the same for both (the entry leaves the index either way) and TTL
deletion of the tombstone a day later is free. Run ``uv run python -m benchmarks.removal``.
"""

from __future__ import annotations

import uuid

from benchmarks.cpu import SECRET, SIZES, data_of
from benchmarks.report import Section
from careervp.dal.client import build_client
from careervp.dal.codec import item_size, tombstone
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.schema import TOMBSTONE_TTL_SECONDS
from careervp.dal.table import create_table
from support.engines import dynalite_server
from support.raw import key_of, raw_item

__all__ = ["main", "section"]


def section(endpoint: str) -> Section:
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    table = f"removal-{uuid.uuid4().hex[:8]}"
    create_table(client, table)
    store = DynamoDalHandler(client, table, token_secret=SECRET)
    result = Section(
        "Removing a version on dynalite: write units, 0.2.0 against 0.3.0",
        [
            "CV JSON",
            "item bytes",
            "DeleteItem (0.2.0)",
            "+ record mark (keyed)",
            "tombstone PutItem (0.3.0)",
            "tombstone bytes, kept 25 h",
        ],
    )
    try:
        for label in SIZES:
            units = []
            for how in ("delete", "tombstone"):
                saved = store.save_tailored_cv(f"app-{label}-{how}", data_of(label))
                if not saved.success:
                    raise RuntimeError(saved.error)
                raw = raw_item(client, table, saved.data)
                key = {k: raw[k] for k in ("application_id", "created_at")}
                created_at = key_of(saved.data)[1]
                if how == "delete":
                    answer = client.delete_item(
                        TableName=table, Key=key, ReturnConsumedCapacity="TOTAL"
                    )
                else:
                    answer = client.put_item(
                        TableName=table,
                        Item=tombstone(key, expires_at=1, delete_id="d" * 22),
                        ReturnConsumedCapacity="TOTAL",
                    )
                units.append(answer["ConsumedCapacity"]["CapacityUnits"])
            stone = tombstone(
                {"application_id": {"S": "app_123"}, "created_at": {"S": created_at}},
                expires_at=1_800_000_000 + TOMBSTONE_TTL_SECONDS,
                delete_id="d" * 22,
            )
            result.add(
                label, item_size(raw), f"{units[0]:g}", "+1", f"{units[1]:g}", item_size(stone)
            )
    finally:
        client.delete_table(TableName=table)
    result.notes.append(
        "A transaction conditioning the delete on the record (the other candidate) would be"
        " charged twice: TransactWriteItems costs 2 write units per KB written."
    )
    return result


def main() -> int:
    with dynalite_server() as endpoint:
        print(section(endpoint).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

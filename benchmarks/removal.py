"""What "deleted stays deleted" costs: a removal by tombstone against a plain DeleteItem.

On dynalite (which sizes items by DynamoDB's rules), for each CV size: the write units of
0.2.0's removal (DeleteItem, plus an UpdateItem marking the idempotency record of a keyed
version) against 0.3.0's (one UpdateItem stripping the version to its tombstone, plus the
record's scrub for a keyed version), each measured on a version saved for it. A write is charged
for the larger of the item before and after, so the tombstone costs what the delete did. Index
writes are the same for both (the entry leaves the index either way) and TTL deletion of the
tombstone a day later is free. Run ``uv run python -m benchmarks.removal``.
"""

from __future__ import annotations

import uuid

from benchmarks.cpu import APPLICATION, SECRET, SIZES, data_of
from benchmarks.report import Section
from careervp.dal.client import build_client
from careervp.dal.codec import item_size
from careervp.dal.dynamo_dal_handler import DynamoDalHandler
from careervp.dal.schema import TOMBSTONE_TTL_SECONDS
from careervp.dal.table import create_table
from support.engines import dynalite_server
from support.raw import key_of, raw_item

__all__ = ["main", "section"]


def _units(client: object) -> list[float]:
    """Every write unit a client's DynamoDB calls report, as they happen."""
    seen: list[float] = []

    def record(parsed: dict[str, object], **_: object) -> None:
        capacity = parsed.get("ConsumedCapacity")
        if isinstance(capacity, dict):
            seen.append(float(capacity.get("CapacityUnits", 0.0)))

    client.meta.events.register("after-call.dynamodb", record)  # type: ignore[attr-defined]
    return seen


def section(endpoint: str) -> Section:
    client = build_client(endpoint_url=endpoint, region_name="us-east-1", local_credentials=True)
    table = f"removal-{uuid.uuid4().hex[:8]}"
    create_table(client, table)
    store = DynamoDalHandler(client, table, token_secret=SECRET)
    units = _units(client)
    result = Section(
        "Removing a version on dynalite: write units, 0.2.0 against 0.3.0",
        [
            "CV JSON",
            "item bytes",
            "DeleteItem (0.2.0)",
            "tombstone (0.3.0)",
            "keyed: tombstone + record scrub",
            "tombstone bytes, kept 26 h",
        ],
    )
    try:
        for label in SIZES:
            row: list[object] = [label]
            artifact = ""
            for how in ("delete", "tombstone", "keyed"):
                key = f"req-{label}" if how == "keyed" else None
                saved = store.save_tailored_cv(APPLICATION, data_of(label), idempotency_key=key)
                if not saved.success:
                    raise RuntimeError(saved.error)
                artifact = saved.data
                raw = raw_item(client, table, artifact)
                if how == "delete":
                    row.append(item_size(raw))
                    del units[:]
                    client.delete_item(
                        TableName=table,
                        Key={k: raw[k] for k in ("application_id", "created_at")},
                        ReturnConsumedCapacity="TOTAL",
                    )
                else:
                    del units[:]
                    removed = store.delete_tailored_cv(*key_of(artifact))
                    if not removed.success:
                        raise RuntimeError(removed.error)
                row.append(f"{sum(units):g}")
            stone = raw_item(client, table, artifact)
            assert int(stone["expiration_timestamp"]["N"]) > TOMBSTONE_TTL_SECONDS
            row.append(item_size(stone))
            result.add(*row)
    finally:
        client.delete_table(TableName=table)
    result.notes.append(
        "0.2.0 also marked a keyed version's record (+1 unit). A transaction conditioning the"
        " delete on the record (the other candidate) is charged twice: TransactWriteItems costs"
        " 2 write units per KB."
    )
    return result


def main() -> int:
    with dynalite_server() as running:
        print(section(running.endpoint).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

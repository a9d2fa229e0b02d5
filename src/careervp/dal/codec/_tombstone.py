"""Tombstones: what removing a version leaves at its key, for a day and an hour.

A version is removed by replacing it with a tombstone, not by deleting it: a put of an earlier
save attempt still on the wire, or a keyed retry of the save, is conditioned on the key being
free, so it finds the tombstone and stores nothing. A tombstone holds the key, the marker, the
removing call's id and its TTL: no user id, CV, metadata or token usage. It is never in the
user index (it has no ``user_id``), and every read of the table skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from careervp.dal import schema

if TYPE_CHECKING:
    from careervp.dal.codec._attributes import Item

__all__ = ["is_tombstone", "read_delete_id", "tombstone"]


def tombstone(key: Item, *, expires_at: int, delete_id: str | None = None) -> Item:
    """The tombstone at ``key`` (a table key); ``delete_id`` names the removing call."""
    item: Item = {
        **key,
        schema.TOMBSTONE: {"BOOL": True},
        schema.TTL_ATTRIBUTE: {"N": str(expires_at)},
    }
    if delete_id is not None:
        item[schema.DELETE_ID] = {"S": delete_id}
    return item


def is_tombstone(raw: Mapping[str, object]) -> bool:
    return schema.TOMBSTONE in raw


def read_delete_id(raw: Mapping[str, object]) -> str | None:
    value = raw.get(schema.DELETE_ID)
    text = value.get("S") if isinstance(value, Mapping) else None
    return text if isinstance(text, str) else None

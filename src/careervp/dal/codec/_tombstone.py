"""Tombstones: what removing a version leaves at its key, for 26 hours.

A version is removed by stripping it down to a tombstone rather than deleting it: a put of an
earlier save attempt still on the wire, or a keyed retry of the save, is conditioned on the key
being free, so it finds the tombstone and stores nothing. A tombstone holds the key, the
version's ``write_id``, the marker, the removing call's ``delete_id`` and its TTL: no user id,
CV, metadata or token usage. It is never in the user index (no ``user_id``), and every read of
the table skips it.
"""

from __future__ import annotations

from collections.abc import Mapping

from careervp.dal import schema

__all__ = ["is_tombstone", "read_delete_id"]


def is_tombstone(raw: Mapping[str, object]) -> bool:
    # The marker alone is not enough: a version with it added by a raw edit stays a version
    # (unreadable or not), listed and removable like any other.
    return schema.TOMBSTONE in raw and schema.USER_ID not in raw


def read_delete_id(raw: Mapping[str, object]) -> str | None:
    value = raw.get(schema.DELETE_ID)
    text = value.get("S") if isinstance(value, Mapping) else None
    return text if isinstance(text, str) else None

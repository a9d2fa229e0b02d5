"""Corrupted items give ``INTEGRITY_ERROR`` naming the artifact; their content never leaks."""

from __future__ import annotations

import functools
import gzip
import random
import tracemalloc
import zlib
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from careervp.dal.codec import canonical_json
from careervp.models.result import ResultCode
from support.factories import make_data
from support.raw import key_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Store

Raw = dict[str, Any]


@functools.lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """~300 MB of JSON-ish zeros in a blob of about 300 KB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"0" * (1 << 20)
    parts = [packer.compress(b'{"executive_summary":"')]
    parts += [packer.compress(chunk) for _ in range(300)]
    parts.append(packer.flush())
    return b"".join(parts)


def _flip_byte(raw: Raw) -> None:
    blob = bytearray(raw["tailored_cv"]["B"])
    blob[len(blob) // 2] ^= 0x01
    raw["tailored_cv"]["B"] = bytes(blob)


def _forged_json(raw: Raw) -> None:
    cv = msgspec.json.decode(gzip.decompress(raw["tailored_cv"]["B"]))
    cv["executive_summary"] = "Forged summary"
    raw["tailored_cv"]["B"] = gzip.compress(canonical_json(cv), mtime=0)


def _forged_metadata(raw: Raw) -> None:
    raw["metadata"]["M"]["job_id"] = {"S": "job-forged"}
    raw["job_id"] = {"S": "job-forged"}


def _moved_to_another_user(raw: Raw) -> None:
    raw["user_id"] = {"S": "u-victim"}


def _gzip_bomb_blob(raw: Raw) -> None:
    raw["tailored_cv"]["B"] = _gzip_bomb()


CORRUPTIONS: dict[str, Callable[[Raw], None]] = {
    "flipped byte": _flip_byte,
    "truncated blob": lambda raw: raw["tailored_cv"].update(B=raw["tailored_cv"]["B"][:-9]),
    "not gzip": lambda raw: raw["tailored_cv"].update(B=b"plain bytes"),
    "valid gzip of forged JSON": _forged_json,
    "forged metadata": _forged_metadata,
    "moved to another user": _moved_to_another_user,
    "forged cv_version": lambda raw: raw.update(cv_version={"N": "99"}),
    "forged fvs flag": lambda raw: raw["fvs_validation_passed"].update(
        BOOL=not raw["fvs_validation_passed"]["BOOL"]
    ),
    "missing checksum": lambda raw: raw.pop("checksum"),
    "missing metadata": lambda raw: raw.pop("metadata"),
    "mistyped cv_version": lambda raw: raw.update(cv_version={"S": "1"}),
    "mistyped blob": lambda raw: raw.update(tailored_cv={"S": "text"}),
    "mistyped expiry": lambda raw: raw.update(expiration_timestamp={"S": "soon"}),
    "missing expiry": lambda raw: raw.pop("expiration_timestamp"),
    "unknown format": lambda raw: raw.update(format_version={"N": "2"}),
    "metadata with wrong types": lambda raw: raw["metadata"]["M"].update(
        fvs_validation_passed={"S": "yes"}
    ),
    "token usage with a huge number": lambda raw: raw["token_usage"]["M"].update(
        input_tokens={"N": "1" * 38}
    ),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_items_are_refused_by_every_read(store: Store, name: str) -> None:
    handler = store.handler()
    rng = random.Random(4)
    saved = handler.save_tailored_cv("app-1", make_data(rng, user_id="u-owner"))
    assert saved.success
    application_id, created_at = key_of(saved.data)
    key = {"application_id": {"S": application_id}, "created_at": {"S": created_at}}
    raw: Raw = store.client.get_item(TableName=store.table_name, Key=key, ConsistentRead=True)[
        "Item"
    ]
    CORRUPTIONS[name](raw)
    store.client.put_item(TableName=store.table_name, Item=raw)
    user = raw["user_id"]["S"]

    tracemalloc.start()
    try:
        outcomes = [
            handler.get_tailored_cv(application_id, created_at),
            handler.list_tailored_cvs_for_application(application_id),
            handler.list_tailored_cvs_for_user(user),
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for outcome in outcomes:
        assert outcome.code is ResultCode.INTEGRITY_ERROR, (name, outcome)
        assert saved.data in (outcome.error or "")
        assert "Forged" not in (outcome.error or "")
    assert peak < 64 * 1024 * 1024, f"reading a corrupted item peaked at {peak} bytes"

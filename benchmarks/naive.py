"""The naive layout: the CV as a nested map through boto3's ``Table`` resource.

This is the baseline the benchmarks compare against: ``TypeSerializer`` needs ``Decimal`` for
numbers, so floats go through the usual JSON round trip with ``parse_float=Decimal``, and reading
back needs the reverse conversion before the model can be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import msgspec
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from careervp.models.tailor import TailoredCVData

__all__ = ["naive_checksum", "naive_from_item", "naive_item", "naive_marshal", "naive_unmarshal"]

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def naive_checksum(data: TailoredCVData) -> str:
    payload = {
        "tailored_cv": msgspec.to_builtins(data.tailored_cv),
        "metadata": msgspec.to_builtins(data.metadata),
        "token_usage": msgspec.to_builtins(data.token_usage),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def naive_item(application_id: str, created_at: str, data: TailoredCVData) -> dict[str, Any]:
    """The seed's item, with Decimals where boto3 demands them."""
    item = {
        "application_id": application_id,
        "created_at": created_at,
        "user_id": data.metadata.user_id,
        "job_id": data.metadata.job_id,
        "cv_version": data.tailored_cv.source_cv_version,
        "tailored_cv": msgspec.to_builtins(data.tailored_cv),
        "metadata": msgspec.to_builtins(data.metadata),
        "token_usage": msgspec.to_builtins(data.token_usage),
        "fvs_validation_passed": data.metadata.fvs_validation_passed,
        "expiration_timestamp": 1_800_000_000,
        "checksum": naive_checksum(data),
    }
    converted: dict[str, Any] = json.loads(json.dumps(item), parse_float=Decimal)
    return converted


def naive_from_item(item: dict[str, Any]) -> TailoredCVData:
    plain = _plain(item)
    return msgspec.convert(
        {k: plain[k] for k in ("tailored_cv", "metadata", "token_usage")}, TailoredCVData
    )


def naive_marshal(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _SERIALIZER.serialize(v) for k, v in item.items()}


def naive_unmarshal(wire: dict[str, Any]) -> dict[str, Any]:
    return {k: _DESERIALIZER.deserialize(v) for k, v in wire.items()}

"""Canonical JSON: the one byte form of a CV that compression and checksums see.

``msgspec.json.Encoder(order="sorted")`` sorts Struct fields and dict keys, so the bytes do not
depend on field declaration order, and writes floats as their shortest round-trip text.
"""

from __future__ import annotations

import hashlib

import msgspec

from careervp.models.tailor import TailoredCV, TailoredCVData, TailoringMetadata, TokenUsage

__all__ = ["canonical_json", "compute_checksum", "decode_tailored_cv"]

_ENCODER = msgspec.json.Encoder(order="sorted")
_CV_DECODER = msgspec.json.Decoder(TailoredCV, strict=True)


class _Checksummed(msgspec.Struct, kw_only=True):
    tailored_cv: TailoredCV
    metadata: TailoringMetadata
    token_usage: TokenUsage


def _as_stored(value: float | None) -> float | None:
    # DynamoDB numbers are decimals: an int in a float field and -0.0 come back as the float
    # and 0.0, so the checksum must see them that way too (adding 0.0 turns -0.0 into 0.0).
    return None if value is None else float(value) + 0.0


def canonical_json(value: object) -> bytes:
    return _ENCODER.encode(value)


def decode_tailored_cv(raw: bytes) -> TailoredCV:
    return _CV_DECODER.decode(raw)


def compute_checksum(data: TailoredCVData) -> str:
    """SHA-256 hex of the canonical JSON of ``tailored_cv``, ``metadata`` and ``token_usage``.

    ``artifact`` is not covered: it says where a version is stored, not what it holds.
    """
    metadata = data.metadata
    usage = data.token_usage
    payload = _Checksummed(
        tailored_cv=data.tailored_cv,
        metadata=msgspec.structs.replace(
            metadata, relevance_score=_as_stored(metadata.relevance_score)
        ),
        token_usage=msgspec.structs.replace(usage, cost_usd=_as_stored(usage.cost_usd)),
    )
    return hashlib.sha256(_ENCODER.encode(payload)).hexdigest()

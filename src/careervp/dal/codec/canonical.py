"""Canonical JSON: the one byte form of a CV that compression and checksums see.

``msgspec.json.Encoder(order="sorted")`` sorts Struct fields and dict keys, so the bytes do not
depend on field declaration order, and writes floats as their shortest round-trip text.
"""

from __future__ import annotations

import hashlib

import msgspec

from careervp.models.tailor import TailoredCV, TailoredCVData, TailoringMetadata, TokenUsage

__all__ = ["canonical_json", "checksum_of", "compute_checksum", "decode_tailored_cv"]

_ENCODER = msgspec.json.Encoder(order="sorted")
_CV_DECODER = msgspec.json.Decoder(TailoredCV, strict=True)


def _as_stored(value: float | None) -> float | None:
    # DynamoDB numbers are decimals: an int in a float field and -0.0 come back as the float
    # and 0.0, so the checksum must see them that way too (adding 0.0 turns -0.0 into 0.0).
    return None if value is None else float(value) + 0.0


def canonical_json(value: object) -> bytes:
    return _ENCODER.encode(value)


def decode_tailored_cv(raw: bytes) -> TailoredCV:
    return _CV_DECODER.decode(raw)


def checksum_of(cv_json: bytes, metadata: TailoringMetadata, usage: TokenUsage) -> str:
    """The checksum, given the CV's canonical JSON already encoded (by a save or a read).

    The bytes hashed are exactly the canonical JSON of the object
    ``{"metadata": ..., "tailored_cv": ..., "token_usage": ...}`` (keys in sorted order), built
    from its parts so the CV, the bulk of it, is encoded once per save and never on a read.
    """
    digest = hashlib.sha256(b'{"metadata":')
    digest.update(
        _ENCODER.encode(
            msgspec.structs.replace(metadata, relevance_score=_as_stored(metadata.relevance_score))
        )
    )
    digest.update(b',"tailored_cv":')
    digest.update(cv_json)
    digest.update(b',"token_usage":')
    digest.update(
        _ENCODER.encode(msgspec.structs.replace(usage, cost_usd=_as_stored(usage.cost_usd)))
    )
    digest.update(b"}")
    return digest.hexdigest()


def compute_checksum(data: TailoredCVData) -> str:
    """SHA-256 hex of the canonical JSON of ``tailored_cv``, ``metadata`` and ``token_usage``.

    ``artifact`` is not covered: it says where a version is stored, not what it holds.
    """
    return checksum_of(_ENCODER.encode(data.tailored_cv), data.metadata, data.token_usage)

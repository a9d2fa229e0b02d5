"""Canonical JSON: the one byte form of a CV that compression and checksums see.

``msgspec.json.Encoder(order="sorted")`` sorts Struct fields and dict keys, so the bytes do not
depend on field declaration order, and writes floats as their shortest round-trip text.
"""

from __future__ import annotations

import hashlib

import msgspec

from careervp.dal.codec._conform import conform
from careervp.models.tailor import TailoredCV, TailoredCVData

__all__ = ["canonical_json", "checksum_of", "compute_checksum", "decode_tailored_cv"]

_ENCODER = msgspec.json.Encoder(order="sorted")
_CV_DECODER = msgspec.json.Decoder(TailoredCV, strict=True)


def canonical_json(value: object) -> bytes:
    return _ENCODER.encode(value)


def decode_tailored_cv(raw: bytes) -> TailoredCV:
    return _CV_DECODER.decode(raw)


def checksum_of(cv_json: bytes, metadata_json: bytes, usage_json: bytes) -> str:
    """The checksum from the canonical JSON of its three parts, each encoded once per operation.

    The bytes hashed are exactly the canonical JSON of the object
    ``{"metadata": ..., "tailored_cv": ..., "token_usage": ...}`` (keys in sorted order).
    """
    digest = hashlib.sha256(b'{"metadata":')
    digest.update(metadata_json)
    digest.update(b',"tailored_cv":')
    digest.update(cv_json)
    digest.update(b',"token_usage":')
    digest.update(usage_json)
    digest.update(b"}")
    return digest.hexdigest()


def compute_checksum(data: TailoredCVData) -> str:
    """SHA-256 hex of the canonical JSON of ``tailored_cv``, ``metadata`` and ``token_usage``.

    ``artifact`` is not covered: it says where a version is stored, not what it holds. Numbers
    are taken as a reader gets them back (``-0.0`` as ``0.0``), so this is the checksum a save
    stores; ``InvalidInputError`` if ``data`` is not a storable ``TailoredCVData``.
    """
    checked = conform(data)
    return checksum_of(
        _ENCODER.encode(checked.tailored_cv),
        _ENCODER.encode(checked.metadata),
        _ENCODER.encode(checked.token_usage),
    )

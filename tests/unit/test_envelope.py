"""The gzip envelope: standard, deterministic, and bounded when inflating."""

from __future__ import annotations

import gzip
import zlib

import pytest

from careervp.dal.codec._envelope import compress, decompress
from careervp.dal.errors import IntegrityError

TEXT = b'{"executive_summary":"Built pipelines \xc3\xa9 and teams"}' * 50


def test_blobs_are_standard_gzip_with_a_fixed_header() -> None:
    blob = compress(TEXT)
    assert gzip.decompress(blob) == TEXT
    assert blob[:4] == b"\x1f\x8b\x08\x00"
    assert blob[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert compress(TEXT) == blob


def test_what_gzip_writes_is_read() -> None:
    assert decompress(gzip.compress(TEXT, compresslevel=1)) == TEXT
    assert decompress(gzip.compress(TEXT, mtime=12345)) == TEXT


def test_inflation_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"0" * 5_000_000)
    with pytest.raises(IntegrityError, match="more than 1000000 bytes"):
        decompress(bomb, limit=1_000_000)
    assert len(decompress(bomb, limit=5_000_000)) == 5_000_000


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (compress(TEXT)[:-4], "truncated"),
        (compress(TEXT) + b"junk", "after its gzip member"),
        (compress(TEXT) + compress(TEXT), "after its gzip member"),
        (b"not gzip at all", "not valid gzip"),
        (zlib.compress(TEXT), "not valid gzip"),
        (b"", "truncated"),
    ],
)
def test_damaged_blobs_are_integrity_errors(blob: bytes, reason: str) -> None:
    with pytest.raises(IntegrityError, match=reason):
        decompress(blob)


def test_a_flipped_bit_fails_the_crc() -> None:
    blob = bytearray(compress(TEXT))
    blob[-6] ^= 0x10  # inside the CRC-32 trailer
    with pytest.raises(IntegrityError):
        decompress(bytes(blob))

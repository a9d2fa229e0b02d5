"""The envelope reads whatever gzip writer made a blob, and its own writer keeps blobs small."""

from __future__ import annotations

import gzip
import random
import zlib

import deflate
import pytest
from zlib_ng import zlib_ng

from careervp.dal.codec import canonical_json
from careervp.dal.codec._envelope import compress, decompress
from support.factories import make_cv


def _zlib_ng_5(raw: bytes) -> bytes:
    """The store's writer before libdeflate: versions stored then must still read."""
    packer = zlib_ng.compressobj(5, zlib_ng.DEFLATED, 31)
    return packer.compress(raw) + packer.flush()


@pytest.mark.parametrize("json_bytes", [4_000, 15_000, 120_000])
def test_blobs_of_every_writer_read_back(json_bytes: int) -> None:
    raw = canonical_json(make_cv(random.Random(json_bytes), json_bytes))
    blobs = [
        compress(raw),
        _zlib_ng_5(raw),
        gzip.compress(raw, compresslevel=6, mtime=0),
        *(bytes(deflate.gzip_compress(raw, level)) for level in (1, 6, 12)),
    ]
    for blob in blobs:
        assert decompress(blob) == raw


@pytest.mark.parametrize("json_bytes", [4_000, 15_000, 120_000])
def test_the_writer_stores_no_more_than_stdlib_gzip_6(json_bytes: int) -> None:
    raw = canonical_json(make_cv(random.Random(json_bytes), json_bytes))
    reference = zlib.compressobj(6, zlib.DEFLATED, 31)
    stdlib = reference.compress(raw) + reference.flush()
    assert len(compress(raw)) <= 1.01 * len(stdlib)
    assert len(compress(raw)) <= len(_zlib_ng_5(raw))

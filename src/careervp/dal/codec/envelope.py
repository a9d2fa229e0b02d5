"""The gzip envelope around a CV's canonical JSON.

Standard gzip (RFC 1952) with a zero mtime, so the same CV gives the same bytes and any gzip
reader can open a blob. Inflation stops at ``MAX_INFLATED_BYTES``: a hostile blob (a gzip bomb
of hundreds of MB) costs at most that much memory, and ``save`` refuses any CV whose JSON is
larger, so everything saved can be read back.
"""

from __future__ import annotations

import zlib

from careervp.dal.codec.errors import IntegrityError

__all__ = ["COMPRESS_LEVEL", "MAX_INFLATED_BYTES", "compress", "decompress"]

MAX_INFLATED_BYTES = 8 * 1024 * 1024
COMPRESS_LEVEL = 9
_GZIP_WBITS = 31  # zlib's "gzip container" mode: header, deflate stream, CRC-32 and length


def compress(raw: bytes) -> bytes:
    # zlib's gzip mode writes mtime 0, no file name and OS byte 255 (unknown): a fixed header.
    packer = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    return packer.compress(raw) + packer.flush()


def decompress(blob: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate one gzip member of at most ``limit`` bytes; raises ``IntegrityError`` otherwise."""
    unpacker = zlib.decompressobj(_GZIP_WBITS)
    try:
        raw = unpacker.decompress(blob, limit + 1)
    except zlib.error as exc:
        raise IntegrityError(f"the CV blob is not valid gzip ({exc})") from None
    if len(raw) > limit:
        raise IntegrityError(f"the CV blob inflates to more than {limit} bytes")
    if not unpacker.eof:
        raise IntegrityError("the CV blob is truncated")
    if unpacker.unused_data:
        raise IntegrityError("the CV blob has data after its gzip member")
    return raw

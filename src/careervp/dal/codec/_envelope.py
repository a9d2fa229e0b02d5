"""The gzip envelope around a CV's canonical JSON.

Standard gzip (RFC 1952) with a zero mtime, so the same CV gives the same bytes and any gzip
reader can open a blob. libdeflate writes it, at level 9, chosen by dollars
(``docs/performance.md``): a stored byte costs about as much as 41 µs of Lambda CPU (50 on a
Standard table), and level 9 writes 0.7% fewer bytes than stdlib zlib at level 6 on the typical
CV (zlib-ng at level 5, before it, wrote 0.7% more). It costs more CPU than zlib-ng 5 in a save
of the typical CV: about 45 µs in the quietest run, 70 in an independent one, loaded runs
anywhere from none to 115 (the median of seven: 45); its 87 fewer bytes are worth some 3.5 ms
of CPU. zlib-ng inflates (a third faster than stdlib zlib) and reads any standard gzip,
whatever wrote it; it, not libdeflate, reads because it can tell a blob with data after its
gzip member, which libdeflate ignores.

Inflation stops at ``MAX_INFLATED_BYTES``: a hostile blob (a gzip bomb of hundreds of MB) costs
at most that much memory, and ``save`` refuses any CV whose JSON is larger, so everything saved
can be read back.
"""

from __future__ import annotations

from typing import cast

from deflate import gzip_compress
from zlib_ng import zlib_ng

from careervp.dal.errors import IntegrityError

__all__ = ["COMPRESS_LEVEL", "MAX_INFLATED_BYTES", "compress", "decompress"]

MAX_INFLATED_BYTES = 8 * 1024 * 1024
COMPRESS_LEVEL = 9
_GZIP_WBITS = 31  # zlib's "gzip container" mode: header, deflate stream, CRC-32 and length
# zlib-ng's stub types its exception class as an instance.
_ZLIB_ERROR = cast("type[Exception]", zlib_ng.error)


def compress(raw: bytes) -> bytes:
    # libdeflate writes mtime 0 and no file name: a fixed header, the same bytes for a CV.
    return bytes(gzip_compress(raw, COMPRESS_LEVEL))


def decompress(blob: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate one gzip member of at most ``limit`` bytes; raises ``IntegrityError`` otherwise."""
    unpacker = zlib_ng.decompressobj(_GZIP_WBITS)
    try:
        raw = unpacker.decompress(blob, limit + 1)
    except _ZLIB_ERROR as exc:
        raise IntegrityError(f"the CV blob is not valid gzip ({exc})") from None
    if len(raw) > limit:
        raise IntegrityError(f"the CV blob inflates to more than {limit} bytes")
    if not unpacker.eof:
        raise IntegrityError("the CV blob is truncated")
    if unpacker.unused_data:
        raise IntegrityError("the CV blob has data after its gzip member")
    return raw

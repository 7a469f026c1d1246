"""Bounded gzip decompression, so a gzip bomb stops at a size cap instead of filling memory."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

GZIP_MAGIC = b"\x1f\x8b"
#: Read decompressed output in pieces of this size.
CHUNK_SIZE = 64 * 1024


def is_gzip(body: bytes) -> bool:
    """Tell whether `body` starts with the gzip magic number."""
    return body[:2] == GZIP_MAGIC


def iter_gunzip(body: bytes, max_bytes: int) -> Iterator[bytes]:
    """Yield decompressed chunks of a (possibly multi-member) gzip body, at most `max_bytes` total.

    Stops quietly at the cap or at corrupt data; callers compare the total with the cap to know
    whether output was cut.
    """
    remaining = max_bytes
    data = body
    while data and remaining > 0:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        pending = data
        while remaining > 0:
            try:
                chunk = inflater.decompress(pending, min(CHUNK_SIZE, remaining))
            except zlib.error:
                return
            pending = inflater.unconsumed_tail
            if chunk:
                remaining -= len(chunk)
                yield chunk
            if inflater.eof or not chunk:
                break
        if not inflater.eof:
            return
        data = inflater.unused_data
        if not is_gzip(data):
            return


def gunzip_capped(body: bytes, max_bytes: int) -> tuple[bytes, bool]:
    """Decompress a gzip body to at most `max_bytes`; return (data, was_cut_at_the_cap)."""
    out = bytearray()
    for chunk in iter_gunzip(body, max_bytes + 1):
        out += chunk
    if len(out) > max_bytes:
        return bytes(out[:max_bytes]), True
    return bytes(out), False

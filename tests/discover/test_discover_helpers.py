"""Tests for the discovery helpers: bounded gunzip and date normalisation."""

from __future__ import annotations

import gzip
import time

import pytest

from newscrawl.discover.dates import struct_to_iso, to_utc_iso
from newscrawl.discover.decompress import gunzip_capped, is_gzip, iter_gunzip


def test_gunzip_capped_round_trip() -> None:
    assert gunzip_capped(gzip.compress(b"hello"), 100) == (b"hello", False)


def test_gunzip_capped_cuts_at_cap() -> None:
    data, cut = gunzip_capped(gzip.compress(b"x" * 10_000), 1000)
    assert data == b"x" * 1000 and cut


def test_gunzip_capped_exactly_at_cap_is_not_cut() -> None:
    assert gunzip_capped(gzip.compress(b"x" * 1000), 1000) == (b"x" * 1000, False)


def test_gunzip_reads_all_members() -> None:
    body = gzip.compress(b"first ") + gzip.compress(b"second")
    assert b"".join(iter_gunzip(body, 1000)) == b"first second"


def test_gunzip_stops_quietly_on_corrupt_data() -> None:
    original = bytes(range(256)) * 400
    body = gzip.compress(original)
    damaged = body[: len(body) // 2] + b"\xff" * 64 + body[len(body) // 2 + 64 :]
    out = b"".join(iter_gunzip(damaged, 1_000_000))  # must not raise
    assert len(out) < len(original)


def test_gunzip_of_truncated_body_returns_a_prefix() -> None:
    original = bytes(range(256)) * 400
    out = b"".join(iter_gunzip(gzip.compress(original)[:-100], 1_000_000))
    assert out and len(out) < len(original) and original.startswith(out)


def test_gunzip_bomb_is_stopped_at_cap_quickly() -> None:
    bomb = gzip.compress(b"\0" * (100 * 1024 * 1024), compresslevel=1)
    start = time.monotonic()
    total = sum(len(chunk) for chunk in iter_gunzip(bomb, 1024 * 1024))
    assert total == 1024 * 1024 and time.monotonic() - start < 1


def test_is_gzip() -> None:
    assert is_gzip(gzip.compress(b"")) and not is_gzip(b"<urlset/>")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-09-02T10:30:00+02:00", "2025-09-02T08:30:00Z"),
        ("2025-09-02T08:30Z", "2025-09-02T08:30:00Z"),
        ("2025-09-02", "2025-09-02T00:00:00Z"),
        ("2025-09-02T08:30:00", "2025-09-02T08:30:00Z"),
        ("Tue, 02 Sep 2025 08:30:00 GMT", "2025-09-02T08:30:00Z"),
        ("Tue, 02 Sep 2025 08:30:00 EST", "2025-09-02T13:30:00Z"),
        ("02.09.2025 10:00", "2025-09-02T10:00:00Z"),
        ("  2025-09-02T08:30:00.123456-04:00 ", "2025-09-02T12:30:00Z"),
    ],
)
def test_to_utc_iso(raw: str, iso: str) -> None:
    assert to_utc_iso(raw) == iso


@pytest.mark.parametrize("raw", [None, "", "   ", "garbage", "12", "0001-01-01", "x" * 500])
def test_to_utc_iso_rejects_junk(raw: str | None) -> None:
    assert to_utc_iso(raw) is None


def test_struct_to_iso() -> None:
    assert struct_to_iso(time.gmtime(0)) == "1970-01-01T00:00:00Z"
    assert struct_to_iso(None) is None

"""Near-duplicate lookup: MinHash signatures and their LSH bands, stored in the archive.

Keeping the bands in SQLite (an index on band and hash) instead of an in-memory LSH keeps a
crawl's memory flat however large the archive grows.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence

import numpy as np

#: Band layout: BANDS x ROWS = number of MinHash permutations. 16 x 8 finds pairs with a
#: Jaccard similarity above ~0.7 with high probability.
BANDS = 16
ROWS = 8
NUM_PERM = BANDS * ROWS


def band_hashes(hashvalues: Sequence[int] | np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of a MinHash signature."""
    values = np.asarray(hashvalues, dtype=np.uint64)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def to_blob(hashvalues: np.ndarray) -> bytes:
    """A signature as bytes for storage."""
    return np.asarray(hashvalues, dtype=np.uint64).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    """A stored signature back as an array."""
    return np.frombuffer(blob, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal positions)."""
    return float(np.count_nonzero(a == b)) / float(len(a))


def store(conn: sqlite3.Connection, url: str, hashvalues: np.ndarray) -> None:
    """Save (or replace) the signature and bands of an article, in the caller's transaction."""
    conn.execute("DELETE FROM article_bands WHERE url = ?", (url,))
    conn.execute(
        "INSERT INTO article_signatures (url, signature) VALUES (?, ?) "
        "ON CONFLICT(url) DO UPDATE SET signature = excluded.signature",
        (url, to_blob(hashvalues)),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_bands (band, hash, url) VALUES (?, ?, ?)",
        [(band, key, url) for band, key in enumerate(band_hashes(hashvalues))],
    )


def most_similar(
    conn: sqlite3.Connection, hashvalues: np.ndarray, exclude_url: str
) -> tuple[str, float] | None:
    """The stored article most similar to this signature among LSH candidates, with its score."""
    keys = band_hashes(hashvalues)
    clause = " OR ".join("(band = ? AND hash = ?)" for _ in keys)
    params = [v for pair in enumerate(keys) for v in pair]
    rows = conn.execute(
        f"SELECT DISTINCT s.url, s.signature FROM article_bands b "
        f"JOIN article_signatures s ON s.url = b.url WHERE ({clause}) AND b.url != ? LIMIT 50",
        [*params, exclude_url],
    ).fetchall()
    best: tuple[str, float] | None = None
    for url, blob in rows:
        score = similarity(np.asarray(hashvalues, dtype=np.uint64), from_blob(blob))
        if best is None or score > best[1]:
            best = (str(url), score)
    return best

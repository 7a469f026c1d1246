"""Near-duplicate lookup: MinHash signatures and their LSH bands, stored in the archive.

Keeping the bands in SQLite (an index on band and hash) instead of an in-memory LSH keeps a
crawl's memory flat however large the archive grows. A crawl writes the signatures of a batch of
articles in the transaction that archives them (`Pending`), not one transaction per article.
"""

from __future__ import annotations

import hashlib
import sqlite3
import weakref
from collections.abc import Iterable, Sequence

import numpy as np

#: Band layout: BANDS x ROWS = number of MinHash permutations. 16 x 8 finds pairs with a
#: Jaccard similarity above ~0.7 with high probability.
BANDS = 16
ROWS = 8
NUM_PERM = BANDS * ROWS


def band_hashes(hashvalues: Sequence[int] | np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of a MinHash signature."""
    data = np.asarray(hashvalues, dtype=np.uint64).tobytes()
    step = ROWS * 8
    blake2b = hashlib.blake2b
    return [
        int.from_bytes(blake2b(data[k : k + step], digest_size=8).digest(), "big", signed=True)
        for k in range(0, BANDS * step, step)
    ]


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
    store_many(conn, [(url, hashvalues)])


def store_many(conn: sqlite3.Connection, items: Iterable[tuple[str, np.ndarray]]) -> None:
    """Save (or replace) the signatures and bands of several articles, in the caller's
    transaction.

    A replaced signature's old bands are deleted by their keys (computed from the stored
    signature), which uses the bands' primary key: a ``DELETE ... WHERE url = ?`` would scan the
    whole bands table, 16 rows per archived article, for every article written.
    """
    stale: list[tuple[int, int, str]] = []
    rows: list[tuple[str, bytes]] = []
    bands: list[tuple[int, int, str]] = []
    for url, hashvalues in items:
        blob = to_blob(hashvalues)
        old = conn.execute(
            "SELECT signature FROM article_signatures WHERE url = ?", (url,)
        ).fetchone()
        if old is not None:
            if bytes(old[0]) == blob:
                continue  # unchanged: its bands are in place
            stale += [(band, key, url) for band, key in enumerate(band_hashes(from_blob(old[0])))]
        rows.append((url, blob))
        bands += [(band, key, url) for band, key in enumerate(band_hashes(hashvalues))]
    if stale:
        conn.executemany("DELETE FROM article_bands WHERE band = ? AND hash = ? AND url = ?", stale)
    if rows:
        conn.executemany(
            "INSERT INTO article_signatures (url, signature) VALUES (?, ?) "
            "ON CONFLICT(url) DO UPDATE SET signature = excluded.signature",
            rows,
        )
        conn.executemany(
            "INSERT OR IGNORE INTO article_bands (band, hash, url) VALUES (?, ?, ?)", bands
        )


def _candidates_sql(bands: int) -> str:
    clause = " OR ".join("(band = ? AND hash = ?)" for _ in range(bands))
    return (
        f"SELECT DISTINCT s.url, s.signature FROM article_bands b "
        f"JOIN article_signatures s ON s.url = b.url WHERE ({clause}) AND b.url != ? LIMIT 50"
    )


_CANDIDATES_SQL = _candidates_sql(BANDS)


def _best(
    hashvalues: np.ndarray, candidates: Iterable[tuple[str, np.ndarray]]
) -> tuple[str, float] | None:
    best: tuple[str, float] | None = None
    for url, signature in candidates:
        score = similarity(hashvalues, signature)
        if best is None or score > best[1]:
            best = (str(url), score)
    return best


def most_similar(
    conn: sqlite3.Connection,
    hashvalues: np.ndarray,
    exclude_url: str,
    *,
    keys: list[int] | None = None,
    pending: Pending | None = None,
) -> tuple[str, float] | None:
    """The stored article most similar to this signature among LSH candidates, with its score.

    With `pending`, signatures not written yet count too (and replace stored ones of the same
    URL); on a tie the stored article wins, then the earliest pending one.
    """
    keys = band_hashes(hashvalues) if keys is None else keys
    params: list[object] = [v for pair in enumerate(keys) for v in pair]
    sql = _CANDIDATES_SQL if len(keys) == BANDS else _candidates_sql(len(keys))
    rows = conn.execute(sql, [*params, exclude_url]).fetchall()
    candidates = [
        (str(url), from_blob(blob))
        for url, blob in rows
        if pending is None or str(url) not in pending
    ]
    if pending is not None:
        candidates += pending.candidates(keys, exclude_url)
    return _best(np.asarray(hashvalues, dtype=np.uint64), candidates)


class Pending:
    """Signatures computed in this process and not written yet, searchable like stored ones.

    The dedupe pipeline adds each article's signature here; the archive pipeline writes those of
    its batch in the batch's transaction (`write`). Lookups (`most_similar`) see them at once, so
    near-duplicates within one batch are found as before.
    """

    def __init__(self) -> None:
        self.signatures: dict[str, tuple[np.ndarray, list[int]]] = {}
        self.buckets: dict[tuple[int, int], set[str]] = {}

    def __len__(self) -> int:
        return len(self.signatures)

    def __contains__(self, url: object) -> bool:
        return url in self.signatures

    def add(self, url: str, hashvalues: np.ndarray, keys: list[int] | None = None) -> None:
        """Remember (or replace) the signature of `url` until it is written."""
        self.discard(url)
        keys = band_hashes(hashvalues) if keys is None else keys
        self.signatures[url] = (np.asarray(hashvalues, dtype=np.uint64), keys)
        for band, key in enumerate(keys):
            self.buckets.setdefault((band, key), set()).add(url)

    def discard(self, url: str) -> None:
        """Forget the signature of `url` (written or abandoned)."""
        entry = self.signatures.pop(url, None)
        if entry is None:
            return
        for band, key in enumerate(entry[1]):
            bucket = self.buckets.get((band, key))
            if bucket is not None:
                bucket.discard(url)
                if not bucket:
                    del self.buckets[(band, key)]

    def candidates(self, keys: list[int], exclude_url: str) -> list[tuple[str, np.ndarray]]:
        """Pending signatures sharing an LSH band with `keys`, oldest first."""
        urls: set[str] = set()
        for band, key in enumerate(keys):
            bucket = self.buckets.get((band, key))
            if bucket:
                urls |= bucket
        urls.discard(exclude_url)
        if not urls:
            return []
        return [(u, entry[0]) for u, entry in self.signatures.items() if u in urls]

    def write(self, conn: sqlite3.Connection, urls: Iterable[str] | None = None) -> int:
        """Write the pending signatures of `urls` (default: all) in the caller's transaction.

        They are forgotten only once the caller's transaction commits: call `written` then.
        Returns how many were written.
        """
        chosen = list(self.signatures) if urls is None else [u for u in urls if u in self]
        store_many(conn, [(u, self.signatures[u][0]) for u in chosen])
        return len(chosen)

    def written(self, urls: Iterable[str] | None = None) -> None:
        """Forget signatures that are now stored."""
        for url in list(self.signatures) if urls is None else list(urls):
            self.discard(url)


_PENDING: weakref.WeakKeyDictionary[object, Pending] = weakref.WeakKeyDictionary()


def pending_for(owner: object) -> Pending:
    """The `Pending` signatures shared by the pipelines of one crawler (`owner`)."""
    pending = _PENDING.get(owner)
    if pending is None:
        pending = _PENDING[owner] = Pending()
    return pending

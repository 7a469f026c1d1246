"""Near-duplicate signatures in the archive: storing, replacing, looking up, pending ones."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from newscrawl.archive import Archive
from newscrawl.archive import signatures as sig
from newscrawl.hashing import minhash_signature


def _story(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(4000)}" for _ in range(words))


def _edited(text: str, changes: int = 4, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = "changed"
    return " ".join(words)


def _bands(archive: Archive, url: str) -> set[tuple[int, int]]:
    rows = archive.conn.execute("SELECT band, hash FROM article_bands WHERE url = ?", (url,))
    return {(r[0], r[1]) for r in rows}


def test_band_hashes_are_the_blake2b_keys_of_each_band() -> None:
    import hashlib

    values = minhash_signature(_story(1))
    expected = [
        int.from_bytes(
            hashlib.blake2b(
                values[b * sig.ROWS : (b + 1) * sig.ROWS].tobytes(), digest_size=8
            ).digest(),
            "big",
            signed=True,
        )
        for b in range(sig.BANDS)
    ]
    assert sig.band_hashes(values) == expected


def test_store_replaces_a_signature_and_all_its_old_bands(tmp_path: Path) -> None:
    url = "https://x.example/a"
    first, second = minhash_signature(_story(1)), minhash_signature(_story(2))
    with Archive.open(tmp_path / "a.db") as archive:
        with archive.transaction() as tx:
            sig.store(tx, url, first)
        assert _bands(archive, url) == set(enumerate(sig.band_hashes(first)))
        with archive.transaction() as tx:
            sig.store(tx, url, second)
        assert _bands(archive, url) == set(enumerate(sig.band_hashes(second)))
        stored = archive.conn.execute(
            "SELECT signature FROM article_signatures WHERE url = ?", (url,)
        ).fetchone()[0]
        assert sig.from_blob(stored).tolist() == second.tolist()
        with archive.transaction() as tx:  # unchanged: nothing to do
            sig.store(tx, url, second)
        assert archive.conn.execute("SELECT count(*) FROM article_bands").fetchone()[0] == 16


def test_most_similar_finds_the_near_duplicate_among_stored(tmp_path: Path) -> None:
    story = _story(5)
    with Archive.open(tmp_path / "a.db") as archive:
        with archive.transaction() as tx:
            sig.store_many(
                tx,
                [
                    ("https://x.example/original", minhash_signature(story)),
                    ("https://x.example/other", minhash_signature(_story(6))),
                ],
            )
        copy = minhash_signature(_edited(story))
        best = sig.most_similar(archive.conn, copy, exclude_url="https://y.example/copy")
        assert best is not None and best[0] == "https://x.example/original" and best[1] >= 0.8
        alone = sig.most_similar(
            archive.conn, minhash_signature(story), exclude_url="https://x.example/original"
        )
        assert alone is None or alone[1] < 0.2


def test_pending_signatures_are_found_and_replace_stored_ones(tmp_path: Path) -> None:
    story, other = _story(8), _story(9)
    pending = sig.Pending()
    with Archive.open(tmp_path / "a.db") as archive:
        with archive.transaction() as tx:  # stored: an old text of /a
            sig.store(tx, "https://x.example/a", minhash_signature(other))
        pending.add("https://x.example/a", minhash_signature(story))  # its new text, pending
        copy = minhash_signature(_edited(story))
        best = sig.most_similar(
            archive.conn, copy, exclude_url="https://x.example/b", pending=pending
        )
        assert best is not None and best[0] == "https://x.example/a" and best[1] >= 0.8
        stale = sig.most_similar(
            archive.conn, minhash_signature(other), exclude_url="https://x.example/b",
            pending=pending,
        )  # fmt: skip
        assert stale is None or stale[1] < 0.2  # the stored (old) signature no longer counts
        assert sig.most_similar(archive.conn, copy, "https://x.example/a", pending=pending) is None

        with archive.transaction() as tx:
            assert pending.write(tx, ["https://x.example/a", "https://x.example/unknown"]) == 1
        pending.written(["https://x.example/a"])
        assert len(pending) == 0 and not pending.buckets
        assert _bands(archive, "https://x.example/a") == set(
            enumerate(sig.band_hashes(minhash_signature(story)))
        )


def test_pending_for_is_one_buffer_per_owner() -> None:
    class Owner:
        pass

    one, two = Owner(), Owner()
    assert sig.pending_for(one) is sig.pending_for(one)
    assert sig.pending_for(one) is not sig.pending_for(two)


def test_pending_discard_forgets_buckets() -> None:
    pending = sig.Pending()
    values = np.asarray(minhash_signature(_story(3)), dtype=np.uint64)
    pending.add("u", values)
    pending.add("u", values)  # replacing keeps one entry
    assert len(pending) == 1 and "u" in pending
    pending.discard("u")
    assert len(pending) == 0 and pending.buckets == {}

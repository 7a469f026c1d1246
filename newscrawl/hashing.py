"""Content fingerprints shared by deduplication and the archive."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

_SPACE = re.compile(r"\s+")


def normalise_for_hash(text: str) -> str:
    """Text reduced to what identifies content: NFC, casefolded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_hash(title: str | None, text: str | None) -> str:
    """SHA-256 (hex) of an article's normalised title and body: equal for the same story text."""
    payload = normalise_for_hash(title or "") + "\n\n" + normalise_for_hash(text or "")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word shingles of a text (casefolded), the units near-duplicate similarity is measured on."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def minhash_signature(text: str, num_perm: int = 128) -> np.ndarray:
    """A MinHash signature (datasketch) of a text's word shingles."""
    minhash = MinHash(num_perm=num_perm, seed=1)
    minhash.update_batch(list(shingles(text)))
    return np.asarray(minhash.hashvalues, dtype=np.uint64)

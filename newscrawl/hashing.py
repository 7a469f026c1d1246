"""Content fingerprints shared by deduplication and the archive."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import cast

import numpy as np


def normalise_for_hash(text: str) -> str:
    """Text reduced to what identifies content: NFC, casefolded, whitespace collapsed."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.split() splits on exactly the characters `\s` matches (tests/test_hashing.py).
    return " ".join(text.split()).casefold()


def content_hash(title: str | None, text: str | None) -> str:
    """SHA-256 (hex) of an article's normalised title and body: equal for the same story text."""
    payload = normalise_for_hash(title or "") + "\n\n" + normalise_for_hash(text or "")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_WORD = re.compile(r"\w+")
#: Words per shingle.
SHINGLE_SIZE = 5


def _shingle_strings(text: str, size: int) -> set[str]:
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    # zip over shifted copies: one tuple per window, joined in C.
    return set(map(" ".join, zip(*[words[k:] for k in range(size)], strict=False)))


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[bytes]:
    """Word shingles of a text (casefolded), the units near-duplicate similarity is measured on."""
    return {s.encode("utf-8") for s in _shingle_strings(text, size)}


#: ASCII bytes that `_WORD` does not match, mapped to a space; the others to themselves.
_ASCII_NON_WORD = (
    bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)) + b" " * 128
)


def _words_utf8(text: str) -> list[bytes]:
    """The casefolded words (`_WORD`) of a text, UTF-8 encoded, in order."""
    folded = text.casefold()
    if folded.isascii():
        # On ASCII, `\w` is [A-Za-z0-9_]: one C-level translate and split, no regex.
        return folded.encode("ascii").translate(_ASCII_NON_WORD).split()
    joined = " ".join(_WORD.findall(folded)).encode("utf-8")
    return joined.split(b" ") if joined else []


def _shingle_digests(text: str, size: int) -> bytes:
    """The SHA-1 digests (concatenated) of a text's UTF-8 word shingles, repeats included.

    Same shingles as `shingles`, built from bytes words (no per-shingle encoding); a repeated
    shingle is hashed again rather than de-duplicated, which cannot change a minimum.
    """
    words = _words_utf8(text)
    if len(words) < size:
        return hashlib.sha1(b" ".join(words)).digest() if words else b""
    sha1 = hashlib.sha1
    windows = zip(*[words[k:] for k in range(size)], strict=False)
    return b"".join([sha1(s).digest() for s in map(b" ".join, windows)])


# -- MinHash ----------------------------------------------------------------------------------
#
# The signature is bit for bit the one datasketch 2.0's ``MinHash(num_perm, seed=1)`` (its default
# "affine32" scheme) gives after ``update_batch(shingles)``, so signatures stored by earlier
# versions stay comparable; computing it here avoids datasketch's per-object permutation set-up,
# its per-shingle Python calls and its import (which pulls in scipy, ~0.5 s per crawl process).
#
# Each shingle is hashed to 32 bits (the first four bytes of its SHA-1, little-endian), mixed with
# the MurmurHash3 finalizer, then put through ``num_perm`` affine maps ``a * h + b mod 2**32``
# (``a`` odd, so each map is a bijection); the signature is the minimum of each map.

_MAX_HASH32 = np.uint32(0xFFFFFFFF)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The affine maps' (a, b) parameters, drawn as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, element-wise (multiplications wrap modulo 2**32)."""
    s1, m1, s2, m2 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s1)


def minhash_values(items: Collection[str] | Collection[bytes], num_perm: int = 128) -> np.ndarray:
    """The MinHash signature (uint64 array of `num_perm` 32-bit values) of a set of items.

    Items are strings (hashed as UTF-8) or bytes; pass each distinct item once.
    """
    if not items:
        return _signature_of_digests(b"", num_perm)
    encoded: Iterable[bytes]
    if isinstance(next(iter(items)), str):
        encoded = map(str.encode, cast("Collection[str]", items))
    else:
        encoded = cast("Collection[bytes]", items)
    return _signature_of_digests(
        b"".join([h.digest() for h in map(hashlib.sha1, encoded)]), num_perm
    )


#: Items per step of the signature loop: keeps the (num_perm x rows) temporary small.
_ROWS_PER_STEP = 16_384


def _signature_of_digests(digests: bytes, num_perm: int) -> np.ndarray:
    """The MinHash signature of items given as their concatenated 20-byte SHA-1 digests."""
    if not digests:
        return np.full(num_perm, _MAX_HASH32, dtype=np.uint64)
    # Five little-endian uint32 per 20-byte digest; the first one is datasketch's sha1_hash32.
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint32))
    a, b = _permutations(num_perm)
    b_column = b[:, None]
    best: np.ndarray | None = None
    for start in range(0, len(hashed), _ROWS_PER_STEP):
        # One row per permutation: the minimum runs along contiguous memory.
        mapped = np.multiply.outer(a, hashed[start : start + _ROWS_PER_STEP])
        mapped += b_column
        lowest = mapped.min(axis=1)
        best = lowest if best is None else np.minimum(best, lowest)
    assert best is not None
    return best.astype(np.uint64)


def minhash_signature(text: str, num_perm: int = 128) -> np.ndarray:
    """A MinHash signature (datasketch-compatible) of a text's word shingles."""
    return _signature_of_digests(_shingle_digests(text, SHINGLE_SIZE), num_perm)

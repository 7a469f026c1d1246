"""Content fingerprints: the exact content hash and the MinHash signature of near-duplicates."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newscrawl.archive.signatures import NUM_PERM, similarity
from newscrawl.hashing import content_hash, minhash_signature, minhash_values, shingles

_WORD_TEXT = (
    "the of and to in fog kept first two ferries day tied up at pier council voted harbour plan "
    "after long debate Straße ünïcödé 東京 café naïve coöperate"
)
WORDS = _WORD_TEXT.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _texts() -> list[str]:
    rng = random.Random(7)
    texts = ["", "one", "a b c d", "one two three four five", "  Mixed CASE words, with; punct!  "]
    texts += [_text(rng, rng.randint(0, 900)) for _ in range(60)]
    texts.append(_text(rng, 40_000))  # more shingles than one chunk of the signature loop
    return texts


def test_minhash_signature_is_bit_for_bit_the_datasketch_one() -> None:
    datasketch = pytest.importorskip("datasketch")
    for text in _texts():
        for num_perm in (NUM_PERM, 64):
            reference = datasketch.MinHash(num_perm=num_perm, seed=1)
            reference.update_batch(list(shingles(text)))
            expected = np.asarray(reference.hashvalues, dtype=np.uint64)
            got = minhash_signature(text, num_perm)
            assert got.dtype == np.uint64
            assert got.tolist() == expected.tolist(), (text[:40], num_perm)


def test_minhash_values_accepts_str_or_bytes_items() -> None:
    text = "the council voted on the harbour plan after a long debate"
    assert minhash_values(shingles(text)).tolist() == minhash_signature(text).tolist()


def test_empty_text_has_the_all_max_signature() -> None:
    assert minhash_signature("").tolist() == [0xFFFFFFFF] * NUM_PERM


def test_near_duplicates_score_high_and_different_texts_low() -> None:
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(5000)]
    story = [rng.choice(vocabulary) for _ in range(600)]
    edited = list(story)
    for _ in range(6):  # a handful of words changed: a lightly edited copy
        edited[rng.randrange(len(edited))] = rng.choice(vocabulary)
    other = [rng.choice(vocabulary) for _ in range(600)]
    base = minhash_signature(" ".join(story))
    assert similarity(base, minhash_signature(" ".join(story))) == 1.0
    assert similarity(base, minhash_signature(" ".join(edited))) >= 0.8
    assert similarity(base, minhash_signature(" ".join(other))) < 0.1


def test_similarity_estimates_the_jaccard_index_of_the_shingles() -> None:
    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(3000)]
    story = [rng.choice(vocabulary) for _ in range(800)]
    half = story[:400] + [rng.choice(vocabulary) for _ in range(400)]
    a, b = set(shingles(" ".join(story))), set(shingles(" ".join(half)))
    jaccard = len(a & b) / len(a | b)
    estimate = similarity(minhash_signature(" ".join(story)), minhash_signature(" ".join(half)))
    assert abs(estimate - jaccard) < 0.12  # 128 permutations: standard error ~0.04


def test_content_hash_ignores_case_spacing_and_unicode_form() -> None:
    composed = content_hash("Café", "Le  café\n\nest  ouvert")
    decomposed = content_hash("Cafe\u0301", "le cafe\u0301 est ouvert")
    assert composed == decomposed
    assert composed != content_hash("Café", "Le café est fermé")


def test_minhash_signature_equals_that_of_the_distinct_str_shingles() -> None:
    """The signature hashes bytes words (an ASCII fast path, repeats included) yet equals the
    signature of the set of shingles made from the casefolded text."""
    rng = random.Random(9)
    alphabet = list("aZ_09 \t\n.,;'-éÉßẞﬁİıΣσς東京\u0301\u200b\u3000\u00a0!") + ["\u212a", "K"]
    texts = [_text(rng, 300) + " " + _text(rng, 300), "the the the the the the the the"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(500)]
    texts += ["\u212a\u212a K k", "ſ s", "İstanbul is big and old and fine"]
    for text in texts:
        expected = minhash_values(shingles(text)).tolist()
        assert minhash_signature(text).tolist() == expected, repr(text)


def test_content_hash_collapses_whitespace_as_a_regex_would() -> None:
    import hashlib
    import re

    for text in ["  a\u2003b\u00a0\u00a0c\n\x85d\u2028 ", "", "\t", "Ab  C"]:
        normal = re.sub(r"\s+", " ", text).strip().casefold()
        expected = hashlib.sha256(f"t\n\n{normal}".encode()).hexdigest()
        assert content_hash("t", text) == expected

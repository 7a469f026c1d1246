"""Word counts: whitespace-separated tokens holding a letter or digit, and each CJK character."""

from __future__ import annotations

import random
import re

from newscrawl.extract.text import count_words

TOKENS = ["news", "a-b", "—", "|", "x,", "...", "1.5", "«", "»", "ü", "é.", '""', "it's", "_"]


def _by_definition(text: str) -> int:
    return sum(1 for tok in text.split() if re.search(r"\w", tok))


def test_punctuation_only_tokens_are_not_words() -> None:
    assert count_words("Markets fell — again | 3.5% ... «Why?»") == 5


def test_cjk_characters_count_one_word_each() -> None:
    assert count_words("東京 news 東京都") == 6


def test_count_equals_the_definition_on_random_texts() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        text = " ".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 40)))
        assert count_words(text) == _by_definition(text), text

"""Content fingerprints shared by deduplication and the archive."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise_for_hash(text: str) -> str:
    """Text reduced to what identifies content: NFC, casefolded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_hash(title: str | None, text: str | None) -> str:
    """SHA-256 (hex) of an article's normalised title and body: equal for the same story text."""
    payload = normalise_for_hash(title or "") + "\n\n" + normalise_for_hash(text or "")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()

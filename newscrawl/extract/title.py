"""Clean page titles: drop " | Site Name" / " - Site Name" tails and prefer the visible headline."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawl.extract.document import clean_space

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • ", " / ", ": ")
_SEP_RE = re.compile(r"\s+(?:\||-|–|—|::|»|·|•|/)\s+")


def _norm(text: str) -> str:
    """Normalise a string for loose comparison (case, punctuation, spaces)."""
    return re.sub(r"[\W_]+", "", text.casefold())


def strip_site_name(title: str, site_names: Iterable[str]) -> str:
    """Remove a leading or trailing site name joined by a separator (" | The Daily Planet")."""
    title = clean_space(title)
    names = [_norm(n) for n in site_names if n and _norm(n)]
    if not names:
        return title
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        tail_n = _norm(tail)
        if head and any(tail_n == n or (len(n) > 3 and n in tail_n) for n in names):
            return strip_site_name(head, site_names)
        first, _, rest = title.partition(sep)
        if rest and sep != ": " and any(_norm(first) == n for n in names):
            return strip_site_name(rest, site_names)
    return title


def _segments(title: str) -> list[str]:
    """Split a title on separator characters surrounded by spaces."""
    return [s for s in _SEP_RE.split(title) if s.strip()]


def clean_title(
    title: str | None, site_names: Iterable[str] = (), h1: str | None = None
) -> str | None:
    """Return the headline: site-name tails removed, and the <h1> when the title is h1 + tail."""
    if not title:
        return clean_space(h1) or None
    names = list(site_names)
    cleaned = strip_site_name(title, names)
    if h1:
        h1 = clean_space(h1)
        h1_n, cleaned_n = _norm(h1), _norm(cleaned)
        if h1_n and h1_n == cleaned_n:
            return cleaned
        # "Headline | Section | Site" where the h1 is exactly the headline part.
        if h1_n and len(h1_n) >= 10:
            segments = _segments(cleaned)
            if len(segments) > 1 and _norm(segments[0]) == h1_n:
                return h1
            if len(segments) > 1 and _norm(segments[-1]) == h1_n:
                return h1
    if cleaned == clean_space(title) and not names:
        segments = _segments(cleaned)
        # Without a known site name, drop a short trailing segment that looks like a brand.
        if len(segments) >= 2 and len(segments[-1]) <= 30 and len(segments[0]) >= 25:
            return cleaned[: cleaned.rfind(segments[-1])].rstrip(" |-–—:»·•/")
    return cleaned or None


def _words(text: str) -> set[str]:
    """Return the set of lower-case word tokens of a text."""
    return set(re.findall(r"\w+", text.casefold()))


def prefer_headline(meta_title: str | None, h1: str | None, site_names: Iterable[str] = ()) -> bool:
    """Tell whether the visible <h1> should replace the metadata title.

    Metadata titles are often SEO variants of the headline; the <h1> is what readers see. It is
    taken when it cross-checks against the metadata title (at least 30% of its words occur there)
    and is not just the site's name.
    """
    if not h1 or len(h1) < 10 or len(h1) > 300:
        return False
    if any(_norm(h1) == _norm(name) for name in site_names if name):
        return False
    if not meta_title:
        return True
    h1_words = _words(h1)
    if not h1_words:
        return False
    return len(h1_words & _words(meta_title)) / len(h1_words) >= 0.3

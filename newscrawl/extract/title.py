"""Clean page titles: drop " | Site Name" / " - Site Name" tails and prefer the visible headline."""

from __future__ import annotations

import re
from collections.abc import Iterable

from newscrawl.extract.document import clean_space
from newscrawl.urls import registered_domain

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • ", " / ", ": ")
_SEP_RE = re.compile(r"\s+(?:\||-|–|—|::|»|·|•|/)\s+")


def _norm(text: str) -> str:
    """Normalise a string for loose comparison (case, punctuation, spaces)."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site_part(part_n: str, names: list[str], domains: list[str]) -> bool:
    """Tell whether a normalised title segment names the site: one of its names (or a segment
    containing one, "The Daily Planet Online"), the start of a longer name ("Thrive Marketing"
    for "Thrive Marketing Agency"), or the site's domain ("Slashdot" on slashdot.org)."""
    if not part_n:
        return False
    for n in names:
        if (
            part_n == n
            or (len(n) > 3 and n in part_n)
            or (len(part_n) >= 8 and n.startswith(part_n))
        ):
            return True
    return any(part_n == d or (len(d) >= 5 and part_n.startswith(d)) for d in domains)


def site_domain_names(url: str | None) -> list[str]:
    """Return the normalised forms a site's domain takes in titles: "whitecoatinvestor" and
    "whitecoatinvestorcom" for https://www.whitecoatinvestor.com/..."""
    if not url:
        return []
    domain = registered_domain(url)
    label = domain.split(".", 1)[0]
    return [d for d in {_norm(label), _norm(domain)} if len(d) >= 4]


def strip_site_name(title: str, site_names: Iterable[str], domains: Iterable[str] = ()) -> str:
    """Remove a leading or trailing site name joined by a separator (" | The Daily Planet").

    `domains` are normalised domain names (`site_domain_names`): a tail spelling the domain is
    a site name too.
    """
    title = clean_space(title)
    names = [_norm(n) for n in site_names if n and _norm(n)]
    domain_list = list(domains)
    if not names and not domain_list:
        return title
    for sep in _SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if head and _is_site_part(_norm(tail), names, domain_list):
            return strip_site_name(head, site_names, domain_list)
        first, _, rest = title.partition(sep)
        if rest and sep != ": " and any(_norm(first) == n for n in names):
            return strip_site_name(rest, site_names, domain_list)
    return title


def _segments(title: str) -> list[str]:
    """Split a title on separator characters surrounded by spaces."""
    return [s for s in _SEP_RE.split(title) if s.strip()]


def clean_title(
    title: str | None,
    site_names: Iterable[str] = (),
    h1: str | None = None,
    domains: Iterable[str] = (),
) -> str | None:
    """Return the headline: site-name tails removed, and the <h1> when the title is h1 + tail."""
    if not title:
        return clean_space(h1) or None
    names = list(site_names)
    cleaned = strip_site_name(title, names, domains)
    if h1:
        h1 = clean_space(h1)
        h1_n, cleaned_n = _norm(h1), _norm(cleaned)
        if h1_n and h1_n == cleaned_n:
            return cleaned
        # "Headline | Section | Site" where the h1 is exactly the headline part.
        if h1_n and len(h1_n) >= 10:
            segments = _segments(cleaned)
            if len(segments) > 1 and _norm(segments[0]) == h1_n:
                return _cased(h1, segments[0])
            if len(segments) > 1 and _norm(segments[-1]) == h1_n:
                return _cased(h1, segments[-1])
    if cleaned == clean_space(title) and not names:
        segments = _segments(cleaned)
        # Without a known site name, drop a short trailing segment that looks like a brand.
        if len(segments) >= 2 and len(segments[-1]) <= 30 and len(segments[0]) >= 25:
            return cleaned[: cleaned.rfind(segments[-1])].rstrip(" |-–—:»·•/")
    return cleaned or None


def _cased(h1: str, other: str) -> str:
    """Return the h1, or the same words from the metadata when the h1 is set all in capitals or
    all in lower case (a style: the metadata keeps the headline's own case)."""
    if (h1.isupper() or h1.islower()) and not (other.isupper() or other.islower()):
        return clean_space(other)
    return h1


def metadata_title_wins(meta_title: str | None, h1: str) -> bool:
    """Tell whether the metadata title should be kept over an h1 that cross-checks with it:
    the h1 is the same words in capitals or lower case, or only the part of the metadata title
    before its subtitle ("Index funds" for "Index Funds: How to Invest")."""
    if not meta_title:
        return False
    if h1.isupper() and not meta_title.isupper():
        return True  # capitals: a style, and often a shortened kicker
    if _norm(h1) == _norm(meta_title) and _cased(h1, meta_title) != h1:
        return True
    head, sep, rest = meta_title.partition(": ")
    return bool(sep and rest.strip()) and _norm(head) == _norm(h1)


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


def is_site_name(text: str, site_names: Iterable[str], domains: Iterable[str] = ()) -> bool:
    """Tell whether a title candidate is only the site's name ("Robomow" as og:title)."""
    text_n = _norm(text)
    return bool(text_n) and (
        any(text_n == _norm(n) for n in site_names if n) or text_n in set(domains)
    )

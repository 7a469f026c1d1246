"""Clean page titles: drop " | Site Name" / " - Site Name" tails and prefer the visible headline."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from newscrawl.extract.document import clean_space
from newscrawl.urls import registered_domain

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " • ", " / ", ": ")
_SEP_RE = re.compile(r"\s+(?:\||-|–|—|::|»|·|•|/)\s+")


def _norm(text: str) -> str:
    """Normalise a string for loose comparison (case, punctuation, spaces)."""
    return _NOT_ALNUM.sub("", text.casefold())


_NOT_ALNUM = re.compile(r"[\W_]+")


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


def _strip_domain_prefix(title: str, domains: list[str]) -> str:
    """Drop the site's domain written out before the headline without a separator
    ("davidbau.com Vibe Coding")."""
    first, _, rest = title.partition(" ")
    if rest and "." in first and _norm(first) in domains:
        return rest.strip()
    return title


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
    domains = list(domains)
    cleaned = _strip_domain_prefix(strip_site_name(title, names, domains), domains)
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


def _capitalised(text: str) -> int:
    """Count the capitalised words of four letters or more after the first word: a headline
    in title case ("How Much Should I Pay") has more than the same words in sentence case."""
    return sum(1 for word in re.findall(r"\w{4,}", text)[1:] if word[0].isupper())


#: A source named after the headline on link aggregators: "Headline (latimes.com)".
_SOURCE_TAIL = re.compile(r"\s*\((?:[\w-]+\.)+[a-z]{2,}\)$", re.IGNORECASE)


def metadata_title_wins(meta_title: str | None, h1: str) -> bool:
    """Tell whether the metadata title should be kept over an h1 that cross-checks with it:
    the h1 is the same words in capitals or lower case, only the part of the metadata title
    before its subtitle ("Index funds" for "Index Funds: How to Invest"), the metadata title
    after a one-word kicker ("Blog: Best Agencies"), the metadata title with characters
    lost to a wrong encoding ("Event Planning? Beginner? Guide"), or the metadata title without
    the separator between headline and subtitle (`_subtitle_joined`)."""
    if not meta_title:
        return False
    if h1.isupper() and not meta_title.isupper():
        return True  # capitals: a style, and often a shortened kicker
    if _norm(h1) == _norm(meta_title) and (
        _cased(h1, meta_title) != h1 or _capitalised(meta_title) > _capitalised(h1)
    ):
        return True
    kicker, colon, headline = h1.partition(": ")
    if colon and len(kicker.split()) == 1 and _norm(headline) == _norm(meta_title):
        return True
    if _SOURCE_TAIL.search(h1) and _norm(_SOURCE_TAIL.sub("", h1)) == _norm(meta_title):
        return True  # the h1 names the story's source after the headline
    if "?" in h1.rstrip("?") and h1.count("?") > meta_title.count("?"):
        lost = re.escape(h1).replace(r"\?", ".{1,3}")
        if re.fullmatch(lost, meta_title):
            return True
    if _subtitle_joined(h1, meta_title):
        return True
    head, sep, rest = meta_title.partition(": ")
    return bool(sep and rest.strip()) and _norm(head) == _norm(h1)


def _subtitle_joined(h1: str, meta_title: str) -> bool:
    """Tell whether the metadata title is the h1 with a separator between its headline and
    subtitle ("Title - Subtitle" for an h1 set as two lines, "Title Subtitle" as text)."""
    h1 = clean_space(h1)
    return any(
        sep in meta_title and clean_space(meta_title.replace(sep, " ", 1)) == h1
        for sep in (" - ", " – ", " — ", " | ", ": ")
    )


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


#: An HTML entity left in text escaped twice ("Python, SQL &#x26; AI", "And finally&#8230;").
_ENTITY = re.compile(r"&(?:#\d{2,6}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


#: Full-width forms of ASCII characters ("？", "！"), typed with a CJK input method.
_FULLWIDTH = re.compile("[\uff01-\uff5e]")
_CJK = re.compile("[\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def _halfwidth(text: str) -> str:
    """Write full-width punctuation and letters as ASCII in a headline that has no CJK
    characters ("How Does Robot Vacuum Mapping Work？"): there they are an input-method slip."""
    if not _FULLWIDTH.search(text) or _CJK.search(text):
        return text
    return _FULLWIDTH.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text)


def unescape_entities(text: str) -> str:
    """Decode HTML entities that survived parsing (the page escaped them twice): readers of the
    page see "&#x26;", but the author meant "&". Full-width ASCII forms in a headline without
    CJK characters are written as ASCII too."""
    return _halfwidth(html.unescape(text) if _ENTITY.search(text) else text)


def _pipe_tail(title: str) -> str:
    """Drop short trailing " | " segments: a section or site label ("... | District",
    "... | Patient Education | UC Davis Children's Hospital"). A headline rarely has a pipe; a
    long trailing segment (more than four words) is kept, as a subtitle, and so is one about as
    long as what comes before it (the headline after a section label)."""
    while " | " in title:
        head, _, tail = title.rpartition(" | ")
        tail_words, head_words = len(tail.split()), len(head.split())
        if tail_words > 4 or head_words < tail_words + 3:
            break  # a subtitle, or a leading section label ("Opinion | Why It Happened")
        title = head.rstrip()
    return title


def _is_headline_h1(text: str, names: list[str], domains: list[str]) -> bool:
    """Tell whether an <h1> can be the headline: not the site's name or domain ("davidbau.com"),
    and not a label ending with a colon ("Erik Demaine's Folding and Unfolding:")."""
    return not text.rstrip().endswith(":") and not is_site_name(text, names, domains)


def _truncated(first: str, cleaned: list[str]) -> str | None:
    """Return the full headline when the first candidate is cut short (JSON-LD headlines are
    often cut to 110 characters): a later candidate that starts with it and goes on."""
    first_n = _norm(first)
    if len(first) < 90 or not first_n:
        return None
    for other in cleaned:
        other_n = _norm(other)
        if len(other_n) > len(first_n) and other_n.startswith(first_n):
            return other
    return None


_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _straight_variant(title: str, values: list[str]) -> str:
    """Return the headline with straight quotes when the page's metadata writes its quoted
    words only so ("America's" in og:title, "America\u2019s" only in the <h1>): the plain
    spelling the page itself gives. Quotes are never straightened otherwise."""
    straight = title.translate(_CURLY)
    if straight == title:
        return title
    # The words with quotes ("Visitor’s"), as written and with straight quotes.
    curly = re.findall(r"\S*[\u2018\u2019\u201c\u201d]\S*", title)
    plain = [word.translate(_CURLY) for word in curly]
    text = " ".join(values)
    if any(word in text for word in curly) or not all(word in text for word in plain):
        return title
    return straight


def choose_title(
    cands: list[tuple[str, str]],
    h1s: list[str],
    site_names: Iterable[str] = (),
    domains: Iterable[str] = (),
    subheadings: Callable[[], list[str]] | None = None,
) -> tuple[str, str] | None:
    """Return (headline, source): `_choose_title`, with straight quotes when the metadata
    spells the headline with them (`_straight_variant`).

    `subheadings` gives the page's <h2>/<h3> texts (asked for only when no <h1> repeats a
    metadata title): a metadata title set as one of them is the headline readers see.
    """
    chosen = _choose_title(cands, h1s, site_names, domains, subheadings)
    if chosen is None:
        return None
    title, source = chosen
    if not source.startswith("site:"):
        title = _dash_label(title)
    values = [unescape_entities(str(value)) for value, _ in cands]
    return _straight_variant(title, values), source


def _shown_title(
    cands: list[tuple[str, str]], cleaned: list[str], subheadings: list[str]
) -> tuple[str, str] | None:
    """Return (metadata title, source) for the first sub-heading that is a metadata title."""
    pairs = [(text, src) for text, (_, src) in zip(cleaned, cands, strict=True) if text]
    by_norm = {_norm(text): (text, src) for text, src in reversed(pairs)}  # first one wins
    for heading in subheadings:
        hit = by_norm.get(_norm(heading))
        if hit and len(hit[0]) >= 10:
            return _pipe_tail(hit[0]), hit[1]
    return None


#: A short label after a dash that ends a headline: " - Part 1", " — Strength Training".
_DASH_LABEL = re.compile(r"\s+[-–—]\s+([^\W\d][\w.]*(?:\s+\w[\w.]*)?)$")


def _dash_label(title: str) -> str:
    """Drop a label of one or two words after a spaced dash at the end of a headline
    ("Gym Workouts for Beginners — Strength Training", "... - Part 1"): a series, section or
    tag line rather than headline words. A headline of fewer than three words before it, a
    tail ending in "!" or "?", and a tail starting with a digit (a score, "Arsenal 2 - 1
    Chelsea") are kept."""
    match = _DASH_LABEL.search(title)
    if not match or len(title[: match.start()].split()) < 3:
        return title
    return title[: match.start()].rstrip()


def _choose_title(
    cands: list[tuple[str, str]],
    h1s: list[str],
    site_names: Iterable[str] = (),
    domains: Iterable[str] = (),
    subheadings: Callable[[], list[str]] | None = None,
) -> tuple[str, str] | None:
    """Return (headline, source) from the metadata title candidates (in order of trust) and the
    page's <h1> texts (the main one first).

    The metadata title is cleaned of site-name tails; the visible <h1> replaces it when the two
    cross-check (`prefer_headline`) or when the <h1> is word for word another metadata title
    (a JSON-LD headline that disagrees with og:title and the <h1> is outvoted). Of several <h1>,
    the one a metadata title repeats is the headline. When no <h1> is a metadata title, a
    metadata title set as a sub-heading (`subheadings`) is the headline readers see: the
    <h1> is then a hero or section label ("Toddler Sleep Training" over the story "How To
    Get Toddlers To Sleep In Their Own Bed").
    """
    names = [str(n) for n in site_names if n]
    domain_list = list(domains)
    usable = [unescape_entities(h) for h in h1s if h and _is_headline_h1(h, names, domain_list)]
    cleaned = [
        clean_title(unescape_entities(str(value)), names, None, domain_list) or ""
        for value, _ in cands
    ]
    cleaned_n = {_norm(c) for c in cleaned if c}
    h1 = next(
        (h for h in usable if _norm(strip_site_name(h, names, domain_list)) in cleaned_n), None
    )
    h1_is_metadata = h1 is not None
    h1 = h1 or (usable[0] if usable else None)
    if h1:
        h1 = strip_site_name(h1, names, domain_list)
    if not cands:
        return (_pipe_tail(h1), "h1") if h1 else None
    first, source = unescape_entities(str(cands[0][0])), cands[0][1]
    meta_title = clean_title(first, names, h1, domain_list)
    if source.startswith("site:"):
        return (meta_title, source) if meta_title else None
    if not h1_is_metadata and subheadings is not None:
        shown = _shown_title(cands, cleaned, subheadings())
        if shown:
            return shown
    if meta_title and source == "json-ld":
        meta_title = _truncated(meta_title, cleaned[1:]) or meta_title
    if h1 and (
        prefer_headline(meta_title, h1, names)
        or (len(h1) >= 10 and _norm(h1) in {_norm(c) for c in cleaned[1:] if c})
    ):
        if metadata_title_wins(meta_title, h1):
            # An h1 in capitals or lower case (a style), or only the headline's main clause:
            # the metadata has the headline in its own case, or in full.
            return (_pipe_tail(meta_title), source) if meta_title else None
        same = meta_title is not None and clean_space(meta_title) == h1
        fuller = _with_number(h1, cleaned)
        if fuller:
            return _pipe_tail(fuller), source
        if not same:
            h1 = _title_cased(h1, cleaned[1:])
        return _pipe_tail(h1), source if same else "h1"
    return (_pipe_tail(meta_title), source) if meta_title else None


#: A year ("in 2025", "2025") or a leading count ("8 Recent Trends") in a headline.
_NUMBER_PART = re.compile(r"(?:\b(?:in|of|for)\s+)?\b(?:19|20)\d\d\b|^\d+\s+", re.IGNORECASE)


def _with_number(h1: str, others: list[str]) -> str | None:
    """Return a metadata title that is the h1 with a year or count added ("Best Travel
    Insurance for Seniors in 2025" for the h1 "Best Travel Insurance for Seniors"): the
    headline in full, the h1 a display form without the number."""
    bare, numbers = _norm(_NUMBER_PART.sub("", h1)), set(re.findall(r"\d+", h1))
    if not bare:
        return None
    for other in others:
        if (
            other
            and _norm(_NUMBER_PART.sub("", other)) == bare
            and set(re.findall(r"\d+", other)) > numbers
        ):
            return clean_space(other)
    return None


def _title_cased(h1: str, others: list[str]) -> str:
    """Return a metadata title that is the h1's words in title case when the h1 is set in
    sentence case ("How to Install Solar Panels" for "How to install solar panels"): the
    metadata keeps the headline's own case."""
    h1_n, caps = _norm(h1), _capitalised(h1)
    for other in others:
        if other and _norm(other) == h1_n and _capitalised(other) > caps:
            return clean_space(other)
    return h1

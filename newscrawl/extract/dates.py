"""Parse page dates into UTC ISO-8601 strings with a trailing Z, and find dates in URLs and text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, NamedTuple

from dateutil import parser as dateutil_parser
from dateutil.tz import tzoffset
from lxml import etree

from newscrawl.extract.document import clean_space
from newscrawl.extract.months import foreign_to_iso
from newscrawl.extract.visible import DATE_IN_TEXT, main_element

#: How far into the future a date may lie (clock skew, embargoes) before it is rejected.
FUTURE_TOLERANCE = timedelta(days=1)
#: Dates before this are taken as parsing accidents.
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)

_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
_URL_DATE_SLASHED = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: /2023/october/03/ or /2023/oct/03/: a month written out in the path.
_URL_DATE_NAMED = re.compile(
    r"/((?:19|20)\d{2})/(january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)/"
    r"(0?[1-9]|[12]\d|3[01])(?:/|$)",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_TZ_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 3600,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "IST": 19800,
    "JST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
    "ET": -18000,
    "PT": -28800,
}
#: Missing date parts fall back to this, so a date without a year is rejected as too old.
_DEFAULT = datetime(1900, 1, 1)
_TZINFOS = {name: tzoffset(name, offset) for name, offset in _TZ_ABBREVIATIONS.items()}
_NOISE = re.compile(
    r"^(?:published|updated|posted|last updated|modified|on|date|am|le|publié|veröffentlicht)"
    r"\s*[:\-–]?\s*",
    re.IGNORECASE,
)
#: A Chinese, Japanese or Korean date (2024年5月3日, 2024년 5월 3일), with an optional time of day
#: and its afternoon marker (下午, 午後, 오후).
_CJK_DATE = re.compile(
    r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"
    r"(?:\D{0,6}?(下午|午後|오후)?\s*(\d{1,2})[:時시]\s*(\d{2}))?"
)


def _to_utc(value: datetime) -> datetime:
    """Attach UTC to naive datetimes and convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def format_utc(value: datetime) -> str:
    """Format a datetime as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return _to_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


#: Numeric day and month separated by dots ("03.10.2023"): written day first everywhere.
_DOTTED_NUMERIC = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b")
#: A numeric date that starts with the day or the month ("03/10/2023", not "2023/10/03").
_NUMERIC_DAY_MONTH = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
#: Locales that write numeric dates month first (03/10/2023 is March 10).
_MONTH_FIRST_LOCALES = frozenset({"en", "en-us", "en-ca", "en-ph", "en-pr", "en-um", "en-as"})


def day_first(locale: str | None) -> bool:
    """Tell whether a page's locale ("en-GB", "fr_FR", "en-US") writes numeric dates day first
    (``03/10/2023`` is 3 October); pages of unknown locale are read month first."""
    if not locale:
        return False
    tag = locale.split(",")[0].strip().replace("_", "-").lower()
    if not tag or tag in _MONTH_FIRST_LOCALES or not tag[0].isalpha():
        return False
    return tag[:2] != "en" or len(tag) > 2


@lru_cache(maxsize=256)
def _parse_any(raw: str, dayfirst: bool = False) -> datetime | None:
    """Parse a date string in any common format (ISO, RFC 2822, '3 May 2024', epoch, CJK);
    `dayfirst` reads an ambiguous numeric date ("03/10/2023") day first (cached: a page's
    dates are read several times, and the answer depends on nothing else)."""
    text = raw.strip()
    if not text or len(text) > 80:
        return None
    if _EPOCH.match(text):
        seconds = int(text[:10])
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    cjk = _CJK_DATE.search(text)
    if cjk:
        year, month, day, afternoon, hour, minute = cjk.groups()
        hours = int(hour or 0) + (12 if afternoon and int(hour or 0) < 12 else 0)
        try:
            return datetime(int(year), int(month), int(day), hours, int(minute or 0))
        except ValueError:
            return None
    text = foreign_to_iso(_NOISE.sub("", text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    if not re.search(r"\d", text):
        return None
    try:
        return dateutil_parser.parse(
            text,
            default=_DEFAULT,
            tzinfos=_TZINFOS,
            fuzzy=True,
            dayfirst=bool(_DOTTED_NUMERIC.match(text))
            or (dayfirst and bool(_NUMERIC_DAY_MONTH.match(text))),
        )
    except (ValueError, OverflowError, TypeError):
        return None


def parse_date(
    raw: str | None, now: datetime | None = None, dayfirst: bool = False
) -> datetime | None:
    """Parse a page date to aware UTC; None when unparseable, too old or in the future."""
    if not raw:
        return None
    value = _parse_any(str(raw), dayfirst)
    if value is None:
        return None
    value = _to_utc(value)
    now = _to_utc(now) if now else datetime.now(timezone.utc)
    if value < EARLIEST or value > now + FUTURE_TOLERANCE:
        return None
    return value


def normalize_date(
    raw: str | None, now: datetime | None = None, dayfirst: bool = False
) -> str | None:
    """Return the date as UTC ISO-8601 with trailing Z, or None when it is not a usable date.

    `dayfirst` reads ambiguous numeric dates ("03/10/2023") day first (see `day_first`).
    """
    value = parse_date(raw, now, dayfirst)
    return format_utc(value) if value else None


def has_time(raw: str) -> bool:
    """Tell whether a raw date string carries a time of day."""
    return bool(_TIME_OF_DAY.search(raw)) or bool(_EPOCH.match(raw.strip()))


_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def date_from_url(url: str, now: datetime | None = None) -> tuple[str, str] | None:
    """Return (UTC ISO date, raw match) for a date embedded in a URL path like /2024/05/12/."""
    path = url.split("?", 1)[0]
    for pattern in (_URL_DATE_SLASHED, _URL_DATE, _URL_DATE_NAMED):
        match = pattern.search(path)
        if match:
            year_s, month_s, day_s = match.groups()
            if month_s.isdigit():
                month = int(month_s)
            else:
                month = [m[:3] for m in _MONTH_NAMES].index(month_s[:3].lower()) + 1
            year, day = int(year_s), int(day_s)
            try:
                value = datetime(year, month, day, tzinfo=timezone.utc)
            except ValueError:
                continue
            now_utc = _to_utc(now) if now else datetime.now(timezone.utc)
            if EARLIEST <= value <= now_utc + FUTURE_TOLERANCE:
                return format_utc(value), match.group(0)
    return None


def check_modified(published: str | None, modified: str | None) -> str | None:
    """Return modified unless it precedes published (then it is not a real modification date)."""
    if not modified:
        return None
    if published and modified < published:
        return None
    return modified


def guess_date(tree: Any, url: str | None, now: datetime | None = None) -> str | None:
    """Last resort: let htmldate's heuristics find a publication day in markup, text and URL.

    Its extensive search is off: on pages that show no date it mostly answered with a copyright
    year as January 1st, and it took ~85% of this function's time.
    """
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - htmldate ships with trafilatura
        return None
    now_utc = _to_utc(now) if now else datetime.now(timezone.utc)
    try:
        found = find_date(  # htmldate works on its own copy of a parsed tree
            tree,
            extensive_search=False,
            original_date=True,
            url=url,
            min_date=EARLIEST.replace(tzinfo=None),
            max_date=(now_utc + FUTURE_TOLERANCE).replace(tzinfo=None),
        )
    except Exception:  # noqa: BLE001 - a heuristic must never break extraction
        return None
    return found or None


def is_ambiguous_numeric(raw: str) -> bool:
    """Tell whether a date is numeric with day and month both 12 or less ("03/10/2023")."""
    match = _NUMERIC_DAY_MONTH.match(raw.strip())
    if not match:
        return False
    first, second = (int(part) for part in re.split(r"[/.-]", match.group(0))[:2])
    return first <= 12 and second <= 12 and first != second


_ISO_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}")


def local_day(iso: str, raw: str) -> str:
    """Return the calendar day a date states: that of an ISO raw value in its own offset, else
    that of the UTC value `iso`."""
    return raw.strip()[:10] if _ISO_DAY.match(raw) else iso[:10]


def shown_days(texts: list[str], now: datetime | None = None, dayfirst: bool = False) -> set[str]:
    """Return the calendar days ("2024-05-03") of dates written in a page's text; an ambiguous
    numeric date ("09.10.2024") counts under both readings (pages of any locale write them)."""
    days: set[str] = set()
    for text in texts:
        value = normalize_date(text, now, dayfirst)
        if value:
            days.add(local_day(value, text))
            if is_ambiguous_numeric(text):
                # The other reading swaps day and month, in the same year.
                days.add(f"{value[:4]}-{value[8:10]}-{value[5:7]}")
    return days


#: Elements whose text a reader does not see.
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "select", "button"})
#: How far (in characters of text) a dateline may lie above the headline, and below it.
HEADLINE_BEFORE = 200
HEADLINE_AFTER = 1500


def main_headline(tree: Any) -> Any:
    """Return the page's main <h1> element (the first inside the only <article> or <main>, else
    the first of the page), or None."""
    found = main_element(tree)
    if found is not None:
        heads = found.xpath(".//h1")
        if heads:
            return heads[0]
    heads = tree.xpath("//h1")
    return heads[0] if heads else _title_element(tree)


_TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014\u00b7:-]\s+|\s*::\s*")


def _title_element(tree: Any) -> Any:
    """The first element of the body whose own text is the page's <title> or og:title: the
    headline of a page without <h1> (site builders style a paragraph as one), or None."""
    head = tree.find("head")
    body = tree.find("body")
    if head is None or body is None:
        return None
    titles = {clean_space(t.text) for t in head.iter("title")}
    titles |= {
        clean_space(m.get("content"))
        for m in head.iter("meta")
        if m.get("property") in ("og:title", "twitter:title")
    }
    # The headline without the site's name: "Ten ways | Site" -> "Ten ways".
    titles |= {part for t in titles for part in _TITLE_SEPARATOR.split(t) if " " in part}
    titles.discard("")
    if not titles:
        return None
    longest = max(len(t) for t in titles) + 20
    for node in body.iter():
        text = node.text
        if (
            text
            and len(text) <= longest
            and node.tag not in _HIDDEN_TAGS
            and clean_space(text) in titles
        ):
            return node
    return None


def headline_date(tree: Any, headline: Any = None) -> str | None:
    """Return the date written nearest the main headline (`main_headline` by default): in the
    date line just above it (a kicker "News · May 3, 2024") or below it (a byline), whichever
    is closer in the text (within `HEADLINE_BEFORE` and `HEADLINE_AFTER` characters); above
    it, the first date of the line."""
    found = headline_dateline(tree, headline)
    return found.date if found else None


#: How much of the text before a date `headline_dateline` returns as its label.
LABEL_CHARS = 40


class Dateline(NamedTuple):
    """A date written by the headline: the date, the text just before it (its label, as in
    "Published: " or "Updated on ") and how far below the headline it is, in characters of
    text (None above the headline)."""

    date: str
    label: str
    below: int | None


#: The last tree `headline_dateline` searched by its main headline, and its answer: a page's
#: extraction asks several times, and each answer costs a walk of the page's top.
_LAST_DATELINE: list[Any] = [None, None]


def headline_dateline(tree: Any, headline: Any = None) -> Dateline | None:
    """Return the date `headline_date` finds, with its label (at most `LABEL_CHARS`
    characters) and its distance below the headline."""
    if headline is None:
        if _LAST_DATELINE[0] is tree:
            cached: Dateline | None = _LAST_DATELINE[1]
            return cached
        found = _find_dateline(tree, main_headline(tree))
        _LAST_DATELINE[:] = [tree, found]
        return found
    return _find_dateline(tree, headline)


#: Four digits in a row: every date `DATE_IN_TEXT` matches has them (its year), and this search
#: is many times faster.
_FOUR_DIGITS = re.compile(r"\d{4}")


def _find_dateline(tree: Any, headline: Any) -> Dateline | None:
    """Search the date line of `headline` (see `headline_dateline`)."""
    body = tree.find("body")
    if body is None or headline is None:
        return None
    pos = 0
    head_start = head_end = -1
    before = ""  # the text read last, for the label of the next date
    above: list[tuple[int, str, str]] = []  # (end, text, label) of the dates above the headline
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, node in walker:
        if event == "start":
            if node.tag in _HIDDEN_TAGS or not isinstance(node.tag, str):
                walker.skip_subtree()
                continue
            if node is headline:
                head_start = pos
            text = node.text
        else:
            if node is headline:
                head_end = pos
                before = ""  # the headline's words label no date
            text = node.tail
        if not text or text.isspace():
            continue  # indentation between tags is not text: it must not use up the distances
        if head_start < 0 or head_end >= 0:
            for match in DATE_IN_TEXT.finditer(text) if _FOUR_DIGITS.search(text) else ():
                label = (before + text[: match.start()])[-LABEL_CHARS:]
                if head_start < 0:
                    above.append((pos + match.end(), match.group(0), label))
                    continue
                gap = pos + match.start() - head_end
                if gap <= HEADLINE_AFTER and (not above or gap <= head_start - above[-1][0]):
                    return Dateline(match.group(0), label, gap)
                break
            else:
                pos += len(text)
                before = (before + text)[-LABEL_CHARS:]
                if head_end < 0 or pos - head_end <= HEADLINE_AFTER:
                    continue
            break
        pos += len(text)
        before = (before + text)[-LABEL_CHARS:]
    # Above the headline, the first date of the date line ("May 3, 2024 Updated: May 5, 2024").
    near = [
        Dateline(text, label, None)
        for end, text, label in above
        if head_start >= 0 and head_start - end <= HEADLINE_BEFORE
    ]
    return near[0] if near else None


def shown_reading(
    raws: list[str], texts: list[str], now: datetime | None = None, dayfirst: bool = False
) -> bool:
    """Return how to read ambiguous numeric dates ("02-12-2025"): the other reading than the
    locale's when only that one gives a day the page also writes unambiguously ("December 2,
    2025" in its text)."""
    shown = shown_days([t for t in texts if not is_ambiguous_numeric(t)], now, dayfirst)
    for raw in raws:
        if is_ambiguous_numeric(raw):
            usual = normalize_date(raw, now, dayfirst)
            other = normalize_date(raw, now, not dayfirst)
            if usual and other and usual[:10] not in shown and other[:10] in shown:
                return not dayfirst
            break
    return dayfirst


_UNSEEN_TAGS = frozenset({"script", "style", "noscript", "template"})
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


#: The last tree `_page_text` read and its texts by `max_chars`: a page's extraction reads its
#: text for several notes and date checks, and each reading costs a walk of the page.
_LAST_TEXT: list[Any] = [None, {}]


def forget_tree() -> None:
    """Drop the answers cached for the last tree (call it after changing the tree)."""
    _LAST_TEXT[:] = [None, {}]
    _LAST_DATELINE[:] = [None, None]


def _page_text(tree: Any, max_chars: int) -> str:
    """The text of the page's body (not scripts or styles), about its first `max_chars`
    characters, text nodes joined by NUL: no date (nor its time zone) runs across two nodes."""
    if _LAST_TEXT[0] is not tree:
        _LAST_TEXT[:] = [tree, {}]
    texts: dict[Any, str] = _LAST_TEXT[1]
    if max_chars not in texts:
        texts[max_chars] = _read_page_text(tree, max_chars)
    return texts[max_chars]


def _lower_page_text(tree: Any, max_chars: int) -> str:
    """`_page_text` in lower case (cached with it)."""
    text = _page_text(tree, max_chars)
    texts: dict[Any, str] = _LAST_TEXT[1]
    key = ("lower", max_chars)
    if key not in texts:
        texts[key] = text.lower()
    return texts[key]


def _note_dates(
    tree: Any, max_chars: int, lead: re.Pattern[str], note: re.Pattern[str]
) -> Iterator[str]:
    """The dates right after the matches of the case-insensitive `note` in the page's text, in
    order. The note is tried only where `lead` (its first words, in lower case) is in the
    lower-cased text: a search for a literal is many times faster than a case-insensitive one."""
    text = _page_text(tree, max_chars)
    lower = _lower_page_text(tree, max_chars)
    if len(lower) != len(text):  # a letter whose lower case is longer: positions differ
        found_notes: Iterator[Any] = note.finditer(text)
    else:
        found_notes = _matches_at(text, lower, lead, note)
    for found in found_notes:
        date = DATE_IN_TEXT.match(text, found.end())
        if date:
            yield date.group(0)


def _matches_at(
    text: str, lower: str, lead: re.Pattern[str], note: re.Pattern[str]
) -> Iterator[Any]:
    """The matches `note.finditer(text)` finds, tried only where `lead` matches `lower`."""
    end = 0
    for candidate in lead.finditer(lower):
        if candidate.start() < end:
            continue
        found = note.match(text, candidate.start())
        if found:
            end = found.end()
            yield found


def _read_page_text(tree: Any, max_chars: int) -> str:
    """Read the text `_page_text` returns."""
    body = tree.find("body")
    if body is None:
        return ""
    parts: list[str] = []
    seen = 0
    for node in body.iter():
        tag = node.tag
        for text in (
            node.text if isinstance(tag, str) and tag not in _UNSEEN_TAGS else None,
            node.tail if node is not body else None,
        ):
            if text and not text.isspace():
                parts.append(text)
                seen += len(text)
        if seen > max_chars:
            break
    return "\x00".join(parts)


#: "Last updated:", "Page last reviewed on", "Last modified" before a date.
_UPDATE_NOTE = re.compile(
    r"\b(?:last|page)\s+(?:(?:updated|modified|reviewed|revised)\b|last\s+(?:updated|modified|"
    r"reviewed|revised)\b)(?:\s*on\b)?[\s:\x00-]*",
    re.IGNORECASE,
)
_UPDATE_LEAD = re.compile(r"(?:last|page)\s")


def update_note(tree: Any, max_chars: int = 50_000) -> str | None:
    """The date of a "Last updated: ..." (or "Page last reviewed", "Last modified") note in the
    page's text, often in its footer: when the page was last changed. The last such note wins
    (a page's own note comes after any in teasers)."""
    dates = list(_note_dates(tree, max_chars, _UPDATE_LEAD, _UPDATE_NOTE))
    return dates[-1] if dates else None


#: "Originally published on", "First posted:" before a date (a weekday may come between).
_ORIGINAL_NOTE = re.compile(
    r"\b(?:originally|first)\s+(?:published|posted)(?:\s+(?:on|at))?[\s:\x00-]*"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[\s\x00]*)?",
    re.IGNORECASE,
)
_ORIGINAL_LEAD = re.compile(r"(?:originally|first)\s")


def original_note(tree: Any, max_chars: int = 50_000) -> str | None:
    """The date of an "Originally published on ..." (or "First published") note in the page's
    text: a page updated over the years states so when it first appeared. The first such note
    wins."""
    return next(_note_dates(tree, max_chars, _ORIGINAL_LEAD, _ORIGINAL_NOTE), None)


def page_dates(tree: Any, max_chars: int = 50_000, max_dates: int = 40) -> list[str]:
    """Return the dates written in the page's text (not in scripts or styles), in document
    order: at most `max_dates` within about the first `max_chars` characters.

    Faster than a date search over every text node: the text is gathered in one walk, and the
    date pattern is tried only around four-digit years (every date it matches has one).
    """
    text = _page_text(tree, max_chars)
    found: list[str] = []
    end = 0
    for year in _YEAR.finditer(text):
        if year.start() < end:
            continue
        for match in DATE_IN_TEXT.finditer(text, max(end, year.start() - 40), year.end() + 40):
            if match.start() <= year.start() < match.end():
                found.append(match.group(0))
                end = match.end()
                break
        if len(found) >= max_dates:
            break
    return found

"""`extract_article`: one page in, one dict of article fields out (pure, no network)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newscrawl.extract import fields, visible
from newscrawl.extract.access import detect_access
from newscrawl.extract.authors import (
    clean_authors,
    dateline_authors,
    domain_orgs,
    headline_byline_override,
    personal_site_author,
)
from newscrawl.extract.dates import (
    check_modified,
    date_from_url,
    day_first,
    guess_date,
    has_time,
    headline_date,
    headline_dateline,
    is_ambiguous_numeric,
    normalize_date,
    original_note,
    page_dates,
    shown_days,
    shown_reading,
    update_note,
)
from newscrawl.extract.dates import (
    forget_tree as forget_dates,
)
from newscrawl.extract.document import clean_space, parse_html
from newscrawl.extract.encoding import decode_html
from newscrawl.extract.metadata import PageMeta, read_page_meta
from newscrawl.extract.pagetype import classify_page
from newscrawl.extract.sites import SiteRule, rule_for
from newscrawl.extract.text import (
    choose_body,
    count_words,
    drop_author_bio,
    extract_body,
    tidy_body,
)
from newscrawl.extract.title import choose_title, is_site_name, site_domain_names

#: The keys of the dict `extract_article` returns, in order.
RESULT_KEYS = (
    "title",
    "authors",
    "published",
    "published_raw",
    "modified",
    "modified_raw",
    "language",
    "description",
    "section",
    "tags",
    "image",
    "canonical_url",
    "site_name",
    "text",
    "word_count",
    "access",
    "provenance",
    "page_type",
    "is_article",
)
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Look up an HTTP header case-insensitively."""
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _dedupe(values: list[str]) -> list[str]:
    """Drop case-insensitive repeats, keeping the first spelling and the order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def _first(cands: list[fields.Candidate]) -> fields.Candidate | None:
    """Return the first candidate (they are already in order of trust)."""
    return cands[0] if cands else None


def _language(cands: list[fields.Candidate]) -> tuple[str, str] | None:
    """Return the first well-formed language code, reduced to its primary subtag."""
    for value, source in cands:
        match = _LANG.match(str(value).split(",")[0].strip())
        if match:
            return match.group(1).lower(), source
    return None


def _local_day(iso: str, raw: str) -> str:
    """Return the calendar day a date states: that of an ISO raw value in its own offset, else
    that of the UTC value."""
    raw = raw.strip()
    return raw[:10] if _ISO_DAY.match(raw) else iso[:10]


#: Date sources that are not structured metadata (the page's text, its URL).
_UNSTRUCTURED = frozenset({"time", "byline", "text", "url", "htmldate"})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _pick_date(
    cands: list[tuple[str, str]],
    now: datetime | None,
    dayfirst: bool = False,
    tree: etree._Element | None = None,
    alternatives: list[tuple[str, str]] | None = None,
) -> tuple[str, str, str] | None:
    """Return (UTC ISO, raw, source) of the first parseable date; a date-only value takes the
    time of a later candidate for the same day (cross-check of precision).

    With `tree`, a structured first candidate is cross-checked against the dates the page
    shows: when its day is written nowhere in the text (a stale or template datePublished),
    the first date whose day is shown is taken instead: a later structured candidate; then,
    when the page has no OpenGraph article:published_time (which vouches for the declared
    date), the date written by the headline, one of the `alternatives` (the modified dates) or
    a <time> or URL date.
    """
    parsed = [(normalize_date(raw, now, dayfirst), raw, src) for raw, src in cands]
    usable = [(iso, raw, src) for iso, raw, src in parsed if iso]
    if not usable:
        return None
    iso, raw, src = usable[0]
    day = _local_day(iso, raw)
    later = [c for c in usable[1:] if c[2] not in _UNSTRUCTURED]
    og_days = [_local_day(c[0], c[1]) for c in usable if c[2] == _OG_PUBLISHED]
    og = bool(og_days)
    # With article:published_time only a later structured date of another day may replace the
    # first one: without such a date there is nothing to check. When article:published_time
    # states the first date's day too, two declarations agree: a third one does not outvote them.
    replaceable = not og or (
        (src == _OG_PUBLISHED or og_days[0] != day)
        and any(_local_day(c[0], c[1]) != day for c in later)
    )
    if tree is not None and src not in _UNSTRUCTURED and replaceable:
        # The page's top first (most pages show their date there), then most of the page.
        shown = shown_days(page_dates(tree, max_chars=5_000, max_dates=10), now, dayfirst)
        if day not in shown:
            shown = shown_days(page_dates(tree), now, dayfirst)
        if shown and day not in shown:
            order = list(later)
            if not og:
                order += _headline_date(tree, now, dayfirst)
                order += [
                    (alt_iso, alt_raw, alt_src)
                    for alt_raw, alt_src in alternatives or []
                    if (alt_iso := normalize_date(alt_raw, now, dayfirst))
                ]
                order += [c for c in usable[1:] if c[2] in _UNSTRUCTURED]
            for cand in order:
                if _local_day(cand[0], cand[1]) in shown:
                    iso, raw, src = cand
                    break
    if not has_time(raw):
        for other_iso, other_raw, _ in usable[1:]:
            if other_iso[:10] == iso[:10] and has_time(other_raw):
                return other_iso, raw, src
    if _UTC_OFFSET.search(raw):
        # The same moment written in the publisher's own offset states the day its readers saw;
        # a few minutes apart it is still the same event (the time the post was saved beside
        # the time it went out), the nearest such moment first.
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        near = [
            (gap, n, cand)
            for n, cand in enumerate(usable)
            if _LOCAL_OFFSET.search(cand[1])
            and (gap := abs(datetime.fromisoformat(cand[0].replace("Z", "+00:00")) - moment))
            <= SAME_MOMENT
        ]
        if near:
            return min(near)[2]
    return iso, raw, src


#: How far apart a UTC time and a time in the publisher's offset may be to state one moment.
SAME_MOMENT = timedelta(hours=1)


#: An ISO date-time in UTC ("...T03:05:00Z", "+00:00"), and one with another offset.
_UTC_OFFSET = re.compile(r"^\s*\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]00:?00)\s*$")
_LOCAL_OFFSET = re.compile(r"^\s*\d{4}-\d{2}-\d{2}T[\d:.]+[+-](?!00:?00)\d{2}:?\d{2}\s*$")


#: The OpenGraph publication time: the publisher's deliberate statement of the date, trusted
#: even when the page does not show it.
_OG_PUBLISHED = "meta:article:published_time"


def _headline_date(
    tree: etree._Element, now: datetime | None, dayfirst: bool
) -> list[tuple[str, str, str]]:
    """Return the (UTC ISO, raw, "text") date written first below the main headline, if any."""
    text = headline_date(tree)
    value = normalize_date(text, now, dayfirst) if text else None
    return [(value, text, "text")] if value and text else []


#: The words that label a date line; the last one before a date says what the date is.
_DATE_LABEL = re.compile(r"published|posted|updated|modified|reviewed|edited", re.IGNORECASE)


#: How far below the headline (characters of text) a date without a label may lie to be taken
#: as the byline's: further down, or above the headline (a masthead's "today"), it may be
#: another story's date.
UNLABELLED_BELOW = 300


def _headline_published(
    tree: etree._Element,
    now: datetime | None,
    dayfirst: bool,
    picked: tuple[str, str, str],
    modified: list[tuple[str, str]],
) -> tuple[str, str, str] | None:
    """Return (UTC ISO, raw, "text") of the date by the headline when it is more than a day
    away from the `picked` date (a day's difference can be the time zone) and it is the
    publication date as the page shows it: labelled so ("Published: Apr 26, 2023"), or without
    a label just below the headline while it is none of the `modified` dates and the picked
    date is structured metadata whose day is shown nowhere (a stale or imported datePublished).
    A site rule's date is kept.
    """
    found = headline_dateline(tree) if not picked[2].startswith("site:") else None
    if not found:
        return None
    labels = _DATE_LABEL.findall(found.label)
    kind = labels[-1].lower() if labels else None
    if kind not in (None, "published", "posted"):
        return None
    value = normalize_date(found.date, now, dayfirst)
    if not value:
        return None
    picked_day = _local_day(picked[0], picked[1])
    day = _local_day(value, found.date)
    if abs(datetime.fromisoformat(day) - datetime.fromisoformat(picked_day)).days <= 1:
        return None
    if kind is None:
        if picked[2] in _UNSTRUCTURED or found.below is None or found.below > UNLABELLED_BELOW:
            return None  # a <time>'s own text is no second witness; see UNLABELLED_BELOW
        mod_days = {
            _local_day(iso, raw)
            for raw, _ in modified
            if (iso := normalize_date(raw, now, dayfirst))
        }
        if day in mod_days or picked_day in shown_days(page_dates(tree), now, dayfirst):
            return None
    return value, found.date, "text"


def _original_published(
    tree: etree._Element,
    now: datetime | None,
    dayfirst: bool,
    picked: tuple[str, str, str] | None,
) -> tuple[str, str, str] | None:
    """Return (UTC ISO, raw, "text") of the date an "Originally published on ..." note states
    when it is another day than the `picked` one: the page says in words when it first
    appeared, whatever its metadata and date line say of its latest version. A site rule's
    date is kept."""
    if picked and picked[2].startswith("site:"):
        return None
    note = original_note(tree)
    found = _pick_date([(note, "text")], now, dayfirst) if note else None
    if not found or (picked and _local_day(picked[0], picked[1]) == found[0][:10]):
        return None
    return found


def _url_reading(
    cands: list[tuple[str, str]], url_iso: str, now: datetime | None, dayfirst: bool
) -> bool:
    """Return how to read ambiguous numeric dates ("03/10/2023"): the reading that gives the day
    in the URL (/2023/october/03/) when only the other reading contradicts it."""
    for raw, _ in cands:
        if is_ambiguous_numeric(raw):
            usual = normalize_date(raw, now, dayfirst)
            other = normalize_date(raw, now, not dayfirst)
            if usual and other and usual[:10] != url_iso[:10] and other[:10] == url_iso[:10]:
                return not dayfirst
    return dayfirst


def _date_candidates(
    tree: etree._Element,
    meta: PageMeta,
    rule: SiteRule | None,
    now: datetime | None = None,
    dayfirst: bool = False,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return raw published and modified candidates in order of trust (dates written in the
    text are searched only when no structured or <time> date is usable: they come last)."""
    published: list[tuple[str, str]] = []
    if rule:
        published += [(v, rule.source()) for v in rule.select(tree, "published")]
    published += [(str(v), s) for v, s in fields.published_candidates(meta)]
    modified = [(str(v), s) for v, s in fields.modified_candidates(meta)]
    times = visible.time_dates(tree)
    published += [(raw, "time") for raw, kind in times if kind == "published"]
    published += [(raw, "time") for raw, kind in times if kind == "time"]
    modified += [(raw, "time") for raw, kind in times if kind == "modified"]
    if not any(normalize_date(raw, now, dayfirst) for raw, _ in published):
        # The date nearest the headline first: date-classed elements include teasers' dates.
        head = headline_date(tree)
        published += [(head, "text")] if head else []
        published += [(raw, "byline") for raw in visible.visible_dates(tree)]
    return published, modified


def _authors(
    tree: etree._Element, meta: PageMeta, url: str, orgs: list[str], rule: SiteRule | None
) -> tuple[list[str], str | None]:
    """Return the cleaned authors of the first source that yields people, and that source.

    A person named like the site itself (a one-person blog) is taken only when no source names
    anyone else.
    """
    orgs = [*orgs, *domain_orgs(url)]  # "Paperium.net" as author: the site, not a person
    sources: list[tuple[list[Any], str]] = []
    if rule and rule.authors:
        sources.append((list(rule.select(tree, "authors")), rule.source()))
    sources += fields.author_candidates(meta)
    for values, source in sources:
        names = clean_authors(values, orgs, site_person=False)
        if names and not (rule and source == rule.source()):
            # The bylines under the headline may correct them: the writer instead of the
            # posting account, fewer names (no editors) or a full co-author list.
            near = visible.headline_bylines(tree)
            shown = headline_byline_override(names, near.bylines, near.text, orgs)
            if shown:
                return shown, "byline"
        if names:
            return names, source
    # Visible bylines one at a time: later ones are often comment or teaser authors.
    bylines = visible.byline_authors(tree)
    if sources and bylines:
        # The site declared as the author (JSON-LD Person "Venteur") and the first byline
        # crediting it too: the page's author is the site, whatever names teasers show further.
        site = clean_authors(sources[0][0], orgs)
        if site and clean_authors(bylines[:1], orgs, declared=True) == site:
            return site, sources[0][1]
    for value in bylines:
        names = clean_authors([value], orgs, site_person=False)
        if names:
            return names, "byline"
    # Byline elements naming no one ("Team Tiger Data"): a "Written by ..." line without byline
    # markup may name the writer (byline_authors reads such lines only when no byline is classed).
    for value in visible.written_by_authors(tree, 3) if bylines else []:
        names = clean_authors([value], orgs, site_person=False)
        if names and value not in bylines:
            return names, "byline"
    for values, source in sources:
        names = clean_authors(values, orgs)
        if names:
            return names, source
    # A name on the date line under the headline, without byline markup ("2025-12-17 · Jane Doe").
    names = dateline_authors(visible.headline_bylines(tree).dateline, orgs)
    if names:
        return names, "byline"
    # No person anywhere: the organisation, desk or site the page itself credits as author.
    for values, source in [*sources, (bylines[:1], "byline")]:
        names = clean_authors(values, orgs, declared=True)
        if names:
            return names, source
    # Nothing credited: a one-person site named after its author ("© 2025 Toby Hede").
    person = personal_site_author(url, orgs, visible.footer_text(tree))
    return ([person], "site") if person else ([], None)


def _body(
    tree: etree._Element,
    meta: PageMeta,
    url: str,
    rule: SiteRule | None,
    titles: list[str],
    authors: list[str],
) -> tuple[str, str]:
    """Return the body text and its source (site rule, JSON-LD articleBody or trafilatura)."""
    if rule and rule.prune:
        for xpath in rule.prune:
            for node in tree.xpath(xpath):
                if node.getparent() is not None:
                    node.getparent().remove(node)
        visible.forget_tree()
        forget_dates()
    if rule and rule.body:
        parts = rule.select(tree, "body")
        if parts:
            return "\n\n".join(parts), rule.source()
    extracted = extract_body(tree, url)
    for title in titles:
        extracted = tidy_body(extracted, title)
    extracted = drop_author_bio(extracted, authors)
    ld_body = meta.article_ld.get("articleBody") if meta.article_ld else None
    return choose_body(extracted, ld_body if isinstance(ld_body, str) else None)


def parse_page(html: bytes | str, headers: Mapping[str, str] | None = None) -> HtmlElement:
    """The document tree `extract_article` reads: `html` decoded (bytes, by the Content-Type
    header and the page's own declarations) and parsed. The crawler parses a page once with
    this, finds its links in the tree, then hands the same tree to `extract_article`."""
    if isinstance(html, bytes):
        html = decode_html(html, _header(headers, "content-type"))
    return parse_html(html)


def extract_article(
    html: bytes | str,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    *,
    tree: HtmlElement | None = None,
) -> dict[str, Any]:
    """Extract an article's fields from one page; pure (no network), never raises on bad HTML.

    `now` bounds future dates (defaults to the current time). `tree`, when given, is
    `parse_page` of this `html` and `headers` (parsed already, not mutated since): the page is
    not decoded and parsed again.
    """
    if tree is None:
        tree = parse_page(html, headers)
    meta = read_page_meta(tree)
    rule = rule_for(url)
    prov: dict[str, str] = {}
    out: dict[str, Any] = dict.fromkeys(RESULT_KEYS)

    def put(name: str, cand: tuple[Any, str] | None) -> None:
        if cand and cand[0] not in (None, "", []):
            out[name], prov[name] = cand[0], cand[1]

    # Site name first: it is needed to clean titles and to drop organisation "authors".
    site_cands = fields.site_name_candidates(meta)
    put("site_name", _first(site_cands))
    org_names = [str(v) for v, _ in site_cands]

    h1s = visible.h1_texts(tree)
    h1 = h1s[0] if h1s else None
    domains = site_domain_names(url)
    title_cands = fields.title_candidates(meta)
    # A title that is only the site's name ("Robomow" as og:title) is no headline.
    title_cands = [
        cand for cand in title_cands if not is_site_name(str(cand[0]), org_names, domains)
    ] or title_cands
    if rule and rule.title:
        title_cands[:0] = [(t, rule.source()) for t in rule.select(tree, "title")[:1]]
    put(
        "title",
        choose_title(
            [(str(v), s) for v, s in title_cands],
            h1s,
            org_names,
            domains,
            lambda: visible.subheading_texts(tree),
        ),
    )

    authors, author_src = _authors(tree, meta, url, org_names, rule)
    if author_src:
        put("authors", (authors, author_src))

    lang_cands = fields.language_candidates(meta, _header(headers, "content-language"))
    # Numeric dates ("03/10/2023") are read day first unless the page's locale writes the month
    # first (US English, or no locale given).
    dayfirst = day_first(str(lang_cands[0][0])) if lang_cands else False
    pub_cands, mod_cands = _date_candidates(tree, meta, rule, now, dayfirst)
    url_date = date_from_url(url, now)
    if url_date:
        dayfirst = _url_reading(pub_cands, url_date[0], now, dayfirst)
        pub_cands.append((url_date[1], "url"))
    elif any(is_ambiguous_numeric(raw) for raw, _ in pub_cands):
        raws = [raw for raw, _ in pub_cands]
        dayfirst = shown_reading(raws, page_dates(tree), now, dayfirst)
    pub = _pick_date(pub_cands, now, dayfirst, tree, mod_cands)
    if pub:
        pub = _headline_published(tree, now, dayfirst, pub, mod_cands) or pub
    pub = _original_published(tree, now, dayfirst, pub) or pub
    if pub:
        out["published"], out["published_raw"], prov["published"] = pub
    mod = _pick_date(mod_cands, now, dayfirst)
    if not mod:
        note = update_note(tree)
        mod = _pick_date([(note, "text")], now, dayfirst) if note else None
    if mod and check_modified(out["published"], mod[0]):
        out["modified"], out["modified_raw"], prov["modified"] = mod

    put("language", _language(lang_cands))
    put("description", _first(fields.description_candidates(meta)))
    section_cands = fields.section_candidates(meta)
    if rule and rule.section:
        section_cands[:0] = [(s, rule.source()) for s in rule.select(tree, "section")[:1]]
    put("section", _first(section_cands))
    tag_cands = fields.tag_candidates(meta)
    if tag_cands:
        put("tags", (_dedupe(tag_cands[0][0]), tag_cands[0][1]))
    put("image", _first(fields.image_candidates(meta, url)))
    put("canonical_url", _first(fields.canonical_candidates(meta, url)))

    titles = [t for t in (out["title"], h1) if t]
    text, text_src = _body(tree, meta, url, rule, titles, out["authors"] or [])
    put("text", (text or None, text_src))
    out["word_count"] = count_words(text)
    out["access"], access_src = detect_access(tree, meta, out["word_count"])
    if access_src:
        prov["access"] = access_src
    has_byline = bool(out["authors"]) or prov.get("published", "url") != "url"
    out["page_type"] = classify_page(tree, meta, url, out["word_count"], has_byline)
    out["is_article"] = out["page_type"] == "article"
    if out["is_article"] and not out["published"]:
        # Only for articles: on fronts, htmldate would report a copyright year or a teaser's date.
        # First a date written just below the headline (a dateline without markup), then
        # htmldate's heuristics over the whole page.
        head = headline_date(tree)
        pub = _pick_date([(head, "text")], now, dayfirst) if head else None
        guessed = None if pub else guess_date(tree, url, now)
        pub = pub or (_pick_date([(guessed, "htmldate")], now) if guessed else None)
        if pub:
            out["published"], out["published_raw"], prov["published"] = pub
            if not check_modified(out["published"], out["modified"]):
                out["modified"] = out["modified_raw"] = None
                prov.pop("modified", None)

    if rule:
        for name, value in rule.fixed.items():
            if name in out:
                out[name], prov[name] = value, rule.source()
    out["authors"] = out["authors"] or []
    out["tags"] = out["tags"] or []
    out["provenance"] = prov
    for name in ("title", "description", "section", "site_name"):
        if isinstance(out[name], str):
            out[name] = clean_space(out[name]) or None
    return out

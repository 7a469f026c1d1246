"""Audit the WCXB ground truth: how far an extractor can get on titles and published days.

Usage: ``python bench/ground_truth.py [--json] [--dump FILE]``

For the published day it looks for the ground-truth day anywhere in each page's HTML: written
out (ISO, numeric day/month/year either way round, English month names), as the UTC day of a
timestamp with an offset, or only as a Unix timestamp (an image's cache-busting version). A
page whose day is in none of these cannot be matched by any reading of the page, so the share
of pages with a day found bounds every extractor's published-day accuracy.

For titles it counts the pages where the ground truth spells quotes differently from every
title source of the page, where it picks the visible <h1> or the metadata title when the two
differ, and where it matches no title source at all. The data is read from the shared folder.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from dateutil import parser as dateparser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import Page, data_dir, load_wcxb, norm_ws  # noqa: E402

from newscrawl.extract import fields, visible  # noqa: E402
from newscrawl.extract.article import parse_page  # noqa: E402
from newscrawl.extract.metadata import read_page_meta  # noqa: E402
from newscrawl.extract.months import FOREIGN_DATE_TEXT, foreign_to_iso  # noqa: E402
from newscrawl.extract.title import clean_title, site_domain_names  # noqa: E402

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"  # English, any length
_DATE_RE = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
            r"(?:Z|[+-]\d{2}:?\d{2})?)?",
            r"\d{4}[/.]\d{1,2}[/.]\d{1,2}",
            r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}",
            rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
            rf"\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}",
            FOREIGN_DATE_TEXT,
        )
    ),
    re.IGNORECASE,
)
_EPOCH_RE = re.compile(r"(?<!\d)(1\d{9})(?:\d{3})?(?!\d)")

#: How a page gives the ground-truth day, from the plainest to the most far-fetched.
TIERS = ("written", "utc", "epoch", "nowhere")


def _days(text: str) -> tuple[set[date], set[date]]:
    """Return (days as written, UTC days of timestamps with an offset) a date string can mean,
    read month first and day first."""
    written: set[date] = set()
    utc: set[date] = set()
    text = foreign_to_iso(text)
    if re.fullmatch(r"\d{1,4}\.\d{1,2}\.\d{1,4}", text):
        text = text.replace(".", "-")  # "2025.12.17", "17.12.2025"
    for dayfirst in (False, True):
        try:
            moment = dateparser.parse(text, dayfirst=dayfirst)
        except (ValueError, OverflowError):
            continue
        written.add(moment.date())
        if moment.tzinfo is not None:
            utc.add(moment.astimezone(timezone.utc).date())
    return written, utc


def day_tier(page_html: str, day: date) -> str:
    """Tell how a page gives `day`: written out, only as the UTC day of a timestamp with an
    offset, only as a Unix timestamp, or nowhere (one of `TIERS`)."""
    text = html.unescape(page_html).replace("\\/", "/")
    written: set[date] = set()
    utc: set[date] = set()
    for match in _DATE_RE.finditer(text):
        more_written, more_utc = _days(match.group(0))
        written |= more_written
        utc |= more_utc
    if day in written:
        return "written"
    if day in utc:
        return "utc"
    for match in _EPOCH_RE.finditer(text):
        if datetime.fromtimestamp(int(match.group(1)), timezone.utc).date() == day:
            return "epoch"
    return "nowhere"


@dataclass
class DateAudit:
    """Published-day ground truth of a set, by how the pages give it."""

    pages: int = 0
    not_a_day: list[str] = field(default_factory=list)
    tiers: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TIERS})

    def ceiling(self, *tiers: str) -> float:
        """Return the best accuracy an extractor reading only these tiers can reach."""
        found = sum(len(self.tiers[t]) for t in tiers)
        return found / self.pages if self.pages else 0.0


def audit_dates(pages: Iterable[Page]) -> DateAudit:
    """Sort the pages with a ground-truth date by how they give it."""
    out = DateAudit()
    for page in pages:
        if not page.date:
            continue
        out.pages += 1
        try:
            day = date.fromisoformat(page.date[:10])
        except ValueError:
            out.not_a_day.append(page.id)  # "2003-11": a month, no day to match
            continue
        text = page.html.decode("utf-8", "replace")
        out.tiers[day_tier(text, day)].append(page.id)
    return out


_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_CURLY = re.compile("[\u2018\u2019\u201c\u201d]")


def _plain(text: str) -> str:
    """Whitespace collapsed and quotes straightened: a title compared blind to quote style."""
    return norm_ws(text).translate(_STRAIGHT)


def _has_quote(text: str) -> bool:
    """Tell whether a title has a quote or apostrophe, of either style."""
    return bool(_CURLY.search(text)) or "'" in text or '"' in text


def _curly_only(text: str) -> bool:
    """Tell whether a title writes all its quotes curly (and has some)."""
    return bool(_CURLY.search(text)) and "'" not in text and '"' not in text


def _words(text: str) -> str:
    """Lower-case words only: two titles that say the same thing."""
    return " ".join(re.findall(r"\w+", text.casefold()))


@dataclass
class TitleSources:
    """A page's title sources: visible <h1>s and metadata titles, raw and cleaned of the site's
    name."""

    h1: str | None
    metadata: list[str]

    def all(self) -> Iterator[str]:
        """Every source text, h1 first."""
        if self.h1:
            yield self.h1
        yield from self.metadata


def title_sources(page: Page) -> TitleSources:
    """Read a page's title sources with newscrawl's own readers."""
    tree = parse_page(page.html)
    meta = read_page_meta(tree)
    names = [str(value) for value, _ in fields.site_name_candidates(meta)]
    domains = site_domain_names(page.url)
    h1s = [norm_ws(h) for h in visible.h1_texts(tree) if norm_ws(h)]
    metadata: list[str] = []
    for value, _ in fields.title_candidates(meta):
        raw = norm_ws(str(value))
        for text in (raw, norm_ws(clean_title(raw, names, None, domains))):
            if text and text not in metadata:
                metadata.append(text)
    return TitleSources(h1s[0] if h1s else None, metadata)


@dataclass
class TitleAudit:
    """Title ground truth of a set, against the title sources of its pages."""

    pages: int = 0
    #: Pages whose sources with the GT's words all write quotes curly, by the GT's style.
    quotes: dict[str, list[str]] = field(default_factory=lambda: {"straight": [], "curly": []})
    #: Ground truth equal to no source, even blind to quote style.
    in_no_source: list[str] = field(default_factory=list)
    #: Pages whose h1 and metadata title say different words, by which one the GT takes.
    h1_or_metadata: dict[str, list[str]] = field(
        default_factory=lambda: {"h1": [], "metadata": [], "neither": []}
    )


def audit_titles(pages: Iterable[Page]) -> TitleAudit:
    """Compare each page's ground-truth title with its title sources."""
    out = TitleAudit()
    for page in pages:
        if not page.title:
            continue
        out.pages += 1
        truth = norm_ws(page.title)
        src = title_sources(page)
        texts = list(src.all())
        same_words = [t for t in texts if _plain(t) == _plain(truth)]
        if not same_words:
            out.in_no_source.append(page.id)
        elif _has_quote(truth) and all(_curly_only(t) for t in same_words):
            # Every source with these words writes its quotes curly.
            out.quotes["curly" if truth in same_words else "straight"].append(page.id)
        if src.h1 and src.metadata:
            meta = src.metadata[-1] if len(src.metadata) == 1 else _agreed(src.metadata)
            if meta and _words(meta) != _words(src.h1):
                if _plain(truth) == _plain(src.h1):
                    out.h1_or_metadata["h1"].append(page.id)
                elif _plain(truth) in {_plain(m) for m in src.metadata}:
                    out.h1_or_metadata["metadata"].append(page.id)
                else:
                    out.h1_or_metadata["neither"].append(page.id)
    return out


def _agreed(metadata: list[str]) -> str | None:
    """Return the metadata title most sources give (cleaned forms count with their raw ones)."""
    counts = Counter(_words(m) for m in metadata)
    best, _ = counts.most_common(1)[0]
    return next(m for m in metadata if _words(m) == best)


def report(dates: DateAudit, titles: TitleAudit, goal_day: float, goal_title: float) -> str:
    """Return the audit as Markdown."""
    found = dates.pages - len(dates.not_a_day) - len(dates.tiers["nowhere"])
    need = math.ceil(goal_day * dates.pages)
    lines = [
        "### Published day",
        "",
        f"{dates.pages} pages have a ground-truth date; the goal {goal_day} needs {need} right.",
        "",
        "| the page gives the ground-truth day | pages | best accuracy reading up to here |",
        "|---|---:|---:|",
    ]
    for i, tier in enumerate(TIERS[:-1]):
        lines.append(
            f"| {tier} | {len(dates.tiers[tier])} | {dates.ceiling(*TIERS[: i + 1]):.3f} |"
        )
    lines += [
        f"| nowhere in the page | {len(dates.tiers['nowhere'])} | - |",
        f"| not a day (a month only) | {len(dates.not_a_day)} | - |",
        "",
        f"Pages whose day is in the page at all: {found}; an extractor may miss at most "
        f"{max(found - need, 0)} of them to reach {goal_day}.",
        f"Nowhere: {', '.join(dates.tiers['nowhere'])}.",
        f"Only as a Unix timestamp: {', '.join(dates.tiers['epoch']) or 'none'}.",
        "",
        "### Title",
        "",
        f"{titles.pages} pages have a ground-truth title; the goal {goal_title} needs "
        f"{math.ceil(goal_title * titles.pages)} right.",
        "",
        f"- matching no title source of the page, even blind to quote style: "
        f"{len(titles.in_no_source)}",
        f"- every source with the ground truth's words writes its quotes curly: the ground "
        f"truth straightens them on {len(titles.quotes['straight'])}, keeps them on "
        f"{len(titles.quotes['curly'])}",
    ]
    split = titles.h1_or_metadata
    lines.append(
        f"- h1 and metadata title in different words: GT takes the h1 on {len(split['h1'])}, "
        f"the metadata title on {len(split['metadata'])}, neither on {len(split['neither'])}"
    )
    return "\n".join(lines)


def dump_report(dump: dict[str, dict[str, object]], dates: DateAudit, titles: TitleAudit) -> str:
    """Return how an extractor's misses (a `bench/extraction.py --dump` file) fall into the
    audit's groups, and how often the ground truth takes the published day over the modified
    one where the extractor found both."""
    tier_of = {pid: tier for tier, ids in dates.tiers.items() for pid in ids}
    tier_of.update(dict.fromkeys(dates.not_a_day, "not a day"))
    date_misses: Counter[str] = Counter()
    published = modified = 0
    for pid, row in dump.items():
        truth = str(row.get("gt_date") or "")[:10]
        if not truth:
            continue
        day = str(row.get("date") or "")[:10]
        if day != truth:
            date_misses[tier_of.get(pid, "?")] += 1
        others = [str(o)[:10] for o in row.get("other_dates") or [] if o]  # type: ignore[attr-defined]
        if day and others and others[0] != day:
            published += truth == day
            modified += truth == others[0]
    title_group = dict.fromkeys(titles.in_no_source, "in no source")
    title_group.update(dict.fromkeys(titles.quotes["straight"], "quotes straightened"))
    title_misses: Counter[str] = Counter(
        title_group.get(pid, "another source or cleaning")
        for pid, row in dump.items()
        if row.get("gt_title")
        and norm_ws(str(row.get("title") or "")) != norm_ws(str(row["gt_title"]))
    )
    return "\n".join(
        [
            "### The extractor's misses (from the dump)",
            "",
            "- published day: "
            + ", ".join(f"{group} {n}" for group, n in date_misses.most_common()),
            f"- where it found a published and a different modified day, the ground truth "
            f"takes the published one on {published} pages, the modified one on {modified}",
            "- title: " + ", ".join(f"{group} {n}" for group, n in title_misses.most_common()),
        ]
    )


def main() -> None:
    """Parse arguments, audit the WCXB set and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the page ids of each group")
    ap.add_argument(
        "--dump", help="a `bench/extraction.py --dump` file: sort that extractor's misses too"
    )
    ap.add_argument("--goal-day", type=float, default=0.95)
    ap.add_argument("--goal-title", type=float, default=0.90)
    args = ap.parse_args()
    pages = list(load_wcxb(data_dir()))
    dates, titles = audit_dates(pages), audit_titles(pages)
    if args.json:
        print(
            json.dumps(
                {
                    "dates": {"pages": dates.pages, "not_a_day": dates.not_a_day, **dates.tiers},
                    "titles": {
                        "pages": titles.pages,
                        "in_no_source": titles.in_no_source,
                        "quotes": titles.quotes,
                        "h1_or_metadata": titles.h1_or_metadata,
                    },
                },
                indent=1,
            )
        )
        return
    print(report(dates, titles, args.goal_day, args.goal_title))
    if args.dump:
        print()
        print(dump_report(json.loads(Path(args.dump).read_text()), dates, titles))


if __name__ == "__main__":
    main()

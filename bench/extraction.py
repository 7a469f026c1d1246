"""Benchmark article extraction against the development sets in shared/extraction.

Usage: ``python bench/extraction.py [--set zyte|wcxb|all] [--half even|odd] [--limit N]
[--only NAME] [--dump FILE]``

Scores body text with the 4-token shingle F1 of the Zyte article-extraction benchmark (mean
precision and mean recall over pages, F1 of the two means), and on WCXB also title (exact after
whitespace normalisation), authors (case-insensitive set of names) and published day. The same
figures are measured for plain ``trafilatura`` and, when importable, readability-lxml, newspaper4k
and news-please. The data is read from the shared folder at run time and never copied.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA_CANDIDATES = [
    os.environ.get("NEWSCRAWL_EXTRACTION_DATA", ""),
    str(ROOT.parent / "shared" / "extraction"),
    "/work/shared/extraction",
]

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


@dataclass
class Page:
    """One benchmark page with whatever ground truth its set provides."""

    id: str
    url: str
    html: bytes
    body: str
    title: str | None = None
    author: str | None = None
    date: str | None = None


@dataclass
class Result:
    """What one extractor returned for one page."""

    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    other_dates: list[str] = field(default_factory=list)


def data_dir() -> Path:
    """Return the folder holding the development sets."""
    for cand in DATA_CANDIDATES:
        if cand and Path(cand, "README.md").exists():
            return Path(cand)
    sys.exit("extraction data not found; set NEWSCRAWL_EXTRACTION_DATA")


def load_zyte(base: Path) -> Iterator[Page]:
    """Yield the Zyte benchmark pages."""
    truth = json.loads((base / "zyte" / "ground-truth.json").read_text())
    for pid in sorted(truth):
        path = base / "zyte" / "html" / f"{pid}.html.gz"
        if path.exists():
            entry = truth[pid]
            yield Page(
                pid,
                entry.get("url", ""),
                gzip.decompress(path.read_bytes()),
                entry.get("articleBody") or "",
            )


def load_wcxb(base: Path) -> Iterator[Page]:
    """Yield the WCXB article pages."""
    folder = base / "wcxb-dev-articles"
    for path in sorted((folder / "ground-truth").glob("*.json")):
        doc = json.loads(path.read_text())
        gt = doc["ground_truth"]
        html_path = folder / "html" / f"{path.stem}.html.gz"
        yield Page(
            path.stem,
            doc.get("url", ""),
            gzip.decompress(html_path.read_bytes()),
            gt.get("main_content") or "",
            gt.get("title"),
            gt.get("author"),
            gt.get("publish_date"),
        )


# --- metrics (as in scrapinghub/article-extraction-benchmark) ---------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Return the multiset of n-token shingles of a text."""
    toks = _TOKEN_RE.findall(text or "")
    return Counter(tuple(toks[i : i + n]) for i in range(max(len(toks) - n + 1, 0)))


def shingle_counts(truth: str, pred: str) -> tuple[int, int, int]:
    """Return true positives, false positives and false negatives over shingles."""
    t, p = shingles(truth), shingles(pred)
    return sum((t & p).values()), sum((p - t).values()), sum((t - p).values())


def body_scores(counts: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    """Return mean precision, mean recall and the F1 of those means."""

    def prec(tp: int, fp: int, fn: int) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fp == 0 else tp / (tp + fp)

    def rec(tp: int, fp: int, fn: int) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [prec(*c) for c in counts if c[0] + c[1] > 0]
    rs = [rec(*c) for c in counts if c[0] + c[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def norm_ws(text: str | None) -> str:
    """Collapse whitespace."""
    return " ".join((text or "").split())


_CREDENTIAL = re.compile(
    r"^(?:[A-Z]{2,5}(?:-[A-Z0-9]+)?|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|E-RYT \d+)$"
)


def author_set(value: str | list[str] | None) -> frozenset[str]:
    """Normalise author names to a case-insensitive set (credentials like 'MS, RD' dropped)."""
    items = value if isinstance(value, list) else [value or ""]
    names: set[str] = set()
    for item in items:
        for part in re.split(r",|;|\s+and\s+|\s*&\s*|\s*\|\s*", item or ""):
            part = norm_ws(part)
            if part and not _CREDENTIAL.match(part):
                names.add(part.casefold())
    return frozenset(names)


def local_day(utc: str | None, raw: str | None) -> str | None:
    """Return the calendar day as the page states it: the day of an ISO raw value with its own
    offset (what a reader sees), else the day of the UTC value."""
    if raw and re.match(r"\s*\d{4}-\d{2}-\d{2}", raw):
        return raw.strip()[:10]
    return utc[:10] if utc else None


# --- extractors --------------------------------------------------------------------------------


def run_newscrawl() -> Callable[[Page], Result]:
    """Return the newscrawl extractor."""
    from newscrawl.extract import extract_article

    def run(page: Page) -> Result:
        art = extract_article(page.html, page.url)
        return Result(
            art["text"] or "",
            art["title"],
            art["authors"],
            local_day(art["published"], art["published_raw"]),
            [local_day(art["modified"], art["modified_raw"]) or ""],
        )

    return run


def run_trafilatura() -> Callable[[Page], Result]:
    """Return plain trafilatura (defaults, with metadata)."""
    import trafilatura

    def run(page: Page) -> Result:
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True, as_dict=True)
        if not doc:
            return Result()
        assert isinstance(doc, dict)
        author = doc.get("author")
        authors = [a.strip() for a in author.split(";")] if author else []
        return Result(doc.get("text") or "", doc.get("title"), authors, doc.get("date"))

    return run


def run_readability() -> Callable[[Page], Result]:
    """Return readability-lxml (body and title only)."""
    import lxml.html
    from readability import Document  # type: ignore[import-not-found,unused-ignore]

    def run(page: Page) -> Result:
        doc = Document(page.html)
        text = lxml.html.fromstring(doc.summary()).text_content()
        return Result(text, doc.short_title())

    return run


def run_newspaper() -> Callable[[Page], Result]:
    """Return newspaper4k."""
    import newspaper  # type: ignore[import-not-found,unused-ignore]

    def run(page: Page) -> Result:
        # No image downloads: the benchmark is offline, like newscrawl's extraction.
        art = newspaper.Article(page.url or "http://example.com/", fetch_images=False)
        art.download(input_html=page.html.decode("utf-8", "replace"))
        art.parse()
        date = art.publish_date.isoformat() if art.publish_date else None
        return Result(art.text, art.title, list(art.authors), date)

    return run


def run_newsplease() -> Callable[[Page], Result]:
    """Return news-please."""
    from newsplease import NewsPlease  # type: ignore[import-not-found,unused-ignore]

    def run(page: Page) -> Result:
        art = NewsPlease.from_html(
            page.html.decode("utf-8", "replace"), url=page.url, fetch_images=False
        )
        date = art.date_publish.isoformat() if art.date_publish else None
        return Result(art.maintext or "", art.title, list(art.authors or []), date)

    return run


EXTRACTORS: dict[str, Callable[[], Callable[[Page], Result]]] = {
    "newscrawl": run_newscrawl,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
    "newspaper4k": run_newspaper,
    "news-please": run_newsplease,
}


#: Extractors that do not return authors or dates (their columns read "n/a").
NO_META = {"readability"}


@dataclass
class Score:
    """Aggregated figures of one extractor on one set."""

    name: str
    pages: int = 0
    seconds: float = 0.0
    counts: list[tuple[int, int, int]] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    author: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    any_date: list[bool] = field(default_factory=list)
    errors: int = 0


def score_page(
    score: Score,
    run: Callable[[Page], Result],
    page: Page,
    with_meta: bool,
    dump: dict[str, Any] | None,
) -> None:
    """Run one extractor on one page (timed) and add the page's figures to its score."""
    start = time.perf_counter()
    try:
        res = run(page)
    except Exception as exc:  # noqa: BLE001 - a crash counts as an empty result
        print(f"  {score.name} {page.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
        score.errors += 1
        res = Result()
    score.seconds += time.perf_counter() - start
    score.pages += 1
    counts = shingle_counts(page.body, res.text)
    score.counts.append(counts)
    if with_meta:
        score.title.append(norm_ws(res.title) == norm_ws(page.title))
        if page.author:
            score.author.append(author_set(res.authors) == author_set(page.author))
        if page.date:
            score.date.append((res.date or "")[:10] == page.date[:10])
            days = {(d or "")[:10] for d in [res.date, *res.other_dates]}
            score.any_date.append(page.date[:10] in days)
    if dump is not None:
        p, r, f = body_scores([counts])
        dump[f"{page.id}"] = {
            "url": page.url,
            "f1": round(f, 3),
            "p": round(p, 3),
            "r": round(r, 3),
            "title": res.title,
            "gt_title": page.title,
            "authors": res.authors,
            "gt_author": page.author,
            "date": res.date,
            "other_dates": res.other_dates,
            "gt_date": page.date,
        }


def evaluate(
    name: str,
    run: Callable[[Page], Result],
    pages: list[Page],
    with_meta: bool,
    dump: dict[str, Any] | None,
) -> Score:
    """Run one extractor over the pages and score it."""
    score = Score(name)
    for page in pages:
        score_page(score, run, page, with_meta, dump)
    return score


def evaluate_interleaved(
    runners: list[tuple[str, Callable[[Page], Result]]],
    pages: list[Page],
    with_meta: bool,
    dump: dict[str, Any] | None,
) -> list[Score]:
    """Run every extractor on each page in turn and score them.

    Each extractor first runs once, untimed, on the first page (imports, caches and compiled
    patterns are set up on first use; the extractor run first would otherwise pay for modules
    the others share). Taking the pages in turn spreads the load of a shared machine evenly
    over the extractors, so their pages/s can be compared within one run.
    """
    scores = [Score(name) for name, _ in runners]
    if pages:
        for _, run in runners:
            with contextlib.suppress(Exception):  # the timed run reports any error
                run(pages[0])
    for page in pages:
        for score, (name, run) in zip(scores, runners, strict=True):
            score_page(score, run, page, with_meta, dump if name == "newscrawl" else None)
    return scores


def fmt(values: list[bool]) -> str:
    """Format an accuracy ("-" where the set or the extractor has no such field)."""
    return f"{sum(values) / len(values):.3f}" if values else "  -  "


def main() -> None:
    """Parse arguments, run the extractors and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=["zyte", "wcxb", "all"], default="all")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", action="append", help="run only these extractors")
    ap.add_argument("--dump", help="write per-page results of newscrawl as JSON to this file")
    ap.add_argument(
        "--half",
        choices=["even", "odd"],
        help="only the pages at even (0, 2, ...) or odd positions of each set, in id order "
        "(develop rules on one half, check them on the other)",
    )
    args = ap.parse_args()
    base = data_dir()
    sets = ["zyte", "wcxb"] if args.set == "all" else [args.set]
    runners: list[tuple[str, Callable[[Page], Result]]] = []
    for name, factory in EXTRACTORS.items():
        if args.only and name not in args.only:
            continue
        try:
            runners.append((name, factory()))
        except ImportError as exc:
            print(f"(skipping {name}: {exc})", file=sys.stderr)
    dump: dict[str, Any] = {}
    header = (
        f"{'set':6} {'extractor':12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'title':>6} {'author':>6} {'date':>6} {'date*':>6} {'pages/s':>8} {'errors':>6}"
    )
    lines = [header, "-" * len(header)]
    ratios: list[str] = []
    for set_name in sets:
        loader = load_zyte if set_name == "zyte" else load_wcxb
        pages = list(loader(base))
        if args.half:
            pages = pages[args.half == "odd" :: 2]
        if args.limit:
            pages = pages[: args.limit]
        scores = evaluate_interleaved(
            runners, pages, set_name == "wcxb", dump if args.dump else None
        )
        for (name, _), sc in zip(runners, scores, strict=True):
            p, r, f = body_scores(sc.counts)
            if name in NO_META:
                sc.author = sc.date = sc.any_date = []
            lines.append(
                f"{set_name:6} {name:12} {sc.pages:5d} {p:6.3f} {r:6.3f} {f:6.3f} "
                f"{fmt(sc.title):>6} {fmt(sc.author):>6} {fmt(sc.date):>6} {fmt(sc.any_date):>6} "
                f"{sc.pages / sc.seconds if sc.seconds else 0:8.1f} {sc.errors:6d}"
            )
            print(lines[-1], file=sys.stderr)
        rates = {sc.name: sc.pages / sc.seconds for sc in scores if sc.seconds}
        if "newscrawl" in rates and "trafilatura" in rates:
            ratios.append(f"{set_name} {rates['newscrawl'] / rates['trafilatura']:.2f}")
    if ratios:
        lines.append("newscrawl pages/s / trafilatura pages/s: " + ", ".join(ratios))
    lines.append(
        "date = published day; date* = published or modified day (WCXB's date is the one "
        "shown on the page, often the update date)"
    )
    if args.dump:
        Path(args.dump).write_text(json.dumps(dump, indent=1, ensure_ascii=False))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

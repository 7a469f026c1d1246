"""A synthetic news corpus for the benchmarks: articles as rows, as HTML pages, feeds and sitemaps.

Usage: ``python bench/corpus.py OUTDIR --pages N [--page-kb 30] [--seed 1] [--subsets 1000,5000]``

Every article is a pure function of (seed, index): `article(i)` gives its fields (URL, title,
authors, dates, source, language, section, tags, description, body text), `render_page` its HTML
page in one of four template styles (JSON-LD, OpenGraph, microdata, plain markup) padded with
realistic boilerplate to about ``page_kb`` KB. Words follow a Zipf law over a fixed vocabulary of
English function words and made-up words, so a search index built from the corpus has terms
from "in every article" to "in a handful". `generate` writes a static site: ``robots.txt``, a home
page, an RSS feed, ``sitemap.xml`` (an index of 1,000-URL sitemaps), one sitemap index per subset
size (``sitemaps/index-N.xml``, the first N articles), ``urls.txt`` and the article pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from html import escape
from itertools import accumulate
from pathlib import Path
from typing import Any

#: Template styles, one per publisher (source).
STYLES = ("jsonld", "opengraph", "microdata", "plain")
PUBLISHERS = {
    "harbor": ("The Harbor Gazette", "jsonld"),
    "valley": ("Valley Courier", "opengraph"),
    "lakeside": ("Lakeside Record", "microdata"),
    "northern": ("Northern Ledger", "plain"),
}
SECTIONS = ("world", "politics", "business", "science", "sport", "culture", "local", "opinion")
LANGUAGES = (("en", 0.8), ("fr", 0.1), ("de", 0.1))
#: URLs per sitemap file.
SITEMAP_CHUNK = 1000
#: The newest article's publication time; older ones go back about 15 minutes each.
EPOCH = datetime(2025, 9, 30, 12, 0, tzinfo=timezone.utc)

_FUNCTION_TEXT = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no will "
    "said more out about up its can who them than other into some could time these two may then "
    "do first any my now such like our over man me even most made after also did many before "
    "must through back years where much your way well down should because each just those people "
    "how too little state good very make world still own see men work long get here between both "
    "life being under never day same another know while last might us great old year off come "
    "since against go came right used take three"
)
_FUNCTION_WORDS = _FUNCTION_TEXT.split()
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "dr", "gr", "pl", "st", "th", "tr", "sh")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io")
_CODAS = ("", "n", "r", "s", "t", "l", "m", "nd", "rt", "st", "ck", "ng")
_FIRST = ("Maria", "Daniel", "Priya", "Tom", "Claire", "Jonas", "Aiko", "Omar", "Lena", "Ruth")
_LAST = ("Okafor", "Reyes", "Natarajan", "Baker", "Dubois", "Berg", "Tanaka", "Haddad", "Novak")


@lru_cache(maxsize=1)
def vocabulary(size: int = 30_000) -> tuple[list[str], list[float]]:
    """The corpus vocabulary (function words first, then made-up words) and cumulative weights."""
    rng = random.Random(12345)
    words = list(_FUNCTION_WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 2, 2, 2, 3)))
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 2) ** 1.05 for rank in range(len(words))]
    return words, list(accumulate(weights))


def _words(rng: random.Random, count: int) -> list[str]:
    words, cumulative = vocabulary()
    return rng.choices(words, cum_weights=cumulative, k=count)


def _sentences(rng: random.Random, count: int) -> str:
    out = []
    left = count
    while left > 0:
        n = min(left, rng.randint(8, 22))
        words = _words(rng, n)
        out.append(" ".join([words[0].capitalize(), *words[1:]]) + ".")
        left -= n
    return " ".join(out)


def article(i: int, seed: int = 1, words: int = 600) -> dict[str, Any]:
    """The fields of article `i` (an archive row; ``text`` paragraphs separated by blank lines)."""
    rng = random.Random(seed * 1_000_003 + i)
    key = list(PUBLISHERS)[i % len(PUBLISHERS)]
    name, style = PUBLISHERS[key]
    section = SECTIONS[rng.randrange(len(SECTIONS))]
    published = EPOCH - timedelta(minutes=15 * i + rng.randint(0, 14))
    title_words = _words(rng, rng.randint(6, 11))
    title = " ".join([title_words[0].capitalize(), *title_words[1:]]) + f" {i}"
    slug = "-".join(title_words[:6])
    day = published.strftime("%Y/%m/%d")
    lang = rng.choices([c for c, _ in LANGUAGES], weights=[w for _, w in LANGUAGES])[0]
    paragraphs = []
    left = max(40, int(words * rng.uniform(0.7, 1.3)))
    while left > 0:
        n = min(left, rng.randint(40, 90))
        paragraphs.append(_sentences(rng, n))
        left -= n
    authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.choice((1, 1, 1, 2)))]
    return {
        "url": f"http://{key}.example/{section}/{day}/{slug}-{i}",
        "path": f"/{key}/{section}/{day}/{slug}-{i}",
        "title": title,
        "authors": authors,
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": lang,
        "source": key,
        "site_name": name,
        "style": style,
        "section": section.capitalize(),
        "tags": sorted({w.capitalize() for w in _words(rng, 3)}),
        "description": _sentences(rng, 24),
        "text": "\n\n".join(paragraphs),
    }


def row(i: int, seed: int = 1, words: int = 600) -> dict[str, Any]:
    """Article `i` as an archive row (without the page-only keys ``path`` and ``style``)."""
    fields = article(i, seed, words)
    fields.pop("path")
    fields.pop("style")
    return fields


def rows(count: int, seed: int = 1, words: int = 600, start: int = 0) -> Iterator[dict[str, Any]]:
    """Archive rows of articles ``start .. start+count-1``."""
    for i in range(start, start + count):
        yield row(i, seed, words)


_CSS = (
    "body{margin:0;font:16px/1.5 Georgia,serif;color:#222}.nav a{margin:0 .5em;color:#036}"
    ".story h1{font-size:2.2em}.byline{color:#666}.related li{margin:.3em 0}"
    "footer{background:#f4f4f4;padding:2em}.ad{min-height:250px;background:#eee}"
)


def _boilerplate(rng: random.Random, target: int) -> str:
    """Filler a real page carries: an analytics config script, up to `target` characters."""
    chunks = []
    size = 0
    while size < target:
        entry = json.dumps(
            {
                "slot": f"div-gpt-ad-{rng.randrange(10**9)}",
                "sizes": [[300, 250], [728, 90]],
                "targeting": {"kw": _words(rng, 6), "pos": rng.choice(("top", "mid", "btm"))},
            }
        )
        chunks.append(entry)
        size += len(entry) + 1
    return "window.__ads=[" + ",".join(chunks) + "];"


def render_page(fields: dict[str, Any], base: str, page_kb: int = 30, seed: int = 1) -> str:
    """The HTML page of one article in its publisher's style, about `page_kb` KB long."""
    rng = random.Random(zlib.crc32(fields["url"].encode()) + seed)
    style = fields["style"]
    url = base + fields["path"]
    title = escape(fields["title"])
    description = escape(fields["description"])
    published = fields["published"]
    authors = fields["authors"]
    source = fields["source"]
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{fields["language"]}"><head><meta charset="utf-8">',
        f"<title>{title} | {escape(fields['site_name'])}</title>",
        f'<link rel="canonical" href="{url}">',
        f'<meta name="description" content="{description}">',
        f"<style>{_CSS}</style>",
    ]
    if style == "jsonld":
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": fields["title"],
            "datePublished": published,
            "author": [{"@type": "Person", "name": a} for a in authors],
            "publisher": {"@type": "Organization", "name": fields["site_name"]},
            "articleSection": fields["section"],
            "keywords": fields["tags"],
            "description": fields["description"],
            "mainEntityOfPage": url,
        }
        head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
    if style == "opengraph":
        head += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{title}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:site_name" content="{escape(fields["site_name"])}">',
            f'<meta property="article:published_time" content="{published}">',
            f'<meta property="article:section" content="{fields["section"]}">',
            *(f'<meta property="article:tag" content="{t}">' for t in fields["tags"]),
            *(f'<meta name="author" content="{escape(a)}">' for a in authors),
        ]
    head.append("</head>")
    nav = " ".join(f'<a href="{base}/{source}/{s}/">{s.capitalize()}</a>' for s in SECTIONS)
    byline = ", ".join(
        f'<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        f'<span itemprop="name">{escape(a)}</span></span>'
        if style == "microdata"
        else f'<a rel="author" href="{base}/{source}/">{escape(a)}</a>'
        for a in authors
    )
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in fields["text"].split("\n\n"))
    scope = ' itemscope itemtype="https://schema.org/NewsArticle"' if style == "microdata" else ""
    prop = ' itemprop="headline"' if style == "microdata" else ""
    body_prop = ' itemprop="articleBody"' if style == "microdata" else ""
    date_prop = ' itemprop="datePublished"' if style == "microdata" else ""
    related = "".join(f"<li>{escape(' '.join(_words(rng, 7)).capitalize())}</li>" for _ in range(6))
    footer_links = " ".join(
        f'<a href="{base}/{source}/">{escape(w.capitalize())}</a>' for w in _words(rng, 40)
    )
    body = [
        "<body>",
        f'<header class="nav"><a href="{base}/">{escape(fields["site_name"])}</a> {nav}</header>',
        f'<main><article class="story"{scope}>',
        f"<h1{prop}>{title}</h1>",
        f'<p class="byline">By {byline} · <time datetime="{published}"{date_prop}>'
        f"{published[:10]}</time></p>",
        f'<p class="standfirst">{description}</p>',
        f'<div class="story-body"{body_prop}>{paragraphs}</div>',
        "</article>",
        f'<aside class="related"><h2>Most read</h2><ul>{related}</ul></aside>',
        '<div class="ad" id="ad-mid"></div></main>',
        f"<footer>{footer_links}<p>© 2025 {escape(fields['site_name'])}</p></footer>",
    ]
    page = "\n".join(head + body)
    filler = max(0, page_kb * 1024 - len(page.encode("utf-8")) - 40)
    script = f"<script>{_boilerplate(rng, filler)}</script>" if filler > 200 else ""
    return page + "\n" + script + "\n</body></html>\n"


def _urlset(urls: Iterable[tuple[str, str]]) -> str:
    entries = "".join(f"<url><loc>{u}</loc><lastmod>{m}</lastmod></url>\n" for u, m in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n"
    )


def _sitemap_index(urls: Iterable[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + entries
        + "</sitemapindex>\n"
    )


def _listing(hub: str, listed: list[dict[str, Any]], base: str) -> str:
    teasers = "".join(
        f'<article><h2><a href="{base}{f["path"]}">{escape(f["title"])}</a></h2>'
        f"<p>{escape(f['description'])}</p></article>"
        for f in listed
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<title>{hub.strip("/")}</title><meta property="og:type" content="website"></head>'
        f"<body><h1>{escape(hub.strip('/'))}</h1>{teasers}</body></html>\n"
    )


def _write(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def generate(
    root: str | os.PathLike[str],
    pages: int,
    *,
    base: str = "http://127.0.0.1:0",
    seed: int = 1,
    page_kb: int = 30,
    words: int = 600,
    subsets: Iterable[int] = (),
) -> dict[str, Any]:
    """Write the static site of `pages` articles under `root`; returns a description of it.

    Links in pages, feeds and sitemaps are relative to ``{BASE}``, a placeholder the static
    server replaces with its own origin when it serves a file (so the site can move ports).
    """
    out = Path(root)
    out.mkdir(parents=True, exist_ok=True)
    base = "{BASE}"
    entries: list[tuple[str, str]] = []
    latest: list[dict[str, Any]] = []
    hubs: dict[str, list[dict[str, Any]]] = {}
    for i in range(pages):
        fields = article(i, seed, words)
        _write(out, fields["path"], render_page(fields, base, page_kb, seed))
        entries.append((base + fields["path"], fields["published"]))
        if i < 50:
            latest.append(fields)
        for hub in (f"/{fields['source']}/", f"/{fields['source']}/{fields['section'].lower()}/"):
            listed = hubs.setdefault(hub, [])
            if len(listed) < 30:
                listed.append(fields)
    for key in PUBLISHERS:
        for hub in (f"/{key}/", *(f"/{key}/{s}/" for s in SECTIONS)):
            _write(out, hub + "index.html", _listing(hub, hubs.get(hub, []), base))
    chunks = [entries[k : k + SITEMAP_CHUNK] for k in range(0, len(entries), SITEMAP_CHUNK)]
    names = []
    for number, chunk in enumerate(chunks):
        name = f"/sitemaps/articles-{number:04d}.xml"
        _write(out, name, _urlset(chunk))
        names.append(name)
    _write(out, "/sitemap.xml", _sitemap_index(base + n for n in names))
    for size in {pages, *subsets}:
        wanted = -(-min(size, pages) // SITEMAP_CHUNK)
        _write(out, f"/sitemaps/index-{size}.xml", _sitemap_index(base + n for n in names[:wanted]))
    _write(out, "/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
    items = "".join(
        f"<item><title>{escape(f['title'])}</title><link>{base}{f['path']}</link>"
        f"<pubDate>{f['published']}</pubDate></item>\n"
        for f in latest
    )
    _write(
        out,
        "/feed.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench news</title><link>{base}/</link>\n{items}</channel></rss>\n",
    )
    teasers = "".join(
        f'<li><a href="{base}{f["path"]}">{escape(f["title"])}</a></li>' for f in latest
    )
    _write(
        out,
        "/index.html",
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Bench news</title>'
        f'<link rel="alternate" type="application/rss+xml" href="{base}/feed.xml"></head>'
        f"<body><h1>Bench news</h1><ul>{teasers}</ul></body></html>\n",
    )
    (out / "urls.txt").write_text(
        "".join(u.replace(base, "{BASE}") + "\n" for u, _ in entries), encoding="utf-8"
    )
    info = {"pages": pages, "seed": seed, "page_kb": page_kb, "words": words}
    (out / "corpus.json").write_text(json.dumps(info), encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--page-kb", type=int, default=30)
    parser.add_argument("--words", type=int, default=600, help="Body words per article (mean).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--subsets", default="", help="Comma-separated sizes of sitemap subsets.")
    args = parser.parse_args(argv)
    subsets = [int(s) for s in args.subsets.split(",") if s.strip()]
    started = time.perf_counter()
    generate(
        args.outdir,
        args.pages,
        seed=args.seed,
        page_kb=args.page_kb,
        words=args.words,
        subsets=subsets,
    )
    took = time.perf_counter() - started
    print(f"wrote {args.pages} pages to {args.outdir} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

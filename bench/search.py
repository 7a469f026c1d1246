"""Search latency on large archives (100k and 1M articles) generated straight into SQLite.

Usage: ``python bench/search.py [--sizes 100000,1000000] [--workdir /tmp] [--runs 20]
[--caps 10000,50000] [--write-results]``

Each archive is generated once with the bulk path (`newscrawl.archive.bulk.bulk_load`, rows from
`bench/corpus.py` made in a second process) under ``WORKDIR/newscrawl-bench/search-N.db`` and
reused by later runs. Query terms are picked from the index itself (``fts5vocab``) by document
frequency, so "rare", "medium" and "common" mean the same thing at every size:

- rare: in 5-100 articles (or the least frequent words, at 1M); medium: in 0.5-2 % of them;
  common: in more than 30 %;
- phrase: two adjacent words taken from a random article; common phrase: "of the", "in the"...;
- two words (both medium), filters (source + since, language), newest first, and the same
  for common words (the bounded path).

Every query goes through `newscrawl.archive.search` (20 hits with snippets, as the CLI asks).
p50/p95/max are over ``--runs`` different terms, each run once, with the archive file read once
beforehand so it is in the page cache. ``--caps`` also times the common classes with other caps
(``max_ranked``; 0 = unbounded) to show the trade-off that picked `MAX_RANKED`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402
from speed import machine, write_section  # noqa: E402

from newscrawl.archive import Archive, Filters  # noqa: E402
from newscrawl.archive import search as search_fn  # noqa: E402
from newscrawl.archive.bulk import BulkResult, bulk_load  # noqa: E402
from newscrawl.archive.search import MAX_RANKED  # noqa: E402

CHUNK = 2000


def _make_rows(args: tuple[int, int, int]) -> list[dict[str, Any]]:
    start, count, words = args
    return list(corpus.rows(count, words=words, start=start))


def _rows_in_background(total: int, words: int) -> Iterator[dict[str, Any]]:
    """Corpus rows made by a helper process while this one writes them."""
    jobs = [(k, min(CHUNK, total - k), words) for k in range(0, total, CHUNK)]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        for chunk in pool.imap(_make_rows, jobs):
            yield from chunk


def build(path: Path, size: int, words: int) -> None:
    """Generate an archive of `size` articles at `path` with the bulk path, unless it exists."""
    done = path.with_suffix(".done")
    if done.exists():
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()

    def progress(result: BulkResult) -> None:
        if result.batches % 10 == 0:
            rate = result.inserted / (time.perf_counter() - started)
            print(f"  {result.inserted:,} articles, {rate:,.0f}/s", file=sys.stderr, flush=True)

    with Archive.open(path) as archive:
        result = bulk_load(
            archive, _rows_in_background(size, words), now="2025-10-01T00:00:00Z",
            progress=progress,
        )  # fmt: skip
    took = time.perf_counter() - started
    mb = path.stat().st_size / 2**20
    done.write_text(f"{result.inserted} articles in {took:.0f} s, {mb:.0f} MB\n")
    print(f"# built {path}: {done.read_text().strip()}", file=sys.stderr)


def terms(conn: Any, size: int, rng: random.Random, runs: int) -> dict[str, list[str]]:
    """Query words by document frequency, read from the index's vocabulary."""
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, articles_fts, 'row')"
    )
    rows = conn.execute("SELECT term, doc FROM temp.vocab WHERE term GLOB '[a-z]*'").fetchall()
    by_class: dict[str, list[tuple[int, str]]] = {"rare": [], "medium": [], "common": []}
    for term, doc in rows:
        if 5 <= doc <= 100:
            by_class["rare"].append((doc, term))
        elif size * 0.005 <= doc <= size * 0.02:
            by_class["medium"].append((doc, term))
        elif doc >= size * 0.3:
            by_class["common"].append((doc, term))
    if len(by_class["rare"]) < runs:  # a large archive: the least frequent words instead
        by_class["rare"] = sorted((d, t) for t, d in rows if d >= 5)[: runs * 5]
    picked = {}
    for name, found in by_class.items():
        found.sort()
        chosen = [rng.choice(found) for _ in range(runs)] if found else []
        picked[name] = [t for _, t in chosen]
        if chosen:
            docs = [d for d, _ in chosen]
            print(f"# {name}: in {min(docs)}-{max(docs)} articles", file=sys.stderr)
    return picked


def phrases(conn: Any, size: int, rng: random.Random, runs: int) -> list[str]:
    """Two adjacent words from random articles (each phrase has at least one match)."""
    out: list[str] = []
    while len(out) < runs:
        text = conn.execute(
            "SELECT text FROM articles WHERE id = ?", (rng.randint(1, size),)
        ).fetchone()[0]
        words = text.replace(".", "").lower().split()
        k = rng.randrange(len(words) - 1)
        out.append(f'"{words[k]} {words[k + 1]}"')
    return out


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds one call took, and its result."""
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def run_class(
    conn: Any, queries: Sequence[tuple[str, dict[str, Any]]], cap: int | None = None
) -> dict[str, Any]:
    """Run each query once; latency percentiles, mean hits and how many were bounded."""
    times, bounded, hits = [], 0, []
    for text, options in queries:
        ms, result = timed(lambda: search_fn(conn, text, max_ranked=cap, **options))  # noqa: B023
        times.append(ms)
        bounded += bool(result.bounded)
        hits.append(len(result.hits))
    times.sort()
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
        "max": times[-1],
        "hits": statistics.mean(hits) if hits else 0,
        "bounded": bounded,
    }


def classes(
    conn: Any, size: int, runs: int, seed: int
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The query classes of the benchmark, `runs` queries each."""
    rng = random.Random(seed)
    picked = terms(conn, size, rng, runs)
    rare, medium, common = picked["rare"], picked["medium"], picked["common"]
    medium2 = rng.sample(medium, len(medium)) if medium else []
    sources = list(corpus.PUBLISHERS)
    newest = {"sort": "newest"}
    common_phrases = ['"of the"', '"in the"', '"to the"', '"and the"', '"on the"']
    return {
        "rare word": [(t, {}) for t in rare],
        "medium word": [(t, {}) for t in medium],
        "two medium words": [(f"{a} {b}", {}) for a, b in zip(medium, medium2, strict=True)],
        "phrase (from an article)": [(p, {}) for p in phrases(conn, size, rng, runs)],
        "medium + source + since": [
            (t, {"filters": Filters(source=rng.choice(sources), since="2025-01-01")})
            for t in medium
        ],
        "medium + language fr": [(t, {"filters": Filters(language="fr")}) for t in medium],
        "medium, newest first": [(t, newest) for t in medium],
        "rare, newest first": [(t, newest) for t in rare],
        "common word": [(t, {}) for t in common],
        "common phrase": [(common_phrases[k % 5], {}) for k in range(runs)],
        "common + source": [(t, {"filters": Filters(source=rng.choice(sources))}) for t in common],
        "common, newest first": [(t, newest) for t in common],
        "common + rare word": [(f"{c} {r}", {}) for c, r in zip(common, rare, strict=True)],
    }


COMMON = ("common word", "common phrase", "common + source", "common, newest first")


def warm(path: Path) -> None:
    """Read the archive file once, so queries are timed with it in the page cache."""
    started = time.perf_counter()
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass
    print(f"# warmed {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def bench_size(path: Path, size: int, runs: int, caps: Sequence[int], seed: int) -> list[str]:
    """Markdown rows for one archive size."""
    lines = []
    with Archive.open(path, readonly=True) as archive:
        conn = archive.conn
        queries = classes(conn, size, runs, seed)
        warm(path)
        for name, items in queries.items():
            stats = run_class(conn, items)
            lines.append(
                f"| {size:,} | {name} | {stats['n']} | {stats['p50']:.1f} | {stats['p95']:.1f} | "
                f"{stats['max']:.1f} | {stats['hits']:.0f} | {stats['bounded']} | default "
                f"({MAX_RANKED:,}) |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
        for cap in caps:
            for name in COMMON:
                items = queries[name][: max(3, runs // 4)] if cap == 0 else queries[name]
                stats = run_class(conn, items, cap=cap)
                label = "unbounded" if cap == 0 else f"{cap:,}"
                lines.append(
                    f"| {size:,} | {name} | {stats['n']} | {stats['p50']:.1f} | "
                    f"{stats['p95']:.1f} | {stats['max']:.1f} | {stats['hits']:.0f} | "
                    f"{stats['bounded']} | {label} |"
                )
                print(lines[-1], file=sys.stderr, flush=True)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Build the archives if needed, time the query classes, print (and record) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--words", type=int, default=600, help="Body words per article (mean).")
    parser.add_argument("--runs", type=int, default=20, help="Queries per class.")
    parser.add_argument("--caps", default="", help="Other caps to time the common classes with.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="Only generate the archives.")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    caps = [int(s) for s in args.caps.split(",") if s.strip()]
    workdir = Path(args.workdir or "/tmp") / "newscrawl-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    lines = [
        "| articles | query | n | p50 ms | p95 ms | max ms | hits | bounded | cap |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    builds = []
    for size in sizes:
        path = workdir / f"search-{size}.db"
        build(path, size, args.words)
        builds.append(f"{size:,}: {path.with_suffix('.done').read_text().strip()}")
        if args.build_only:
            continue
        lines += bench_size(path, size, args.runs, caps, args.seed)
    command = "python bench/search.py " + " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join(
        [
            f"Machine: {machine()}.",
            "",
            f"Command: `{command.strip()}` ({time.strftime('%Y-%m-%d')}; archives generated "
            f"with the bulk path, ~{args.words} body words per article, version rows included; "
            f"built: {'; '.join(builds)}).",
            "",
            *lines,
        ]
    )
    print(body)
    if args.write_results:
        write_section("Search latency", body)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())

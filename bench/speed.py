"""Crawl speed and memory against the ceilings, on one generated corpus served from 127.0.0.1.

Usage: ``python bench/speed.py [--pages 2000] [--only a,b,c,d,e] [--rounds 3]
[--memory 10000,100000] [-s NAME=VALUE ...] [--write-results]``

Measures, in one run and on the same pages (each in its own process, for clean CPU and RSS);
(a), (b) and (d) are taken in turn, ``--rounds`` times, and the table shows each one's median:

- (a) the fetch ceiling: a no-op Scrapy spider fetching every article page;
- (b) extraction alone on one core: `newscrawl.extract.extract_article` over a sample of pages;
- (c) archive writes of the same articles: raw sqlite3 ``executemany`` into a plain table, raw
  ``executemany`` into the archive schema (FTS5 sync triggers on), `Archive.upsert_articles` in
  the crawl's batches, and `newscrawl.archive.bulk.bulk_load`;
- (d) ``newscrawl crawl`` end to end (sitemap index -> sitemaps -> articles), then (d2) the same
  crawl again into the same archive: it finds nothing new (the cost of a scheduled re-run);
- (e) news-please (``NewsPlease.from_urls``) and trafilatura's own sitemap crawler, end to end;
- (m) with ``--memory A,B``: peak RSS of a crawl of A pages and of B pages.

It prints pages/s, CPU seconds and peak RSS (summed over the process tree, and the largest
single process) for each, and the ratios of issue 10. Wall times include process start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "RESULTS.md"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# -- measuring a process tree ------------------------------------------------------------------


@dataclass
class Measure:
    """What one measured process (and its children) did."""

    name: str
    pages: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    rss_tree_mb: float = 0.0
    rss_proc_mb: float = 0.0
    returncode: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: The machine's 1-minute load average when the measured process ended (ours included).
    load: float = 0.0

    @property
    def rate(self) -> float:
        """Pages per second of wall time."""
        return self.pages / self.wall if self.wall else 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_rss(root: int) -> tuple[int, int]:
    """(sum, max) resident bytes over `root` and its descendants."""
    tree = _children()
    todo, total, largest = [root], 0, 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                rss = int(handle.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def run_measured(
    name: str, cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 7200
) -> tuple[Measure, str, str]:
    """Run `cmd`, sampling its tree's RSS; returns the measure, its stdout and its stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env, cwd=str(ROOT))
        peak = [0, 0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                total, largest = _tree_rss(proc.pid)
                peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.05)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        measure = Measure(
            name,
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rss_tree_mb=peak[0] / 2**20,
            rss_proc_mb=max(peak[1], usage.ru_maxrss * 1024) / 2**20,
            returncode=proc.returncode,
            load=os.getloadavg()[0],
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return measure, stdout, stderr


def worker_cmd(mode: str, python: str | None = None, **args: Any) -> list[str]:
    """The command line that runs one worker mode of this file in a fresh process."""
    return [python or sys.executable, str(Path(__file__)), "_worker", mode, json.dumps(args)]


# -- workers (each runs in its own process) -----------------------------------------------------


def _urls(corpus: str, origin: str, limit: int | None = None) -> list[str]:
    with open(os.path.join(corpus, "urls.txt"), encoding="utf-8") as handle:
        urls = [line.strip().replace("{BASE}", origin) for line in handle if line.strip()]
    return urls[:limit] if limit else urls


def worker_noop(args: dict[str, Any]) -> dict[str, Any]:
    """(a) A Scrapy spider that fetches every URL and does nothing with the response."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = _urls(args["corpus"], args["origin"], args.get("limit"))
    seen = [0]

    class NoopSpider(scrapy.Spider):
        name = "noop"

        async def start(self) -> Any:
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            seen[0] += 1

    concurrency = int(args["concurrency"])
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_DELAY": 0,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    process.crawl(NoopSpider)
    process.start()
    return {"pages": seen[0]}


def worker_extract(args: dict[str, Any]) -> dict[str, Any]:
    """(b) Extraction alone, one core, pages already in memory."""
    from newscrawl.extract import extract_article

    urls = _urls(args["corpus"], args["origin"], args["limit"])
    pages = []
    for url in urls:
        path = os.path.join(args["corpus"], url.split("/", 3)[3])
        with open(path, "rb") as handle:
            pages.append((url, handle.read().replace(b"{BASE}", args["origin"].encode())))
    extract_article(pages[0][1], pages[0][0])  # warm up imports and caches
    cpu, wall = time.process_time(), time.perf_counter()
    words = 0
    for url, html in pages:
        result = extract_article(html, url, {"content-type": "text/html; charset=utf-8"})
        words += len((result.get("text") or "").split())
    return {
        "pages": len(pages),
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "words": words,
    }


def worker_sqlite(args: dict[str, Any]) -> dict[str, Any]:
    """(c) Writing the corpus's articles: raw sqlite3, the archive's upserts, the bulk path."""
    import sqlite3

    import corpus

    from newscrawl.archive import Archive
    from newscrawl.archive.bulk import bulk_load
    from newscrawl.archive.store import WRITABLE_COLUMNS, article_to_row

    mode, path, count = args["kind"], args["db"], int(args["rows"])
    articles = list(corpus.rows(count, seed=args.get("seed", 1)))
    stamp = "2025-10-01T00:00:00Z"
    prepared = [article_to_row(a, stamp) for a in articles]
    for row in prepared:
        row["version"] = 1
    cols = list(WRITABLE_COLUMNS)
    insert = f"INSERT INTO articles ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    started = time.perf_counter()
    cpu = time.process_time()
    if mode == "raw_plain":
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"CREATE TABLE articles (id INTEGER PRIMARY KEY, {', '.join(cols)})")
        conn.execute("CREATE UNIQUE INDEX articles_url ON articles (url)")
        started, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        conn.executemany(insert, prepared)
        conn.execute("COMMIT")
        conn.close()
    elif mode == "raw_fts":
        Archive.open(path).close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous = NORMAL")
        started, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        conn.executemany(insert, prepared)
        conn.execute("COMMIT")
        conn.close()
    elif mode == "archive":
        batch = int(args.get("batch", 50))
        with Archive.open(path) as archive:
            started, cpu = time.perf_counter(), time.process_time()
            for k in range(0, count, batch):
                archive.upsert_articles(articles[k : k + batch], now=stamp)
    elif mode == "bulk":
        with Archive.open(path) as archive:
            started, cpu = time.perf_counter(), time.process_time()
            bulk_load(archive, articles, now=stamp)
    else:
        raise SystemExit(f"unknown sqlite mode {mode}")
    return {
        "pages": count,
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
    }


def worker_newsplease(args: dict[str, Any]) -> dict[str, Any]:
    """(e) news-please end to end: download and extract with `NewsPlease.from_urls`."""
    from newsplease import NewsPlease

    urls = _urls(args["corpus"], args["origin"], args["limit"])
    results = NewsPlease.from_urls(urls, request_args={"timeout": 60}, fetch_images=False)
    good = sum(1 for r in results.values() if r is not None and getattr(r, "maintext", None))
    return {"pages": len(urls), "extracted": good}


WORKERS = {
    "noop": worker_noop,
    "extract": worker_extract,
    "sqlite": worker_sqlite,
    "newsplease": worker_newsplease,
}


# -- the benchmark ------------------------------------------------------------------------------


class Server:
    """The static server in its own process, serving a corpus folder."""

    def __init__(self, corpus: str) -> None:
        """Start serving `corpus` on a free port."""
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "static_server.py"), corpus],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        self.origin = self.proc.stdout.readline().strip()
        if not self.origin.startswith("http://"):
            raise SystemExit("the static server did not start")

    def stop(self) -> None:
        """Stop the server process."""
        self.proc.terminate()
        self.proc.wait(10)


def ensure_corpus(folder: Path, pages: int, subsets: Sequence[int]) -> None:
    """Generate the corpus unless `folder` already holds one of this size with these subsets."""
    import corpus

    info_path = folder / "corpus.json"
    if info_path.exists():
        info = json.loads(info_path.read_text())
        if info.get("pages") == pages and all(
            (folder / "sitemaps" / f"index-{n}.xml").exists() for n in subsets
        ):
            return
        shutil.rmtree(folder)
    started = time.perf_counter()
    corpus.generate(folder, pages, subsets=subsets)
    print(f"# corpus: {pages} pages in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def run_worker(name: str, mode: str, python: str | None = None, **args: Any) -> Measure:
    """Run a worker mode in a fresh process and fold its JSON report into a `Measure`."""
    measure, out, err = run_measured(name, worker_cmd(mode, python, **args))
    if measure.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"{name} failed (exit {measure.returncode})")
    report = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    measure.pages = int(report.pop("pages"))
    if "wall" in report:  # the worker timed its own hot loop
        measure.wall = float(report.pop("wall"))
        measure.cpu = float(report.pop("cpu"))
    measure.extra = report
    return measure


def crawl(
    name: str,
    origin: str,
    pages: int,
    workdir: Path,
    settings: Sequence[str],
    concurrency: int,
    folder: Path | None = None,
) -> Measure:
    """(d) ``newscrawl crawl`` of the first `pages` articles, in a fresh archive (or again, into
    the archive in `folder`)."""
    if folder is None:
        folder = workdir / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    cmd = [
        sys.executable,
        "-m",
        "newscrawl.cli.main",
        "crawl",
        f"{origin}/sitemaps/index-{pages}.xml",
        "--db",
        str(folder / "news.db"),
        "--max-pages",
        str(pages + 200),
        "--quiet",
        "--json",
        "-s",
        "AUTOTHROTTLE_ENABLED=false",
        "-s",
        f"CONCURRENT_REQUESTS={concurrency}",
        "-s",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s",
        "NEWSCRAWL_PROGRESS_INTERVAL=0",
    ]
    for setting in settings:
        cmd += ["-s", setting]
    measure, out, err = run_measured(name, cmd)
    if measure.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"{name} failed (exit {measure.returncode})")
    report = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    counters = report.get("counters", {})
    measure.pages = int(counters.get("articles_new", 0))
    measure.extra = {
        "fetched": counters.get("fetched"),
        "failed": counters.get("failed"),
        "workers": counters.get("workers"),
        "db_mb": round((folder / "news.db").stat().st_size / 2**20, 1),
        "folder": folder,
    }
    shutil.rmtree(folder / "warc", ignore_errors=True)
    return measure


def trafilatura_crawl(corpus: str, origin: str, pages: int, workdir: Path) -> Measure | None:
    """(e) trafilatura's own downloader and extractor over the URL list, politeness delay off.

    Its sitemap crawler (``--sitemap``) refuses URLs whose host is an IP address, so it is given
    the article URLs (``-i``) instead; its SSRF guard is turned off for 127.0.0.1.
    """
    config = workdir / "trafilatura.cfg"
    import trafilatura.settings as tsettings

    text = Path(tsettings.__file__).with_name("settings.cfg").read_text()
    text = re.sub(r"(?m)^SLEEP_TIME\s*=.*$", "SLEEP_TIME = 0", text)
    text = re.sub(r"(?m)^SSRF_PROTECTION\s*=.*\n", "", text)
    text = text.replace("[DEFAULT]", "[DEFAULT]\nSSRF_PROTECTION = false", 1)  # 127.0.0.1
    config.write_text(text)
    url_file = workdir / "trafilatura-urls.txt"
    url_file.write_text("\n".join(_urls(corpus, origin, pages)) + "\n")
    out = workdir / "trafilatura-out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-c",
        "import sys; from trafilatura.cli import main; sys.argv[0] = 'trafilatura'; main()",
        "-i",
        str(url_file),
        "--parallel",
        str(os.cpu_count() or 2),
        "--config-file",
        str(config),
        "-o",
        str(out),
    ]
    measure, _, err = run_measured("e trafilatura -i URLS", cmd, timeout=60 + pages / 5)
    written = sum(1 for f in out.rglob("*") if f.is_file()) if out.exists() else 0
    if measure.returncode != 0 or not written:
        print(f"# trafilatura gave nothing: {err[-500:]}", file=sys.stderr)
        return None
    measure.pages = written
    return measure


def fmt_row(m: Measure) -> str:
    """One Markdown table row for a measure."""
    shown = {k: v for k, v in m.extra.items() if k != "folder"}
    extra = ", ".join([*(f"{k}={v}" for k, v in shown.items()), f"load={m.load:.1f}"])
    return (
        f"| {m.name} | {m.pages} | {m.wall:.1f} | {m.rate:,.0f} | {m.cpu:.1f} | "
        f"{m.rss_tree_mb:.0f} | {m.rss_proc_mb:.0f} | {extra} |"
    )


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Linux {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or add) the ``## title`` section of RESULTS.md, leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"(?ms)^## {re.escape(title)}\n.*?(?=^## |\Z)")
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected measurements and print (and optionally record) the table and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="Pages in the corpus.")
    parser.add_argument(
        "--only", default="a,b,c,d,e", help="Measurements to run: a,b,c,d,e (comma-separated)."
    )
    parser.add_argument("--extract-sample", type=int, default=500, help="Pages for (b).")
    parser.add_argument(
        "--rounds", type=int, default=3, help="Rounds of (a), (b) and (d), taken in turn."
    )
    parser.add_argument("--newsplease-pages", type=int, default=300, help="Pages for (e).")
    parser.add_argument(
        "--newsplease-python", default=None, help="Python with news-please (default: this one)."
    )
    parser.add_argument("--no-trafilatura", action="store_true", help="Skip trafilatura's crawler.")
    parser.add_argument(
        "--memory", default="", help="A,B: peak RSS of crawls of A and B pages (e.g. 10000,100000)."
    )
    parser.add_argument("--concurrency", type=int, default=32, help="Requests in flight.")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        metavar="NAME=VALUE", help="Extra crawl setting.")  # fmt: skip
    parser.add_argument("--workdir", default=None, help="Folder for corpus and archives.")
    parser.add_argument("--write-results", action="store_true", help="Update bench/RESULTS.md.")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    memory = [int(s) for s in args.memory.split(",") if s.strip()]
    pages = max([args.pages, *memory])
    workdir = Path(args.workdir or tempfile.gettempdir()) / "newscrawl-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_dir = workdir / f"corpus-{pages}"
    ensure_corpus(corpus_dir, pages, [args.pages, *memory])
    server = Server(str(corpus_dir))
    results: dict[str, Measure] = {}
    try:
        common = {"corpus": str(corpus_dir), "origin": server.origin}
        # (a), (b) and (d) in turns, `--rounds` times: this machine's speed drifts by 10-20%
        # within an hour, and each round's ratio compares measures taken minutes apart.
        rounds: dict[str, list[Measure]] = {"a": [], "b": [], "d": []}
        for _ in range(max(1, args.rounds)):
            if "a" in only:
                rounds["a"].append(
                    run_worker(
                        "a no-op Scrapy spider (1 process)",
                        "noop",
                        limit=args.pages,
                        concurrency=args.concurrency,
                        **common,
                    )
                )
                print(fmt_row(rounds["a"][-1]), file=sys.stderr)
            if "b" in only:
                rounds["b"].append(
                    run_worker(
                        "b extract_article (1 core)", "extract", limit=args.extract_sample, **common
                    )
                )
                print(fmt_row(rounds["b"][-1]), file=sys.stderr)
            if "d" in only:
                rounds["d"].append(
                    crawl(
                        "d newscrawl crawl",
                        server.origin,
                        args.pages,
                        workdir,
                        args.settings,
                        args.concurrency,
                    )
                )
                print(fmt_row(rounds["d"][-1]), file=sys.stderr)
        for key, measures in rounds.items():
            if measures:
                results[key] = median_measure(measures, cpu_rate=key == "b")
        if len(rounds["d"]) > 1:
            results["d"].extra["rounds"] = "/".join(f"{m.rate:.0f}" for m in rounds["d"])
        round_ratios = [
            budget_ratio(a, b, d)
            for a, b, d in zip(rounds["a"], rounds["b"], rounds["d"], strict=False)
        ]
        if "c" in only:
            for mode, label in (
                ("raw_plain", "c1 raw executemany, plain table"),
                ("raw_fts", "c2 raw executemany, FTS5 triggers"),
                ("archive", "c3 Archive.upsert_articles, batches of 50"),
                ("bulk", "c4 bulk_load"),
            ):
                db = workdir / f"sqlite-{mode}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                results[mode] = run_worker(label, "sqlite", kind=mode, db=str(db), rows=args.pages)
                print(fmt_row(results[mode]), file=sys.stderr)
        if "d" in only:
            results["d2"] = crawl(
                "d2 the same crawl again (nothing new)", server.origin, args.pages, workdir,
                args.settings, args.concurrency, folder=results["d"].extra["folder"],
            )  # fmt: skip
            print(fmt_row(results["d2"]), file=sys.stderr)
        if "e" in only:
            limit = min(args.newsplease_pages, args.pages)
            results["e"] = run_worker(
                "e news-please from_urls",
                "newsplease",
                python=args.newsplease_python,
                limit=limit,
                **common,
            )
            print(fmt_row(results["e"]), file=sys.stderr)
            if not args.no_trafilatura:
                traf = trafilatura_crawl(str(corpus_dir), server.origin, args.pages, workdir)
                if traf is not None:
                    results["e2"] = traf
                    print(fmt_row(traf), file=sys.stderr)
        for size in memory:
            key = f"m{size}"
            results[key] = crawl(
                f"m newscrawl crawl, {size} pages", server.origin, size, workdir, args.settings,
                args.concurrency,
            )  # fmt: skip
            print(fmt_row(results[key]), file=sys.stderr)
    finally:
        server.stop()
    results = {k: results[k] for k in sorted(results, key=_table_order)}
    lines = list(report_lines(results, memory, round_ratios))
    command = "python bench/speed.py " + " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join(
        [
            f"Machine: {machine()}.",
            "",
            f"Command: `{command.strip()}` ({time.strftime('%Y-%m-%d')}; corpus of "
            f"{pages} pages of ~30 KB, four template styles, served by bench/static_server.py).",
            "",
            *lines,
        ]
    )
    print(body)
    if args.write_results:
        write_section("Speed and memory", body)
    return 0


_TABLE_ORDER = ["a", "b", "raw_plain", "raw_fts", "archive", "bulk", "d", "d2", "e", "e2"]


def _table_order(key: str) -> tuple[int, str]:
    """Sort key of a measure's row: the letters' order, then the memory crawls."""
    return (_TABLE_ORDER.index(key), "") if key in _TABLE_ORDER else (len(_TABLE_ORDER), key)


def median_measure(measures: Sequence[Measure], cpu_rate: bool = False) -> Measure:
    """The measure of median rate (pages per CPU second with `cpu_rate`), as it was measured."""
    ordered = sorted(measures, key=lambda m: m.pages / m.cpu if cpu_rate and m.cpu else m.rate)
    return ordered[len(ordered) // 2]


def budget_ratio(a: Measure, b: Measure, d: Measure) -> float:
    """(d) / min(a, 2b, 2/(1/a+1/b)): the crawl against the two-core budget of fetching and
    extraction (b's rate per CPU second: one core's worth)."""
    ra, rb = a.rate, b.pages / b.cpu if b.cpu else b.rate
    return d.rate / min(ra, 2 * rb, 2 / (1 / ra + 1 / rb))


def report_lines(
    results: dict[str, Measure], memory: Sequence[int], round_ratios: Sequence[float] = ()
) -> Iterator[str]:
    """The Markdown table and the ratios against the goals of issue 10."""
    yield "| measurement | pages | wall s | pages/s | CPU s | peak RSS tree MB | peak RSS max " \
        "process MB | notes |"  # fmt: skip
    yield "|---|---:|---:|---:|---:|---:|---:|---|"
    for m in results.values():
        yield fmt_row(m)
    yield ""
    a, b, d, e = (results.get(k) for k in ("a", "b", "d", "e"))
    if a and b and d:
        ra, rb = a.rate, b.pages / b.cpu if b.cpu else b.rate
        ceiling = min(ra, 2 * rb, 2 / (1 / ra + 1 / rb))
        ok = "met" if d.rate / ceiling >= 0.8 else "NOT met"
        yield (
            f"- (d) / min(a, 2b, 2/(1/a+1/b)) = {d.rate:,.0f} / min({ra:,.0f}, {2 * rb:,.0f}, "
            f"{2 / (1 / ra + 1 / rb):,.0f}) = **{d.rate / ceiling:.2f}** (goal >= 0.8: {ok})"
        )
        if len(round_ratios) > 1:
            yield (
                f"- the same ratio in each of the {len(round_ratios)} rounds (a, b and d measured "
                f"in turn; the table shows each one's median round): "
                + ", ".join(f"{r:.2f}" for r in round_ratios)
            )
    if a and b and d and d.pages:
        # CPU per page does not depend on what else the machine runs (wall rates do).
        fetch, extract, crawl_cpu = a.cpu / a.pages, b.cpu / b.pages, d.cpu / d.pages
        yield (
            f"- CPU per page: (d) {crawl_cpu * 1000:.1f} ms (all processes, start-up included) "
            f"vs (a) fetch {fetch * 1000:.1f} ms + (b) extraction {extract * 1000:.1f} ms; "
            f"on {os.cpu_count() or 1} idle cores that is at most "
            f"{(os.cpu_count() or 1) / crawl_cpu:,.0f} pages/s"
        )
    d2 = results.get("d2")
    if d2:
        yield (
            f"- (d2) a re-run that finds nothing new: {d2.wall:.1f} s, {d2.cpu:.1f} s CPU, "
            f"{d2.rss_tree_mb:.0f} MB peak RSS (tree), {d2.extra.get('workers')} crawl process(es)"
        )
    for key in sorted(k for k in results if k.startswith("m")):
        m = results[key]
        if m.pages:
            yield f"- {m.name}: {m.cpu / m.pages * 1000:.1f} ms CPU per page"
    if d and e:
        ok = "met" if d.rate / e.rate >= 20 else "NOT met"
        yield (
            f"- (d) / (e news-please) = {d.rate:,.0f} / {e.rate:,.1f} = **{d.rate / e.rate:.1f}** "
            f"(goal >= 20: {ok})"
        )
    if d and e and d.pages and e.pages and e.cpu:
        # The wall rate of news-please swings with load (it fetches with a thread per URL, then
        # extracts in a process pool); its CPU per page does not.
        d_ms, e_ms = d.cpu / d.pages * 1000, e.cpu / e.pages * 1000
        yield (
            f"- CPU per page: (e news-please) {e_ms:.1f} ms / (d) {d_ms:.1f} ms = "
            f"**{e_ms / d_ms:.1f}** (the rate ratio on equally busy cores)"
        )
        if a and a.pages:
            floor = a.cpu / a.pages * 1000
            yield (
                f"- a 20x rate needs (d) <= {e_ms / 20:.2f} ms CPU per page; Scrapy's no-op "
                f"fetch alone (a) takes {floor:.2f} ms"
            )
    if d and results.get("e2"):
        e2 = results["e2"]
        yield f"- (d) / (e trafilatura -i, 2 threads) = **{d.rate / e2.rate:.2f}**"
    upsert, raw = results.get("archive"), results.get("raw_fts")
    if upsert and raw:
        ratio = upsert.rate / raw.rate
        ok = "met" if ratio >= 0.5 else "NOT met"
        yield (
            f"- archive write rate with FTS (c3) / raw sqlite3 with FTS triggers (c2) = "
            f"{upsert.rate:,.0f} / {raw.rate:,.0f} = **{ratio:.2f}** (goal >= 0.5: {ok})"
        )
    if len(memory) >= 2:
        small, large = results[f"m{memory[0]}"], results[f"m{memory[-1]}"]
        grow = large.rss_tree_mb - small.rss_tree_mb
        grow_proc = large.rss_proc_mb - small.rss_proc_mb
        ok = "met" if grow <= 50 else "NOT met"
        yield (
            f"- peak RSS, {memory[0]:,} vs {memory[-1]:,} pages: tree {small.rss_tree_mb:.0f} -> "
            f"{large.rss_tree_mb:.0f} MB (**{grow:+.0f} MB**), largest process "
            f"{small.rss_proc_mb:.0f} -> {large.rss_proc_mb:.0f} MB ({grow_proc:+.0f} MB) "
            f"(goal: grows <= 50 MB: {ok})"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["_worker"]:
        sys.path.insert(0, str(ROOT))
        report = WORKERS[sys.argv[2]](json.loads(sys.argv[3]))
        print(json.dumps(report))
        raise SystemExit(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))
    raise SystemExit(main())

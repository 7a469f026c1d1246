"""Crawling with Redis: pages/s with 1, 2 and 3 cluster workers on one machine, Redis commands per
page, and the archive-worker's drain rate, against local crawls of the same pages in the same run.

Usage: ``python bench/cluster.py [--pages 2000] [--workers 1,2,3] [--write-results]``

Needs ``redis-server`` (Debian's package) on the PATH: the benchmark starts its own on a free
port. Uses the corpus generator and static server of ``bench/speed.py``.

For each worker count W it starts an archive-worker, runs ``newscrawl crawl --redis ...
--processes W`` over the corpus' sitemap index, and waits until the archive-worker has archived
everything. Reported:

- crawl pages/s: pages fetched / (crawl wall time - the workers' idle wait at the end);
- end-to-end articles/s: articles in the archive / (time until the archive-worker had archived
  the last one);
- the crawl workers' round trips to Redis per fetched page (counted by their Redis client: a
  command, a script call or a pipeline is one), and Redis commands per page (INFO commandstats,
  which counts the commands run inside scripts and pipelines too, the archive-worker's included);
- baseline: ``newscrawl crawl`` on one machine (SQLite frontier) with 1 and 2 processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import ROOT, Measure, Server, crawl, ensure_corpus, machine, run_measured, write_section  # noqa: E402

MAX_IDLE = 1.0
UNTIL_IDLE = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 (no persistence)."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import redis

        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def commands(self) -> dict[str, int]:
        """Calls per command so far."""
        stats = self.client.info("commandstats")
        return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _newscrawl(*args: str) -> list[str]:
    return [sys.executable, "-m", "newscrawl.cli.main", *args]


def cluster_run(
    workers: int,
    redis: RedisServer,
    origin: str,
    pages: int,
    workdir: Path,
    concurrency: int,
) -> Measure:
    """One cluster crawl of the corpus with `workers` processes and one archive-worker."""
    prefix = f"bench{workers}-{int(time.time())}"
    folder = workdir / f"cluster-{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "news.db"
    common = ["--redis", redis.url, "--prefix", prefix]
    started = time.perf_counter()
    archiver = subprocess.Popen(
        _newscrawl("archive-worker", *common, "--db", str(db), "--until-idle", str(UNTIL_IDLE))
        + ["--quiet"],
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    before = redis.commands()
    measure, out, err = run_measured(
        f"cluster, {workers} worker{'s' if workers > 1 else ''} + archive-worker",
        _newscrawl(
            "crawl", *common, f"{origin}/sitemaps/index-{pages}.xml", "--processes", str(workers),
            "--max-idle", str(MAX_IDLE), "--json", "--quiet",
            "-s", "AUTOTHROTTLE_ENABLED=false", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0",
            "-s", f"CONCURRENT_REQUESTS={concurrency}",
            "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        ),
    )  # fmt: skip
    after = redis.commands()
    if measure.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"the cluster crawl with {workers} workers failed")
    _, archiver_err = archiver.communicate(timeout=3600)
    finished = time.perf_counter()
    if archiver.returncode != 0:
        print(archiver_err[-3000:], file=sys.stderr)
        raise SystemExit("the archive-worker failed")
    report = json.loads(out.strip().splitlines()[-1])
    counters = report["counters"]
    fetched = int(counters.get("fetched", 0))
    conn = sqlite3.connect(db)
    archived = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    conn.close()
    used = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    used = {k: v for k, v in used.items() if v > 0 and k not in ("info",)}
    total = sum(used.values())
    crawl_s = measure.wall - MAX_IDLE
    end_to_end_s = finished - started - UNTIL_IDLE
    measure.pages = archived
    measure.wall = end_to_end_s
    measure.extra = {
        "fetched": fetched,
        "crawl_pages_per_s": round(fetched / crawl_s, 1) if crawl_s > 0 else 0,
        "redis_commands_per_page": round(total / fetched, 2) if fetched else 0,
        "round_trips_per_page": round(int(counters.get("redis_round_trips", 0)) / fetched, 2)
        if fetched
        else 0,
        "top_commands": dict(sorted(used.items(), key=lambda kv: -kv[1])[:6]),
        "items_pushed": counters.get("items_pushed"),
    }
    return measure


def fmt(m: Measure) -> str:
    extra = m.extra
    return (
        f"| {m.name} | {m.pages} | {m.wall:.1f} | {m.rate:.1f} | "
        f"{extra.get('crawl_pages_per_s', '')} | {m.cpu:.1f} | {m.rss_tree_mb:.0f} | "
        f"{extra.get('round_trips_per_page', '')} | {extra.get('redis_commands_per_page', '')} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="Article pages in the corpus.")
    parser.add_argument("--workers", default="1,2,3", help="Worker counts to measure.")
    parser.add_argument("--concurrency", type=int, default=32, help="Requests in flight each.")
    parser.add_argument("--workdir", default=None, help="Folder for corpus and archives.")
    parser.add_argument("--write-results", action="store_true", help="Update bench/RESULTS.md.")
    args = parser.parse_args(argv)
    counts = [int(s) for s in args.workers.split(",") if s.strip()]
    workdir = Path(args.workdir or tempfile.gettempdir()) / "newscrawl-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    corpus_dir = workdir / f"corpus-{args.pages}"
    ensure_corpus(corpus_dir, args.pages, [args.pages])
    server = Server(str(corpus_dir))
    redis = RedisServer(workdir)
    results: list[Measure] = []
    try:
        for processes in (1, 2):
            local = crawl(
                f"local crawl, {processes} process{'es' * (processes > 1)} (SQLite frontier)",
                server.origin, args.pages, workdir, [f"NEWSCRAWL_PROCESSES={processes}"],
                args.concurrency,
            )  # fmt: skip
            local.extra["crawl_pages_per_s"] = round(int(local.extra["fetched"]) / local.wall, 1)
            results.append(local)
            print(fmt(local), file=sys.stderr)
        for workers in counts:
            measured = cluster_run(
                workers, redis, server.origin, args.pages, workdir, args.concurrency
            )
            results.append(measured)
            print(fmt(measured), file=sys.stderr)
    finally:
        redis.stop()
        server.stop()
    base = results[0].rate
    lines = [
        "| run | articles | wall s | articles/s end to end | crawl pages/s | CPU s | peak RSS MB "
        "| worker round trips to Redis / page | Redis commands / page |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(fmt(m) for m in results),
        "",
        *(f"- {m.name}: {m.rate / base:.2f}x the local 1-process crawl" for m in results[1:]),
        *(
            f"- {m.name}: Redis commands {json.dumps(m.extra['top_commands'])}"
            for m in results
            if m.extra.get("top_commands")
        ),
    ]
    command = "python bench/cluster.py " + " ".join(argv if argv is not None else sys.argv[1:])
    body = "\n".join(
        [
            f"Machine: {machine()}.",
            "",
            f"Command: `{command.strip()}` ({time.strftime('%Y-%m-%d')}; the corpus of "
            f"bench/speed.py, {args.pages} pages of ~30 KB; Redis {redis_version()} on "
            "127.0.0.1). Cluster wall times end when the archive-worker has archived the last "
            f"article; the workers' final idle wait ({MAX_IDLE:.0f} s) and the archive-worker's "
            f"({UNTIL_IDLE:.0f} s) are not counted. CPU and RSS are the crawl processes' only.",
            "",
            *lines,
        ]
    )
    print(body)
    if args.write_results:
        write_section("Crawling with Redis", body)
    return 0


def redis_version() -> str:
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    for part in out.split():
        if part.startswith("v="):
            return part[2:]
    return "?"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())

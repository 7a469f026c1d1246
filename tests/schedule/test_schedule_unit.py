"""Cadences, locks, crontab and systemd output, source health, the scheduler loop (fake crawls)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newscrawl.archive import Archive
from newscrawl.cli.schedule import schedule_command, sources_command
from newscrawl.runner import RunOutcome
from newscrawl.schedule.cadence import (
    CadenceError,
    Cron,
    Every,
    cadence_for,
    format_duration,
    parse_duration,
)
from newscrawl.schedule.health import source_health
from newscrawl.schedule.locks import SourceLock, is_locked, lock_path
from newscrawl.schedule.render import (
    Target,
    cron_as_calendar,
    every_as_cron,
    render_crontab,
    render_systemd,
)
from newscrawl.schedule.scheduler import Job, Scheduler
from newscrawl.sources import Source, parse_sources

# -- cadences -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10s", 10), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("0.5s", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "5 parsecs", "m", "0s", "1h and then"])
def test_bad_durations_say_why(text: str) -> None:
    with pytest.raises(CadenceError):
        parse_duration(text)


def test_format_duration() -> None:
    assert [format_duration(s) for s in (10, 900, 7200, 86400, 90)] == [
        "10s",
        "15m",
        "2h",
        "1d",
        "90s",
    ]


def test_every_keeps_to_its_grid() -> None:
    every = Every(10)
    assert every.next_after(100.0, anchor=100.0) == 110.0
    assert every.next_after(135.0, anchor=100.0) == 140.0  # missed slots are not made up
    assert every.next_after(5.0) == 15.0


def test_cron_uses_local_time() -> None:
    cron = Cron("*/30 * * * *")
    start = datetime(2025, 9, 2, 10, 7).timestamp()
    nxt = datetime.fromtimestamp(cron.next_after(start))
    assert (nxt.hour, nxt.minute) == (10, 30)
    assert cron.interval() == 1800
    assert Cron("@daily").expression == "0 0 * * *"


@pytest.mark.parametrize("expr", ["* * * *", "61 * * * *", "@sometimes", "*/0 * * * *"])
def test_bad_cron_expressions(expr: str) -> None:
    with pytest.raises(CadenceError):
        Cron(expr)


def test_cadence_for_a_source() -> None:
    src = Source(name="a", start_urls=["https://a.example/"])
    assert cadence_for(src, "2h") == Every(7200)
    src.every = "15m"
    assert cadence_for(src) == Every(900)
    src.cron = "0 * * * *"
    with pytest.raises(CadenceError, match="either `every` or `cron`"):
        cadence_for(src)
    src.every = None
    assert isinstance(cadence_for(src), Cron)


# -- rendering ------------------------------------------------------------------------------------

SOURCES_TOML = """
[[sources]]
name = "harbor"
start_urls = ["https://harbor.example/"]
every = "15m"

[[sources]]
name = "valley"
start_urls = ["https://valley.example/"]
cron = "0 9 * * MON-FRI"

[[sources]]
name = "fast"
start_urls = ["https://fast.example/"]
every = "10s"
"""


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES_TOML)
    return path


def test_every_as_cron_spreads_sources() -> None:
    assert every_as_cron("a", 60) == "* * * * *"
    minute, rest = every_as_cron("a", 900).split(" ", 1)
    assert minute.endswith("-59/15") and rest == "* * * *"
    assert every_as_cron("a", 3600).split()[1:] == ["*", "*", "*", "*"]
    assert every_as_cron("a", 86400).split()[2:] == ["*", "*", "*"]
    with pytest.raises(CadenceError):
        every_as_cron("a", 10)
    with pytest.raises(CadenceError):
        every_as_cron("a", 45 * 60)


@pytest.mark.parametrize(
    ("expr", "calendar"),
    [
        ("*/30 * * * *", "*-*-* *:00,30:00"),
        ("*/15 * * * *", "*-*-* *:00/15:00"),
        ("0 9 * * MON-FRI", "Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00"),
        ("0 0 1 * *", "*-*-01 00:00:00"),
        ("30 6 * 1,7 *", "*-01,07-* 06:30:00"),
    ],
)
def test_cron_as_systemd_calendar(expr: str, calendar: str) -> None:
    assert cron_as_calendar(expr) == calendar


def test_cron_with_both_day_fields_is_refused_for_systemd() -> None:
    with pytest.raises(CadenceError, match="both day of month and day of week"):
        cron_as_calendar("0 0 1 * MON")


def test_crontab_runs_each_source_under_its_lock(sources_file: Path) -> None:
    sources = parse_sources(sources_file.read_text())
    text = render_crontab(
        [(s, cadence_for(s)) for s in sources],
        Target(str(sources_file), "/data/news.db", program="newscrawl"),
    )
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(lines) == 2
    assert lines[1].startswith("0 9 * * MON-FRI newscrawl schedule --sources ")
    assert "--db /data/news.db --run-now valley --quiet" in lines[1]
    assert "# fast: not scheduled: every 10s is finer than cron's one-minute step" in text


def test_systemd_units(sources_file: Path) -> None:
    sources = parse_sources(sources_file.read_text())
    units = render_systemd(
        [(s, cadence_for(s)) for s in sources],
        Target(str(sources_file), "/data/news.db", program="/usr/bin/newscrawl"),
        jitter=0,
    )
    by_name = {u.name: u.text for u in units}
    assert sorted(by_name) == sorted(
        f"newscrawl-{n}.{kind}"
        for n in ("harbor", "valley", "fast")
        for kind in ("service", "timer")
    )
    assert "OnUnitActiveSec=900s" in by_name["newscrawl-harbor.timer"]
    assert "OnCalendar=Mon,Tue,Wed,Thu,Fri *-*-* 09:00:00" in by_name["newscrawl-valley.timer"]
    assert "AccuracySec=1s" in by_name["newscrawl-fast.timer"]
    service = by_name["newscrawl-harbor.service"]
    assert "Type=oneshot" in service
    assert "ExecStart=/usr/bin/newscrawl schedule --sources " in service
    assert "--run-now harbor --quiet" in service


def test_print_commands(sources_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--sources", str(sources_file), "--db", str(tmp_path / "news.db")]
    crontab = runner.invoke(schedule_command, [*args, "--print-crontab"])
    assert crontab.exit_code == 0, crontab.output
    assert "--run-now harbor --quiet" in crontab.output
    units = tmp_path / "units"
    systemd = runner.invoke(schedule_command, [*args, "--print-systemd", "--units-dir", str(units)])
    assert systemd.exit_code == 0, systemd.output
    assert "# --- file: newscrawl-harbor.timer ---" in systemd.output
    assert (units / "newscrawl-valley.timer").read_text().startswith("[Unit]")


def test_bad_cadence_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SOURCES_TOML.replace('every = "15m"', 'every = "soon"'))
    result = CliRunner().invoke(schedule_command, ["--sources", str(path), "--print-crontab"])
    assert result.exit_code == 2
    assert "harbor" in result.output and "soon" in result.output


@pytest.mark.parametrize("command", [schedule_command, sources_command])
def test_help_has_an_example(command: Any) -> None:
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


# -- locks ----------------------------------------------------------------------------------------


def test_a_lock_is_exclusive_and_says_who_holds_it(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    first, second = SourceLock(db, "harbor"), SourceLock(db, "harbor")
    assert first.acquire(run_id=7)
    assert not second.acquire()
    assert is_locked(db, "harbor")
    assert (second.holder() or {}).get("run_id") == 7
    assert SourceLock(db, "valley").acquire()  # other sources are independent
    first.release()
    assert not is_locked(db, "harbor")
    assert second.acquire()
    second.release()


def test_lock_names_are_safe_and_distinct(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    a, b = lock_path(db, "127.0.0.1:8000"), lock_path(db, "127.0.0.1_8000")
    assert a != b
    assert Path(a).parent == Path(db + ".locks")
    assert ":" not in Path(a).name


def test_a_lock_held_by_another_process_is_released_when_it_dies(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from newscrawl.schedule.locks import SourceLock; "
            f"lock = SourceLock({db!r}, 'harbor'); assert lock.acquire(); "
            "print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        lock = SourceLock(db, "harbor")
        assert not lock.acquire()
        assert (lock.holder() or {}).get("pid") == holder.pid
    finally:
        holder.kill()
        holder.wait()
    assert lock.acquire()  # no stale lock after a crash
    lock.release()


# -- the scheduler loop, with fake crawls ----------------------------------------------------------


class FakeScheduler(Scheduler):
    """A scheduler whose runs sleep instead of crawling."""

    def __init__(self, *args: Any, durations: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.durations = durations
        self.spans: dict[str, list[tuple[float, float]]] = {}
        self.finished: list[str] = []

    def execute(self, job: Job, lock: SourceLock) -> RunOutcome | None:
        start = time.time()
        assert lock.held
        time.sleep(self.durations[job.name])
        self.spans.setdefault(job.name, []).append((start, time.time()))
        self.finished.append(job.name)
        return None


def _source(name: str, every: str) -> Source:
    return Source(name=name, start_urls=[f"https://{name}.example/"], every=every)


def _run_for(scheduler: Scheduler, seconds: float) -> float:
    thread = threading.Thread(target=scheduler.run)
    thread.start()
    time.sleep(seconds)
    stopped = time.monotonic()
    scheduler.stop()
    thread.join(20)
    assert not thread.is_alive()
    return time.monotonic() - stopped


def test_runs_keep_their_cadence_and_never_overlap(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    scheduler = FakeScheduler(
        [_source("quick", "0.3s"), _source("slow", "0.3s")],
        db,
        jitter=0,
        grace=5,
        durations={"quick": 0.02, "slow": 0.7},
    )
    _run_for(scheduler, 2.05)
    quick = [start for start, _ in scheduler.spans["quick"]]
    assert 5 <= len(quick) <= 8
    first = quick[0]
    for start in quick:  # on the grid, not drifting with each run's duration
        offset = (start - first) % 0.3
        assert min(offset, 0.3 - offset) < 0.12
    slow = scheduler.spans["slow"]
    assert all(end <= nxt for (_, end), (nxt, _) in zip(slow, slow[1:], strict=False))
    jobs = {job.name: job for job in scheduler.jobs}
    assert jobs["slow"].skipped >= 3 and jobs["quick"].skipped == 0
    with Archive.open(db) as archive:
        rows = archive.conn.execute(
            "SELECT sources, status, error FROM runs WHERE status = 'skipped'"
        ).fetchall()
    assert len(rows) == jobs["slow"].skipped
    assert all(json.loads(r[0]) == ["slow"] and "still going" in r[2] for r in rows)


def test_a_stop_lets_the_current_run_finish_and_starts_no_other(tmp_path: Path) -> None:
    scheduler = FakeScheduler(
        [_source("slow", "0.2s")],
        str(tmp_path / "news.db"),
        jitter=0,
        grace=5,
        durations={"slow": 1.0},
    )
    waited = _run_for(scheduler, 0.3)
    assert scheduler.finished == ["slow"]
    assert 0.4 < waited < 2.5


def test_a_run_locked_elsewhere_is_skipped_and_recorded(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    other = SourceLock(db, "busy")
    assert other.acquire(run_id=41)
    scheduler = FakeScheduler(
        [_source("busy", "0.2s")], db, jitter=0, grace=1, durations={"busy": 0.01}
    )
    try:
        _run_for(scheduler, 0.5)
    finally:
        other.release()
    assert "busy" not in scheduler.spans
    with Archive.open(db) as archive:
        errors = [r[0] for r in archive.conn.execute("SELECT error FROM runs")]
    assert errors and all("still going in process" in e and "run 41" in e for e in errors)


def test_every_resumes_after_the_last_run_on_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "news.db")
    with Archive.open(db) as archive:
        run_id = archive.start_run("schedule", ["harbor"])
        archive.finish_run(run_id, "completed")
    scheduler = Scheduler([_source("harbor", "1h")], db, jitter=0)
    now = time.time()
    scheduler.plan_first(now)
    assert scheduler.jobs[0].due > now + 3500  # ran seconds ago: next in about an hour
    fresh = Scheduler([_source("other", "1h")], db, jitter=0)
    fresh.plan_first(now)
    assert fresh.jobs[0].due == now


def test_jitter_is_bounded_by_a_tenth_of_the_interval(tmp_path: Path) -> None:
    scheduler = Scheduler([_source("a", "10s")], str(tmp_path / "news.db"), jitter=30)
    scheduler.plan_first(1000.0)
    job = scheduler.jobs[0]
    assert 0 <= job.start_at - job.due <= 1.0


# -- source health --------------------------------------------------------------------------------


def _add_run(
    conn: sqlite3.Connection,
    run_id: int,
    source: str,
    day: int,
    *,
    status: str = "completed",
    fetched: int = 10,
    kept: int = 5,
    empty: int = 0,
) -> tuple[str, str]:
    started, ended = f"2025-09-{day:02d}T10:00:00Z", f"2025-09-{day:02d}T10:05:00Z"
    summary = {
        source: {
            "fetched": fetched,
            "articles_new": kept,
            "dropped_by_reason": {"empty": empty} if empty else {},
        }
    }
    conn.execute(
        "INSERT INTO runs (id, started, ended, status, command, sources, summary) "
        "VALUES (?, ?, ?, ?, 'schedule', ?, ?)",
        (run_id, started, ended, status, json.dumps([source]), json.dumps(summary)),
    )
    return started, ended


def _add_articles(archive: Archive, source: str, day: int, count: int, undated: int) -> None:
    articles = [
        {
            "url": f"https://{source}.example/{day}/{n}",
            "title": f"Story {n}",
            "source": source,
            "published": None if n < undated else f"2025-09-{day:02d}T08:00:00Z",
            "text": "word " * 300,
        }
        for n in range(count)
    ]
    archive.upsert_articles(articles, now=f"2025-09-{day:02d}T10:01:00Z")


@pytest.fixture
def health_db(tmp_path: Path) -> Path:
    """gazette: healthy for 5 runs, then its layout changes; dead: 3 failures in a row."""
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        conn = archive.conn
        for day in range(1, 6):
            _add_run(conn, day, "gazette", day, kept=5, empty=0)
            _add_articles(archive, "gazette", day, 5, undated=0)
        _add_run(conn, 6, "gazette", 7, kept=6, empty=9)
        _add_articles(archive, "gazette", 7, 6, undated=5)
        _add_run(conn, 7, "dead", 3, kept=4)
        _add_articles(archive, "dead", 3, 4, undated=0)
        for run_id, day in ((8, 5), (9, 6), (10, 7)):
            _add_run(conn, run_id, "dead", day, status="failed", fetched=0, kept=0)
        conn.execute(
            "INSERT INTO runs (id, started, ended, status, command, sources) VALUES "
            "(11, '2025-09-07T11:00:00Z', '2025-09-07T11:00:00Z', 'skipped', 'schedule', "
            "'[\"gazette\"]')"
        )
    return path


def test_health_rows(health_db: Path) -> None:
    now = datetime(2025, 9, 8, tzinfo=timezone.utc)
    with Archive.open(health_db) as archive:
        rows = {r["source"]: r for r in source_health(archive.conn, now=now)}
    gazette, dead = rows["gazette"], rows["dead"]
    assert gazette["last_status"] == "skipped"
    assert gazette["last_success"] == "2025-09-07T10:05:00Z"
    assert gazette["failure_streak"] == 0
    assert gazette["articles"] == 31
    assert gazette["per_day_7d"] == round(31 / 7, 1)
    assert gazette["empty_rate"] == 0.6
    assert any(w.startswith("empty bodies 60% (was 0%)") for w in gazette["warnings"])
    assert any(w.startswith("missing dates 83% (was 0%)") for w in gazette["warnings"])
    assert dead["failure_streak"] == 3
    assert dead["last_success"] == "2025-09-03T10:05:00Z"
    assert dead["warnings"][0] == "3 failed runs in a row"


def test_health_without_drift_is_quiet(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        for day in range(1, 8):
            _add_run(archive.conn, day, "steady", day, kept=5, empty=1)
            _add_articles(archive, "steady", day, 5, undated=1)
        rows = source_health(archive.conn)
    assert rows[0]["warnings"] == []
    assert rows[0]["undated_rate"] == 0.2


def test_sources_command_formats(health_db: Path, sources_file: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(sources_command, ["--db", str(health_db), "--sources", str(sources_file)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["source", "cadence", "last_run"]
    assert [line.split()[0] for line in lines[2:]] == [
        "harbor",
        "valley",
        "fast",
        "dead",
        "gazette",
    ]
    assert "every 15m" in table.output and "empty bodies 60%" in table.output
    as_json = runner.invoke(sources_command, ["--db", str(health_db), "--json"])
    rows = [json.loads(line) for line in as_json.output.splitlines()]
    assert {r["source"] for r in rows} == {"gazette", "dead"}
    assert isinstance(rows[0]["warnings"], list)
    as_csv = runner.invoke(sources_command, ["--db", str(health_db), "--csv"])
    assert as_csv.output.splitlines()[0].startswith("source,cadence,last_run,last_status")


def test_sources_command_without_an_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(sources_command, ["--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no archive" in result.output

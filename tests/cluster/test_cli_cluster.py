"""`newscrawl seed`, `status` and the `--redis` errors, driven with CliRunner on a real Redis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from newscrawl.cli.main import cli
from newscrawl.cluster import Keys


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_seed_queues_start_urls_and_status_shows_them(
    redis_url: str, keys: Keys, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[sources]]\nname = "gazette"\nstart_urls = ["https://gazette.example/", '
        '"https://gazette.example/feed.xml"]\nmax_depth = 2\n'
    )
    seeded = _invoke(
        "seed", "--redis", redis_url, "--prefix", keys.prefix, "--sources", str(sources)
    )
    assert seeded.exit_code == 0, seeded.output
    assert "Queued 2 start URLs of 1 sources." in seeded.output
    status = _invoke("status", "--redis", redis_url, "--prefix", keys.prefix, "--json")
    data = json.loads(status.output)
    assert (data["requests_waiting"], data["requests_leased"], data["items_waiting"]) == (2, 0, 0)
    assert data["sources"] == ["gazette"]


def test_seeding_a_start_url_twice_queues_it_once(redis_url: str, keys: Keys) -> None:
    for _ in range(2):
        _invoke("seed", "--redis", redis_url, "--prefix", keys.prefix, "https://x.example/")
    status = _invoke("status", "--redis", redis_url, "--prefix", keys.prefix, "--json")
    assert json.loads(status.output)["requests_waiting"] == 1


def test_status_table_names_the_queues(redis_url: str, keys: Keys) -> None:
    result = _invoke("status", "--redis", redis_url, "--prefix", keys.prefix)
    assert result.exit_code == 0
    for label in ("requests waiting", "articles waiting", "archive-worker: none running"):
        assert label in result.output


def test_cluster_commands_need_a_redis_url(monkeypatch: Any) -> None:
    monkeypatch.delenv("NEWSCRAWL_REDIS", raising=False)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 2
    assert "give --redis URL or set NEWSCRAWL_REDIS" in result.output


def test_an_unreachable_redis_is_one_clear_error() -> None:
    result = CliRunner().invoke(cli, ["status", "--redis", "redis://127.0.0.1:1/0"])
    assert result.exit_code == 1
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in result.output


def test_crawl_refuses_a_url_that_is_not_redis() -> None:
    result = CliRunner().invoke(cli, ["crawl", "--redis", "http://127.0.0.1:6379"])
    assert result.exit_code == 2
    assert "is not a Redis URL" in result.output

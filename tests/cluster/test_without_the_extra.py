"""Without the `redis` extra, newscrawl and Scrapy's spider list still work; the cluster commands
say which extra they need."""

from __future__ import annotations

import subprocess
import sys

BLOCK = "import sys; sys.modules['scrapy_redis'] = None; sys.modules['redis'] = None\n"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code], capture_output=True, text=True, timeout=60
    )


def test_spiders_load_without_scrapy_redis() -> None:
    done = _run(
        "from scrapy.settings import Settings\n"
        "from scrapy.spiderloader import SpiderLoader\n"
        "s = Settings(); s.setmodule('newscrawl.settings')\n"
        "print(sorted(SpiderLoader.from_settings(s).list()))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['news', 'news-cluster']"


def test_a_cluster_command_names_the_missing_extra() -> None:
    done = _run(
        "from newscrawl.cli.main import cli\ncli(['status', '--redis', 'redis://127.0.0.1:1/0'])\n"
    )
    assert done.returncode == 1
    assert "pip install 'newscrawl[redis]'" in done.stderr

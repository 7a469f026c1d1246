"""Start-up cost: each command's code is imported when the command runs, not by every command."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from newscrawl.cli.main import COMMANDS, cli
from newscrawl.runner import crawl_settings


def _modules_after(args: list[str]) -> set[str]:
    code = (
        "import sys\nfrom newscrawl.cli.main import cli\n"
        f"try:\n    cli({args!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_crawl_does_not_import_other_commands_code() -> None:
    loaded = _modules_after(["crawl", "--help"])
    assert "newscrawl.cli.crawl" in loaded
    assert not {"newscrawl.cli.cluster", "newscrawl.cli.reextract", "redis", "trafilatura"} & loaded


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


def test_every_listed_command_loads() -> None:
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.output or "example" in result.output, name


def test_crawl_processes_leave_out_disabled_extensions() -> None:
    extensions = crawl_settings().getwithbase("EXTENSIONS")
    assert not any(str(name).endswith((".RemoteControl", ".TelnetConsole")) for name in extensions)
    assert "scrapy.extensions.corestats.CoreStats" in extensions


def test_reading_the_cluster_setting_does_not_import_redis() -> None:
    # A local crawl asks whether a cluster is configured; only a cluster needs the redis client.
    code = (
        "import sys\nfrom newscrawl.cluster import redis_url\n"
        "assert redis_url('redis://127.0.0.1:6379/0')\nprint('redis' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"

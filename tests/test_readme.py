"""The README's commands work: CI runs its test command, and every `newscrawl` line runs."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Commands that need servers or long runs: checked by parsing here, run by their own tests.
PARSE_ONLY = {"crawl", "demo", "serve", "schedule", "seed", "status", "archive-worker"}


def _code_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line:
                lines.append(line)
    return lines


def _newscrawl_commands() -> list[list[str]]:
    commands = []
    for line in _code_lines():
        if line.startswith("newscrawl "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_ci_runs_the_readme_test_command() -> None:
    test_lines = [line for line in _code_lines() if "pytest" in line and "pip install" in line]
    assert len(test_lines) == 1
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_lines[0] in ci.splitlines()


def test_readme_has_a_demo_command_for_a_fresh_machine() -> None:
    assert any(
        line.endswith("newscrawl demo") and "pip install -U pip" in line for line in _code_lines()
    )


@pytest.mark.parametrize("args", _newscrawl_commands(), ids=lambda a: " ".join(a)[:60])
def test_readme_command_runs(
    args: list[str], archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = tmp_path / "work"
    (workdir / "archive").mkdir(parents=True)
    shutil.copy(archive_path, workdir / "archive" / "news.db")
    # README examples that read saved pages use the repository's fixtures.
    shutil.copytree(ROOT / "tests" / "fixtures" / "pages", workdir / "tests" / "fixtures" / "pages")
    monkeypatch.chdir(workdir)
    monkeypatch.delenv("NEWSCRAWL_DB", raising=False)
    if args[0] in PARSE_ONLY:
        command = cli.get_command(None, args[0])  # type: ignore[arg-type]
        assert command is not None, args
        command.make_context(args[0], args[1:])
        return
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, (args, result.output)

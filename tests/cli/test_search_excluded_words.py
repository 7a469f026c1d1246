"""A query may start with "-word" (exclude it): it is the query, not an unknown option."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newscrawl.cli.main import cli


def test_a_query_starting_with_an_excluded_word_is_searched(archive_path: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "-zeppelin parade", "--db", str(archive_path)])
    assert result.exit_code == 0, result.output
    assert "No such option" not in result.output


def test_a_query_of_excluded_words_only_says_what_is_missing(archive_path: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "-parade", "--db", str(archive_path)])
    assert "-word only leaves articles out; add a word to look for" in result.output

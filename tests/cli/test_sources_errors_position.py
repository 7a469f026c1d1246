"""`newscrawl crawl --sources FILE`: an error in the file names the line and column at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.cli.main import cli
from newscrawl.sources import SourcesError, parse_sources

HEAD = '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/"]\n'


def sources_error(tmp_path: Path, text: str) -> str:
    """The error `newscrawl crawl` gives for a sources file holding `text`, after the file name."""
    path = tmp_path / "bad.toml"
    path.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(
        cli, ["crawl", "--sources", str(path), "--db", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"Error: {path}"), result.output
    return last.removeprefix(f"Error: {path}")


def test_bad_value_names_its_keys_line_and_column(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'max_pages = "ten"\n')
    assert error == ", line 4, column 1: source #1 ('a'): `max_pages` must be a whole number >= 0"


def test_unknown_key_names_its_column(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + "language = 'en'\n    max_page = 3\n")
    assert error == ", line 5, column 5: source #1 ('a'): unknown key(s) max_page"


def test_unknown_sub_table_names_its_header(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + "\n[sources.setting]\nDOWNLOAD_DELAY = 1\n")
    assert error == ", line 5, column 1: source #1 ('a'): unknown key(s) setting"


def test_bad_url_names_the_item_in_a_one_line_array(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/", "ftp://a.example/"]\n'
    error = sources_error(tmp_path, text)
    assert error == (
        ", line 3, column 37: source #1 ('a'): invalid URL 'ftp://a.example/': "
        "give an absolute http:// or https:// URL"
    )


def test_bad_url_names_the_item_in_a_multi_line_array(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nname = "a"\nstart_urls = [\n'
        '  "https://a.example/",  # the home page, ] not the end\n'
        "  'https://a.example/feed', \"not a url\",\n]\n"
    )
    error = sources_error(tmp_path, text)
    assert error.startswith(", line 5, column 29: source #1 ('a'): invalid URL 'not a url'")


def test_bad_pattern_names_the_item(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'allow = [\n  "/news/",\n  "(",\n]\n')
    assert error.startswith(", line 6, column 3: source #1 ('a'): bad `allow` pattern '('")


def test_bad_pattern_given_as_a_string_names_its_key(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'deny = "("\n')
    assert error.startswith(", line 4, column 1: source #1 ('a'): bad `deny` pattern '('")


def test_item_that_is_not_a_string_is_named(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'deny = ["/live/", 3]\n')
    assert error == ", line 4, column 19: source #1 ('a'): `deny` must be a list of strings"


def test_duplicate_name_names_the_second_name(tmp_path: Path) -> None:
    text = HEAD + '\n[[sources]]\nstart_urls = ["https://b.example/"]\n  name = "a"\n'
    error = sources_error(tmp_path, text)
    assert error == (
        ", line 7, column 3: source #2 ('a'): duplicate source name 'a' (source #1 has it too)"
    )


def test_error_in_a_later_source_is_found_in_its_own_table(tmp_path: Path) -> None:
    # The first source's settings hold a key of the same name: it is not the one at fault.
    text = (
        HEAD
        + 'max_pages = 5\n[sources.settings]\nmax_pages = "x"\n\n'
        + '[[sources]]\nname = "b"\nstart_urls = ["https://b.example/"]\nmax_pages = -1\n'
    )
    error = sources_error(tmp_path, text)
    assert error == ", line 11, column 1: source #2 ('b'): `max_pages` must be a whole number >= 0"


def test_table_header_inside_a_string_is_not_a_table(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nname = "a"\nlanguage = """\n[[sources]]\n"""\n'
        "start_urls = ['https://a.example/']\nmax_depth = true\n"
    )
    error = sources_error(tmp_path, text)
    assert error == ", line 7, column 1: source #1 ('a'): `max_depth` must be a whole number >= 0"


def test_settings_that_are_not_a_table_are_named(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + "settings = 3\n")
    assert error == ", line 4, column 1: source #1 ('a'): `settings` must be a table"


def test_dotted_key_is_found(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'settings.DOWNLOAD_DELAY = 1\n"max_depth" = -2\n')
    assert error == ", line 5, column 1: source #1 ('a'): `max_depth` must be a whole number >= 0"


def test_windows_line_endings_give_the_same_position(tmp_path: Path) -> None:
    error = sources_error(tmp_path, (HEAD + 'max_pages = "ten"\n').replace("\n", "\r\n"))
    assert error == ", line 4, column 1: source #1 ('a'): `max_pages` must be a whole number >= 0"


def test_sources_as_inline_tables_are_located(tmp_path: Path) -> None:
    text = (
        "sources = [\n"
        '  {name = "a", start_urls = ["https://a.example/"]},\n'
        '  {name = "b", start_urls = ["https://b.example/", "nope"]},\n]\n'
    )
    error = sources_error(tmp_path, text)
    assert error.startswith(", line 3, column 52: source #2 ('b'): invalid URL 'nope'")


def test_unknown_top_level_key_names_its_position(tmp_path: Path) -> None:
    error = sources_error(tmp_path, "\nmax_pages = 3\n" + HEAD)
    assert error == (
        ", line 2, column 1: unknown top-level key(s) max_pages; "
        "put each source in a [[sources]] table"
    )


def test_missing_key_names_the_tables_line(tmp_path: Path) -> None:
    error = sources_error(
        tmp_path, HEAD + '\n# b\n[[sources]]\nstart_urls = ["https://b.example/"]\n'
    )
    assert error == ", line 6: source #2: `name` is required and must be a string"


def test_text_the_scanner_cannot_follow_names_the_tables_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: object) -> None:
        raise RuntimeError("scanner trouble")

    monkeypatch.setattr("newscrawl.sources._Scanner.scan", fail)
    error = sources_error(tmp_path, "\n" + HEAD + 'max_pages = "ten"\n')
    assert error == ", line 2: source #1 ('a'): `max_pages` must be a whole number >= 0"


def test_unclosed_array_names_where_it_opens(tmp_path: Path) -> None:
    text = '[[sources]]\nname = "a"\nstart_urls = ["https://a.example/",\n  "https://b.example/"\n'
    error = sources_error(tmp_path, text)
    assert error == (
        ": invalid TOML: Unclosed array (at line 3, column 14: this array is never closed)"
    )


def test_unclosed_array_ending_in_a_comment_names_where_it_opens(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'deny = [\n  "/live/", # ]\n')
    assert (
        error == ": invalid TOML: Invalid value (at line 4, column 8: this array is never closed)"
    )


def test_unterminated_string_at_the_end_names_where_it_opens(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + 'language = """en\n')
    assert error == (
        ": invalid TOML: Unterminated string (at line 4, column 12: this string is never closed)"
    )


def test_missing_value_at_the_end_names_the_end_of_the_file(tmp_path: Path) -> None:
    error = sources_error(tmp_path, HEAD + "max_pages =")
    assert error == ": invalid TOML: Invalid value (at line 4, column 12: the end of the file)"


_GOOD = (
    "# sources\n"
    + HEAD
    + "allow = [\"/news/\", '/world/']\nmax_pages = 5 # per run\n"
    + '[sources.settings]\nDOWNLOAD_DELAY = 1.5\n\n[[sources]]\nname = "b"\n'
    + 'start_urls = """https://b.example/"""\ndeny = [\n  "/live/",\n]\n'
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(_GOOD)),
            st.integers(min_value=0, max_value=3),
            st.sampled_from(
                ['"', "'", "[", "]", "{", "}", "=", "#", ".", ",", "\n", " ", "x", "3"]
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_edit_of_a_sources_file_gives_a_sources_error_at_worst(
    edits: list[tuple[int, int, str]],
) -> None:
    text = _GOOD
    for at, cut, insert in edits:
        text = text[:at] + insert + text[at + cut :]
    try:
        parse_sources(text, "f.toml")
    except SourcesError as exc:
        assert str(exc).startswith("f.toml")

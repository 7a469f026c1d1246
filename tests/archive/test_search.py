"""Search: query building, ranking, snippets, filters, raw mode, hostile input."""

from __future__ import annotations

import pytest

from newscrawl.archive import Archive, Filters, InvalidQueryError, build_fts_query, search


def urls(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["url"] for hit in result.hits]


def test_plain_words_must_all_match(archive: Archive) -> None:
    result = search(archive.conn, "missile parade")
    assert urls(result) == ["https://gazette.example/2025/09/02/kim-inspects-missiles"]


def test_phrase_in_quotes_matches_adjacent_words_only(archive: Archive) -> None:
    assert len(search(archive.conn, '"armoured train"').hits) == 1
    assert search(archive.conn, '"train armoured"').hits == []


def test_minus_excludes_a_word(archive: Archive) -> None:
    result = search(archive.conn, "parade -missile")
    assert urls(result) == []
    result = search(archive.conn, "bridge -missile")
    assert urls(result) == ["https://tribune.example/news/harbour-bridge-reopens"]


def test_or_between_words_matches_either(archive: Archive) -> None:
    result = search(archive.conn, "bridge OR missile", sort="newest")
    assert urls(result) == [
        "https://tribune.example/news/harbour-bridge-reopens",
        "https://gazette.example/2025/09/02/kim-inspects-missiles",
    ]


def test_trailing_star_is_a_prefix_search(archive: Archive) -> None:
    assert len(search(archive.conn, "commut*").hits) == 1


def test_title_match_ranks_above_body_match(archive: Archive) -> None:
    archive.upsert_articles(
        [{"url": "https://x.example/body", "title": "Weather", "text": "A bridge mentioned once."}]
    )
    result = search(archive.conn, "bridge")
    assert urls(result)[0] == "https://tribune.example/news/harbour-bridge-reopens"


def test_snippet_highlights_the_match(archive: Archive) -> None:
    [hit] = search(archive.conn, "detour", highlight=("<b>", "</b>")).hits
    assert "<b>detour</b>" in hit["snippet"]


def test_accents_are_folded(archive: Archive) -> None:
    assert urls(search(archive.conn, "defile pekin")) == [
        "https://courrier.example/monde/defile-pekin"
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(source="tribune"), ["https://tribune.example/news/harbour-bridge-reopens"]),
        (Filters(language="en"), ["https://tribune.example/news/harbour-bridge-reopens"]),
        (Filters(author="baker"), ["https://tribune.example/news/harbour-bridge-reopens"]),
        (Filters(since="2025-09-03"), ["https://tribune.example/news/harbour-bridge-reopens"]),
        (Filters(until="2025-09-02"), []),
        (
            Filters(until="2025-09-03T09:30:00Z"),
            ["https://tribune.example/news/harbour-bridge-reopens"],
        ),
    ],
)
def test_filters_narrow_results(archive: Archive, filters: Filters, expected: list[str]) -> None:
    assert urls(search(archive.conn, "bridge", filters=filters)) == expected


def test_bad_date_is_a_clear_error(archive: Archive) -> None:
    with pytest.raises(InvalidQueryError, match="invalid date 'yesterday'"):
        search(archive.conn, "bridge", filters=Filters(since="yesterday"))


def test_raw_mode_passes_fts5_syntax(archive: Archive) -> None:
    result = search(archive.conn, "title:bridge", raw=True)
    assert urls(result) == ["https://tribune.example/news/harbour-bridge-reopens"]


def test_raw_mode_syntax_error_is_a_clear_error(archive: Archive) -> None:
    with pytest.raises(InvalidQueryError, match="invalid search query"):
        search(archive.conn, '"unbalanced', raw=True)


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "NEAR(",
        "col:bridge",
        "*",
        "\x00",
        "\ud800bridge",
        "",
        "   ",
        "AND OR NOT",
        "-",
        '""',
    ],
)
def test_hostile_input_never_raises(archive: Archive, text: str) -> None:
    search(archive.conn, text)


def test_fts_syntax_words_are_searched_as_words() -> None:
    assert build_fts_query("NEAR(a b) col:x") == '("NEAR(a") AND ("b)") AND ("col:x")'


def test_query_without_words_has_a_note(archive: Archive) -> None:
    result = search(archive.conn, "*** ---")
    assert result.hits == []
    assert result.note is not None

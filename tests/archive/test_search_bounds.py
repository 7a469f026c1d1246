"""Search stays fast for very common words: above a cap only the newest matches are ranked."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.archive import Archive, Filters, search
from newscrawl.archive.bulk import bulk_load

search_module = importlib.import_module("newscrawl.archive.search")


@pytest.fixture
def crowded(tmp_path: Path) -> Iterator[Archive]:
    """An archive where 'ferry' is in every article and 'zeppelin' in two."""
    rows = [
        {
            "url": f"https://bounds.example/{i}",
            "title": f"Ferry news {i}",
            "published": f"2025-09-{1 + i % 28:02d}T06:00:00Z",
            "source": "odd" if i % 2 else "even",
            "text": "The ferry sailed. " + ("A zeppelin flew over." if i in (3, 70) else ""),
        }
        for i in range(80)
    ]
    archive = Archive.open(tmp_path / "news.db")
    bulk_load(archive, rows)
    yield archive
    archive.close()


def test_a_common_term_above_the_cap_is_ranked_among_the_newest_matches(crowded: Archive) -> None:
    result = search(crowded.conn, "ferry", max_ranked=10, limit=50)
    assert result.bounded
    assert result.note is not None and "more than 10 articles match" in result.note
    assert sorted(hit["id"] for hit in result.hits) == list(range(71, 81))


def test_a_rare_term_gets_no_note(crowded: Archive) -> None:
    result = search(crowded.conn, "zeppelin", max_ranked=10)
    assert not result.bounded and result.note is None
    assert len(result.hits) == 2


def test_the_module_cap_applies_by_default(
    crowded: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "MAX_RANKED", 20)
    assert search(crowded.conn, "ferry").bounded
    assert not search(crowded.conn, "ferry", max_ranked=0).bounded
    assert not search(crowded.conn, "ferry", max_ranked=80).bounded


def test_bounded_search_keeps_filters_and_sorts(crowded: Archive) -> None:
    result = search(
        crowded.conn, "ferry", max_ranked=10, filters=Filters(source="odd"), sort="newest"
    )
    assert result.bounded
    # The newest 10 matches that pass the filter are ranked (odd rows hold the even ids).
    assert {hit["id"] for hit in result.hits} == set(range(62, 81, 2))
    assert {hit["source"] for hit in result.hits} == {"odd"}
    published = [hit["published"] for hit in result.hits]
    assert published == sorted(published, reverse=True)


def test_filters_apply_before_the_cap(crowded: Archive) -> None:
    """80 articles match, 40 of them from source "odd": under a cap of 50, all 40 are found."""
    result = search(crowded.conn, "ferry", max_ranked=50, limit=100, filters=Filters(source="odd"))
    assert not result.bounded and result.note is None
    assert len(result.hits) == 40


def test_a_query_too_costly_to_count_searches_only_the_newest_articles(
    crowded: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_slow(*args: object, **kwargs: object) -> int:
        raise search_module._TooSlow

    monkeypatch.setattr(search_module, "count_matches", too_slow)
    monkeypatch.setattr(search_module, "WINDOW_ARTICLES", 10)
    result = search(crowded.conn, "ferry", limit=50)
    assert result.bounded
    assert result.note is not None and "10 most recently archived articles" in result.note
    assert sorted(hit["id"] for hit in result.hits) == list(range(71, 81))


@pytest.mark.parametrize(
    ("cap", "min_rowid", "expected"),
    [(None, None, 80), (30, None, 30), (None, 40, 41)],
    ids=["all", "capped", "window"],
)
def test_unfiltered_ranking_without_the_articles_join_ranks_alike(
    crowded: Archive, cap: int | None, min_rowid: int | None, expected: int
) -> None:
    """Relevance ranking with no filter reads the FTS index alone; it must agree with the join."""
    ranked = search_module._ranked_ids
    fast = ranked(crowded.conn, '"ferry"', "1", [], "c.rank", 100, 0, cap, min_rowid)
    joined = ranked(crowded.conn, '"ferry"', "1 = 1", [], "c.rank", 100, 0, cap, min_rowid)
    assert fast == joined
    assert len(fast) == expected


def test_a_query_too_costly_to_count_ranks_at_most_the_cap_within_its_window(
    crowded: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_slow(*args: object, **kwargs: object) -> int:
        raise search_module._TooSlow

    monkeypatch.setattr(search_module, "count_matches", too_slow)
    monkeypatch.setattr(search_module, "WINDOW_ARTICLES", 40)
    result = search(crowded.conn, "ferry", limit=50, max_ranked=10)
    assert result.bounded
    assert result.note is not None and "10 most recent matches ranked" in result.note
    assert sorted(hit["id"] for hit in result.hits) == list(range(71, 81))


def test_a_phrase_query_has_the_smaller_phrase_cap(
    crowded: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "MAX_RANKED_PHRASE", 5)
    phrase = search(crowded.conn, '"ferry sailed"', limit=50)
    assert phrase.bounded and phrase.note is not None and "more than 5 articles" in phrase.note
    assert sorted(hit["id"] for hit in phrase.hits) == list(range(76, 81))
    words = search(crowded.conn, "ferry sailed", limit=50)
    assert not words.bounded and len(words.hits) == 50

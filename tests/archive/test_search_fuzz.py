"""Fuzzing search with arbitrary text: it must never raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.archive import Archive, search

FTS_ALPHABET = st.sampled_from(
    list('"*-:()^+{}[],.')
    + ["OR", "AND", "NOT", "NEAR", " ", "\x00", "\ud800", "bridge", "é", "名"]
)
queries = st.one_of(st.text(max_size=60), st.lists(FTS_ALPHABET, max_size=12).map("".join))


@settings(
    max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=queries)
def test_search_never_raises(archive: Archive, text: str) -> None:
    result = search(archive.conn, text)
    assert isinstance(result.hits, list)

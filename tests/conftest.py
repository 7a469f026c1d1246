"""Fixtures shared across the test suite: sample articles and temporary archives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.archive import Archive

SAMPLE_ARTICLES: list[dict[str, Any]] = [
    {
        "url": "https://gazette.example/2025/09/02/kim-inspects-missiles",
        "title": "Kim Jong Un inspects missile drill before Beijing parade",
        "authors": ["Jane Doe", "Min-jun Park"],
        "published": "2025-09-02T06:00:00Z",
        "language": "en",
        "source": "gazette",
        "section": "World",
        "tags": ["North Korea", "China"],
        "description": "The leader left Pyongyang by armoured train.",
        "text": "North Korean leader Kim Jong Un inspected a missile drill.\n\n"
        "He then boarded his armoured train to Beijing for the military parade.",
    },
    {
        "url": "https://tribune.example/news/harbour-bridge-reopens",
        "title": "Harbour bridge reopens after repairs",
        "authors": ["Tom Baker"],
        "published": "2025-09-03T09:30:00Z",
        "language": "en-GB",
        "source": "tribune",
        "section": "Local",
        "tags": ["Transport"],
        "description": "Traffic flows again over the old bridge.",
        "text": "The harbour bridge reopened on Wednesday after six months of repairs.\n\n"
        "Commuters welcomed the end of the detour through the industrial estate.",
    },
    {
        "url": "https://courrier.example/monde/defile-pekin",
        "title": "Défilé militaire à Pékin : les invités de Xi",
        "authors": ["Claire Dubois"],
        "published": "2025-09-03T12:00:00Z",
        "language": "fr",
        "source": "courrier",
        "section": "Monde",
        "tags": [],
        "description": "Les dirigeants attendus au défilé.",
        "text": "Le défilé militaire de Pékin réunira plusieurs dirigeants étrangers.",
    },
]


@pytest.fixture
def sample_articles() -> list[dict[str, Any]]:
    """The sample articles the `archive` fixtures hold."""
    return [dict(a) for a in SAMPLE_ARTICLES]


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    """Path of an archive file holding the sample articles."""
    path = tmp_path / "news.db"
    with Archive.open(path) as archive:
        archive.upsert_articles(SAMPLE_ARTICLES, now="2025-09-04T00:00:00Z")
    return path


@pytest.fixture
def archive(archive_path: Path) -> Iterator[Archive]:
    """An open archive holding the sample articles."""
    with Archive.open(archive_path) as opened:
        yield opened

"""Articles the web UI tests add to the sample archive, and a synchronous test client."""

from __future__ import annotations

import asyncio
from typing import Any

GAZETTE_URL = "https://gazette.example/2025/09/02/kim-inspects-missiles"
GAZETTE_TITLE = "Kim Jong Un inspects missile drill before Beijing parade"
COUNCIL_URL = "https://tribune.example/news/council-budget"

EXTRA_ARTICLES: list[dict[str, Any]] = [
    {
        "url": COUNCIL_URL,
        "title": "Council approves budget for the coming year",
        "authors": ["Tom Baker"],
        "published": "2025-09-05T08:00:00Z",
        "language": "en",
        "source": "tribune",
        "section": "Local",
        "description": "Spending on schools rises.",
        "text": "The council approved next year's budget on Thursday.\n\n"
        "The parade route through the old town will be closed for the autumn fair.",
    },
    {
        "url": "https://mirror.example/agency/kim-drill-copy",
        "title": "Agency copy: leader inspects drill",
        "authors": ["Agency"],
        "published": "2025-09-02T07:00:00Z",
        "language": "en",
        "source": "mirror",
        "section": "World",
        "text": "North Korean leader Kim Jong Un inspected a missile drill.\n\n"
        "He then boarded his armoured train to Beijing for the military parade.",
        "duplicate_of": GAZETTE_URL,
    },
]


#: The gazette sample article after a silent correction: new text, same ``modified`` (none).
GAZETTE_EDITED: dict[str, Any] = {
    "url": GAZETTE_URL,
    "title": GAZETTE_TITLE,
    "authors": ["Jane Doe", "Min-jun Park"],
    "published": "2025-09-02T06:00:00Z",
    "language": "en",
    "source": "gazette",
    "section": "World",
    "tags": ["North Korea", "China"],
    "description": "The leader left Pyongyang by armoured train.",
    "text": "North Korean leader Kim Jong Un inspected a missile drill.\n\n"
    "He then boarded his armoured train to Beijing for the military parade.\n\n"
    "An earlier version of this article misstated the date of the drill.",
}


class Client:
    """Synchronous access to a Datasette's in-process client for tests."""

    def __init__(self, ds: Any) -> None:
        self.ds = ds

    def get(self, path: str) -> Any:
        """GET `path` in-process and return the response."""
        return asyncio.run(self.ds.client.get(path))

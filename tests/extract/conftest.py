"""Helpers for the extraction tests: load saved pages and extract them once per session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from newscrawl.extract import extract_article

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
#: A fixed "now" so that date checks do not depend on the day the tests run.
NOW = datetime(2025, 10, 1, tzinfo=timezone.utc)


def page_bytes(name: str) -> bytes:
    """Return the raw bytes of a saved page."""
    return (PAGES / f"{name}.html").read_bytes()


@cache
def _extracted(name: str, url: str, content_type: str | None = None) -> dict[str, Any]:
    """Extract a saved page once and cache the result (callers must not mutate it)."""
    headers = {"Content-Type": content_type} if content_type else None
    return extract_article(page_bytes(name), url, headers, now=NOW)


@pytest.fixture(scope="session")
def extracted() -> Callable[..., dict[str, Any]]:
    """Return ``extracted(name, url, content_type=None)``: a saved page's cached extraction."""
    return _extracted


@pytest.fixture(scope="session")
def raw_page() -> Callable[[str], bytes]:
    """Return ``raw_page(name)``: the bytes of a saved page."""
    return page_bytes


@pytest.fixture(scope="session")
def now() -> datetime:
    """Return the fixed "now" used for date checks."""
    return NOW

"""Fixtures for the demo site tests: one served site per module and a tiny HTTP client."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from newscrawl.demo import DemoServer, DemoSite, serve_demo_site
from newscrawl.demo.client import Fetched, fetch


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """The bundled demo site, served for the whole module."""
    with serve_demo_site(DemoSite.load()) as server:
        yield server


@pytest.fixture(scope="module")
def site(demo: DemoServer) -> DemoSite:
    """The served site (bound to the server's base URLs)."""
    return demo.site


@pytest.fixture()
def get() -> Callable[..., Fetched]:
    """The test HTTP client (does not follow redirects)."""
    return fetch

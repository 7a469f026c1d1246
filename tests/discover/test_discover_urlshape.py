"""Tests for classify_url: what a URL points at, by its shape."""

from __future__ import annotations

import pytest

from newscrawl.discover.links import classify_url
from newscrawl.discover.urlshape import URL_CLASSES


@pytest.mark.parametrize(
    "url",
    [
        "https://e.com/2025/09/02/cabinet-approves-budget",
        "https://e.com/world/2025/09/02/story",
        "https://e.com/2025/sep/02/story",
        "https://e.com/2025/09/story-slug",
        "https://e.com/20250902/story-slug",
        "https://e.com/2025-09-02/story-slug",
        "https://e.com/news/world-europe-12345678",
        "https://e.com/a/123456",
        "https://e.com/article/budget",
        "https://e.com/news/cabinet-approves-new-budget-plan",
        "https://e.com/politik/haushalt-beschlossen.html",
        "https://e.com/?p=123",
        "https://e.com/2025/09/02/privacy-law-passes",
    ],
)
def test_article_shapes(url: str) -> None:
    assert classify_url(url) == "article"


@pytest.mark.parametrize(
    "url",
    [
        "https://e.com/",
        "https://e.com/politics",
        "https://e.com/world/europe/",
        "https://e.com/category/politics",
        "https://e.com/page/2",
        "https://e.com/politics/page/3/",
        "https://e.com/news/index.html",
        "https://e.com/politics.html",
    ],
)
def test_section_shapes(url: str) -> None:
    assert classify_url(url) == "section"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://e.com/tag/climate", "tag"),
        ("https://e.com/topics/climate-change", "tag"),
        ("https://e.com/tag/climate/page/2", "tag"),
        ("https://e.com/author/jane-doe", "author"),
        ("https://e.com/by/jane-doe", "author"),
        ("https://e.com/video/2025/09/02/storm-footage", "video"),
        ("https://e.com/videos/", "video"),
        ("https://e.com/gallery/best-photos-of-the-week", "gallery"),
        ("https://e.com/in-pictures/storm", "gallery"),
        ("https://e.com/about", "about"),
        ("https://e.com/about-us/", "about"),
        ("https://e.com/contact", "about"),
        ("https://e.com/privacy-policy", "about"),
        ("https://e.com/login?next=/", "about"),
        ("https://e.com/terms.html", "about"),
        ("https://e.com/search?q=budget", "search"),
        ("https://e.com/?s=budget", "search"),
        ("https://e.com/feed/", "feed"),
        ("https://e.com/politics/rss", "feed"),
        ("https://e.com/rss.xml", "feed"),
        ("https://e.com/news.atom", "feed"),
        ("https://e.com/?feed=rss2", "feed"),
        ("https://e.com/img/photo.JPG", "asset"),
        ("https://e.com/static/site.css?v=3", "asset"),
        ("https://e.com/app.js", "asset"),
        ("https://e.com/report.pdf", "asset"),
    ],
)
def test_non_article_shapes(url: str, kind: str) -> None:
    assert classify_url(url) == kind


@pytest.mark.parametrize("url", ["mailto:a@e.com", "ftp://e.com/x", "not a url", ""])
def test_non_http_is_other(url: str) -> None:
    assert classify_url(url) == "other"


def test_deep_ambiguous_path_is_other() -> None:
    assert classify_url("https://e.com/x/y/z/w/v") == "other"


def test_classes_are_all_declared() -> None:
    urls = ["https://e.com/", "https://e.com/tag/x", "https://e.com/a.png", "https://e.com/x/y/z/w"]
    assert {classify_url(u) for u in urls} <= set(URL_CLASSES)

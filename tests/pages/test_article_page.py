"""The article page object: which URL an article is archived under."""

from __future__ import annotations

from newscrawl.pages import FetchedPage, article_from_page, article_url


def test_same_site_canonical_is_adopted() -> None:
    url, original = article_url("https://news.example/a?utm_source=x", "https://news.example/story")
    assert (url, original) == ("https://news.example/story", None)


def test_canonical_on_a_subdomain_counts_as_same_site() -> None:
    url, _ = article_url("https://m.news.example/story", "https://www.news.example/story")
    assert url == "https://www.news.example/story"


def test_other_site_canonical_is_recorded_as_original_not_adopted() -> None:
    url, original = article_url("https://copycat.example/story", "https://news.example/story")
    assert (url, original) == ("https://copycat.example/story", "https://news.example/story")


def test_amp_url_without_canonical_maps_to_the_article() -> None:
    url, _ = article_url("https://news.example/amp/2025/09/story", None)
    assert url == "https://news.example/2025/09/story"


def test_tracking_parameters_and_fragment_are_dropped() -> None:
    url, _ = article_url("https://news.example/story?fbclid=1&id=7#comments", None)
    assert url == "https://news.example/story?id=7"


def test_sitemap_hints_fill_missing_fields() -> None:
    html = (
        b"<html><body><article><p>"
        + b"Words of the story go here. " * 30
        + b"</p></article></body></html>"
    )
    page = FetchedPage(
        url="https://news.example/story",
        body=html,
        source="news",
        hints={
            "news": {
                "title": "From the sitemap",
                "publication_date": "2025-09-01T10:00:00Z",
                "language": "en",
                "keywords": ["port"],
            }
        },
    )
    article = article_from_page(page)
    assert article.title == "From the sitemap"
    assert article.published == "2025-09-01T10:00:00Z"
    assert article.language == "en"
    assert article.provenance["published"] == "news-sitemap"
    assert article.source == "news"

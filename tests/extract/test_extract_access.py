"""Access detection: free, paywalled or unknown."""

from __future__ import annotations

from typing import Any

from newscrawl.extract import extract_article

PAYWALL_URL = "https://theledger.example/business/shipyard-bidding-war"


def test_is_accessible_for_free_false_is_paywalled(extracted: Any) -> None:
    result = extracted("paywalled", PAYWALL_URL)
    assert (result["access"], result["provenance"]["access"]) == ("paywalled", "json-ld")


def test_is_accessible_for_free_true_is_free(extracted: Any) -> None:
    result = extracted("jsonld_graph", "https://harbourgazette.example/news/tidal-turbines")
    assert result["access"] == "free"


def test_no_signal_is_unknown(extracted: Any) -> None:
    result = extracted("plain_byline", "https://oldtownherald.example/nature/swift-count")
    assert result["access"] is None


def test_paywall_marker_with_short_teaser_is_paywalled() -> None:
    html = (
        "<html><body><article><h1>Shipyard</h1><p>Three developers want the shipyard.</p>"
        '<div class="paywall-overlay">Subscribers only</div></article></body></html>'
    )
    assert extract_article(html, "https://x.example/a")["access"] == "paywalled"


def test_content_tier_locked_is_paywalled() -> None:
    html = (
        '<html><head><meta property="article:content_tier" content="locked"></head>'
        "<body><p>Teaser.</p></body></html>"
    )
    assert extract_article(html, "https://x.example/a")["access"] == "paywalled"

"""Per-site rules: a registered rule overrides only the fields it names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newscrawl.extract import extract_article
from newscrawl.extract.sites import SiteRule, register, rule_for, unregister

PAGE = """<html><head><title>Ferry strike ends | Gull Post</title>
<meta property="og:site_name" content="Gull Post">
<meta property="article:published_time" content="2025-02-01T10:00:00Z"></head>
<body><article><h1>Ferry strike ends</h1>
<div class="credit">Reporting: Ada Quinn</div>
<p>The ferry crews returned to work on Saturday after a four-day strike over rosters and pay.</p>
<p>Services between the islands will run to the normal timetable from Sunday morning.</p>
<p>The union said the new rosters would give crews two more rest days every month.</p>
</article></body></html>"""


@pytest.fixture
def gull_rule() -> Iterator[SiteRule]:
    """Register a rule for the fictional gullpost.example and remove it afterwards."""
    rule = register(
        SiteRule(
            domain="gullpost.example",
            authors="//div[@class='credit']/text()",
            fixed={"section": "Islands"},
        )
    )
    yield rule
    unregister("gullpost.example")


def test_rule_is_found_for_subdomains(gull_rule: SiteRule) -> None:
    assert rule_for("https://news.gullpost.example/a") is gull_rule


def test_no_rule_for_other_domains(gull_rule: SiteRule) -> None:
    assert rule_for("https://gullpost.example.org/a") is None


def test_rule_xpath_overrides_authors(gull_rule: SiteRule) -> None:
    result = extract_article(PAGE, "https://www.gullpost.example/2025/ferry")
    assert result["authors"] == ["Ada Quinn"]
    assert result["provenance"]["authors"] == "site:gullpost.example"


def test_rule_fixed_value_overrides_field(gull_rule: SiteRule) -> None:
    assert extract_article(PAGE, "https://gullpost.example/ferry")["section"] == "Islands"


def test_fields_without_rule_use_generic_extraction(gull_rule: SiteRule) -> None:
    result = extract_article(PAGE, "https://gullpost.example/ferry")
    assert (result["title"], result["published"]) == ("Ferry strike ends", "2025-02-01T10:00:00Z")


def test_without_rule_the_credit_line_is_not_an_author() -> None:
    assert extract_article(PAGE, "https://gullpost.example/ferry")["authors"] == []

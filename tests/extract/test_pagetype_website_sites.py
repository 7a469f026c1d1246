"""Page classification: articles on sites that declare every page a website."""

from __future__ import annotations

from newscrawl.extract import extract_article

PARAGRAPH = (
    "<p>Installing solar panels can offset or even eliminate an electric bill, and the higher"
    " the bill the more a household saves over the life of the system, which for most roofs"
    " runs to twenty-five years or more once the panels are in place and connected.</p>"
)


def _paragraphs(count: int) -> str:
    return "".join(PARAGRAPH.replace("<p>", f"<p>Step {i}: ") for i in range(count))


def _cards(count: int) -> str:
    return "".join(
        f"<div class='card'><h3><a href='/blog/post-{i}'>Related post {i}</a></h3></div>"
        for i in range(count)
    )


def test_long_article_declared_a_website_with_related_cards_is_an_article() -> None:
    html = (
        "<html><head><meta property='og:type' content='website'></head><body><main>"
        f"<h1>Solar installation guide</h1>{_paragraphs(12)}</main>{_cards(6)}</body></html>"
    )
    out = extract_article(html, "https://solar.example/blog/installation-guide")
    assert out["page_type"] == "article"


def test_website_listing_of_teasers_is_a_section() -> None:
    teasers = "".join(
        f"<div><h3><a href='/news/{i}'>Story {i}</a></h3><p>A short summary of story {i}.</p></div>"
        for i in range(6)
    )
    html = (
        "<html><head><meta property='og:type' content='website'></head><body>"
        f"<h1>News</h1>{teasers}</body></html>"
    )
    assert extract_article(html, "https://solar.example/news/")["page_type"] == "section"


def test_person_beside_a_webpage_node_does_not_make_an_author_page() -> None:
    graph = (
        '{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebPage", "name": "Cheap fixes are the best"},'
        '{"@type": "Person", "name": "Sam Writer"}]}'
    )
    html = (
        f"<html><head><script type='application/ld+json'>{graph}</script></head><body>"
        f"<h1>Cheap fixes are the best</h1>{_paragraphs(4)}</body></html>"
    )
    out = extract_article(html, "https://cars.example/2018/11/cheap-fixes")
    assert out["page_type"] == "article"


def test_person_alone_still_makes_an_author_page() -> None:
    html = (
        "<html><head><script type='application/ld+json'>"
        '{"@type": "Person", "name": "Sam Writer"}</script></head><body><h1>Sam Writer</h1>'
        "<p>Sam writes about cars.</p></body></html>"
    )
    assert extract_article(html, "https://cars.example/sam")["page_type"] == "author"

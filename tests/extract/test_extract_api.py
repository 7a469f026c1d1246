"""The public API: signature, purity and robustness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lxml.html

from newscrawl.extract import RESULT_KEYS, extract_article, parse_page
from newscrawl.extract.document import parse_html
from newscrawl.items import ARTICLE_FIELDS


def test_result_keys_are_article_fields_or_classification() -> None:
    assert set(RESULT_KEYS) - set(ARTICLE_FIELDS) <= {"canonical_url", "page_type", "is_article"}


def test_str_and_bytes_input_give_the_same_result(raw_page: Callable[[str], bytes]) -> None:
    raw = raw_page("opengraph_meta")
    url = "https://riversidecourier.example/local/library-reopens"
    assert extract_article(raw, url) == extract_article(raw.decode("utf-8"), url)


def test_a_page_parsed_already_gives_the_same_result(raw_page: Callable[[str], bytes]) -> None:
    raw = raw_page("opengraph_meta")
    url = "https://riversidecourier.example/local/library-reopens"
    headers = {"content-type": "text/html; charset=utf-8"}
    tree = parse_page(raw, headers)
    assert extract_article(raw, url, headers, tree=tree) == extract_article(raw, url, headers)


def test_a_given_tree_is_read_instead_of_the_html() -> None:
    tree = parse_page("<html><body><h1>Parsed headline</h1></body></html>")
    result = extract_article(b"", "https://x.example/a", tree=tree)
    assert result["title"] == "Parsed headline"


def test_parse_page_decodes_bytes_by_the_content_type_header() -> None:
    body = "<html><body><h1>Zoë’s café</h1></body></html>".encode("cp1252")
    tree = parse_page(body, {"Content-Type": "text/html; charset=cp1252"})
    assert tree.findtext(".//h1") == "Zoë’s café"


def test_header_content_type_is_used_for_decoding() -> None:
    body = "<html><body><h1>Zoë’s café</h1></body></html>".encode("cp1252")
    result = extract_article(
        body, "https://x.example/a", {"content-type": "text/html; charset=cp1252"}
    )
    assert result["title"] == "Zoë’s café"


def test_content_language_header_is_a_language_fallback() -> None:
    result = extract_article("<p>Hallo</p>", "https://x.example/a", {"Content-Language": "de-DE"})
    assert result["language"] == "de"


def test_broken_markup_does_not_raise() -> None:
    result = extract_article(b"<html><body><div><p>Unclosed <b>tags", "https://x.example/a")
    assert (
        result["authors"] == [] and result["tags"] == [] and isinstance(result["word_count"], int)
    )


def test_malformed_json_ld_is_ignored() -> None:
    html = '<html><head><script type="application/ld+json">{"@type": "NewsArticle",</script>'
    html += "<title>Plain title</title></head><body></body></html>"
    assert extract_article(html, "https://x.example/a")["title"] == "Plain title"


def test_date_in_url_is_the_last_resort_for_published() -> None:
    result = extract_article(
        "<html><body><p>Hi</p></body></html>", "https://x.example/2024/05/12/a"
    )
    assert (result["published"], result["provenance"]["published"]) == (
        "2024-05-12T00:00:00Z",
        "url",
    )


def test_main_element_is_cached_per_tree_and_forgotten_after_changes() -> None:
    from newscrawl.extract.document import parse_html
    from newscrawl.extract.visible import forget_tree, main_element

    def main_text(tree: Any) -> str | None:
        found = main_element(tree)
        return None if found is None else f"{found.tag}:{found.findtext('.//h1') or ''}"

    one = parse_html("<html><body><article><h1>One</h1></article></body></html>")
    two = parse_html("<html><body><main><h1>Two</h1></main><article>a</article></body></html>")
    assert main_text(one) == "article:One"
    assert main_text(two) == "article:"  # a second tree gets its own answer
    assert main_text(one) == "article:One"
    # An answer removed from the tree is not given again.
    body = two.find("body")
    body.remove(body.find("article"))
    assert main_text(two) == "main:Two"
    # Other changes need `forget_tree`.
    body.append(parse_html("<article><h1>B</h1></article>").find(".//article"))
    assert main_text(two) == "main:Two"
    forget_tree()
    assert main_text(two) == "article:B"


def test_page_meta_reads_scripts_links_and_metas_of_the_whole_document() -> None:
    from newscrawl.extract.document import parse_html
    from newscrawl.extract.metadata import read_page_meta

    tree = parse_html(
        '<html><head><link rel="canonical"><link rel=" Canonical\tcanonical " href="/a">'
        '<link rel="canonical" href="/b"><meta name="Author" content="Jane Doe">'
        '<script type="Application/LD+JSON">{"@type": "NewsArticle", "headline": "H"}</script>'
        "</head><body><p>x</p></body></html>"
    )
    meta = read_page_meta(tree)
    assert meta.canonical == "/a"
    assert meta.meta == {"author": ["Jane Doe"]}
    assert meta.article_ld == {"@type": "NewsArticle", "headline": "H"}


def test_parsed_elements_have_lxml_html_classes() -> None:
    tree = parse_html(
        "<html><body><form><input name='q'><select></select></form><p>x</p></body></html>"
    )
    assert isinstance(tree.find(".//form"), lxml.html.FormElement)
    assert isinstance(tree.find(".//input"), lxml.html.InputElement)
    assert isinstance(tree.find(".//select"), lxml.html.SelectElement)
    assert type(tree.find(".//p")) is lxml.html.HtmlElement

"""Decoding of page bytes: BOM, HTTP charset, <meta charset> and detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newscrawl.extract import decode_html


def test_meta_charset_windows_1252_page_decodes_without_mojibake(
    raw_page: Callable[[str], bytes],
) -> None:
    text = decode_html(raw_page("cp1252"))
    assert "Café owners “delighted” by pavement ruling" in text


def test_http_header_charset_wins_over_detection() -> None:
    body = "<p>naïve café</p>".encode("cp1252")
    assert "naïve café" in decode_html(body, "text/html; charset=windows-1252")


def test_wrong_utf8_header_on_cp1252_page_falls_back_to_meta_charset(
    raw_page: Callable[[str], bytes],
) -> None:
    text = decode_html(raw_page("cp1252"), "text/html; charset=utf-8")
    assert "ten o’clock" in text


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    body = b"<html><body><p>caf\xe9 \xff\xfe\x81</p></body></html>"
    text = decode_html(body, "text/html; charset=utf-8")
    assert text.startswith("<html>")


def test_utf8_bom_wins_over_header() -> None:
    body = "\ufeff<p>Zürich</p>".encode()
    assert "Zürich" in decode_html(body, "text/html; charset=iso-8859-1")


def test_shift_jis_page_decodes_from_http_equiv(raw_page: Callable[[str], bytes]) -> None:
    assert "市立図書館、夜間開館を試験実施へ" in decode_html(raw_page("shift_jis"))


def test_undeclared_shift_jis_is_detected() -> None:
    body = (
        "<html><body><p>" + "市立図書館は来月から夜間開館を始める。" * 20 + "</p></body></html>"
    ).encode("shift_jis")
    assert "市立図書館は来月から" in decode_html(body)


def test_empty_body_decodes_to_empty_string() -> None:
    assert decode_html(b"") == ""


def test_shift_jis_article_is_extracted(extracted: Any) -> None:
    result = extracted("shift_jis", "https://minato.example/news/library")
    assert result["title"] == "市立図書館、夜間開館を試験実施へ"
    assert result["authors"] == ["山田 花子"]
    assert result["published"] == "2025-04-10T00:00:00Z"
    assert result["language"] == "ja"


def test_shift_jis_text_drops_caption_and_related_links(extracted: Any) -> None:
    text = extracted("shift_jis", "https://minato.example/news/library")["text"]
    assert text.startswith("市立図書館は来月から")
    assert "写真" not in text and "関連記事" not in text and "ニュースレター" not in text


def test_cjk_word_count_counts_characters(extracted: Any) -> None:
    result = extracted("shift_jis", "https://minato.example/news/library")
    assert result["word_count"] > 150


def test_cp1252_article_fields(extracted: Any) -> None:
    result = extracted("cp1252", "https://petitcourrier.example/ville/terrasses")
    assert result["title"] == "Café owners “delighted” by pavement ruling"
    assert result["authors"] == ["Renée Dubois"]
    assert result["published"] == "2025-05-02T11:00:00Z"
    assert result["is_article"] is True


def test_cp1252_text_keeps_curly_quotes_and_drops_caption(extracted: Any) -> None:
    text = extracted("cp1252", "https://petitcourrier.example/ville/terrasses")["text"]
    assert "“It’s a fair compromise,” said André Lefèvre" in text
    assert "Tables outside" not in text and "Subscribe" not in text


def test_mojibake_shown_as_cp1252_symbols_is_repaired() -> None:
    from newscrawl.extract.encoding import repair_mojibake

    assert repair_mojibake("Investor\u00e2\u20ac\u2122s caf\u00c3\u00a9") == "Investor’s café"


def test_a_lone_c1_control_is_not_taken_for_mojibake() -> None:
    from newscrawl.extract.encoding import repair_mojibake

    assert repair_mojibake("Tab\u0085le caf\u00e9") == "Tab\u0085le caf\u00e9"


def test_mojibake_in_a_utf8_page_is_repaired_when_decoding() -> None:
    body = "<p>Investor\u00e2\u0080\u0099s guide</p>".encode()
    assert decode_html(body, "text/html; charset=utf-8") == "<p>Investor’s guide</p>"
    assert decode_html("<p>Investor’s guide</p>".encode(), "text/html; charset=utf-8") == (
        "<p>Investor’s guide</p>"
    )

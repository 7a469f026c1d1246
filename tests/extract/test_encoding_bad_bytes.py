"""A page declared UTF-8 with a few stray bytes stays UTF-8; a mislabelled legacy page does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newscrawl.extract import decode_html

UTF8 = "text/html; charset=utf-8"
#: utf8_stray_bytes.html: UTF-8 (also by its <meta charset>) but for three bytes from a legacy
#: editor, a Latin-1 "é" (E9), a cp1252 "’" (92) and a no-break space (A0).
STRAY_PAGE = "utf8_stray_bytes"
STRAY_URL = "https://petitcourrier.example/ville/creperie"


def test_utf8_page_with_stray_bytes_keeps_its_accented_words(
    raw_page: Callable[[str], bytes],
) -> None:
    text = decode_html(raw_page(STRAY_PAGE), UTF8)
    assert "<title>Café — über naïve</title>" in text
    assert "The crêperie on the corner of the Rue de Zürich" in text
    assert "“We didn’t change the recipes,” said André Lefèvre" in text


def test_stray_bytes_in_a_utf8_page_become_replacement_characters() -> None:
    intro = "<p>Crème brûlée, café — «déjà vu» à Zürich: "
    body = intro.encode() + b"\xe9t\xe9 naive</p>"  # "été" typed in Latin-1
    assert decode_html(body, UTF8) == intro + "\ufffdt\ufffd naive</p>"


def test_utf8_page_with_stray_bytes_has_its_title_extracted(extracted: Any) -> None:
    assert extracted(STRAY_PAGE, STRAY_URL, UTF8)["title"] == "Café — über naïve"


def test_damaged_page_declared_utf8_by_meta_under_a_failing_header_charset(
    raw_page: Callable[[str], bytes],
) -> None:
    text = decode_html(raw_page(STRAY_PAGE), "text/html; charset=euc-kr")
    assert "<title>Café — über naïve</title>" in text


def test_cp1252_page_mislabelled_utf8_by_header_and_meta_is_read_as_cp1252() -> None:
    body = (
        '<html><head><meta charset="utf-8">'
        "<title>Café owners “delighted” by pavement ruling</title></head>"
        "<body><p>“It’s a fair compromise,” said André Lefèvre, whose café has served the "
        "quarter since 1998. The terraces will stay open until ten o’clock from May to "
        "September.</p></body></html>"
    ).encode("cp1252")
    text = decode_html(body, UTF8)
    assert "<title>Café owners “delighted” by pavement ruling</title>" in text
    assert "“It’s a fair compromise,” said André Lefèvre, whose café" in text
    assert "\ufffd" not in text


def test_cp1252_article_in_a_utf8_template_is_read_as_cp1252() -> None:
    # One valid UTF-8 sequence (the template's dash) against ten invalid bytes: not UTF-8.
    body = (
        "<title>Le Petit Courrier — Ville</title>".encode()
        + "<p>Les riverains s’inquiètent : « Où dormir l’été ? » a lancé Renée.</p>".encode(
            "cp1252"
        )
    )
    assert decode_html(body, UTF8) == (
        "<title>Le Petit Courrier — Ville</title>"
        "<p>Les riverains s’inquiètent : « Où dormir l’été ? » a lancé Renée.</p>"
    )


def test_valid_utf8_page_is_decoded_unchanged() -> None:
    page = (
        '<html><head><meta charset="utf-8"><title>Café — über naïve</title></head>'
        "<body><p>Crème brûlée à Zürich, “déjà vu” \ufffd 東京 😀</p></body></html>"
    )
    assert decode_html(page.encode(), UTF8) == page

"""Date parsing: UTC ISO with Z, naive as UTC, future and modified checks."""

from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from newscrawl.extract import extract_article
from newscrawl.extract.dates import check_modified, date_from_url, guess_date, normalize_date
from newscrawl.extract.document import parse_html

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=timezone.utc)


def test_offset_date_is_converted_to_utc_with_z() -> None:
    assert normalize_date("2025-03-04T09:15:00+01:00", NOW) == "2025-03-04T08:15:00Z"


def test_naive_date_is_taken_as_utc() -> None:
    assert normalize_date("2025-03-04 09:15", NOW) == "2025-03-04T09:15:00Z"


def test_date_only_gets_midnight_utc() -> None:
    assert normalize_date("2025-03-04", NOW) == "2025-03-04T00:00:00Z"


def test_written_out_date_with_timezone_abbreviation() -> None:
    assert normalize_date("March 4, 2025 9:15 AM EST", NOW) == "2025-03-04T14:15:00Z"


def test_rfc_2822_date() -> None:
    assert normalize_date("Tue, 04 Mar 2025 09:15:00 GMT", NOW) == "2025-03-04T09:15:00Z"


def test_japanese_date() -> None:
    assert normalize_date("2025年4月10日 09:30", NOW) == "2025-04-10T09:30:00Z"


def test_date_far_in_the_future_is_rejected() -> None:
    assert normalize_date("2025-10-05T00:00:00Z", NOW) is None


def test_date_a_few_hours_ahead_is_tolerated() -> None:
    assert normalize_date("2025-10-01T20:00:00Z", NOW) == "2025-10-01T20:00:00Z"


def test_date_without_year_is_rejected() -> None:
    assert normalize_date("March 4", NOW) is None


def test_garbage_is_not_a_date() -> None:
    assert normalize_date("yesterday afternoon", NOW) is None


def test_modified_before_published_is_dropped() -> None:
    assert check_modified("2025-03-04T08:00:00Z", "2025-03-01T00:00:00Z") is None


def test_modified_after_published_is_kept() -> None:
    assert check_modified("2025-03-04T08:00:00Z", "2025-03-05T00:00:00Z") == "2025-03-05T00:00:00Z"


def test_date_in_url_path() -> None:
    assert date_from_url("https://x.example/2024/05/12/story", NOW) == (
        "2024-05-12T00:00:00Z",
        "/2024/05/12/",
    )


def test_url_without_date() -> None:
    assert date_from_url("https://x.example/news/story-123456", NOW) is None


def _article(head: str, body: str) -> dict[str, object]:
    html = f"<html lang='en'><head>{head}</head><body>{body}</body></html>"
    return extract_article(html, "https://news.example/story", now=NOW)


_TEXT = "<p>The council voted on Tuesday to extend the cycle lanes along the river road.</p>" * 3


def test_utc_date_takes_the_same_moment_in_the_publishers_offset() -> None:
    out = _article(
        '<meta property="article:published_time" content="2025-09-19T03:05:00+00:00">',
        "<article><h1>Cycle lanes</h1><time datetime='2025-09-18T19:05:00-08:00'>"
        f"September 18, 2025</time>{_TEXT}</article>",
    )
    assert out["published"] == "2025-09-19T03:05:00Z"
    assert out["published_raw"] == "2025-09-18T19:05:00-08:00"


def test_utc_date_takes_a_local_time_minutes_apart_as_the_same_moment() -> None:
    # 02:41 UTC on 19 September; the page's own time, four minutes later, is 18 September.
    out = _article(
        '<meta property="article:published_time" content="2025-09-19T02:41:41+00:00">',
        "<article><h1>Cycle lanes</h1><time datetime='2025-09-18T21:46:01-05:00'>"
        f"September 18, 2025</time>{_TEXT}</article>",
    )
    assert out["published_raw"] == "2025-09-18T21:46:01-05:00"


def test_utc_date_takes_the_nearest_of_several_local_times() -> None:
    times = "".join(
        f"<time datetime='{value}'>September 18, 2025</time>"
        for value in ("2025-09-18T20:58:00-05:00", "2025-09-18T21:43:00-05:00")
    )
    out = _article(
        '<meta property="article:published_time" content="2025-09-19T02:41:00+00:00">',
        f"<article><h1>Cycle lanes</h1>{times}{_TEXT}</article>",
    )
    assert out["published_raw"] == "2025-09-18T21:43:00-05:00"


def test_teaser_microdata_is_not_the_articles_date() -> None:
    card = (
        "<article itemscope itemtype='https://schema.org/Article'><h3>Other story</h3>"
        "<span itemprop='datePublished' content='2025-09-13T12:00:00+00:00'>Sep 13</span>"
        "</article>"
    )
    out = _article(
        '<meta name="date" content="March 27, 2025">',
        f"<main><h1>Cycle lanes</h1>{_TEXT}</main><aside>{card}{card}</aside>",
    )
    assert str(out["published"])[:10] == "2025-03-27"


def test_microdata_of_the_article_holding_the_headline_is_read_among_teasers() -> None:
    card = (
        "<div itemscope itemtype='https://schema.org/Article'><h3>Other story</h3>"
        "<meta itemprop='datePublished' content='2025-09-13'></div>"
    )
    out = _article(
        "",
        f"{card}<div itemscope itemtype='https://schema.org/NewsArticle'><h1>Cycle lanes</h1>"
        f"<meta itemprop='datePublished' content='2025-03-27'>{_TEXT}</div>{card}",
    )
    assert str(out["published"])[:10] == "2025-03-27"


def _guide(footer: str = "", dateline: str = "") -> str:
    paragraphs = "".join(
        f"<p>Paragraph {n} of a long guide about growing tomatoes on a balcony in the city, "
        "with advice on soil, light and water for every season of the year.</p>"
        for n in range(12)
    )
    return (
        "<html><head><title>Growing tomatoes on a balcony</title></head><body><article>"
        f"<h1>Growing tomatoes on a balcony</h1>{dateline}{paragraphs}</article>"
        f"<footer>{footer}</footer></body></html>"
    )


def test_copyright_year_is_not_taken_for_a_publication_day() -> None:
    html = _guide("<p>Copyright 2024 Balcony Gardens Ltd. All rights reserved.</p>")
    assert extract_article(html, "https://example.org/guides/tomatoes")["published"] is None


def test_last_resort_date_search_leaves_the_page_tree_unchanged() -> None:
    tree = parse_html(_guide("<script>var x = 1;</script><p>Posted 2024-03-05 by the desk</p>"))
    before = etree.tostring(tree)
    guess_date(tree, "https://example.org/guides/tomatoes", NOW)
    assert etree.tostring(tree) == before


def test_german_written_date_keeps_its_month() -> None:
    assert normalize_date("3. Mai 2024, 14:30 Uhr", NOW) == "2024-05-03T14:30:00Z"


def test_spanish_written_date_with_de() -> None:
    assert normalize_date("3 de mayo de 2024", NOW) == "2024-05-03T00:00:00Z"


def test_french_first_of_the_month() -> None:
    assert normalize_date("1er mars 2024", NOW) == "2024-03-01T00:00:00Z"


def test_abbreviated_month_between_dashes() -> None:
    assert normalize_date("04-ago-2021", NOW) == "2021-08-04T00:00:00Z"


def test_polish_genitive_month() -> None:
    assert normalize_date("12 marca 2024", NOW) == "2024-03-12T00:00:00Z"


def test_italian_date_shown_under_the_headline_is_the_published_day() -> None:
    html = _guide(dateline="<p class='meta'>12 settembre 2023</p>")
    published = extract_article(html, "https://example.it/porto")["published"]
    assert published == "2023-09-12T00:00:00Z"


def test_year_first_dotted_date_under_the_headline_is_read() -> None:
    html = _guide(dateline="<p class='byline'>2016.12.01 14:30</p>")
    published = extract_article(html, "https://example.com/port")["published"]
    assert published == "2016-12-01T14:30:00Z"


def test_korean_date_with_afternoon_time() -> None:
    assert normalize_date("2024년 5월 3일 오후 2:30", NOW) == "2024-05-03T14:30:00Z"


def test_chinese_date_with_afternoon_time() -> None:
    assert normalize_date("2024年5月3日 下午 2:30", NOW) == "2024-05-03T14:30:00Z"


def test_korean_date_shown_under_the_headline_is_the_published_day() -> None:
    html = _guide(dateline="<p class='info'>입력 2024년 5월 3일 09:10</p>")
    published = extract_article(html, "https://example.kr/news/1")["published"]
    assert published == "2024-05-03T09:10:00Z"


def test_meta_named_published_gives_the_date() -> None:
    out = _article(
        '<meta name="published" content="July 17, 2025">'
        '<meta name="last-updated" content="August 2, 2025">',
        f"<article><h1>Cycle lanes</h1>{_TEXT}</article>",
    )
    assert str(out["published"])[:10] == "2025-07-17"
    assert str(out["modified"])[:10] == "2025-08-02"


def test_a_last_updated_note_gives_the_modified_date() -> None:
    out = _article(
        '<meta property="article:published_time" content="2025-07-17T09:00:00+00:00">',
        f"<article><h1>Cycle lanes</h1>{_TEXT}</article>"
        "<footer><p>Last updated: <span>September 2, 2025</span></p></footer>",
    )
    assert str(out["modified"])[:10] == "2025-09-02"


def test_update_note_takes_page_last_reviewed_and_ignores_unlabelled_dates() -> None:
    from newscrawl.extract.dates import update_note

    tree = parse_html(
        "<html><body><p>Updated 3 May 2024</p><p>Page last reviewed on 4 May 2024</p></body></html>"
    )
    assert update_note(tree) == "4 May 2024"

"""Authors: names that look like dates, site credits, author boxes, labels."""

from __future__ import annotations

import json

from newscrawl.extract import extract_article
from newscrawl.extract.authors import clean_authors, domain_orgs, personal_site_author
from newscrawl.extract.visible import _prefer_inner

URL = "https://www.example-news.com/2025/01/02/story"


def _authors(body: str, head: str = "", url: str = URL) -> list[str]:
    html = f"<html><head>{head}</head><body>{body}<p>Some text of the story.</p></body></html>"
    result: list[str] = extract_article(html, url)["authors"]
    return result


def test_month_name_as_first_name_is_a_name() -> None:
    assert clean_authors(["April Fulton"]) == ["April Fulton"]


def test_weekday_or_month_alone_is_no_name() -> None:
    assert clean_authors(["Sat, 20 Dec, 2025 - 06:36"]) == []
    assert clean_authors(["March"]) == []


def test_final_initial_keeps_its_full_stop() -> None:
    assert clean_authors(["Kaufman, Jeff T."]) == ["Kaufman", "Jeff T."]


def test_closing_parenthesis_of_a_name_is_kept() -> None:
    assert clean_authors(["Jean-Luc Aufranc (CNXSoft)"]) == ["Jean-Luc Aufranc (CNXSoft)"]


def test_bio_link_is_no_name() -> None:
    assert clean_authors(["Full Bio"]) == []


def test_site_name_is_matched_before_job_titles_are_cut() -> None:
    # "Marketing" would be cut as a job title, leaving "Top Growth" as a person.
    orgs = ["Top Growth Marketing"]
    assert clean_authors(["Top Growth Marketing"], orgs, site_person=False) == []
    assert clean_authors(["Top Growth Marketing"], orgs) == ["Top Growth Marketing"]


def test_site_name_with_a_label_is_a_site_credit() -> None:
    orgs = ["Help Net Security"]
    assert clean_authors(["Help Net Security Sponsored"], orgs, site_person=False) == []


def test_site_name_then_a_date_credits_the_site() -> None:
    assert clean_authors(["EcoFlow - 2025/4/29"], ["EcoFlow"], declared=True) == ["EcoFlow"]


def test_author_named_like_the_domain_is_the_site() -> None:
    orgs = domain_orgs("https://www.digjitale.com/p/signal-18")
    assert clean_authors(["Digjitale"], orgs, site_person=False) == []
    assert clean_authors(["Paperium.net"], domain_orgs("https://paperium.net/a/1")) == []


def test_leading_date_and_on_behalf_of_are_stripped() -> None:
    value = "Dec. 19, 2025 · Niko Matsakis on behalf of Vision Doc group"
    assert clean_authors([value]) == ["Niko Matsakis"]


def test_link_label_and_dangling_at_after_a_name_are_stripped() -> None:
    assert clean_authors(["A. J. Neal View In Digital Edition"]) == ["A. J. Neal"]
    assert clean_authors(["David at "]) == ["David"]


def test_inner_byline_without_job_title_is_preferred() -> None:
    texts = ["Liz Kenny Former McKinsey Consultant", "Liz Kenny"]
    assert _prefer_inner(texts)[0] == "Liz Kenny"


def test_byline_listing_two_names_is_not_cut_to_the_first() -> None:
    texts = ["Jane Doe and John Smith", "Jane Doe"]
    assert _prefer_inner(texts)[0] == "Jane Doe and John Smith"


def test_author_box_name_heading_before_the_biography() -> None:
    bio = "Bence is a software developer specialising in audio and game development. " * 3
    body = (
        '<div class="blog-author"><img src="a.jpg">'
        f"<div><h4>Bence Kovács</h4><p>{bio}</p></div></div>"
    )
    assert _authors(body) == ["Bence Kovács"]


def test_author_box_label_heading_is_skipped() -> None:
    bio = "The team writes about work, hiring and freelancing for small businesses. " * 3
    body = (
        '<div class="author-wrapper"><h3>Author Spotlight</h3><h4>Dana Whitfield</h4>'
        f"<p>{bio}</p></div>"
    )
    assert _authors(body) == ["Dana Whitfield"]


def test_name_after_an_article_by_heading() -> None:
    body = "<h2>Article by</h2><div>Matias Heikkilä</div>"
    assert _authors(body) == ["Matias Heikkilä"]


def test_name_after_a_contributors_label() -> None:
    body = "<div><strong>Contributors:</strong> Janet Loughrey</div>"
    assert _authors(body) == ["Janet Loughrey"]


def test_list_of_names_after_an_authors_label() -> None:
    body = (
        "<h6>Author(s)</h6><ul><li><a href='/a'>John A. Alic</a></li>"
        "<li><a href='/b'>David C. Mowery</a></li></ul>"
    )
    assert _authors(body) == ["John A. Alic", "David C. Mowery"]


def test_written_by_heading_of_an_author_box() -> None:
    body = "<h3>Written by Cassidy Horton</h3><p>Cassidy Horton is a finance writer.</p>"
    assert _authors(body) == ["Cassidy Horton"]


def test_by_heading_in_a_menu_is_no_byline() -> None:
    body = "<nav><h4>By Ovolo Collective Hotels</h4></nav>"
    assert _authors(body) == []


def test_twitter_card_written_by_label() -> None:
    head = (
        '<meta name="twitter:label1" content="Written by">'
        '<meta name="twitter:data1" content="Nawaz Dhandala">'
    )
    assert _authors("", head) == ["Nawaz Dhandala"]


def test_site_declared_author_confirmed_by_the_byline_beats_teaser_names() -> None:
    ld = json.dumps({"@type": "Article", "author": {"@type": "Person", "name": "Venteur"}})
    head = (
        f'<script type="application/ld+json">{ld}</script>'
        '<meta property="og:site_name" content="Venteur">'
    )
    body = (
        '<div class="author">Author Venteur</div>'
        '<aside><div class="post-author">Stacy Edgar December 4, 2025</div></aside>'
    )
    assert _authors(body, head) == ["Venteur"]


def test_copyright_holder_spelling_the_domain_is_the_author() -> None:
    body = "<footer>© 2025 Toby Hede. All rights reserved.</footer>"
    assert _authors(body, url="https://tobyhede.com/blog/habits") == ["Toby Hede"]


def test_site_named_after_a_person_on_a_first_name_subdomain() -> None:
    url = "https://owain.bearblog.dev/tinybox"
    assert personal_site_author(url, ["Owain Brennan"]) == "Owain Brennan"


def test_company_site_named_like_its_domain_is_no_person() -> None:
    assert personal_site_author("https://ovolohotels.com/blog/x", ["Ovolo Hotels"]) is None


def test_site_on_a_generic_subdomain_is_no_person() -> None:
    assert personal_site_author("https://blog.example.com/post", ["Blog Central"]) is None

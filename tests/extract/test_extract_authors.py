"""Author cleaning: splitting, prefixes, organisations, URLs and duplicates."""

from __future__ import annotations

from newscrawl.extract.authors import clean_authors


def test_by_prefix_and_and_are_split() -> None:
    assert clean_authors(["By Jane Doe and John Smith"]) == ["Jane Doe", "John Smith"]


def test_ampersand_and_comma_split() -> None:
    assert clean_authors(["Ana Ruiz, Bo Chen & Cy Dale"]) == ["Ana Ruiz", "Bo Chen", "Cy Dale"]


def test_email_the_author_is_stripped() -> None:
    assert clean_authors(["By Sam Okoro Email the author"]) == ["Sam Okoro"]


def test_jsonld_organization_is_dropped() -> None:
    values = [{"@type": "Person", "name": "Maria Okafor"}, {"@type": "Organization", "name": "AP"}]
    assert clean_authors(values) == ["Maria Okafor"]


def test_person_typed_also_as_organization_is_kept() -> None:
    assert clean_authors([{"@type": ["Person", "Organization"], "name": "Gabby Roe"}]) == [
        "Gabby Roe"
    ]


def test_site_name_is_not_an_author() -> None:
    assert clean_authors(["The Daily Planet"], org_names=["The Daily Planet"]) == []


def test_urls_are_dropped() -> None:
    assert clean_authors(["https://www.facebook.com/dailyplanet", "Lois Lane"]) == ["Lois Lane"]


def test_duplicates_are_removed_case_insensitively() -> None:
    assert clean_authors(["Lois Lane", "LOIS LANE", "lois lane"]) == ["Lois Lane"]


def test_credentials_after_comma_are_not_names() -> None:
    assert clean_authors(["Dylan Bailey, MS, RD"]) == ["Dylan Bailey"]


def test_staff_desks_are_dropped_next_to_people() -> None:
    assert clean_authors(["Metro Desk", "Jane Doe"]) == ["Jane Doe"]
    assert clean_authors(["Metro Desk", "News Staff"], site_person=False) == []


def test_staff_desk_or_organisation_is_kept_when_no_one_else_is_named() -> None:
    # The byline credits a desk or the publisher itself: better than no author at all.
    assert clean_authors(["Metro Desk", "News Staff"]) == ["Metro Desk", "News Staff"]
    assert clean_authors([{"@type": "Organization", "name": "Supermove"}]) == ["Supermove"]


def test_one_person_site_named_after_its_author() -> None:
    assert clean_authors(["Russell Miller"], org_names=["Russell Miller"]) == ["Russell Miller"]
    assert clean_authors(["Russell Miller"], org_names=["Russell Miller"], site_person=False) == []


def test_sentence_fragments_are_not_names() -> None:
    assert clean_authors(["see all", "cleaning business owners"]) == []


def test_html_entities_are_decoded() -> None:
    assert clean_authors(["Maria &amp; Katerina"]) == ["Maria", "Katerina"]


def test_template_placeholder_is_not_a_name() -> None:
    assert clean_authors([{"@type": "Person", "name": "undefined"}], declared=True) == []


def test_job_title_after_name_is_cut() -> None:
    assert clean_authors(["Meghan Neville Content Marketing Coordinator"]) == ["Meghan Neville"]


def test_job_title_alone_is_not_a_name() -> None:
    assert clean_authors(["Associate Editor"]) == []


def test_month_first_name_is_kept() -> None:
    assert clean_authors(["May Lee"]) == ["May Lee"]

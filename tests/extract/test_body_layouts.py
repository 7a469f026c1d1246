"""Body text: bodies split in chunks, streamed out of place, or printed twice."""

from __future__ import annotations

from newscrawl.extract.document import parse_html, place_streamed_content
from newscrawl.extract.text import (
    drop_repeated_run,
    extract_body,
    paragraph_container,
    paragraphs_from_breaks,
    prune_furniture,
    prune_link_paragraphs,
    restore_headings,
    tidy_body,
)

#: Two paragraphs the heading-restore tests put a dropped block between.
FIRST = "Homes cannot function without modern appliances, from fridges to washers and dryers."
SECOND = "Ownership figures mirror those of manufacturing as a whole, with some exceptions."
TOPICS = ("banks", "loans", "savings", "credit", "rates", "fees", "branches", "apps")


def _paras(prefix: str, count: int) -> str:
    return "".join(
        f"<p>{prefix} paragraph {i} explains how neo-banks handle {TOPICS[i % 8]} for customers"
        f" who have little money left at the end of the month, and why {TOPICS[(i + 3) % 8]}"
        " matter to them more than any branch network ever did.</p>"
        for i in range(count)
    )


def test_body_split_in_same_class_chunks_is_extracted_whole() -> None:
    chunk = "grid--item body body__container article__body"
    html = (
        "<html><body><article><h1>The future of banking</h1><div class='chunks'>"
        f"<div class='grid'><div class='{chunk}'>{_paras('First', 6)}</div></div>"
        "<div class='ad'>Advertisement</div>"
        f"<div class='grid'><div class='{chunk}'>{_paras('Second', 8)}</div></div>"
        "</div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://mag.example/story/banking")
    assert "First paragraph 0" in text and "Second paragraph 7" in text


def test_streamed_content_is_moved_into_its_placeholder() -> None:
    tree = parse_html(
        "<html><body><main><h1>Cloud stocks</h1><template id='P:3'></template></main>"
        "<footer>Footer</footer><div hidden id='S:3'><p>Streamed text.</p></div></body></html>"
    )
    place_streamed_content(tree)
    assert [p.text for p in tree.xpath("//main/p")] == ["Streamed text."]


def test_streamed_article_body_is_extracted() -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>Cloud stocks</h1>"
        f"<div class='article-body'>{_paras('Intro', 8)}<template id='B:1'></template></div>"
        "</article><footer><p>Company</p></footer>"
        f"<div hidden id='S:1'>{_paras('Streamed', 3)}</div></body></html>"
    )
    text = extract_body(parse_html(html), "https://invest.example/cloud-stocks")
    assert "Intro paragraph 0" in text and "Streamed paragraph 2" in text


def test_second_copy_of_the_whole_body_is_dropped() -> None:
    body = "\n\n".join(f"Paragraph {i} of the yoga pricing guide, in ten words." for i in range(6))
    assert drop_repeated_run(f"{body}\n\n{body}") == body


def test_short_repeated_lines_are_kept() -> None:
    text = "\n\n".join(
        ["Week 1: run three miles.", "Rest day.", "Week 2: run four miles.", "Rest day."]
    )
    assert drop_repeated_run(text) == text


def test_collapsed_accordion_answers_are_extracted() -> None:
    html = (
        "<html><body><article><h1>Best tax software</h1>"
        f"<div class='article-body'>{_paras('Intro', 6)}"
        "<div class='faq-accordion'><h3>Is filing free?</h3>"
        "<div class='accordion-content hidden'><p>The IRS offers several free options for"
        " people with simple returns, and most states accept them as well.</p></div></div>"
        f"{_paras('Outro', 3)}</div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://tax.example/best-tax-software")
    assert "The IRS offers several free options" in text


def test_div_text_laid_out_with_breaks_becomes_paragraphs() -> None:
    tree = parse_html(
        "<html><body><div class='content'>Apple plans a new laptop with a scissor keyboard in"
        " the first half of next year, according to <em>industry sources</em> cited by a"
        " supplier report.<br><br>The display size will remain the same.<br><br>"
        "<div class='ad'>Ad</div>Prices were not disclosed.</div></body></html>"
    )
    paragraphs_from_breaks(tree)
    texts = ["".join(p.itertext()) for p in tree.xpath("//div[@class='content']/p")]
    assert texts == [
        "Apple plans a new laptop with a scissor keyboard in the first half of next year,"
        " according to industry sources cited by a supplier report.",
        "The display size will remain the same.",
        "Prices were not disclosed.",
    ]


def test_div_with_a_few_words_between_breaks_is_left_alone() -> None:
    html = "<html><body><div>Home<br>About<br>Contact</div></body></html>"
    tree = parse_html(html)
    paragraphs_from_breaks(tree)
    assert tree.xpath("//p") == []


def test_dropped_subheading_between_kept_paragraphs_is_restored() -> None:
    first, second = FIRST, SECOND
    tree = parse_html(
        f"<html><body><div><p>{first}</p><h2>The latest statistics</h2><p>{second}</p>"
        "</div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n{second}") == (
        f"{first}\n\nThe latest statistics\n\n{second}"
    )


def test_subheading_already_in_the_text_is_not_repeated() -> None:
    first, second = FIRST, SECOND
    tree = parse_html(
        f"<html><body><div><p>{first}</p><h2>Statistics</h2><p>{second}</p></div></body></html>"
    )
    text = f"{first}\n\nStatistics\n\n{second}"
    assert restore_headings(tree, text) == text


def test_dropped_subheading_in_its_own_wrapper_is_restored() -> None:
    first, second = FIRST, SECOND
    tree = parse_html(
        f"<html><body><div><p>{first}</p></div><div class='h'><h3>Statistics</h3></div>"
        f"<div><p>{second}</p></div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n{second}") == f"{first}\n\nStatistics\n\n{second}"


def test_dropped_subheading_before_a_list_is_restored() -> None:
    first = FIRST
    item = "Fridges keep food fresh for a week or more in most homes."
    tree = parse_html(
        f"<html><body><div><p>{first}</p><h3>What to buy first</h3><ul><li>{item}</li>"
        "<li>Washers save hours.</li></ul></div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n- {item}\n\n- Washers save hours.") == (
        f"{first}\n\nWhat to buy first\n\n- {item}\n\n- Washers save hours."
    )


def test_dropped_heading_and_its_subheading_are_both_restored() -> None:
    first, second = FIRST, SECOND
    tree = parse_html(
        f"<html><body><div><p>{first}</p><h2>Statistics</h2><h3>Who owns what</h3>"
        f"<p>{second}</p></div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n{second}") == (
        f"{first}\n\nStatistics\n\nWho owns what\n\n{second}"
    )


def test_links_to_other_stories_are_dropped() -> None:
    text = "\n\n".join(
        [
            "A third case of the plague has been reported in the region this week.",
            "READ MORE: Plague outbreak confirmed as two patients are diagnosed",
            "Officials said the risk of further spread was low.",
            "Holidaymakers die after eating marmot [INSIGHT]",
        ]
    )
    assert tidy_body(text) == (
        "A third case of the plague has been reported in the region this week.\n\n"
        "Officials said the risk of further spread was low."
    )


def test_sentence_with_a_lowercase_bracket_note_is_kept() -> None:
    text = "The minister said the plan was \u201cfully costed\u201d and would pass [sic]"
    assert tidy_body(text) == text


def test_dropped_pull_quote_between_kept_paragraphs_is_restored() -> None:
    first, second = FIRST, SECOND
    quote = "Join local networking groups, they cost very little per month."
    tree = parse_html(
        f"<html><body><div><p>{first}</p><blockquote class='pullquote'><p>{quote}</p>"
        f"</blockquote><p>{second}</p></div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n{second}") == f"{first}\n\n{quote}\n\n{second}"


def test_embedded_post_between_kept_paragraphs_is_not_restored() -> None:
    first, second = FIRST, SECOND
    tree = parse_html(
        f"<html><body><div><p>{first}</p><blockquote class='twitter-tweet'><p>Big news today"
        f" from the appliance makers</p></blockquote><p>{second}</p></div></body></html>"
    )
    assert restore_headings(tree, f"{first}\n\n{second}") == f"{first}\n\n{second}"


def test_calls_to_subscribe_or_share_are_dropped() -> None:
    text = "\n\n".join(
        [
            "The man pleaded guilty on Monday to threatening to kill a congresswoman.",
            "Get the stories that matter delivered to your inbox every weekday morning.",
            "Like this story? Share it with a friend!",
            "Also on rt.com Journalists threatened with arrests as the purge goes on",
            "He faces up to ten years in prison when he is sentenced.",
        ]
    )
    assert tidy_body(text) == (
        "The man pleaded guilty on Monday to threatening to kill a congresswoman.\n\n"
        "He faces up to ten years in prison when he is sentenced."
    )


def test_sentence_about_an_inbox_inside_a_long_paragraph_is_kept() -> None:
    text = (
        "Phishing emails that land in your inbox often pretend to come from a bank, and the"
        " researchers found that most people could not tell them apart from the real thing"
        " when shown twenty examples in a row during the study."
    )
    assert tidy_body(text) == text


def _body_with(block: str) -> str:
    """Extract the body of an article page holding `block` after its paragraphs."""
    html = (
        "<html><body><article><h1>The future of banking</h1>"
        f"<div class='entry-content'>{_paras('Body', 6)}{block}</div></article>"
        "<footer><p>Site footer</p></footer></body></html>"
    )
    return extract_body(parse_html(html), "https://mag.example/story/banking")


def test_author_bio_box_is_dropped() -> None:
    text = _body_with(
        "<div class='bio-box'><p>Ana Ruiz is a freelance writer who has covered personal"
        " finance for ten years and lives in Madrid with her two cats.</p></div>"
    )
    assert "Body paragraph 5" in text and "freelance writer" not in text


def test_disclaimer_block_is_dropped() -> None:
    text = _body_with(
        "<div class='post-disclaimer'><p>The content of this article is for general information"
        " only and does not constitute financial, legal or tax advice of any kind.</p></div>"
    )
    assert "Body paragraph 5" in text and "general information" not in text


def test_call_to_action_block_is_dropped() -> None:
    text = _body_with(
        "<div class='article-cta-box'><p>We are a non-profit kept alive by reader donations, with"
        " no ads and no paywalls: please consider giving what you can this year.</p></div>"
    )
    assert "Body paragraph 5" in text and "reader donations" not in text


def test_copy_shown_only_on_phones_is_dropped() -> None:
    text = _body_with(
        "<div class='course elementor-hidden-desktop'><p>Note: students must have a basic"
        " understanding of computers before they enrol in any of the design courses.</p></div>"
    )
    assert "Body paragraph 5" in text and "basic understanding" not in text


def _pruned(block: str) -> str:
    """Return the text left of an article page holding `block` after `prune_furniture`."""
    tree = parse_html(f"<html><body><article>{_paras('Body', 6)}{block}</article></body></html>")
    prune_furniture(tree)
    return tree.text_content()


def test_cookie_notice_is_pruned() -> None:
    text = _pruned(
        "<div class='cli-modal'><div class='cookie-overview'><p>This website uses cookies to"
        " improve your experience while you navigate through the website.</p></div></div>"
    )
    assert "Body paragraph 5" in text and "uses cookies" not in text


def test_class_naming_the_page_topic_is_not_pruned() -> None:
    text = _pruned(
        "<div class='entry category-cookies'><p>Bakers said the price of butter doubled this"
        " year, and many small shops stopped selling their most popular cookies.</p></div>"
    )
    assert "price of butter" in text


def test_collapsed_details_panel_is_extracted() -> None:
    text = _body_with(
        "<details class='expandable'><summary>How the plate was designed</summary><p>Bakers"
        " said the price of butter doubled this year, and many small shops stopped selling"
        " their most popular cookies at the weekend.</p></details>"
    )
    assert "Body paragraph 5" in text and "price of butter" in text


def test_print_only_footer_is_pruned() -> None:
    text = _pruned(
        "<div class='print-footer'><p>This copy is for your personal, non-commercial use only."
        " To order presentation-ready copies, use the order form.</p></div>"
    )
    assert "Body paragraph 5" in text and "non-commercial" not in text


def test_latest_stories_block_is_dropped() -> None:
    text = _body_with(
        "<div class='latest-wrap'><p>Jones tells a story from the nineties about the coach he"
        " nearly hired before the man went to New England and won six titles.</p></div>"
    )
    assert "Body paragraph 5" in text and "nineties" not in text


def test_copyright_notice_block_is_dropped() -> None:
    text = _body_with(
        "<p class='copyright-txt'>Definitions from the Unabridged Dictionary, based on the"
        " Random House Unabridged Dictionary, copyright Random House, Inc. 2023.</p>"
    )
    assert "Body paragraph 5" in text and "Random House" not in text


def test_content_after_an_early_closing_html_tag_is_placed_in_the_body() -> None:
    tree = parse_html(
        "<html><head><title>T</title></head><body><header>Menu</header></body></html>"
        "<div class='post'><p>Printed after the end.</p></div><footer>Footer</footer>"
    )
    body = tree.find("body")
    assert [c.tag for c in tree] == ["head", "body"]
    assert [c.tag for c in body] == ["header", "div", "footer"]


def test_article_printed_after_an_early_closing_html_tag_is_extracted() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>HR outsourcing</title></head><body><header>"
        "<nav><a href='/'>Home</a><a href='/blog'>Blog</a></nav></header></body></html>"
        f"<div class='blog-detail'><h1>HR outsourcing</h1><div id='blog-content'>"
        f"{_paras('Outsourcing', 8)}</div></div><footer><p>Company</p></footer>"
    )
    text = extract_body(parse_html(html), "https://hr.example/blog/outsourcing")
    assert "Outsourcing paragraph 0" in text and "Outsourcing paragraph 7" in text


def _hero_page(article: str) -> str:
    return (
        "<html><head><title>What is an online course?</title></head><body><main>"
        "<div class='hero'><div class='content'><h1>What is an online course?</h1>"
        "<p>Posted on Nov 21, 2018 by Eliza, product marketer at the company.</p>"
        + "<p>Centralize, simplify, and scale your training with our academy today: invites,"
        " certificates and reports are sent for you, and every learner sees the course on any"
        " device, in the language they prefer, at the time that suits them best.</p>"
        * 3
        + "</div></div>"
        f"<div class='grid'>{article}</div>"
        "</main><footer><p>Company</p></footer></body></html>"
    )


def test_article_beside_a_hero_block_classed_content_is_extracted() -> None:
    """trafilatura settles on the hero (its class says "content"); the paragraphs are elsewhere."""
    article = f"<div class='col-span-9'>{_paras('Course', 12)}</div>"
    text = extract_body(parse_html(_hero_page(article)), "https://lms.example/what-is")
    assert "Course paragraph 0" in text and "Course paragraph 11" in text


def test_paragraph_container_is_the_deepest_element_with_most_paragraph_words() -> None:
    article = (
        f"<div class='col-a'>{_paras('First', 7)}</div><div class='cta'><p>Book a demo</p></div>"
        f"<div class='col-b'>{_paras('Second', 8)}</div>"
    )
    container = paragraph_container(parse_html(_hero_page(article)))
    assert container is not None and container.get("class") == "grid"


def _container_retry(text: str) -> str:
    from newscrawl.extract.text import _from_paragraph_container, _paragraph_words, count_words

    tree = parse_html(_hero_page(f"<div class='col'>{_paras('Guide', 12)}</div>"))
    return _from_paragraph_container(
        tree, "https://lms.example/guide", text, count_words(text), _paragraph_words(tree)
    )[0]


def test_a_text_with_part_of_the_paragraph_container_is_completed() -> None:
    part = _paras("Guide", 4).replace("<p>", "").replace("</p>", "\n\n")
    assert "Guide paragraph 11" in _container_retry(part)


def test_a_different_text_with_a_fair_share_of_the_page_is_kept() -> None:
    """Over `SHORT_BODY_SHARE` of the page's paragraph words and not part of the container: the
    container may be a list of other stories."""
    own = "\n\n".join(
        f"Story {i}: the river flooded the old mill town again this spring, and volunteers"
        " filled sandbags through the night while the council argued about a new levee."
        for i in range(5)
    )
    assert _container_retry(own) == own


def test_standfirst_beside_the_headline_is_pruned() -> None:
    tree = parse_html(
        "<html><body><article><header><h1>The future of banking</h1><h2 class='article-dek'>"
        "Neo-banks won young customers; now they must keep them.</h2></header>"
        f"<div class='body'>{_paras('Body', 6)}</div></article></body></html>"
    )
    prune_furniture(tree)
    text = tree.text_content()
    assert "Body paragraph 5" in text and "keep them" not in text


def test_subheading_classed_subtitle_inside_the_body_is_kept() -> None:
    text = _pruned("<h2 class='subtitle'>Why branches closed</h2>" + _paras("More", 2))
    assert "Why branches closed" in text


def _linked(tail: str) -> str:
    """Return the text left of an article with `tail` after its paragraphs, once
    `prune_link_paragraphs` has run."""
    tree = parse_html(f"<html><body><article>{_paras('Body', 4)}{tail}</article></body></html>")
    prune_link_paragraphs(tree)
    return tree.text_content()


def test_headline_link_in_capitals_is_pruned() -> None:
    text = _linked(
        "<p><strong><a href='/other'>BANK OPENS ITS FIRST BRANCH IN A DECADE</a></strong></p>"
        + _paras("After", 2)
    )
    assert "After paragraph 1" in text and "FIRST BRANCH" not in text


def test_trailing_links_after_the_prose_are_pruned() -> None:
    text = _linked(
        "<p><a href='/a'>Who will open the next neo-bank in 2026?</a></p>"
        "<p><a href='/b'>Savings rates climb for a third month</a></p>"
    )
    assert "Body paragraph 3" in text and "next neo-bank" not in text and "third month" not in text


def test_links_followed_by_prose_are_kept() -> None:
    text = _linked(
        "<p><a href='/a'>Who will open the next neo-bank in 2026?</a></p>" + _paras("X", 1)
    )
    assert "next neo-bank" in text


def test_hover_card_inside_a_paragraph_is_pruned() -> None:
    text = _pruned(
        "<p>The bill was backed by Rep. <span class='rollover-people'><a href='/p/ana'>Ana Ruiz</a>"
        "<span class='rollover-people-block'><a href='/1'>Ruiz doubles down on bank fees</a>"
        "</span></span> and passed on Tuesday.</p>"
    )
    assert "backed by Rep. Ana Ruiz and passed" in " ".join(text.split())
    assert "doubles down" not in text


def test_links_that_open_a_popup_are_kept() -> None:
    text = _pruned("<p>Read the <a class='external-popup' href='/r'>annual report</a> here.</p>")
    assert "annual report" in text


def test_promo_and_label_lines_are_dropped() -> None:
    body = "\n\n".join(
        [
            "Table of Contents",
            "Banks are closing branches across the country as customers move to their phones.",
            "[Related: Savings rates climb for a third month]",
            "More:",
            "Most customers said they had not been inside a branch for more than a year.",
        ]
    )
    assert tidy_body(body) == "\n\n".join(body.split("\n\n")[1::3])


def test_closing_social_media_tagline_is_dropped() -> None:
    body = "\n\n".join(
        [
            "Banks are closing branches across the country as customers move to their phones.",
            "Most customers said they had not been inside a branch for more than a year.",
            "Ana Ruiz covers personal finance. Follow her on Twitter @anaruiz.",
        ]
    )
    assert tidy_body(body) == "\n\n".join(body.split("\n\n")[:2])


def _long_page(paragraphs: int, block: str) -> str:
    """Return the text left of a long article page holding `block` after `prune_furniture`."""
    tree = parse_html(
        f"<html><body><article>{_paras('Body', paragraphs)}{block}</article></body></html>"
    )
    prune_furniture(tree)
    return tree.text_content()


def test_long_settings_dialog_is_pruned() -> None:
    rows = "".join(
        f"<p>Preference {i} keeps the choices you made on this website for up to a year.</p>"
        for i in range(45)
    )
    text = _long_page(24, f"<div class='privacy-settings-modal'>{rows}</div>")
    assert "Body paragraph 23" in text and "Preference 0 keeps" not in text


def test_disclaimer_block_of_a_few_paragraphs_is_pruned() -> None:
    rows = "".join(
        f"<p>Risk {i}: funds may lose value, and past performance does not guarantee future"
        " results for any investor or any of the share classes described above.</p>"
        for i in range(16)
    )
    text = _long_page(40, f"<div class='fund-disclaimer'>{rows}</div>")
    assert "Body paragraph 39" in text and "past performance" not in text


def test_datelines_with_weekdays_and_clock_times_are_dropped() -> None:
    body = "\n\n".join(
        [
            "UPDATED: Tue., Nov. 19, 2019",
            "Banks are closing branches across the country as customers move to their phones.",
            "Most customers said they had not been inside a branch for more than a year.",
            "Updated at 1:23 p.m.",
        ]
    )
    assert tidy_body(body) == "\n\n".join(body.split("\n\n")[1:3])


def test_boxed_note_between_paragraphs_is_kept() -> None:
    note = (
        "<p>Not all neo-banks are the same. Some hold a full banking licence and protect deposits"
        " like any high-street bank, while others only partner with a licensed bank and keep the"
        " money of their customers in accounts held by that partner.</p>"
    )
    html = (
        "<html><body><article><h1>The future of banking</h1><div class='body'>"
        f"{_paras('Before', 4)}<aside class='note'>{note}</aside>{_paras('After', 4)}"
        "</div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://mag.example/story/banking")
    assert "Not all neo-banks are the same." in text and "After paragraph 3" in text


def test_callout_text_in_a_div_between_paragraphs_is_restored() -> None:
    callout = (
        "<div class='callout'><div class='callout-icon'></div><div class='callout-body'>"
        "<h3>Quick definition</h3><div class='callout-text'>A <strong>neo-bank</strong> is a"
        " bank that has no branches at all and serves its customers only through an app on"
        " their phones.</div></div></div>"
    )
    html = (
        "<html><body><article><h1>The future of banking</h1><div class='body'>"
        f"{_paras('Before', 4)}{callout}{_paras('After', 4)}</div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://mag.example/story/banking")
    assert "A neo-bank is a bank that has no branches at all" in text


def test_table_with_div_cells_between_paragraphs_is_restored() -> None:
    rows = "".join(
        f"<tr><td><div class='cell'><a href='/bank/{name}'>{name} Bank</a></div></td>"
        f"<td><div class='cell'>{fee} a month for the basic account</div></td></tr>"
        for name, fee in (("Alpha", "$4"), ("Beta", "$7"), ("Gamma", "$9"))
    )
    table = (
        "<div class='responsive-table'><div class='w-embed'><table><thead><tr>"
        "<th><div>Bank</div></th><th><div>Monthly fee</div></th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></div>"
    )
    html = (
        "<html><body><article><h1>The future of banking</h1><div class='body'>"
        f"{_paras('Before', 4)}{table}{_paras('After', 4)}</div></article></body></html>"
    )
    text = extract_body(parse_html(html), "https://mag.example/story/banking")
    paras = text.split("\n\n")
    at = paras.index("| Beta Bank | $7 a month for the basic account |")
    assert paras[at - 3].startswith("Before paragraph 3")
    assert paras[at + 2].startswith("After paragraph 0")

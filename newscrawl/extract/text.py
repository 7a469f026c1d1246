"""Extract an article's body text: paragraphs and subheadings, without page furniture."""

from __future__ import annotations

import copy
import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import filterfalse
from typing import Any

import lxml.html
from lxml import etree
from trafilatura.core import bare_extraction
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import OVERALL_DISCARD_XPATH

from newscrawl.extract.document import clean_space, first_descendant, place_streamed_content
from newscrawl.extract.visible import DATE_IN_TEXT, document_elements

_WORD = re.compile(r"\w+")
#: Page furniture removed before trafilatura sees the tree (captions, share/newsletter boxes...).
_NOT_WRAPPER = "not(self::body or self::article or self::main)"
PRUNE_XPATH = [
    "//figcaption",
    "//*[self::div or self::p or self::span]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]",
    f"//*[contains(@class, 'newsletter') and {_NOT_WRAPPER}]",
    "//*[contains(@class, 'share-') or contains(@class, 'social-share')"
    " or contains(@class, 'sharing')]",
    f"//*[contains(@class, 'related') and {_NOT_WRAPPER}]",
    "//*[@role='complementary' or @aria-label='Related']",
]


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: Short lines that are calls to action or labels (of a table of contents, of the tags, of an
#: author's box), never article prose.
_FURNITURE_LINE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?"
    r"|share(?: this)?(?: article| story| post)?|share on \w+|subscribe(?: now| today)?"
    r"|sign up(?: now)?|read more|related(?: articles| stories| posts| content)?"
    r"|click here to .*|follow us on .*|(?:please )?subscribe to (?:continue|keep) reading.*"
    r"|continue reading.*|skip to (?:main )?content|back to top|copy link|print|email"
    r"|(?:you|you'll|you may|you might) (?:may )?also (?:like|enjoy)|more from .{1,40}|read also"
    r"|(?:see|read) also:.*|recommended(?: for you| stories| articles)?|most (?:popular|read)"
    r"|trending(?: now| stories)?|related coverage|more stories|up next|watch:.{0,80}"
    r"|more:|see more:|further reading:|don'?t miss|share this content"
    r"|share the (?:article|post|blog|story)(?: on)?"
    r"|table of contents?(?: show| hide)?|contents|content map|on this page"
    r"|in this (?:article|post)|jump to(?: section)?|written by|about the author|tags"
    r"|filed under:.{0,60}|check (?:the )?(?:latest |current )?prices?(?: (?:on|at) .{1,60})?)"
    r"\W*$",
    re.IGNORECASE,
)
#: A byline or date line that trafilatura keeps at the top or bottom of the text.
_BYLINE_LINE = re.compile(
    r"^(?:(?:written|reported|posted|published|story)\s+)?by\s*:?\s+\S.{0,80}$", re.IGNORECASE
)
#: An all-capitals call to action ("GET THE APP BY CLICKING HERE").
_SHOUTED_PROMO = re.compile(
    r"\b(?:CLICK|SUBSCRIBE|SIGN UP|DOWNLOAD|NEWSLETTER|GET THE|FOLLOW US|WATCH|READ MORE)\b"
)


# The same text is counted by several steps (the body checks, the word count, validation):
# counting costs ~0.1 ms per 5,000 characters, a lookup only a hash of the string.
@lru_cache(maxsize=64)
def count_words(text: str | None) -> int:
    """Count the words of a text: whitespace-separated tokens holding a letter or digit, and each
    CJK character (those scripts do not separate words with spaces)."""
    if not text:
        return 0
    if not _CJK.search(text):
        tokens = text.split()
        # Most tokens are all letters or digits: skipped in C (`filterfalse`); only the rest
        # are searched, and only those without a word character are counted (as non-words).
        return len(tokens) - sum(
            1 for tok in filterfalse(str.isalnum, tokens) if not _WORD.search(tok)
        )
    total = 0
    for tok in text.split():
        cjk = len(_CJK.findall(tok))
        if cjk:
            total += cjk + len(_WORD.findall(_CJK.sub(" ", tok)))
        elif _WORD.search(tok):
            total += 1
    return total


#: `count_words` without its cache, for counting many short paragraphs once each (they would
#: push out of the cache the whole texts the other steps count again).
_count_words = count_words.__wrapped__


def _loose(text: str) -> str:
    """Lower-case alphanumerics only, for comparing a paragraph with the title."""
    return _NON_WORD.sub("", text.casefold())


_NON_WORD = re.compile(r"\W+")


#: A link to another story: "Read more: <headline>", "Related: <headline>", or a headline
#: tagged in capitals ("Holidaymakers die after eating marmot [INSIGHT]").
_PROMO_LINE = re.compile(
    r"^[\[(>»\s]*(?i:read more|related|see also|also read|read next|more|see more|don'?t miss"
    r"|must read|also see|can also read|you may also (?:like|read)|watch|listen|read also"
    r"|recommended)\s*:\s*\S.{0,150}$"
    r"|^.{10,160}\s\[[A-Z]{3,}(?: [A-Z]+)*\]$"
    r"|^(?i:also on [\w-]+(?:\.[\w-]+)+\b.{0,200})$"
)
#: A picture's caption or credit line, ending with its credit ("... trail in front of you.
#: Credit: Sam Schild", "Image: Thinkstock", "Photo credit: Jane Doe / Getty Images").
_CREDIT_LINE = re.compile(
    r"(?:^|[\s.|(])(?:Credit|Photo|Image|Picture|Photograph)s?(?: (?i:credits?))?:"
    r"\s*[\w©@][^.!?:]{0,60}?[\s|)]*$"
)
#: A call to subscribe or share ("... delivered to your inbox", "Sign up for our newsletter",
#: "Like this story? Share it with a friend!").
_CALL_TO_ACTION = re.compile(
    r"^.{0,200}\b(?:to|in) your inbox\b.{0,60}$"
    r"|^(?:sign up|subscribe)\b.{0,200}\bnewsletter\b.{0,100}$"
    r"|^(?:like|liked|enjoyed|enjoy) (?:this|the) (?:story|article|post)\b.{0,80}$"
    r"|^\W*(?:join|get|sign up for|subscribe to)\b.{0,50}\bnewsletters?\W*$"
    r"|^(?:thank you|thanks) for (?:subscribing|signing up)\b.{0,100}$",
    re.IGNORECASE,
)

#: The consent printed under a sign-up form ("By signing up, you agree to receive...", "By
#: providing a telephone number ..., you are consenting to be contacted by SMS").
_FORM_CONSENT = re.compile(
    r"^By (?:signing|submitting|providing|clicking|subscribing|entering|registering|"
    r"continuing|checking|creating|tapping|opting)\b.{0,150}?\byou(?:[’']re| are)? (?:hereby )?"
    r"(?:agree|consent|consenting|acknowledge|accept (?:our|the|these))\b",
    re.IGNORECASE,
)
#: Most words of such a consent.
FORM_CONSENT_WORDS = 80


def _has_credit_word(para: str) -> bool:
    """Tell whether a paragraph holds a word `_CREDIT_LINE` needs (faster than the pattern)."""
    return "Credit" in para or "Photo" in para or "Image" in para or "Picture" in para


@lru_cache(maxsize=1024)
def _is_furniture(para: str) -> bool:
    """Tell whether a paragraph is a label, a call to action, a link to another story or a
    byline line (cached: `tidy_body` runs once per title over the same paragraphs)."""
    if _FURNITURE_LINE.match(para):
        return True
    # The number of words when it is 41 or less (splitting a long paragraph only that far).
    words = len(para.split(None, 41))
    if words <= 40 and (_PROMO_LINE.match(para) or _CALL_TO_ACTION.match(para)):
        return True
    if words <= 12 and _BYLINE_LINE.match(para) and not para.rstrip().endswith("."):
        return True
    if words <= 40 and ":" in para and _has_credit_word(para) and _CREDIT_LINE.search(para):
        return True
    if para[:3].lower() == "by " and _FORM_CONSENT.match(para):
        return len(para.split(None, FORM_CONSENT_WORDS + 1)) <= FORM_CONSENT_WORDS
    return words <= 14 and para.isupper() and bool(_SHOUTED_PROMO.search(para))


def _is_dateline(para: str) -> bool:
    """Tell whether a paragraph only dates the article or gives its reading time ("Written on
    12 December 2025", "Dec 18, 2025 · 10 min read", "Updated: 2025-03-04 10:00", "UPDATED:
    Tue., Nov. 19, 2019", "Updated at 1:23 p.m.", "November 19, 2019 / 12:21 AM / Updated 14
    hours ago"): a date, a reading time, or a labelled clock time, with nothing else than
    weekdays, times and labels."""
    if len(para) > 80:
        return False
    rest = DATE_IN_TEXT.sub(" ", para, count=2)
    if rest == para and not _READ_TIME.search(para):
        timed = _CLOCK_TIME.sub(" ", para)
        if timed == para or not _DATE_LABEL.search(timed):
            return False
    rest = _WEEKDAY.sub(" ", _CLOCK_TIME.sub(" ", rest))
    return not _READ_TIME.sub(" ", _DATE_LABEL.sub(" ", rest)).strip(" \t-–—|·•⋅,.:;/()")


_READ_TIME = re.compile(r"\b\d+(?:\s*[-–]\s*\d+)?\s*(?:min(?:ute)?s?|mins?)(?:\s+read)?\b", re.I)
_DATE_LABEL = re.compile(
    r"\b(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified|reviewed)|written|on|at"
    r"|date|read)\b",
    re.I,
)
#: A clock time ("12:21 AM", "1:23 p.m.") or a time ago ("14 hours ago"); a weekday.
_CLOCK_TIME = re.compile(
    r"\b\d{1,2}[:.]\d{2}(?:\s*[ap]\.?\s?m\b\.?)?(?:\s+[A-Z]{2,4}\b)?"
    r"|\b\d+\s+(?:minutes?|hours?|days?)\s+ago\b",
    re.I,
)
_WEEKDAY = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?", re.I
)


#: A call to follow the author or the site on social media ("Follow him on Twitter @x", "Follow
#: Newsbeat on Instagram, Facebook and YouTube"): a tagline closing the article, not its text.
_FOLLOW_ON = re.compile(
    r"\bfollow (?:us|me|him|her|them|[\w@.'’-]+(?: [\w@.'’-]+){0,3}) on (?:twitter|facebook"
    r"|instagram|x|linkedin|tiktok|youtube|threads|bluesky)\b",
    re.IGNORECASE,
)
#: Most words of a closing paragraph that `_FOLLOW_ON` marks as a tagline.
FOLLOW_WORDS = 50


def _is_tagline(para: str) -> bool:
    """Tell whether a paragraph asks readers to follow someone on social media (`_FOLLOW_ON`)
    in at most `FOLLOW_WORDS` words."""
    return len(para.split(None, FOLLOW_WORDS)) <= FOLLOW_WORDS and bool(_FOLLOW_ON.search(para))


def tidy_body(text: str, title: str | None = None) -> str:
    """Drop repeats of the headline near the top, short furniture lines (share, subscribe,
    bylines), date or reading-time lines among the first and last three paragraphs and social
    media taglines among the last three."""
    paras = [p for p in text.split("\n\n") if p and not _is_furniture(p)]
    last = len(paras) - 3
    paras = [
        p
        for i, p in enumerate(paras)
        if not ((i < 3 or i >= last) and _is_dateline(p))
        and not (i >= last and i > 0 and _is_tagline(p))
    ]
    if title:
        head = _loose(title)
        paras = [p for i, p in enumerate(paras) if i >= 3 or _loose(p) != head]
    return "\n\n".join(paras)


#: Most words of a closing paragraph `drop_author_bio` reads as the author's biography.
AUTHOR_BIO_WORDS = 120
#: The verbs a biography opens with after the author's name ("Jane Doe is a reporter...").
_BIO_VERB = (
    r",?\s(?:is|was|has|holds|writes|covers|serves|leads|worked|works|joined|studied|"
    r"specializes|specialises|reports)\b"
)
#: A job title between the name and the verb ("Jane Doe, Editor, Running, studied...").
_BIO_ROLE = r"(?:,(?:\s[\w&'’.-]+){1,4}){0,2}"
#: The label of an author's biography ("About the author: Jane Doe is...").
_BIO_LABEL = r"(?i:about the author|about the writer)"
#: A biography in the first person ("Hi, I'm Jane Doe, and I...").
_BIO_GREETING = (
    r"(?:(?:Hi|Hello|Hey)(?: there)?[,!.]?\s)?I[’']m\s"
    r"|(?:Hi|Hello|Hey)(?: there)?[,!.]?\sI am\s"
)
#: A line above a biography: its label ("About the author", "Contributor").
_BIO_HEADING = re.compile(
    r"(?i:about (?:the )?(?:author|writer|contributor)s?|(?:the )?author|contributor|"
    r"written by|article written by):?"
)
#: Paragraphs at the end of the text `drop_author_bio` looks through for the biography.
AUTHOR_BIO_TAIL = 4
#: Most words of each paragraph after a biography that does not name the author (a label or
#: link: "More by this contributor"), and of all of them, for `drop_author_bio` to drop them.
BIO_LABEL_WORDS = 10
#: Most words of each line under the author's name in an author box at the end of the text.
AUTHOR_BOX_WORDS = 40
#: Paragraphs at the end of the text `drop_author_bio` looks through for such a box.
AUTHOR_BOX_TAIL = 6
BIO_LABELS_WORDS = 20


def drop_author_bio(text: str, authors: list[str]) -> str:
    """Drop the biography of a credited author among the last `AUTHOR_BIO_TAIL` paragraphs,
    with what follows it: a paragraph of at most `AUTHOR_BIO_WORDS` words that opens with the
    author's name (in full, or the first name, alone or with a surname), maybe a job title, and
    a verb ("Jane Doe is a health reporter...", "(Jane Doe is an attorney at...)", "Jane Doe,
    Editor, studied...", "About the author: Jane Doe is...") or that greets the reader in the
    author's name ("Hi, I'm Jane Doe, and..."), printed under the article, not part of it. It
    goes only when what follows it is more of it (paragraphs naming the author) or a few short
    labels ("More by Jane"), with the author's name and a label ("Contributor") above it. An
    author box among the last `AUTHOR_BOX_TAIL` paragraphs (a line holding only the author's
    full name, then lines of at most `AUTHOR_BOX_WORDS` words) goes too."""
    full = [name for name in authors if len(name.split()) >= 2]
    # A given name ("Jane"), not the first word of an organisation's name ("QCY Official").
    first = {name.split()[0] for name in full if re.fullmatch(r"[A-Z][a-z]+", name.split()[0])}
    single = {name.strip() for name in authors if len(name.split()) == 1}
    paras = text.split("\n\n")
    if not (full or single) or len(paras) < 4:
        return text
    start = max(len(paras) - AUTHOR_BOX_TAIL, 3)
    if not any(name in para for para in paras[start:] for name in (*full, *first, *single)):
        return text  # no paragraph it looks at names the author: skip building the patterns
    surname = r"\s[A-Z][\w'’-]+"
    alternatives = [re.escape(name) for name in sorted(full, key=len, reverse=True)]
    alternatives += [rf"{re.escape(name)}(?:{surname})?" for name in sorted(first)]
    alternatives += [rf"{re.escape(name)}{surname}" for name in sorted(single)]
    who = "|".join(alternatives)
    names = {*full, *single}
    bio = re.compile(
        rf"(?:{_BIO_LABEL}:?\s)?\(?(?:{who}){_BIO_ROLE}{_BIO_VERB}|(?:{_BIO_GREETING})(?:{who})\b"
    )
    named = re.compile(rf"\b(?:{who})\b")
    for i in range(start, len(paras)):
        if i < len(paras) - AUTHOR_BIO_TAIL and paras[i] not in names:
            continue
        if paras[i] in names and all(count_words(p) <= AUTHOR_BOX_WORDS for p in paras[i + 1 :]):
            # An author box: the full name, then short lines (a role, a handle, "View
            # profile"); not a letter's signature ("Best wishes, / Jane").
            while i > 3 and _BIO_HEADING.fullmatch(paras[i - 1]):
                i -= 1
            return "\n\n".join(paras[:i])
        if not bio.match(paras[i]) or count_words(paras[i]) > AUTHOR_BIO_WORDS:
            continue
        # What follows is more of the biography (it names the author) or short labels
        # ("More by this contributor", "Free trial"), not a section of the article.
        others = [p for p in paras[i + 1 :] if not named.search(p)]
        if all(count_words(p) <= BIO_LABEL_WORDS for p in others) and (
            sum(count_words(p) for p in others) <= BIO_LABELS_WORDS
        ):
            # The author's name and a label printed above the biography go with it.
            while i > 3 and (_BIO_HEADING.fullmatch(paras[i - 1]) or named.fullmatch(paras[i - 1])):
                i -= 1
            return "\n\n".join(paras[:i])
    return text


def _paragraphs(text: str) -> str:
    """Normalise extracted text to paragraphs joined by one blank line."""
    lines = [clean_space(line) for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


_FURNITURE_CLASS = re.compile(r"caption|newsletter|share-|social-share|sharing|related")
_WRAPPERS = frozenset({"body", "article", "main"})
#: What a lower-cased class or id holds when its element may be furniture: a superset of the
#: words `PRUNE_XPATH`, `_BOILERPLATE_WORD`, `_POPUP_WORD`, `_DEK_WORD` and `_is_folded` match.
_CANDIDATE_WORD = re.compile(
    r"caption|newsletter|shar|related|ccordion|faq|disc(?:laimer|losure)|co(?:okie|nsent|pyright)"
    r"|author|bio|promo|cta|latest|desktop|mobile|print"
    r"|sub-?(?:title|hea?d|line)|dek|deck|standfirst|strapline"
    r"|tooltip|popover|hovercard|rollover|popup|modal|form[-_]?(?:done|fail|succ|err)"
    r"|(?:success|error)[-_]?m"
)
#: A lower-cased class word or id of a block that is never article text: a disclaimer,
#: disclosure or copyright notice, a cookie or consent notice, an author's bio box, a promotion
#: or call to action, a list of the latest stories, or a copy of content shown only on phones
#: (hidden on a desktop, which shows the full copy) or only on paper (print headers, footers).
_BOILERPLATE_WORD = re.compile(
    r"disclaimer|disclosure|cookie|consent|copyright"
    r"|author[-_]?(?:bio|box|info|about|detail|desc)|about[-_]?(?:the[-_]?)?author"
    r"|(?:^|[\s_-])(?:bio|promo|cta|latest)(?:$|[\s_-])"
    r"|(?:hidden|hide)[-_](?:on[-_])?desktop|desktop[-_]hidden|mobile[-_]only"
    r"|(?:show|visible)[-_](?:on[-_])?mobile"
    r"|print[-_](?:only|header|footer)|(?:show|visible)[-_](?:for[-_]|on[-_])?print"
)
#: A lower-cased class word or id of a box shown only on demand: a tooltip, a hover card (a
#: person's latest headlines shown over their name), a pop-up or modal dialog (a form's
#: "thank you" message, a sign-up box), a form's success or failure message ("w-form-done",
#: "error-message"). Its text is not the article's, though it may sit inside a paragraph; the
#: links and buttons that open one ("open-popup") are not matched.
_POPUP_WORD = re.compile(
    r"tooltip|popover|hovercard|rollover|(?:^|[-_])(?:popup|modal)$"
    r"|form[-_]?(?:done|fail|success|error)$|(?:^|[-_])(?:success|error)[-_]?(?:message|msg)$"
)
_OPENERS = frozenset({"a", "button"})
#: Class words that name the topic of the page, not the role of the block ("tag-cookies").
_TOPIC_CLASS = ("tag-", "category-", "categories-", "topic-")


#: The attributes `_furniture_candidates` reads, and the <figcaption>s, in document order.
_CANDIDATE_ATTRS = etree.XPath(
    "descendant-or-self::*/@class | descendant-or-self::*/@id | descendant-or-self::*/@role"
    " | descendant-or-self::*/@aria-label | descendant-or-self::figcaption"
    " | descendant-or-self::details"
)


def _furniture_candidates(tree: etree._Element) -> list[etree._Element]:
    """Return the elements `PRUNE_XPATH` or `_is_boilerplate_block` may match and the folding
    blocks, in document order.

    One XPath lists the attribute values to test (cheaper than a Python walk over every
    element; an XPath with many `contains` tests costs several times more).
    """
    out: list[etree._Element] = []
    last: etree._Element | None = None
    for item in _CANDIDATE_ATTRS(tree):
        if isinstance(item, str):
            name = item.attrname  # type: ignore[attr-defined]
            if name == "class" or name == "id":
                if not _CANDIDATE_WORD.search(item.lower()):
                    continue
            elif item != ("complementary" if name == "role" else "Related"):
                continue
            item = item.getparent()  # type: ignore[attr-defined]
        if item is not last:  # an element's attributes follow it in document order
            out.append(item)
            last = item
    return out


def _furniture_kind(node: etree._Element) -> int:
    """Return which `PRUNE_XPATH` expression matches the element (its index), or -1."""
    tag = node.tag
    if tag == "figcaption":
        return 0
    cls = node.get("class")
    if cls and _FURNITURE_CLASS.search(cls):
        if tag in ("div", "p", "span") and "caption" in cls.split():
            return 1
        if "newsletter" in cls and tag not in _WRAPPERS:
            return 2
        if "share-" in cls or "social-share" in cls or "sharing" in cls:
            return 3
        if "related" in cls and tag not in _WRAPPERS:
            return 4
    if node.get("role") == "complementary" or node.get("aria-label") == "Related":
        return 5
    if tag not in _WRAPPERS and tag != "html" and _is_boilerplate_block(node):
        return BOILERPLATE_KIND
    if tag not in _WRAPPERS and tag not in _OPENERS and _is_popup(node):
        return POPUP_KIND
    if tag in _DEK_TAGS and _is_dek(node):
        return DEK_KIND
    return -1


#: The index, after the `PRUNE_XPATH` expressions, of blocks matched by `_is_boilerplate_block`,
#: that of the standfirsts matched by `_is_dek` and that of the on-demand boxes (`_is_popup`).
BOILERPLATE_KIND = len(PRUNE_XPATH)
DEK_KIND = BOILERPLATE_KIND + 1
POPUP_KIND = DEK_KIND + 1
#: A lower-cased class word of a standfirst: the summary printed under the headline ("dek").
_DEK_WORD = re.compile(
    r"(?:^|[_-])(?:sub-?title|sub-?head(?:line)?|sub-?hed|subline|dek|deck|standfirst"
    r"|strapline|articledek)(?:$|[_-])"
)
_DEK_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "div", "span"})


def _is_dek(node: etree._Element) -> bool:
    """Tell whether an element is the standfirst beside the headline: a block classed as a
    subtitle or dek (`_DEK_WORD`), without paragraphs of its own, whose parent holds the <h1>.
    Extractors keep it as the first paragraph, but it summarises the article, it is not part of
    its text (and an in-body subheading classed "subtitle" has no <h1> beside it)."""
    cls = node.get("class")
    if not cls or not any(_DEK_WORD.search(word) for word in cls.lower().split()):
        return False
    parent = node.getparent()
    if parent is None or all(child.tag != "h1" for child in parent):
        return False
    return node.tag == "p" or node.find(".//p") is None


def _is_boilerplate_block(node: etree._Element) -> bool:
    """Tell whether an element's class words or id name a block that is never article text
    (`_BOILERPLATE_WORD`); words naming the page's topic ("tag-cookies") do not count."""
    words = f"{node.get('class') or ''} {node.get('id') or ''}".lower().split()
    return any(
        _BOILERPLATE_WORD.search(word) and not word.startswith(_TOPIC_CLASS) for word in words
    )


def _is_popup(node: etree._Element) -> bool:
    """Tell whether an element is a box shown only on demand: its class words or id say so
    (`_POPUP_WORD`; utility classes styling a state, "group-hover/popover:bg-white", do not
    count), unless it is an inline element around another such element: then it wraps the box
    and the words that open it (the name a hover card is about), which belong to the sentence."""
    if not _names_popup(node):
        return False
    if node.tag not in _INLINE_TAGS:
        return True
    return not any(_names_popup(inner) for inner in node.iterdescendants() if inner.attrib)


def _names_popup(node: etree._Element) -> bool:
    """Tell whether an element's class words or id name a box shown only on demand."""
    words = f"{node.get('class') or ''} {node.get('id') or ''}".lower().split()
    return any(_POPUP_WORD.search(word) and ":" not in word for word in words)


def prune_furniture(tree: etree._Element, unfold: bool = False) -> None:
    """Remove caption, share, newsletter and related-links blocks (`PRUNE_XPATH`), blocks
    whose class names boilerplate (`_is_boilerplate_block`) and the standfirst (`_is_dek`),
    unless a match is so large that it must be a wrapper holding the article itself, and
    paragraphs that only link to other stories (`prune_link_paragraphs`); with `unfold`, then
    open the folding blocks that remain (`unfold_panels`).

    One walk over the tree finds the matches of every expression; they are then removed
    expression by expression, as if each were evaluated after the previous removals.
    """
    found: list[list[etree._Element]] = [[] for _ in range(POPUP_KIND + 1)]
    folded: list[etree._Element] = []
    for node in _furniture_candidates(tree):
        kind = _furniture_kind(node)
        if kind >= 0:
            found[kind].append(node)
        elif unfold and _is_folded(node):
            folded.append(node)
    if any(found):
        _remove_furniture(tree, found)
    prune_link_paragraphs(tree)
    if folded:
        root = tree.getroottree().getroot()
        _unfold([node for node in folded if _attached(node, root)])


#: Paragraphs holding a link, the candidates of `prune_link_paragraphs`.
_LINKING_PARAGRAPHS = etree.XPath("//p[.//a]")
#: Fewest words of a paragraph that is only a link for `prune_link_paragraphs` to remove it,
#: and of one written in capitals.
LINK_PARAGRAPH_WORDS = 3
SHOUTED_LINK_WORDS = 4


def _link_only(para: etree._Element) -> str | None:
    """Return the text of a paragraph when it is all link text (`LINK_PARAGRAPH_WORDS` words
    or more), else None."""
    words = "".join(para.itertext()).split()
    if len(words) < LINK_PARAGRAPH_WORDS:
        return None
    chars = sum(map(len, words))
    return " ".join(words) if _link_chars(para) >= LINK_SHARE * chars else None


#: The share of a paragraph's characters that must be link text for `_link_only`.
LINK_SHARE = 0.95


def prune_link_paragraphs(tree: etree._Element) -> None:
    """Remove paragraphs that are nothing but a link to another story: one written in capitals
    (a headline shouted between paragraphs), and those that end their block after its prose
    (a run of related headlines under the article). A list of links with no prose before it in
    its block may be the article itself (a round-up) and stays."""
    runs: dict[etree._Element, list[etree._Element]] = {}
    for para in _LINKING_PARAGRAPHS(tree):
        text = _link_only(para)
        if text is None or (para.tail and para.tail.strip()):
            continue
        parent = para.getparent()
        if parent is None:
            continue
        if text.isupper() and len(text.split(None, SHOUTED_LINK_WORDS)) >= SHOUTED_LINK_WORDS:
            parent.remove(para)
        else:
            runs.setdefault(parent, []).append(para)
    for parent, paras in runs.items():
        _remove_trailing_links(parent, set(paras))


def _remove_trailing_links(parent: etree._Element, linked: set[etree._Element]) -> None:
    """Remove the link-only paragraphs (`linked`) that end a block's children, when a paragraph
    of prose comes before them."""
    trailing: list[etree._Element] = []
    children = [child for child in parent if isinstance(child.tag, str)]
    i = len(children) - 1
    while i >= 0:
        child = children[i]
        if child in linked:
            trailing.append(child)
        elif "".join(child.itertext()).strip():
            break
        i -= 1
    if not trailing:
        return
    prose = any(
        child.tag == "p" and "".join(child.itertext()).strip() for child in children[: i + 1]
    )
    if prose:
        for para in trailing:
            parent.remove(para)


#: Furniture is removed when its text is shorter than `FURNITURE_CHARS` characters and
#: `FURNITURE_SHARE` of the page's text (a larger match must be a wrapper holding the article);
#: an on-demand box (`_is_popup`) when it is shorter than `POPUP_SHARE` of the page's text.
FURNITURE_CHARS = 3000
FURNITURE_SHARE = 0.25
POPUP_SHARE = 0.5


def _remove_furniture(tree: etree._Element, found: list[list[etree._Element]]) -> None:
    """Remove the furniture `prune_furniture` found, kind by kind."""
    root = tree.getroottree().getroot()
    body = first_descendant(tree, "body")
    body_len = (_joined_len(body) if body is not None else 0) or 1
    for kind, nodes in enumerate(found):
        # A box shown on demand may be long (a cookie dialog listing each cookie): only one
        # holding most of the page's text could be the article.
        limit = (
            POPUP_SHARE * body_len
            if kind == POPUP_KIND
            else min(FURNITURE_CHARS, body_len * FURNITURE_SHARE)
        )
        for node in nodes:
            parent = node.getparent()
            if parent is None or not _attached(node, root):
                continue
            size = _joined_len(node)
            if size < limit:
                if node.tail and node.tail.strip():
                    prev = node.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + node.tail
                    else:
                        parent.text = (parent.text or "") + node.tail
                parent.remove(node)


_FOLDED_WORD = re.compile(r"accordion|faq", re.IGNORECASE)


def _is_folded(node: etree._Element) -> bool:
    """Tell whether an element is an accordion or FAQ block (by its class or id) or a
    <details> disclosure panel."""
    if node.tag == "details":
        return True
    return bool(_FOLDED_WORD.search(f"{node.get('class', '')} {node.get('id', '')}"))


#: Class or style words that hide a panel (or make extractors discard it).
_HIDING = re.compile(r"hidden|hide|collaps|-icon|expand|closed|display:\s*none", re.IGNORECASE)


def unfold_panels(tree: etree._Element) -> None:
    """Open accordion, FAQ and <details> blocks: strip the hiding attributes (``hidden``,
    ``aria-hidden``, classes or styles with words like "hidden", "collapse" or "-icon") of them
    and of the elements inside them. Their panels are part of the article, collapsed until a
    reader opens them, but extractors drop what is marked hidden (and match words like "-icon"
    in layout classes)."""
    _unfold([node for node in _furniture_candidates(tree) if _is_folded(node)])


def _unfold(nodes: list[etree._Element]) -> None:
    """Strip the hiding attributes of folding blocks (see `unfold_panels`)."""
    for node in nodes:
        if node.tag in _WRAPPERS or node.tag == "html" or node.find(".//h1") is not None:
            continue  # a page or article wrapper classed after its topic ("category-faq")
        for elem in node.iter():
            if not isinstance(elem.tag, str):
                continue
            for attr in ("hidden", "aria-hidden"):
                elem.attrib.pop(attr, None)
            if _HIDING.search(elem.get("style", "")):
                del elem.attrib["style"]
            if _HIDING.search(elem.get("class", "")):
                del elem.attrib["class"]


def _joined_len(node: etree._Element) -> int:
    """Return ``len(" ".join(node.xpath(".//text()")))`` without building strings in Python."""
    count = int(_TEXT_COUNT(node))
    return int(_TEXT_LENGTH(node)) + count - 1 if count else 0


_TEXT_COUNT = etree.XPath("count(.//text())")
#: An element's text, its pieces joined without separators (the spaces are dropped anyway).
_STRING = etree.XPath("string(.)", smart_strings=False)
_TEXT_LENGTH = etree.XPath("string-length(.)")


def _attached(node: etree._Element, root: etree._Element) -> bool:
    """Tell whether a node is still in the document (not inside a removed block)."""
    for ancestor in node.iterancestors():
        if ancestor.getparent() is None:
            return ancestor == root
    return node == root


def _extractor(mode: str) -> Extractor:
    """Return (and cache) trafilatura's options for one focus: "recall", "balanced", "precision"."""
    options = _EXTRACTORS.get(mode)
    if options is None:
        options = Extractor(
            output_format="python",
            fast=False,
            precision=mode == "precision",
            recall=mode == "recall",
            comments=False,
            formatting=False,
            links=False,
            images=False,
            tables=True,
            dedup=False,
            with_metadata=False,
        )
        _EXTRACTORS[mode] = options
    return options


_EXTRACTORS: dict[str, Extractor] = {}
#: Elements of trafilatura's output that end an article only as furniture (related headlines).
_TRAILING_FURNITURE = frozenset({"head"})


def trafilatura_text(tree: etree._Element, url: str | None, mode: str = "recall") -> str:
    """Run trafilatura once on the (already pruned) tree and return paragraphs joined by blank
    lines; trailing headings and link lists after the last paragraph are dropped.

    The tree is not modified (trafilatura works on its own copy).
    """
    try:
        doc = bare_extraction(tree, url=url, options=_extractor(mode))
    except Exception:  # noqa: BLE001 - a broken page must not break extraction
        return ""
    body = getattr(doc, "body", None) if doc is not None else None
    if body is None:
        return ""
    while len(body) > 1 and body[-1].tag in _TRAILING_FURNITURE:
        body.remove(body[-1])
    return _paragraphs(xmltotxt(body, False) or "")


#: Below this many words, and under `SHORT_BODY_HALF` of the words in the page's <p>s (or on a
#: page without <p>s), the recall pass may have picked a fragment; a balanced pass is tried too.
#: A short text that holds most of the page's paragraphs is a short article: on 891 pages, the
#: balanced pass never found more there.
SHORT_BODY_WORDS = 250
SHORT_BODY_HALF = 0.5
#: The same, at any length, when the recall pass kept less than this share of the words in the
#: page's <p>s: it settled on one block (an intro, a sidebar) of a long article.
SHORT_BODY_SHARE = 0.2


#: Hidden <div>s: React's streamed chunks are among them (``<div hidden id="S:1">``).
_STREAMED = "//div[@hidden]"


def _has_body_text(tree: etree._Element) -> bool:
    """Tell whether the page's first <body> holds text other than XML whitespace:
    ``boolean(normalize-space(//body))``, stopping at the first such text rather than joining
    all of it."""
    for top in document_elements(tree):
        # Walked in Python: the <body> comes early, and lxml's iter("body") would look ahead
        # through the whole page for a second one.
        for node in top.iter():
            if node.tag == "body":
                return any(text.strip(" \t\r\n") for text in node.itertext())
    return False


def extract_body(tree: etree._Element, url: str | None) -> str:
    """Extract the body with one trafilatura pass favouring recall on a pruned copy of the tree.

    Furniture is removed by `prune_furniture` before and `tidy_body` after, which keeps the
    precision of a second, precision-oriented pass at half the cost. Only when the text is short
    (the recall pass may have settled on a fragment: under `SHORT_BODY_WORDS` and half the words
    in the page's paragraphs, or under `SHORT_BODY_SHARE` of them) is a balanced pass run as
    well, and the longer text kept. A body split into chunks (`merge_split_body`) or streamed out of
    place (`place_streamed_content`) is extracted again from a repaired copy, keeping the
    longer text.

    Before extraction, folded FAQ and accordion panels are opened (`unfold_panels`), text
    laid out with <br>s is split into paragraphs (`paragraphs_from_breaks`) and boxed notes
    are turned into plain blocks (`open_boxed_notes`); after it, dropped subheadings, pull
    quotes and paragraphs laid out as <div>s are put back (`restore_headings`), as are dropped
    tables (`restore_tables`, first, so that a heading over a table finds it in the text), a
    second copy of the body is dropped (`drop_repeated_run`), and so are the links to other
    stories that close it (`cut_related_tail`), and so are short paragraphs from the page's frame
    at either end of it (`trim_outside_container`). A text that lacks a block trafilatura discards
    by name though it holds much of the page's prose (`discarded_prose`) is extracted again
    with that block's class and id removed, and the new text kept when it holds the first.
    """
    if not _has_body_text(tree):
        return ""  # nothing to extract (an empty page or a frameset): skip trafilatura
    work = copy.deepcopy(tree)
    prune_furniture(work, unfold=True)
    paragraphs_from_breaks(work)
    open_boxed_notes(work)
    text = trafilatura_text(work, url)
    words = count_words(text)
    paragraph_words = _paragraph_words(work)
    short = words < SHORT_BODY_WORDS and (
        not paragraph_words or words < SHORT_BODY_HALF * paragraph_words
    )
    if short or words < SHORT_BODY_SHARE * paragraph_words:
        other = trafilatura_text(work, url, mode="balanced")
        if count_words(other) > words:
            text, words = other, count_words(other)
    variants: list[etree._Element] = []
    if merge_split_body(work, text, apply=False):
        # The body is split in chunks and the text has only some: join them and retry.
        merged = copy.deepcopy(work)
        merge_split_body(merged, text)
        variants.append(merged)
    if any(t.get("id", "")[:2] in ("B:", "P:") for t in tree.iter("template")) and any(
        div.get("id", "").startswith("S:") for div in tree.xpath(_STREAMED)
    ):
        # Content streamed to the end of the page: also try it moved into its place (there it
        # may land in a block trafilatura discards, hence the retry rather than a fix).
        placed = copy.deepcopy(tree)
        place_streamed_content(placed)
        prune_furniture(placed, unfold=True)
        variants.append(placed)
    if words < CONTAINER_TRY_SHARE * paragraph_words:
        text, words = _from_paragraph_container(work, url, text, words, paragraph_words)
    hidden = discarded_prose(work, text)
    if hidden:
        other = trafilatura_text(_unnamed(work, hidden), url)
        if count_words(other) > words and overlap(text, other) >= CONTAINER_OVERLAP:
            text, words = other, count_words(other)
    source = work  # the tree the text comes from
    for variant in variants:
        other = trafilatura_text(variant, url)
        if count_words(other) > words:
            text, words, source = other, count_words(other), variant
    text = restore_headings(work, restore_tables(work, text))
    return trim_outside_container(source, cut_related_tail(drop_repeated_run(text)))


#: `trim_outside_container` looks at the deepest element holding this share of the characters
#: in the page's <p>s (`_prose_container`), and acts when the paragraphs found in it hold at
#: least `OUTSIDE_SHARE` of the text's words.
OUTSIDE_CONTAINER_SHARE = 0.5
OUTSIDE_SHARE = 0.7
#: Most words of a paragraph `trim_outside_container` drops at the start and at the end of the
#: text, and most words of a label ("Ad", "Search") it drops there even inside the element.
OUTSIDE_HEAD_WORDS = 15
OUTSIDE_TAIL_WORDS = 60
OUTSIDE_LABEL_WORDS = 2


def trim_outside_container(tree: etree._Element, text: str) -> str:
    """Drop the short paragraphs that open (`OUTSIDE_HEAD_WORDS` words or fewer) or close
    (`OUTSIDE_TAIL_WORDS`) the text but are not in the element holding most of the page's
    paragraphs (`_prose_container`), when that element holds most of the text
    (`OUTSIDE_SHARE` of its words): teasers, calls to action, notes and labels from the page's
    frame that the extractor joined to the article. Labels of a word or two at either end
    (`OUTSIDE_LABEL_WORDS`: "Ad", "Search") go too, wherever they are, and do not stop the
    trimming. Paragraphs between two of the element's are left alone (boxes in the article)."""
    paras = text.split("\n\n")
    if len(paras) < 3:
        return text
    container = _prose_container(tree)
    if container is None:
        return text
    held = "".join(_STRING(container).casefold().replace("|", " ").split())

    def found(para: str) -> bool:
        """Tell whether a paragraph's start is in the container's text (spaces and the marks
        of list items and table cells aside)."""
        return _compact(para) in held

    def framed(para: str) -> bool:
        """Tell whether a paragraph is not in the container, or is a label."""
        return not found(para) or _count_words(para) <= OUTSIDE_LABEL_WORDS

    # Most texts neither open nor close with such a paragraph: nothing more to count.
    if not (
        (framed(paras[0]) and _count_words(paras[0]) <= OUTSIDE_HEAD_WORDS)
        or (framed(paras[-1]) and _count_words(paras[-1]) <= OUTSIDE_TAIL_WORDS)
    ):
        return text
    inside = [found(para) for para in paras]
    words = [_count_words(para) for para in paras]
    kept = sum(w for w, held_here in zip(words, inside, strict=True) if held_here)
    if kept < OUTSIDE_SHARE * sum(words):
        return text
    edge = [not here or w <= OUTSIDE_LABEL_WORDS for here, w in zip(inside, words, strict=True)]
    start, end = 0, len(paras)
    while start < end and edge[start] and words[start] <= OUTSIDE_HEAD_WORDS:
        start += 1
    while end > start and edge[end - 1] and words[end - 1] <= OUTSIDE_TAIL_WORDS:
        end -= 1
    return "\n\n".join(paras[start:end])


#: A heading over links to other stories ("Read this next", "Related articles", "More from X").
_RELATED_HEADING = re.compile(
    r"(?:read|see|watch) (?:this|these) next|read next|up next|keep reading|further reading"
    r"|also read|more to (?:read|explore)|more from .{1,40}|recommended(?: for you)?"
    r"|(?:more|related|recommended|similar|popular|latest|other|trending)"
    r" (?:posts|stories|articles|news|reads|reading|content|guides)"
    r"|you (?:may|might) also (?:like|enjoy|be interested in)",
    re.IGNORECASE,
)
#: Where such a heading must start (share of the text's words before it) for
#: `cut_related_tail`, and the most words of each paragraph after it.
RELATED_TAIL_START = 0.6
RELATED_TAIL_WORDS = 80


def cut_related_tail(text: str) -> str:
    """Drop a heading over links to other stories (`_RELATED_HEADING`) in the last part of
    the text (after `RELATED_TAIL_START` of its words) and everything after it, when no
    paragraph after it is longer than a teaser (`RELATED_TAIL_WORDS`)."""
    paras = text.split("\n\n")
    if len(paras) < 3:
        return text
    words = [len(p.split()) for p in paras]
    total = sum(words)
    before = 0
    for i, para in enumerate(paras):
        if (
            i
            and before >= RELATED_TAIL_START * total
            and len(para) <= 60
            and _RELATED_HEADING.fullmatch(para.strip(" :.!?…→»"))
        ):
            if all(w <= RELATED_TAIL_WORDS for w in words[i + 1 :]):
                return "\n\n".join(paras[:i])
            break
        before += words[i]
    return text


#: A repeated run of paragraphs is dropped when it has this many paragraphs, this many words
#: and this share of the text's words.
REPEAT_PARAGRAPHS = 3
REPEAT_WORDS = 50
REPEAT_SHARE = 0.25


#: The container found by `paragraph_container` holds at least this share of the words in the
#: page's paragraphs.
CONTAINER_SHARE = 0.6
#: The container is tried when the text has less than this share of the words in the page's
#: paragraphs; it replaces the text when that is under `SHORT_BODY_SHARE`, or when the
#: container's text holds the text (`CONTAINER_OVERLAP` of its shingles) and more.
CONTAINER_TRY_SHARE = 0.5
CONTAINER_OVERLAP = 0.9


def _from_paragraph_container(
    work: etree._Element, url: str | None, text: str, words: int, paragraph_words: int
) -> tuple[str, int]:
    """Extract again from the element that holds most of the page's paragraphs, for a text
    that has few of them: trafilatura settled on a block that looks like a body by its class
    (a hero's "content", a sidebar) or on part of the article."""
    container = paragraph_container(work)
    if container is None:
        return text, words
    other = trafilatura_text(isolated(container), url)
    other_words = count_words(other)
    if other_words <= words:
        return text, words
    if words < SHORT_BODY_SHARE * paragraph_words or overlap(text, other) >= CONTAINER_OVERLAP:
        return other, other_words
    return text, words


def paragraph_container(tree: etree._Element) -> etree._Element | None:
    """The deepest element holding most (`CONTAINER_SHARE`) of the words in the page's <p>s."""
    return _deepest_holder(
        tree, CONTAINER_SHARE, lambda para: count_words(" ".join(para.itertext()))
    )


def _compact(para: str) -> str:
    """The start of a paragraph, case-folded, without spaces, list marks or table bars."""
    return "".join(para[:120].casefold().replace("|", " ").split()).lstrip("-•")[:60]


def _prose_container(tree: etree._Element) -> etree._Element | None:
    """The deepest element holding `OUTSIDE_CONTAINER_SHARE` of the characters in the page's
    <p>s (`paragraph_container` counts words; characters are counted faster)."""
    return _deepest_holder(tree, OUTSIDE_CONTAINER_SHARE, lambda para: int(_TEXT_LENGTH(para)))


def _deepest_holder(
    tree: etree._Element, share: float, size: Callable[[etree._Element], int]
) -> etree._Element | None:
    """The deepest element (not the <body> or <html>) whose <p>s hold `share` of the `size` of
    all the page's <p>s."""
    holders: dict[etree._Element, int] = {}
    total = 0
    for para in tree.iter("p"):
        amount = size(para)
        parent = para.getparent()
        if amount and parent is not None:
            total += amount
            holders[parent] = holders.get(parent, 0) + amount
    # Each parent's ancestors are summed once (most paragraphs share their parent).
    counts = dict(holders)
    for holder, amount in holders.items():
        for node in holder.iterancestors():
            counts[node] = counts.get(node, 0) + amount
    best = None
    best_depth = -1
    for node, amount in counts.items():
        if amount >= share * total:
            depth = sum(1 for _ in node.iterancestors())
            if depth > best_depth:
                best, best_depth = node, depth
    if best is None or best.tag in ("body", "html"):
        return None
    return best


def isolated(node: etree._Element) -> etree._Element:
    """A new document whose body holds a copy of `node` and the page's <head>."""
    root = lxml.html.document_fromstring("<html><body></body></html>")
    head = node.getroottree().getroot().find("head")
    if head is not None:
        root.insert(0, copy.deepcopy(head))
    root.find("body").append(copy.deepcopy(node))
    return root


def drop_repeated_run(text: str) -> str:
    """Drop a second copy of a long run of paragraphs (a page holding the article twice, as in
    a desktop and a mobile layout); short repeats (a refrain, a recurring table row) stay."""
    paras = text.split("\n\n")
    if len(set(paras)) == len(paras):
        return text
    total = count_words(text)
    first: dict[str, int] = {}
    out: list[str] = []
    i = 0
    while i < len(paras):
        para = paras[i]
        start = first.get(para)
        if start is not None:
            run = 0
            while i + run < len(paras) and start + run < i and paras[i + run] == paras[start + run]:
                run += 1
            words = count_words(" ".join(paras[i : i + run]))
            if run >= REPEAT_PARAGRAPHS and words >= REPEAT_WORDS and words >= REPEAT_SHARE * total:
                i += run
                continue
        first.setdefault(para, i)
        out.append(para)
        i += 1
    return "\n\n".join(out)


_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
#: A subheading longer than this (in words) is not restored by `restore_headings`.
HEADING_WORDS = 20
#: How many loose characters of the page's text around a block `restore_headings` compares with
#: the paragraphs of the text on either side of it (at least `FLOW_MIN_CHARS` of a paragraph).
FLOW_CHARS = 40
FLOW_MIN_CHARS = 12
#: Characters of the page's text (without surrounding spaces) read on each side of a block: as
#: many as a loose text of `FLOW_CHARS` takes, most of the time.
_FLOW_RAW = FLOW_CHARS * 3 // 2
#: Elements whose text is not shown as part of the page's flow.
_UNSHOWN = frozenset({"script", "style", "noscript", "template"})


def _para_key(text: str, size: int = 400) -> str:
    """Return the loose start of a paragraph (from its first `size` characters), to find it
    in extracted text."""
    return _loose(text[:size])[:60]


def _headings_between_paragraphs(
    tree: etree._Element,
) -> list[tuple[etree._Element, etree._Element, etree._Element | None]]:
    """Return (block, paragraph before, paragraph after or None) for the subheadings and block
    quotes (not embedded posts) that follow a paragraph (<p>) in the page, with the nearest <p>
    elements before and after each in document order (one walk)."""
    found: list[tuple[etree._Element, etree._Element, etree._Element | None]] = []
    before: etree._Element | None = None
    pending: list[tuple[etree._Element, etree._Element]] = []
    quote: etree._Element | None = None  # the block quote being walked: its <p>s are its own
    for node in _flow_blocks(tree):
        if quote is not None and any(a is quote for a in node.iterancestors()):
            continue
        quote = None
        if node.tag == "p":
            found += [(heading, prev, node) for heading, prev in pending]
            pending = []
            before = node
        elif before is not None:
            if node.tag == "blockquote":
                quote = node
                if _EMBED.search(f"{node.get('class', '')} {node.get('id', '')}"):
                    continue
            pending.append((node, before))
    return found + [(heading, prev, None) for heading, prev in pending]


#: Classes of block quotes that embed a social media post rather than quote someone.
_EMBED = re.compile(r"twitter|tweet|instagram|tiktok|facebook|embed|reddit", re.IGNORECASE)


def _text_after(node: etree._Element) -> str:
    """Return the start (`FLOW_CHARS` loose characters) of the page's text after an element."""
    parts: list[str] = []
    size = 0
    current: etree._Element | None = node
    while current is not None and size < _FLOW_RAW:
        if current.tail:
            parts.append(current.tail)
            size += len(current.tail.strip())
        for sib in current.itersiblings():
            if sib.tag not in _UNSHOWN:
                for part in sib.itertext():
                    parts.append(part)
                    size += len(part.strip())
                    if size >= _FLOW_RAW:
                        break
            if sib.tail:
                parts.append(sib.tail)
                size += len(sib.tail.strip())
            if size >= _FLOW_RAW:
                break
        current = current.getparent()
    return _loose("".join(parts))[:FLOW_CHARS]


def _reversed_text(node: etree._Element) -> Iterator[str]:
    """Yield the text inside an element (not its tail), last piece first."""
    for child in reversed(node):
        if child.tail:
            yield child.tail
        if child.tag not in _UNSHOWN:
            yield from _reversed_text(child)
    if node.text:
        yield node.text


def _text_before(node: etree._Element) -> str:
    """Return the end (`FLOW_CHARS` loose characters) of the page's text before an element."""
    parts: list[str] = []
    size = 0
    current: etree._Element | None = node
    while current is not None and size < _FLOW_RAW:
        for sib in current.itersiblings(preceding=True):
            if sib.tail:
                parts.append(sib.tail)
                size += len(sib.tail.strip())
            if sib.tag not in _UNSHOWN:
                for part in _reversed_text(sib):
                    parts.append(part)
                    size += len(part.strip())
                    if size >= _FLOW_RAW:
                        break
            if size >= _FLOW_RAW:
                break
        current = current.getparent()
        if current is not None and current.text:
            parts.append(current.text)
            size += len(current.text.strip())
    return _loose("".join(reversed(parts)))[-FLOW_CHARS:]


def restore_headings(tree: etree._Element, text: str) -> str:
    """Put back the subheadings, block quotes and <div> paragraphs the extractor dropped between
    two paragraphs it kept.

    A heading (h2-h6, at most `HEADING_WORDS` words), a <blockquote> (a pull quote; not an
    embedded post) or a <div> of inline text (`_text_div`, `TEXT_DIV_WORDS` words, not mostly
    links nor the description under a linked headline), or a run of them (a heading and its
    subheading, a callout's title and text), is inserted between two consecutive paragraphs of
    the text when, in the page's flow of text, the first ends right before it and the second
    starts right after it, whatever elements hold them (paragraphs, list items, table cells,
    lines of a <div>); or, failing that, when its nearest paragraphs (<p>) before and after it
    in the page are consecutive paragraphs of the text.
    """
    paras = text.split("\n\n")
    found = _headings_between_paragraphs(tree) if len(paras) > 1 else []
    if not found:
        return text
    blocks = [block for block, _, _ in found]
    titles = [
        clean_space(_inline_text(block) if block.tag == "div" else " ".join(block.itertext()))
        for block in blocks
    ]
    # The loose start of each paragraph (extracted text has its spaces collapsed already).
    heads = [_para_key(para, 120) for para in paras]
    inserts = _inserts_by_flow(blocks, titles, paras, heads)
    index: dict[str, int] = {}
    for i, key in enumerate(heads):
        if len(key) >= 20:
            index.setdefault(key, i)
    keys: dict[etree._Element, int | None] = {}

    def position(para: etree._Element) -> int | None:
        """Return the index in the text of a page paragraph (each looked up once)."""
        if para not in keys:
            keys[para] = index.get(_para_key(" ".join(para.itertext())))
        return keys[para]

    restored = {title for run in inserts.values() for title in run}
    for (block, before, after), title in zip(found, titles, strict=True):
        if after is None or title in restored or not _restorable(block, title):
            continue
        at = position(after)
        if at is None or at == 0 or at in inserts or position(before) != at - 1:
            continue
        if _loose(paras[at - 1]) != _loose(title):
            inserts[at] = [title]
    if not inserts:
        return text
    out: list[str] = []
    for i, para in enumerate(paras):
        out += inserts.get(i, ())
        out.append(para)
    return "\n\n".join(out)


#: Words a dropped table must hold for `restore_tables` to put it back.
TABLE_WORDS = 12
#: The share of such a table's cells that may be all link text (more: a grid of links).
TABLE_LINK_SHARE = 0.5
#: A paragraph of a table's frame without text: bars, dashes, colons.
_TABLE_FRAME = re.compile(r"[|\s:-]*\|[|\s:-]*")


def restore_tables(tree: etree._Element, text: str) -> str:
    """Put back the data tables the extractor dropped between two paragraphs it kept.

    Extractors drop tables whose cells hold <div>s or whose wrapper looks like furniture (a
    scrolling box). A <table> (not nested in or holding another, `TABLE_WORDS` words or more,
    not mostly links) is inserted, one paragraph per row with its cells between " | " as
    trafilatura writes them, between two consecutive paragraphs of the text when, in the page's
    flow of text, the first ends right before it and the second starts right after it (as for
    headings in `restore_headings`).
    """
    paras = text.split("\n\n")
    if len(paras) < 2:
        return text
    tables = [
        table
        for table in tree.iter("table")
        if table.find(".//table") is None and next(table.iterancestors("table"), None) is None
    ]
    if not tables:
        return text
    rows = [_table_rows(table) for table in tables]
    # An empty frame of a table the extractor kept without its text ("| | |") is left out, for
    # the table to go in its place.
    kept = [para for para in paras if not _TABLE_FRAME.fullmatch(para)]
    heads = [_para_key(para, 120) for para in kept]
    inserts = _inserts_by_flow(tables, rows, kept, heads)
    if not inserts:
        return text
    out: list[str] = []
    for i, para in enumerate(kept):
        out += inserts.get(i, ())
        out.append(para)
    return "\n\n".join(out)


def _table_rows(table: etree._Element) -> str:
    """Return a table's text, a paragraph per row with its cells between " | " (empty cells and
    rows left out)."""
    lines = []
    for row in table.iter("tr"):
        cells = [
            clean_space(" ".join(_shown_text(cell))) for cell in row if cell.tag in ("td", "th")
        ]
        cells = [cell for cell in cells if cell]
        if cells:
            lines.append("| " + " | ".join(cells) + " |")
    return "\n\n".join(lines)


def _link_grid(table: etree._Element) -> bool:
    """Tell whether more than `TABLE_LINK_SHARE` of a table's cells with text are all link text
    (a grid of links; a column of linked names beside a column of figures is data)."""
    cells = links = 0
    for cell in table.iter("td", "th"):
        chars = len("".join("".join(_shown_text(cell)).split()))
        if chars:
            cells += 1
            links += _link_chars(cell) >= chars
    return links > TABLE_LINK_SHARE * cells


def _shown_text(node: etree._Element) -> Iterator[str]:
    """Yield the pieces of text in an element, leaving out scripts and styles (`_UNSHOWN`)."""
    if node.text:
        yield node.text
    for child in node:
        if isinstance(child.tag, str) and child.tag not in _UNSHOWN:
            yield from _shown_text(child)
        if child.tail:
            yield child.tail


def _inserts_by_flow(
    blocks: list[etree._Element], titles: list[str], paras: list[str], heads: list[str]
) -> dict[int, list[str]]:
    """Return {paragraph index: texts to insert before it} for the runs of blocks that sit in
    the page's flow of text between the end of one paragraph and the start of the next
    (`restore_headings`); `heads` holds the paragraphs' loose starts (`_para_key`)."""
    text = "\n\n".join(paras)
    # Blocks the text holds already (most kept headings) are not looked for.
    todo = [i for i, title in enumerate(titles) if title and title not in text]
    if not todo:
        return {}
    starts: dict[str, list[int]] = {}
    for i, head in enumerate(heads):
        if i and len(head) >= FLOW_MIN_CHARS:
            starts.setdefault(head[:FLOW_MIN_CHARS], []).append(i)
    keys = {i: _loose(titles[i]) for i in todo}
    inserts: dict[int, list[str]] = {}
    first = 0
    while first < len(todo):
        # A run of blocks that follow one another in the flow (a heading and its subheading).
        last = first
        after = _text_after(blocks[todo[last]])
        while last + 1 < len(todo) and _starts_with(after, keys[todo[last + 1]]):
            last += 1
            after = _text_after(blocks[todo[last]])
        run = todo[first : last + 1]
        first = last + 1
        candidates = starts.get(after[:FLOW_MIN_CHARS])
        if not candidates or not all(_restorable(blocks[i], titles[i]) for i in run):
            continue
        before = _text_before(blocks[run[0]])
        for at in candidates:
            if at in inserts or not after.startswith(heads[at][:FLOW_CHARS]):
                continue
            end = _loose(paras[at - 1][-_FLOW_RAW:])[-FLOW_CHARS:]
            if len(end) < FLOW_MIN_CHARS or not before.endswith(end):
                continue
            if not any(keys[i] in (_loose(paras[at - 1]), _loose(paras[at])) for i in run):
                inserts[at] = [titles[i] for i in run]
                break
    return inserts


def _starts_with(flow: str, key: str) -> bool:
    """Tell whether a loose text of the page's flow starts with a block's loose text."""
    return bool(key) and flow.startswith(key[:FLOW_CHARS])


def _link_chars(node: etree._Element) -> int:
    """Count the characters of link text in an element, spaces excepted."""
    return sum(len("".join("".join(a.itertext()).split())) for a in node.iter("a"))


def _after_link(node: etree._Element) -> bool:
    """Tell whether the nearest sibling with text before an element is all link text: a
    teaser's headline, the element being its description."""
    for sib in node.itersiblings(preceding=True):
        if isinstance(sib.tag, str):
            chars = len("".join("".join(sib.itertext()).split()))
            if chars:
                return sib.tag == "a" or _link_chars(sib) >= chars
    return False


def _restorable(block: etree._Element, title: str) -> bool:
    """Tell whether `restore_headings` may put back a block with this text: not empty, for a
    heading at most `HEADING_WORDS` words, for a paragraph laid out as a <div> at least
    `TEXT_DIV_WORDS` words, for a table (`restore_tables`) at least `TABLE_WORDS` words and no
    grid of links."""
    if not title:
        return False
    if block.tag == "table":
        return count_words(title) >= TABLE_WORDS and not _link_grid(block)
    if block.tag == "div":
        return (
            count_words(title) >= TEXT_DIV_WORDS
            and _link_chars(block) < TEXT_DIV_LINK_SHARE * len(title.replace(" ", ""))
            and not _after_link(block)
        )
    return block.tag == "blockquote" or len(title.split()) <= HEADING_WORDS


#: Inline elements: part of the paragraph around them (`paragraphs_from_breaks`).
_INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    ]
)
#: Words of a <div> holding only text and inline elements for `restore_headings` to put it back:
#: a paragraph laid out as a <div> (a callout's text, an answer under its question, an update
#: note), which extractors may drop.
TEXT_DIV_WORDS = 15
#: The share of such a <div>'s characters that may be link text (more: a row of links).
TEXT_DIV_LINK_SHARE = 0.5
#: Elements whose text a <div> read as a paragraph (`_text_div`) may hold: inline ones.
_IN_TEXT_DIV = _INLINE_TAGS | {"br"}
#: Characters a <div> must hold to be read as a paragraph (fewer cannot make `TEXT_DIV_WORDS`).
_TEXT_DIV_CHARS = 60


def _flow_blocks(tree: etree._Element) -> Iterator[etree._Element]:
    """Yield the blocks `_headings_between_paragraphs` reads, in document order: paragraphs,
    subheadings, block quotes and paragraphs laid out as <div>s (`_text_div`)."""
    for node in tree.iter("p", *_HEADINGS, "blockquote", "div"):
        if node.tag != "div" or _text_div(node):
            yield node


def _text_div(div: etree._Element) -> bool:
    """Tell whether a <div> holds only text and inline elements, `_TEXT_DIV_CHARS` or more, and
    is no caption (in a <figure> or classed so) and no code (scripts, styles)."""
    text = div.text
    if not (text and not text.isspace()) and (not len(div) or div[0].tag not in _IN_TEXT_DIV):
        return False  # most <div>s: cheap tests first
    if not all(child.tag in _IN_TEXT_DIV for child in div if isinstance(child.tag, str)):
        return False
    if len("".join(div.itertext()).strip()) < _TEXT_DIV_CHARS:
        return False
    if div.find(".//script") is not None or div.find(".//style") is not None:
        return False
    return not any(
        node.tag == "figure" or "caption" in (node.get("class") or "")
        for node in (div, *div.iterancestors())
    )


def _inline_text(node: etree._Element) -> str:
    """Return the text of an element of inline content, a space for each <br>."""
    parts = [node.text or ""]
    for child in node:
        if child.tag == "br":
            parts.append(" ")
        elif isinstance(child.tag, str):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


#: Words of text a <div> must hold itself (outside child elements) to be split at its <br>s.
BREAK_TEXT_WORDS = 30


def paragraphs_from_breaks(tree: etree._Element) -> None:
    """Turn the text of a <div> laid out with <br>s instead of paragraphs ("text<br><br>text")
    into <p> elements, as a browser shows it; extractors keep paragraphs and may drop a
    container's bare text (the first lines before any child element, typically)."""
    breaks: dict[etree._Element, int] = {}
    for br in tree.iter("br"):
        parent = br.getparent()
        if parent is not None and parent.tag == "div":
            breaks[parent] = breaks.get(parent, 0) + 1
    for div, count in breaks.items():
        if count < 2:
            continue
        own = (div.text or "") + " ".join(child.tail or "" for child in div)
        if count_words(own) < BREAK_TEXT_WORDS:
            continue
        _split_at_breaks(div)


def _split_at_breaks(div: etree._Element) -> None:
    """Rebuild a <div>'s content as paragraphs split at its <br>s and block children."""
    children = list(div)
    text, div.text = div.text, None
    for child in children:
        div.remove(child)
    para: etree._Element | None = None

    def add_text(value: str | None) -> None:
        nonlocal para
        if not value or (para is None and not value.strip()):
            return
        if para is None:
            para = etree.SubElement(div, "p")
        if len(para):
            para[-1].tail = (para[-1].tail or "") + value
        else:
            para.text = (para.text or "") + value

    add_text(text)
    for child in children:
        tail, child.tail = child.tail, None
        if child.tag == "br":
            para = None
        elif child.tag in _INLINE_TAGS:
            if para is None:
                para = etree.SubElement(div, "p")
            para.append(child)
        else:
            para = None
            div.append(child)
        add_text(tail)


#: Words a boxed note (`open_boxed_notes`) must hold in its own paragraphs.
BOXED_NOTE_WORDS = 40
#: Paragraphs inside an element (its own, at any depth).
_INNER_PARAGRAPH_TEXTS = etree.XPath(".//p//text()", smart_strings=False)


def open_boxed_notes(tree: etree._Element) -> None:
    """Turn into <div>s the <aside>s that sit in the flow of the article's paragraphs (the
    nearest sibling with text before one is a <p>) and hold paragraphs of their own
    (`BOXED_NOTE_WORDS` words): a boxed note or explainer written for the article, which
    extractors drop with every <aside> (sidebars, which follow a layout block, not a paragraph;
    pull quotes and ad slots, which hold no paragraphs or few words)."""
    for aside in list(tree.iter("aside")):
        before = next(
            (
                sib
                for sib in aside.itersiblings(preceding=True)
                if isinstance(sib.tag, str) and "".join(sib.itertext()).strip()
            ),
            None,
        )
        if before is None or before.tag != "p":
            continue
        if count_words(" ".join(_INNER_PARAGRAPH_TEXTS(aside))) >= BOXED_NOTE_WORDS:
            aside.tag = "div"


#: trafilatura's boilerplate test by class and id words (its first discard expression), as a
#: test of one element.
_DISCARDED_BY_NAME = etree.XPath(
    OVERALL_DISCARD_XPATH[0].path.strip().replace(".//*", "self::*", 1),
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
#: A class word of a block that its own name calls page furniture (a menu, a footer, a
#: sidebar widget, related stories): `discarded_prose` looks for article text discarded by
#: accident ("w-embed", "meta"), which a retry would not bring back from these.
_NAMED_FURNITURE = re.compile(
    r"nav|menu|footer|header|sidebar|widget|related|banner|dropdown|social|carousel"
)
#: Share of the characters of the page's <p>s a block must hold to be `discarded_prose`.
PROSE_BLOCK_SHARE = 0.15


def discarded_prose(tree: etree._Element, text: str) -> list[str]:
    """Return the paths of blocks that trafilatura discards by name ("embed", "widget",
    "sidebar", "meta" in a class or id) although they hold much of the text of the page's <p>s
    (`PROSE_BLOCK_SHARE` of its characters), when the text lacks most of theirs
    (`PROSE_BLOCK_MISSING`): a page builder's custom-HTML or text widget around the article."""
    counts: dict[etree._Element, int] = {}
    total = 0
    for para in tree.iter("p"):
        chars = int(_TEXT_LENGTH(para))  # characters, cheaper to count than words
        total += chars
        node = para.getparent()
        while chars and node is not None:
            counts[node] = counts.get(node, 0) + chars
            node = node.getparent()
    root = tree.getroottree()
    paths = []
    loose = ""
    for node, chars in counts.items():
        if chars < PROSE_BLOCK_SHARE * total or node.tag in _WRAPPERS or node.tag == "html":
            continue
        named = (node.get("class") or "").lower()
        if _NAMED_FURNITURE.search(named) or not _DISCARDED_BY_NAME(node):
            continue
        # Most such blocks are kept all the same: their first paragraph is in the text.
        loose = loose or _loose(text)
        first = next((p for p in node.iter("p") if len(p.text_content().split()) >= 8), None)
        if first is not None and _para_key(first.text_content()) in loose:
            continue
        if overlap(" ".join(_INNER_PARAGRAPH_TEXTS(node)), text) < PROSE_BLOCK_MISSING:
            paths.append(root.getpath(node))
    return paths


#: Share of the extracted text's shingles a block's paragraphs must miss to be `discarded_prose`.
PROSE_BLOCK_MISSING = 0.5


def _unnamed(tree: etree._Element, paths: list[str]) -> etree._Element:
    """A copy of the tree whose elements at these paths have no class or id."""
    copied = copy.deepcopy(tree)
    root = copied.getroottree()
    for path in paths:
        for node in root.xpath(path):
            node.attrib.pop("class", None)
            node.attrib.pop("id", None)
    return copied


#: Minimum words in a run of same-class paragraph containers for `split_body` to report it.
SPLIT_BODY_WORDS = 100


def split_body(tree: etree._Element) -> list[list[etree._Element]]:
    """Return runs of containers that may hold one article body split in chunks: siblings (or
    cousins in wrappers of one kind, a grid cell around each chunk) with the same class
    attribute that each hold at least two paragraphs as children (and together
    `SPLIT_BODY_WORDS` words)."""
    paragraphs: dict[etree._Element, int] = {}
    for para in tree.iter("p"):
        holder = para.getparent()
        if holder is not None:
            paragraphs[holder] = paragraphs.get(holder, 0) + 1
    groups: dict[tuple[Any, ...], list[etree._Element]] = {}
    for node, count in paragraphs.items():
        if count < 2 or not node.get("class"):
            continue
        parent = node.getparent()
        grand = parent.getparent() if parent is not None else None
        if grand is not None:
            key = (grand, parent.tag, parent.get("class"), node.tag, node.get("class"))
            groups.setdefault(key, []).append(node)
    return [
        nodes
        for nodes in groups.values()
        if len(nodes) > 1 and _paragraph_words_of(nodes) >= SPLIT_BODY_WORDS
    ]


def _paragraph_words_of(nodes: list[etree._Element]) -> int:
    """Count the words in the paragraphs that are children of the nodes."""
    return count_words(" ".join(" ".join(_CHILD_PARAGRAPH_TEXTS(n)) for n in nodes))


#: Plain strings: XPath's default "smart" strings each carry their parent element.
_CHILD_PARAGRAPH_TEXTS = etree.XPath("p//text()", smart_strings=False)


def _sample(node: etree._Element) -> str:
    """Return the loose text of a container's first paragraph of eight words or more."""
    for para in node.xpath("p"):
        text = " ".join(para.itertext())
        if len(text.split()) >= 8:
            return _loose(text)
    return ""


def merge_split_body(tree: etree._Element, text: str, apply: bool = True) -> bool:
    """Join an article body split into same-class containers ("body__container" after
    body__container, an ad slot between them) into the first of them, when the extracted
    `text` has the first chunk but not all the others (content extractors keep the first
    container that looks like the body). Returns whether there was such a split (the tree is
    changed only with `apply`)."""
    groups = split_body(tree)
    if not groups:
        return False
    loose = _loose(text)
    changed = False
    for nodes in groups:
        samples = [_sample(node) for node in nodes]
        if not samples[0] or samples[0] not in loose:
            continue
        if all(sample in loose for sample in samples[1:]):
            continue
        if not apply:
            return True
        first = nodes[0]
        for node in nodes[1:]:
            for child in list(node):
                first.append(child)
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
        changed = True
    return changed


def _paragraph_words(tree: etree._Element) -> int:
    """Count the words in the page's <p> elements (an upper bound of a plausible body)."""
    return count_words(" ".join(_PARAGRAPH_TEXTS(tree)))


_PARAGRAPH_TEXTS = etree.XPath("//body//p//text()", smart_strings=False)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Return the multiset of n-word shingles of a text."""
    toks = _WORD.findall(text.casefold())
    return Counter(tuple(toks[i : i + n]) for i in range(max(len(toks) - n + 1, 0)))


def overlap(a: str, b: str) -> float:
    """Return the share of a's shingles that also occur in b."""
    sa, sb = _shingles(a), _shingles(b)
    total = sum(sa.values())
    return sum((sa & sb).values()) / total if total else 0.0


def clean_ld_body(body: str) -> str:
    """Turn a JSON-LD articleBody (sometimes HTML-escaped or with markup) into paragraphs."""
    body = html.unescape(body)
    if "<" in body and ">" in body:
        body = re.sub(r"<br\s*/?>|</p>|</h\d>|</li>", "\n", body, flags=re.IGNORECASE)
        body = re.sub(r"<[^>]+>", " ", body)
    return _paragraphs(body)


def choose_body(extracted: str, ld_body: str | None) -> tuple[str, str]:
    """Pick between trafilatura's text and a JSON-LD articleBody; returns (text, source).

    The articleBody wins when it is at least as long and agrees with the extracted text (most of
    the extracted text is in it), since it is the publisher's own copy of the body, free of
    furniture. A truncated or unrelated articleBody (teasers, other articles) is ignored.
    """
    if not ld_body:
        return extracted, "trafilatura"
    body = clean_ld_body(ld_body)
    ld_words, ex_words = count_words(body), count_words(extracted)
    if ld_words < 30:
        return extracted, "trafilatura"
    if not extracted:
        return body, "json-ld"
    ex_in_ld, ld_in_ex = overlap(extracted, body), overlap(body, extracted)
    paragraphed = "\n" in body
    # The extraction missed much of the body the publisher declares.
    if ld_words >= ex_words * 1.5 and ex_in_ld >= 0.4:
        return body, "json-ld"
    # Same body, the publisher's copy being the cleaner (or the fuller) one.
    if paragraphed and ld_words >= ex_words * 0.8 and ld_in_ex >= 0.95:
        return body, "json-ld"
    if paragraphed and ld_words >= ex_words * 0.9 and ex_in_ld >= 0.8:
        return body, "json-ld"
    return extracted, "trafilatura"

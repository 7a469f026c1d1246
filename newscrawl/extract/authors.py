"""Turn raw author values (JSON-LD, meta tags, bylines) into a clean list of people's names."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from newscrawl.extract.document import clean_space

_PREFIX = re.compile(
    r"^(?:(?:written|reported|posted|published|story|text|words|photos?|edited|reviewed|articles?"
    r"|posts?|stories|more"
    r"|fact[- ]checked|medically reviewed)\s+)?(?:by|from|von|par|por|di|door|av|af)\b[:\s]*",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(
    r"^(?:(?:authors?|byline|written by|reporting|words|text|contributors?)\s*[:\-–]\s*"
    r"|about\s+(?:the\s+author\s+)?)",
    re.IGNORECASE,
)
#: "Author Jane Doe" (a label run into the name, capitalised as in a byline).
_BARE_LABEL = re.compile(r"^(?:Author|Written by|Posted by)\s+(?=[A-Z])")
_NOISE = re.compile(
    r"\b(?:email the author|e-mail the author|follow (?:on|me on) \w+|view all posts|"
    r"more by this author|see all articles|all articles|contact the author|about the author)\b.*$",
    re.IGNORECASE,
)
#: Separators of a list of names (or of a name and its role): commas, semicolons, pipes.
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\|)\s*")
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bund\b|\s·\s|\s•\s)\s*", re.IGNORECASE
)
_URL = re.compile(r"^(?:https?:)?//|^www\.|\.(?:com|org|net|co\.uk|io)(?:/|$)", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_HANDLE = re.compile(r"^@\w+$")
_DATEISH = re.compile(
    r"\b(?:\d{1,2}:\d{2}|\d{4}|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|jun(?:e)?"
    r"|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|updated|published|ago)\b",
    re.IGNORECASE,
)
_ORG_WORDS = re.compile(
    r"\b(?:staff|team|desk|editors|editorial|newsroom|news service|wire|press|associated press"
    r"|reuters|agencies|agency|afp|inc|ltd|llc|gmbh|media|group|contributor[s]?|admin"
    r"|administrator|redaktion|webmaster|guest author|guest)\b",
    re.IGNORECASE,
)
#: Credentials that follow a name after a comma ("Jane Doe, MD") and are not names themselves.
_CREDENTIAL = re.compile(
    r"^(?:[A-Z]{2,6}(?:-[A-Z0-9]+)?|Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|III?|IV|[A-Z]\.[A-Z]\.?"
    r"|E-RYT \d+|RDN?|MPH|MSc?|BSc?)$"
)


def _raw_names(value: Any) -> list[tuple[str, str]]:
    """Flatten a raw author value into (name, kind) pairs; kind is "person", "org" (declared so
    by a JSON-LD/microdata type) or "" (a bare string)."""
    out: list[tuple[str, str]] = []
    if value is None:
        return out
    if isinstance(value, str):
        out.append((value, ""))
    elif isinstance(value, dict):
        types = value.get("@type", "")
        type_list = types if isinstance(types, list) else [types]
        type_names = {str(t).rsplit("/", 1)[-1].lower() for t in type_list}
        is_org = "person" not in type_names and bool(
            type_names & {"organization", "newsmediaorganization", "corporation", "brand"}
        )
        name = value.get("name") or value.get("alternateName")
        if isinstance(name, list):
            name = name[0] if name else None
        if not name and value.get("givenName"):
            name = f"{value.get('givenName')} {value.get('familyName') or ''}"
        if isinstance(name, str):
            out.append((name, "org" if is_org else "person" if "person" in type_names else ""))
    elif isinstance(value, Iterable):
        for item in value:
            out.extend(_raw_names(item))
    return out


def _split_names(text: str) -> list[str]:
    """Split a byline string into single names, dropping credentials ("MD") and roles written
    after a comma ("Jane Doe, Head of Marketing and Community Development")."""
    out: list[str] = []
    for index, part in enumerate(_LIST_SPLIT.split(text)):
        if index and _ROLE_ANYWHERE.search(part):
            continue
        pieces = [clean_space(p) for p in _SPLIT.split(part)]
        out += [p for p in pieces if p and not _CREDENTIAL.match(p)]
    return out


_PARTICLES = frozenset(
    [
        "van",
        "der",
        "den",
        "de",
        "da",
        "dos",
        "das",
        "du",
        "del",
        "della",
        "di",
        "la",
        "le",
        "von",
        "zu",
        "bin",
        "ibn",
        "al",
        "el",
        "ter",
        "ten",
        "y",
        "e",
    ]
)
_NOT_NAMES = frozenset(
    {
        "the author",
        "author",
        "authors",
        "admin",
        "editor",
        "editors",
        "guest",
        "unknown",
        "anonymous",
        "see all",
        "view all",
        "read more",
        "follow",
        "share",
        "staff",
        "by",
        "and",
        "amp",
        "name",
        "home",
        "contact",
        "menu",
        "search",
        "login",
        "comments",
    }
)
#: Job titles and labels that follow a name in bylines ("Liz Kenny Former McKinsey Consultant").
_ROLE_WORDS = (
    r"(?:(?:former|senior|sr\.?|junior|chief|managing|associate|contributing|staff|guest|lead"
    r"|certified|executive|deputy|content|marketing|digital|tech|technology|science|health"
    r"|business|political|politics|sports?|news|features?|travel|food|style|fashion|culture"
    r"|entertainment|finance|money|investigative|data|video|photo|audience|commerce|shopping"
    r"|deals)\s+)*(?:editor|director|consultant"
    r"|coordinator|manager|writer|founder|co-founder|ceo|cto|author|posts|reporter|correspondent"
    r"|expert|strategist|analyst|specialist|contributor|columnist|journalist|producer|photographer"
    r"|marketing|content)\b"
)
_MONTH_WORDS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_ROLE_ONLY = re.compile(rf"^{_ROLE_WORDS}(?:\s+{_ROLE_WORDS})*$", re.IGNORECASE)
_ROLE = re.compile(rf"\s+(?:{_ROLE_WORDS}|{_MONTH_WORDS}).*$", re.IGNORECASE)
_TRAILING_CAPS = re.compile(r"^(.*?[a-z].*?)(?:\s+[A-Z]{2,}(?:\s+[A-Z]{2,})*)$")
_TRAILING_WHEN = re.compile(
    r"\s+(?:on|at)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d).*$",
    re.IGNORECASE,
)


#: Two to four capitalised words without "The": a person's name rather than a brand.
_PERSONAL_NAME = re.compile(r"^(?!(?:the|The|THE)\s)[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}$")


#: A dotted identifier, not a name: a login ("andrew.keaveney"), a domain, a template key.
_DOTTED_ID = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$", re.IGNORECASE)


def looks_like_name(name: str) -> bool:
    """Tell whether a string reads as a person's name: capitalised words, no sentence words."""
    if name.casefold() in _NOT_NAMES:
        return False
    words = name.split()
    if "*" in name or re.search(r"\d{1,2}:\d{2}", name):
        return False
    if len(words) == 1:
        return not _DOTTED_ID.match(name)
    for word in words:
        first = word[0]
        if word.casefold() in _PARTICLES or not first.isalpha():
            continue
        if first.islower():
            return False
    return True


#: Credits that name someone other than the author ("Reviewed by", "Photos by").
_NOT_AUTHOR_CREDIT = re.compile(
    r"^(?:(?:medically\s+)?reviewed|fact[- ]?checked|photos?(?:graphs?)?|illustrations?|images?"
    r"|video|translated)\s+by\b",
    re.IGNORECASE,
)
#: Icon-font glyphs (Unicode private use area) shown next to names.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
#: Footnote marks and counters run into a name ("Jennifer Huberty 1", "Chris Carroll 30").
_TRAILING_NUMBERS = re.compile(r"(?:\s+\d{1,3})+$")
#: A role written after a comma ("Jane Doe, Shipping Expert", "Head of Marketing").
_ROLE_ANYWHERE = re.compile(
    rf"\b(?:{_ROLE_WORDS}|expert|head|lead|officer|president|professor|researcher|scientist"
    r"|engineer|developer|designer|advisor|adviser|consultant|intern|fellow|partner|member"
    r"|instructor|teacher|coach|nurse|dietitian|nutritionist|therapist|physician)\b",
    re.IGNORECASE,
)
#: A user id or code rather than a name ("fullysecret1dbb6551f4").
_CODE = re.compile(r"\d{3}|\b(?=\w*\d)(?=\w*[^\W\d])\w{6,}\b")
#: A name written all in lower case ("kirstin boatto"): taken from declared authors only.
_LOWER_NAME = re.compile(r"^[a-z][a-z'’.-]+(?: [a-z][a-z'’.-]+){0,2}$")


def clean_author(name: str, lower_ok: bool = False) -> str | None:
    """Strip a byline fragment down to a person's name, or None when it is not one.

    `lower_ok` accepts a name written all in lower case (a declared author field, not prose).
    """
    name = clean_space(_EMAIL.sub(" ", _PRIVATE_USE.sub(" ", html.unescape(name))))
    if _NOT_AUTHOR_CREDIT.match(name):
        return None
    words = name.split()
    half = len(words) // 2
    if half >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]:
        name = " ".join(words[:half])  # "Saru Yeknom Saru Yeknom": a name and its link text
    name = _PREFIX.sub("", _AUTHOR_LABEL.sub("", _BARE_LABEL.sub("", name)))
    name = _TRAILING_WHEN.sub("", _NOISE.sub("", name))
    if _ROLE_ONLY.match(name):
        return None  # only a job title ("Associate Editor")
    cut = _ROLE.sub("", name)
    if cut != name and len(cut.split()) >= 2:
        name = cut
    name = _TRAILING_NUMBERS.sub("", name).strip(" .,:;-–—|·•\"'()")
    if not name or _URL.search(name) or _HANDLE.match(name) or _CODE.search(name):
        return None
    if len(name) < 2 or len(name) > 60 or len(name.split()) > 6:
        return None
    if not any(ch.isalpha() for ch in name) or _DATEISH.search(name):
        return None
    trailing = _TRAILING_CAPS.match(name)
    if trailing and len(trailing.group(1).split()) >= 2:
        name = trailing.group(1).strip()
    if name.isupper() and len(name) > 3:
        name = name.title()
    if lower_ok and _LOWER_NAME.match(name) and name.casefold() not in _NOT_NAMES:
        return name
    return name if looks_like_name(name) else None


def clean_authors(
    values: Iterable[Any],
    org_names: Iterable[str] = (),
    site_person: bool = True,
    declared: bool = False,
) -> list[str]:
    """Clean raw author values into a deduplicated list of people's names.

    Splits "A and B", "A & B", "A, B"; strips "By"; drops organisations (JSON-LD Organization,
    the site's or publisher's own name, "Staff"-like names), URLs and e-mail addresses, and roles
    written after a name ("Jane Doe, Shipping Expert"). The site's name is kept when
    `site_person` is set, it is declared a person and no one else is named.

    `declared` is the last resort, for values the page declares as its author: when no person
    is named, the organisation, desk or site credited ("By Escalon", "Resy Staff") is returned,
    and names in lower case are accepted.
    """
    orgs = {clean_space(o).casefold() for o in org_names if o}
    names: list[str] = []
    site_persons: list[str] = []
    credited: list[str] = []
    seen: set[str] = set()
    for value in values:
        for raw, kind in _raw_names(value):
            if _NOT_AUTHOR_CREDIT.match(clean_space(raw)):
                continue  # "Reviewed by ...", "Photos by ...": someone else's credit
            text = _AUTHOR_LABEL.sub("", _PREFIX.sub("", clean_space(raw)))
            # An organisation's name is one name ("Morgan & Morgan"), whatever its punctuation.
            pieces = [text] if kind == "org" or _URL.search(text) else _split_names(text)
            for piece in pieces:
                name = clean_author(piece, lower_ok=declared)
                if not name:
                    continue
                key = name.casefold()
                if key in seen:
                    continue
                seen.add(key)
                credited.append(name)
                if kind == "org" or _ORG_WORDS.search(name):
                    site_persons.append(name)  # "Metro Desk": only when no one is named
                elif key not in orgs:
                    names.append(name)
                elif kind == "person" or (kind == "" and _PERSONAL_NAME.match(name)):
                    site_persons.append(name)
    # The site's own name is no author, unless it is declared a person and no one else is named
    # (one-person sites and blogs are named after their author).
    return names or (site_persons if site_person else []) or (credited if declared else [])


def trafilatura_authors(tree: etree._Element, url: str | None) -> list[str]:
    """Return the author names trafilatura's byline heuristics find (a last-resort source).

    Only its markup search runs (`extract_author`): the meta tags and JSON-LD it would read first
    have already been read, and its full metadata pass would also search dates (slow).
    """
    try:
        from trafilatura.metadata import extract_author
    except ImportError:  # pragma: no cover - trafilatura is a dependency
        return []
    try:
        author = extract_author(tree)
    except Exception:  # noqa: BLE001 - a heuristic must never break extraction
        return []
    return [part.strip() for part in author.split(";")] if author else []

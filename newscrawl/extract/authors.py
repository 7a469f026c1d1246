"""Turn raw author values (JSON-LD, meta tags, bylines) into a clean list of people's names."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from newscrawl.extract.document import clean_space
from newscrawl.urls import registered_domain

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
    r"more by this author|see all articles|all articles|contact the author|about the author"
    r"|view (?:in|on|full|profile|bio|more)\b|on behalf of)\b.*$",
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
#: Month names count only next to a number ("Jan 5", "5 January"): alone they are first names
#: ("April Fulton", "June Carter").
_MONTH_ABBR = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATEISH = re.compile(
    rf"\b(?:\d{{1,2}}:\d{{2}}|\d{{4}}|{_MONTH_ABBR},?\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH_ABBR}"
    r"|updated|published|ago)\b",
    re.IGNORECASE,
)
#: A day of the week or a month alone ("Sat" from "Sat, 20 Dec, 2025" split on commas) is no
#: name.
_WEEKDAY = re.compile(
    rf"^(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?|(?:wednes|satur)day"
    rf"|{_MONTH_ABBR})$",
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


#: A dash between words ("Eliz - Product marketer"), not a hyphen inside one ("Jean-Luc").
_DASH = re.compile(r"\s+[-–—]\s+")


def _split_names(text: str) -> list[str]:
    """Split a byline string into single names, dropping credentials ("MD") and roles written
    after a comma ("Jane Doe, Head of Marketing and Community Development")."""
    out: list[str] = []
    for index, part in enumerate(_LIST_SPLIT.split(text)):
        if index and _ROLE_ANYWHERE.search(part):
            continue
        halves = _DASH.split(part, maxsplit=1)
        if len(halves) == 2 and _ROLE_ANYWHERE.search(halves[1]):
            part = halves[0]  # "Eliz - Product marketer": a name, a dash, a role
        pieces = [clean_space(p) for p in _SPLIT.split(part)]
        if len(pieces) > 1 and any(_LOWER_WORD.search(p) for p in pieces):
            # "Center for Drug Evaluation and Research": one organisation, not two names.
            pieces = [clean_space(part)]
        out += [p for p in pieces if p and not _CREDENTIAL.match(p)]
    return out


#: An organisation's name as declared (JSON-LD Organization): capitalised, a few words.
_ORG_NAME = re.compile(r"^[A-Z][\w'’.&-]*(?:\s+[\w'’.&-]+){0,7}$")

#: A word in lower case that no name holds between capitalised words ("Center for Drug"):
#: the words around it are one phrase.
_LOWER_WORD = re.compile(r"\b[A-Z][\w'’-]*\s+(?:for|of|on|in|at|the|to)\s+[A-Z]")

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
        "full bio",
        "bio",
        "view bio",
        "profile",
        "undefined",
        "null",
        "none",
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
    r"\s+(?:on|at)(?:\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d).*)?$",
    re.IGNORECASE,
)
#: A date line run into a byline ("Craig McCarthy Last updated on 17 December 2025").
_TRAILING_STAMP = re.compile(
    r"\s+(?:last\s+)?(?:updated|modified|published|posted)(?:\s+(?:on|at)\b|\s*:|\s+\d).*$",
    re.IGNORECASE,
)
#: An initials avatar read before the name ("CM Craig McCarthy").
_AVATAR_INITIALS = re.compile(r"^([A-Z]{2,3})\s+(?=[A-Z])")


def _drop_avatar_initials(name: str) -> str:
    """Drop the initials of an avatar read before the name they abbreviate ("CM Craig
    McCarthy" -> "Craig McCarthy")."""
    match = _AVATAR_INITIALS.match(name)
    if not match:
        return name
    rest = name[match.end() :]
    initials = "".join(word[0] for word in rest.split() if word[0].isupper())
    return rest if initials.startswith(match.group(1)) and len(rest.split()) >= 2 else name


#: A date written before the name in a byline line ("Dec. 19, 2025 · Niko Matsakis").
_LEADING_DATE = re.compile(
    r"^(?:[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+[a-z]{3,9}\.?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})\s*(?:[·•|,-]\s*|\s)",
    re.IGNORECASE,
)
#: A name ending with an initial ("Jeff T."): its full stop belongs to it.
_FINAL_INITIAL = re.compile(r"\s[A-Z]\.$")


#: Two to four capitalised words without "The": a person's name rather than a brand.
_PERSONAL_NAME = re.compile(r"^(?!(?:the|The|THE)\s)[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}$")


#: A dotted identifier, not a name: a login ("andrew.keaveney"), a domain, a template key.
_DOTTED_ID = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$", re.IGNORECASE)


def looks_like_name(name: str) -> bool:
    """Tell whether a string reads as a person's name: capitalised words, no sentence words."""
    if name.casefold() in _NOT_NAMES:
        return False
    words = name.split()
    if "*" in name or re.search(r"\d{1,2}:\d{2}", name) or (words and words[0].isdigit()):
        return False  # a time, or a count ("33 Comments")
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
    r"|instructor|teacher|coach|nurse|dietitian|nutritionist|therapist|physician|marketer)\b",
    re.IGNORECASE,
)
#: A user id or code rather than a name ("fullysecret1dbb6551f4").
_CODE = re.compile(r"\d{3}|\b(?=\w*\d)(?=\w*[^\W\d])\w{6,}\b")
#: A name written all in lower case ("kirstin boatto"): taken from declared authors only.
_LOWER_NAME = re.compile(r"^[a-z][a-z'’.-]+(?: [a-z][a-z'’.-]+){0,2}$")


def _strip_punctuation(name: str) -> str:
    """Strip punctuation around a name, keeping the full stop of a final initial ("Jeff T.")
    and a closing parenthesis that has its opening one ("Jean-Luc Aufranc (CNXSoft)")."""
    stripped = name.strip(" .,:;-–—|·•\"'()")
    if not stripped:
        return stripped
    rest = name[name.index(stripped) + len(stripped) :]
    if rest.startswith(")") and stripped.count("(") == stripped.count(")") + 1:
        stripped += ")"
    elif rest.startswith(".") and _FINAL_INITIAL.search(stripped + "."):
        stripped += "."
    return stripped


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
    name = _TRAILING_WHEN.sub("", _NOISE.sub("", _TRAILING_STAMP.sub("", name)))
    name = _drop_avatar_initials(name)
    if _ROLE_ONLY.match(name):
        return None  # only a job title ("Associate Editor")
    cut = _ROLE.sub("", name)
    if cut != name and len(cut.split()) >= 2:
        name = cut
    name = _strip_punctuation(_TRAILING_NUMBERS.sub("", name))
    if not name or _URL.search(name) or _HANDLE.match(name) or _CODE.search(name):
        return None
    if len(name) < 2 or len(name) > 60 or len(name.split()) > 6:
        return None
    if not any(ch.isalpha() for ch in name) or _DATEISH.search(name) or _WEEKDAY.match(name):
        return None
    trailing = _TRAILING_CAPS.match(name)
    if trailing and len(trailing.group(1).split()) >= 2:
        name = trailing.group(1).strip()
    if name.isupper() and len(name) > 3:
        name = name.title()
    if lower_ok and _LOWER_NAME.match(name) and name.casefold() not in _NOT_NAMES:
        return name
    return name if looks_like_name(name) else None


#: A desk or column credited as author: capitalised words, with "the", "of" and desk words.
_CREDIT_LABEL = re.compile(
    r"^[A-Z][\w'’&.-]*(?:\s+(?:[A-Z][\w'’&.-]*|the|of|and|for|editors|staff|team|writers"
    r"|desk))*$"
)
#: Credits that name no one yet are what the page declares ("Staff", "Anonymous").
_GENERIC_CREDITS = frozenset({"staff", "anonymous"})


def _credit_label(piece: str) -> str | None:
    """Return a desk, column or generic credit as the page writes it ("Staff", "Ask the
    Doctors", "The Currency editors"), or None: the last resort for declared authors."""
    text = _strip_punctuation(clean_space(piece))
    if text.casefold() in _GENERIC_CREDITS:
        return text
    if text.casefold() in _NOT_NAMES or len(text.split()) > 5 or not _CREDIT_LABEL.match(text):
        return None
    if _DATEISH.search(text) or _WEEKDAY.match(text) or _URL.search(text) or _CODE.search(text):
        return None
    return text


def _org_named(piece: str, orgs: set[str]) -> str | None:
    """Return the site's or publisher's name when a byline piece is that name, before any
    cleaning ("Top Growth Marketing" would lose "Marketing" as a job title), or that name
    followed by a label ("Podium Staff", "Help Net Security Sponsored"): a credit to the site
    that is kept only when no one is named."""
    text = _strip_punctuation(clean_space(piece))
    folded = text.casefold()
    if folded in orgs:
        return text
    for org in orgs:
        if len(org) > 3 and folded.startswith(org + " "):
            rest = text[len(org) :].lstrip()
            # "EcoFlow - 2025/4/29": the name, then a separator and a date.
            if rest[:1] in _SEPARATOR_CHARS:
                return text[: len(org)]
            return clean_author(text, lower_ok=True) or text[: len(org)]
    return None


_SEPARATOR_CHARS = frozenset("-–—|·•/,:")


def domain_orgs(url: str | None) -> list[str]:
    """Return the site's domain as an author would write it: "paperium.net" and "paperium"
    (an author named like the domain is the site, not a person)."""
    if not url:
        return []
    domain = registered_domain(url)
    return [domain, domain.split(".", 1)[0]] if domain else []


#: "© 2025 Toby Hede", "Copyright (c) 2019-2025 Jane Doe": the holder named in a footer.
_COPYRIGHT = re.compile(
    r"(?i:©|\(c\)|copyright)\s*(?:\(c\)\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"([A-Z][\w'’-]+(?:\s+[A-Z]\.|\s+[A-Z][\w'’-]+){1,2})"
)


#: Subdomains that name a part of a site, not a person ("blog.", "news.", "shop.").
_GENERIC_HOSTS = frozenset(
    {"blog", "blogs", "news", "shop", "store", "app", "m", "amp", "en", "de", "fr", "es", "it"}
    | {"www2", "web", "my", "go", "help", "support", "docs", "info", "mail", "media", "press"}
    | {"community", "forum", "health"}
)


def personal_site_author(
    url: str | None, site_names: Iterable[str], footer: str = ""
) -> str | None:
    """Return the person a one-person site is named after, as a last resort: the copyright
    holder of its footer when the host name spells it ("© 2025 Toby Hede" on tobyhede.com), or
    a site named like a person whose first name is the subdomain ("Owain Brennan" on
    owain.bearblog.dev). A site name spelling the domain alone is no evidence: companies name
    their sites and domains alike ("Ovolo Hotels")."""
    host = (urlsplit(url).hostname or "").casefold() if url else ""
    labels = {label for label in host.split(".")[:-1] if label != "www"}
    # A first name spells only a subdomain ("owain.bearblog.dev"), never the domain itself.
    subdomains = labels - {registered_domain(url or "").split(".", 1)[0]} - _GENERIC_HOSTS
    if not labels:
        return None
    holders = [m.group(1) for m in _COPYRIGHT.finditer(footer)][:2]
    candidates = [(clean_space(str(n)), False) for n in site_names if n]
    candidates += [(name, True) for name in holders]
    for name, is_holder in candidates:
        if not _PERSONAL_NAME.match(name) or _ORG_WORDS.search(name) or len(name.split()) > 3:
            continue
        words = [re.sub(r"\W+", "", w).casefold() for w in name.split()]
        if (is_holder and "".join(words) in labels) or words[0] in subdomains:
            return clean_author(name)
    return None


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
            text = _PREFIX.sub("", _LEADING_DATE.sub("", text))
            # An organisation's name is one name ("Morgan & Morgan"), whatever its punctuation.
            pieces = [text] if kind == "org" or _URL.search(text) else _split_names(text)
            for piece in pieces:
                org = _org_named(piece, orgs)
                name = org or clean_author(piece, lower_ok=declared)
                if not name and declared and kind == "org" and _ORG_NAME.match(piece):
                    name = clean_space(piece)  # "Center for Drug Evaluation and Research"
                if not name and declared:
                    name = _credit_label(piece)  # "Staff", "The Currency editors"
                if not name:
                    continue
                key = name.casefold()
                if key in seen:
                    continue
                seen.add(key)
                credited.append(name)
                if kind == "org" or _ORG_WORDS.search(name):
                    site_persons.append(name)  # "Metro Desk": only when no one is named
                elif key not in orgs and not org:
                    names.append(name)
                elif kind == "person" or (kind == "" and _PERSONAL_NAME.match(name)):
                    site_persons.append(name)
    # The site's own name is no author, unless it is declared a person and no one else is named
    # (one-person sites and blogs are named after their author).
    return names or (site_persons if site_person else []) or (credited if declared else [])


def _same_person(declared: str, other: str) -> bool:
    """Tell whether two author strings may name the same person: they share a word ("Mazi" /
    "Mazi December 19"), or the declared one is a login holding a word of the other
    ("srauturier" / "Solene Rauturier")."""
    words = set(re.findall(r"\w{3,}", declared.casefold()))
    others = set(re.findall(r"\w{3,}", other.casefold()))
    if words & others:
        return True
    login = declared.casefold()
    return " " not in login.strip() and any(len(w) >= 4 and w in login for w in others)


def _full_names(names: list[str]) -> bool:
    """Tell whether every name reads as a person's full name (two words or more, no desk)."""
    return bool(names) and all(_PERSONAL_NAME.match(n) and not _ORG_WORDS.search(n) for n in names)


#: The end of a credit to someone other than the author ("Researched by", "Edited by:").
_OTHER_CREDIT_BEFORE = re.compile(
    r"(?:reviewed|researched|edited|fact[- ]?checked|checked|photos?|photographs?|illustrat\w*"
    r"|images?|video|translated|produced)\s+by\s*:?\s*$",
    re.IGNORECASE,
)


def _shown_as_author(name: str, text: str) -> bool:
    """Tell whether a name is written in a text other than as an editor's, reviewer's or
    photographer's credit ("Researched by Oliver Simpson")."""
    folded, key = text.lower(), name.lower()
    start = folded.find(key)
    while start >= 0:
        if not _OTHER_CREDIT_BEFORE.search(text[max(0, start - 30) : start]):
            return True
        start = folded.find(key, start + 1)
    return False


#: A name written in a list of authors, after its separator ("Rui Ma, Heba Ledwon & Suparn
#: Patra", "Jennifer Huberty 1; Jeni Green 1"): footnote marks and credentials may follow it.
_LISTED_NAME = re.compile(
    r"^(?:\s*\d{1,2}\b)?(?:\s*,\s*(?:[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?))*\s*(?:,|;|&|\band\b)\s*"
    r"((?:[A-Z][\w'’.-]+)(?:\s+(?:[A-Z][\w'’.-]+|van|von|der|den|de|da|di|du|del|la|le)){1,3})"
)


def _name_list(first: str, text: str, orgs: list[str], bylines: str) -> list[str]:
    """Return the list of names a text writes from `first` on ("Rui Ma, Heba Ledwon &
    Suparn Patra"), or [first] when no list follows it. Each name must be written in the
    `bylines` too (the word after the last name may run into it: "Erik van Vulpen Reviewed")."""
    start = text.lower().find(first.lower())
    if start < 0:
        return [first]
    names = [first]
    rest = text[start + len(first) : start + len(first) + 400]
    while len(names) < 12:
        match = _LISTED_NAME.match(rest)
        if not match:
            break
        words = match.group(1).split()
        if len(words) > 2 and " ".join(words).casefold() not in bylines:
            words = words[:-1]
        name = clean_author(" ".join(words))
        if (
            not name
            or name.casefold() not in bylines
            or len(name.split()) < 2
            or _ORG_WORDS.search(name)
            or _ROLE_ANYWHERE.search(name)  # "Mike Marshall, Shipping Expert"
            or any(len(word) > 1 and word.isupper() for word in name.split())  # "FAND Dylan"
            or name.casefold() in {o.casefold() for o in orgs}
        ):
            break
        names.append(name)
        rest = rest[match.end() :]
    return names


def headline_byline_override(
    declared: list[str],
    near_bylines: Iterable[str],
    near_text: str,
    org_names: Iterable[str] = (),
) -> list[str]:
    """Return the people the bylines next to the headline name when they tell the declared
    authors (JSON-LD, meta tags) better, else [].

    - Contradiction: templates declare the account that posted the page ("KatieS", a site
      editor) while the byline shows the writer. The byline wins when it names people in full
      and shares no word with any declared name (no spelling of the same person).
    - Fewer: structured data listing everyone tied to the page (editors, reviewers) while the
      text around the headline shows some of them: those shown are kept.
    - More: structured data naming the first author of a list written under the headline, each
      name a byline of its own ("Rui Ma, Heba Ledwon & Suparn Patra"): the whole list.
    """
    orgs, texts = list(org_names), list(near_bylines)
    if not texts:
        return []
    if not any(_same_person(a, text) for a in declared for text in texts):
        for text in texts:
            names = clean_authors([text], orgs, site_person=False)
            if names:
                # A reviewer's name in a byline element of its own ("Reviewed by <a>...</a>").
                credited = all(_shown_as_author(name, near_text) for name in names)
                return names if _full_names(names) and credited else []
        return []
    kept = [a for a in declared if _shown_as_author(a, near_text)]
    if kept and len(kept) < len(declared):
        return kept
    if len(kept) == len(declared):
        shown = "\n".join(texts).casefold()
        listed = _name_list(declared[0], near_text, orgs, shown)
        if (
            len(listed) > len(declared)
            and {a.casefold() for a in declared} <= {n.casefold() for n in listed}
            and all(n.casefold() in shown for n in listed)
        ):
            return listed  # every name of the list a byline of its own
    return []


def dateline_authors(parts: Iterable[str], org_names: Iterable[str] = ()) -> list[str]:
    """Return the people named on a date line under the headline ("2025-12-17 · Trond
    Teigen"): only full names, as such a line has no byline markup to vouch for it."""
    names = clean_authors(list(parts), org_names, site_person=False)
    return names if _full_names(names) else []

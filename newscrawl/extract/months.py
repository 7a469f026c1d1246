"""Month names of the languages news is most often crawled in, and dates written with them.

English months are read by dateutil; the others ("3. Mai 2024", "3 de mayo de 2024",
"04-ago-2021") are rewritten as ISO days first, since dateutil's fuzzy parser skips an unknown
month word and would read "3. Mai 2024" as March 2024.
"""

from __future__ import annotations

import re

#: Month number of each non-English month name and common abbreviation (lowercase). Only words
#: that are a month in every language listing them are here; English forms are left out.
FOREIGN_MONTHS: dict[str, int] = {
    # German (with Austrian "Jänner"), Dutch, Swedish, Danish, Norwegian
    "januar": 1, "jänner": 1, "januari": 1, "februar": 2, "februari": 2, "märz": 3, "mär": 3,
    "mrz": 3, "maart": 3, "mrt": 3, "mars": 3, "marts": 3, "mai": 5, "mei": 5, "maj": 5,
    "juni": 6, "juli": 7, "augustus": 8, "augusti": 8, "oktober": 10, "okt": 10,
    "dezember": 12, "dez": 12,
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "avril": 4,
    "avr": 4, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # Spanish
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5,
    "junio": 6, "julio": 7, "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9,
    "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
    # Italian
    "gennaio": 1, "gen": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "mag": 5, "giugno": 6,
    "giu": 6, "luglio": 7, "lug": 7, "settembre": 9, "set": 9, "ottobre": 10, "ott": 10,
    "dicembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "fev": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6,
    "julho": 7, "setembro": 9, "outubro": 10, "out": 10, "novembro": 11, "dezembro": 12,
    # Polish (genitive, as dates write them)
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
    "lipca": 7, "sierpnia": 8, "września": 9, "października": 10, "listopada": 11,
    "grudnia": 12,
}  # fmt: skip

_NAMES = "|".join(sorted(map(re.escape, FOREIGN_MONTHS), key=len, reverse=True))
_DAY_MONTH_SEP = r"(?:\.|er|º|°)?(?:\s+de\s+|\s*-\s*|\s+)"
_MONTH_YEAR_SEP = r"\.?(?:\s+de\s+|\s*-\s*|,?\s+)"
#: A day, a non-English month and a year: "3. Mai 2024", "1er mars 2024", "3 de mayo de 2024",
#: "04-ago-2021", "12 settembre 2023" (no groups: for use inside larger patterns).
FOREIGN_DATE_TEXT = rf"\d{{1,2}}{_DAY_MONTH_SEP}(?:{_NAMES}){_MONTH_YEAR_SEP}\d{{4}}(?!\d)"
FOREIGN_DATE = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}}){_DAY_MONTH_SEP}(?P<month>{_NAMES}){_MONTH_YEAR_SEP}"
    r"(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)


def foreign_to_iso(text: str) -> str:
    """Rewrite the first non-English written date in `text` as an ISO day ("2024-05-03"),
    leaving the rest (a time of day, a zone) for the caller's parser; other text is unchanged."""
    match = FOREIGN_DATE.search(text)
    if match is None:
        return text
    month = FOREIGN_MONTHS[match["month"].lower()]
    iso = f"{int(match['year']):04d}-{month:02d}-{int(match['day']):02d}"
    return f"{text[: match.start()]} {iso} {text[match.end() :]}".strip()

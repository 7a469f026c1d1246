"""Decode fetched HTML bytes to text: BOM > HTTP charset > <meta charset> > detection."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._:-]+)[\"']")


def _strict_ok(body: bytes, encoding: str) -> bool:
    """Tell whether the body decodes under the encoding without a single error."""
    try:
        codecs.decode(body, encoding, "strict")
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(body: bytes) -> str | None:
    """Guess the encoding of undeclared bytes: UTF-8 if it decodes, else statistical detection."""
    if _strict_ok(body, "utf-8"):
        return "utf-8"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset_normalizer ships with trafilatura
        return "cp1252"
    best = from_bytes(body[:200_000]).best()
    return resolve_encoding(best.encoding) if best is not None else "cp1252"


def _declared_in_body(body: bytes) -> str | None:
    """Return the encoding declared by <meta charset>, http-equiv or an XML declaration."""
    declared = html_body_declared_encoding(body)
    if declared:
        return resolve_encoding(declared)
    match = _XML_DECL.match(body[:1024])
    return resolve_encoding(match.group(1).decode("ascii")) if match else None


#: Bytes 0x80-0x9f as Windows-1252 shows them (five of them are undefined there).
_CP1252_HIGH = {
    chr(code).encode("latin-1").decode("cp1252", "ignore"): code
    for code in range(0x80, 0xA0)
    if chr(code).encode("latin-1").decode("cp1252", "ignore")
}
#: A UTF-8 character read as Latin-1 or Windows-1252 ("â\x80\x99" or "â€™" for "’"): a lead
#: byte shown as a letter, then continuation bytes shown as C1 controls, symbols or letters.
_MOJIBAKE_RUN = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf" + "".join(re.escape(c) for c in _CP1252_HIGH) + "]{1,3}"
)
#: Proof of mojibake: a C1 control (never text) after a lead byte, or "â€" (cp1252 for E2 80).
_MOJIBAKE_SIGN = re.compile("[\u00c2-\u00f4][\u0080-\u009f]|\u00e2\u20ac")
#: A C1 control in UTF-8: found by a fast search for its lead byte (5x faster than the sign).
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def _may_hold_mojibake(text: str, utf8: bytes | None = None) -> bool:
    """A quick test that is true whenever `_MOJIBAKE_SIGN` matches (and rarely otherwise).

    `utf8` is the page's UTF-8 source when the text was decoded from it: searched instead of
    encoding the text again.
    """
    if text.isascii():
        return False
    raw = utf8 if utf8 is not None else text.encode("utf-8", "surrogatepass")
    return "\u00e2\u20ac".encode() in raw or bool(_C1_UTF8.search(raw))


def _unmojibake_run(match: re.Match[str]) -> str:
    """Turn one mis-decoded UTF-8 character back into itself (or leave it as it is)."""
    run = match.group(0)
    try:
        raw = bytes(_CP1252_HIGH.get(ch, ord(ch)) for ch in run)
        return raw.decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return run


def repair_mojibake(text: str, utf8: bytes | None = None) -> str:
    """Repair UTF-8 text that was decoded as Latin-1 / Windows-1252 and re-encoded before it was
    served ("Investorâ\x80\x99s" becomes "Investor’s"), when the page shows sure signs of it.

    `utf8`: the bytes the text was decoded from as UTF-8, if it was (a faster first check).
    """
    if not _may_hold_mojibake(text, utf8) or not _MOJIBAKE_SIGN.search(text):
        return text
    return _MOJIBAKE_RUN.sub(_unmojibake_run, text)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page body to str, never raising: undecodable bytes become U+FFFD.

    A header charset that the bytes contradict (e.g. ``utf-8`` for a cp1252 page) yields to the
    page's own declaration or to detection, so such pages come out without mojibake.
    """
    if not body:
        return ""
    bom_encoding, _ = read_bom(body)
    header_encoding = http_content_type_encoding(content_type) if content_type else None
    if header_encoding and not bom_encoding and not _strict_ok(body, header_encoding):
        fallback = _declared_in_body(body)
        if not fallback or not _strict_ok(body, fallback):
            fallback = detect_encoding(body)
        if fallback and _strict_ok(body, fallback):
            return repair_mojibake(html_to_unicode(f"text/html; charset={fallback}", body)[1])
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=detect_encoding)
    # Every UTF-8 sequence of a sign in the text is in the bytes it was decoded from.
    utf8 = body if codecs.lookup(encoding).name == "utf-8" else None
    return repair_mojibake(text, utf8)

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


def _strict_decode(body: bytes, encoding: str) -> str | None:
    """Return the body decoded under the encoding, or None at the first error."""
    try:
        return codecs.decode(body, encoding, "strict")
    except (UnicodeDecodeError, LookupError):
        return None


def _strict_ok(body: bytes, encoding: str) -> bool:
    """Tell whether the body decodes under the encoding without a single error."""
    return _strict_decode(body, encoding) is not None


#: A body declared UTF-8 that fails to decode is still read as UTF-8 (bad bytes become U+FFFD)
#: when it holds at least this many valid multi-byte sequences per invalid one, i.e. when at
#: most a quarter of its non-ASCII sequences are damaged. Text in a legacy encoding yields far
#: fewer: none in Windows-1252, Latin-2, Greek, Hebrew or Arabic, one per 30 invalid or fewer in
#: Cyrillic, and at most about one per 3 in CJK (GBK, Big5, Shift_JIS, EUC-JP, EUC-KR) and Thai
#: (TIS-620) text, whose bytes sometimes pair up as UTF-8 by chance.
_UTF8_VALID_PER_INVALID = 3


def _damaged_utf8(body: bytes) -> str | None:
    """Decode a body that is not valid UTF-8 as UTF-8 if it is UTF-8 with a few bad bytes.

    Returns the text with each invalid sequence as U+FFFD, or None when the invalid sequences
    are too many beside the valid multi-byte ones for the bytes to be UTF-8 (a legacy page).
    """
    text = body.decode("utf-8", "replace")
    # Every U+FFFD is an invalid sequence except those spelt out in the bytes (EF BF BD).
    invalid = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - invalid
    return text if valid >= _UTF8_VALID_PER_INVALID * invalid else None


def _is_utf8(encoding: str | None) -> bool:
    """Tell whether an encoding name (as w3lib resolves it) is UTF-8."""
    return encoding is not None and codecs.lookup(encoding).name == "utf-8"


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
    page's own declaration or to detection, so such pages come out without mojibake. A declared
    UTF-8 that is merely damaged (a few stray bytes among many valid multi-byte sequences) stands:
    the page is read as UTF-8 with U+FFFD for the bad bytes.
    """
    if not body:
        return ""
    bom_encoding, _ = read_bom(body)
    header_encoding = http_content_type_encoding(content_type) if content_type else None
    if header_encoding and not bom_encoding:
        text = _strict_decode(body, header_encoding)
        if text is None:
            decoded = _decode_contradicted(body, header_encoding)
            if decoded is not None:
                return decoded
        # html_to_unicode reads a BOM-less "utf-16"/"utf-32" as big-endian: leave those to it.
        elif header_encoding not in {"utf-16", "utf-32"}:
            return _finish(text, header_encoding, body)
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=detect_encoding)
    return _finish(text, encoding, body)


def _decode_contradicted(body: bytes, header_encoding: str) -> str | None:
    """Decode a body that does not decode under its header's charset, or return None.

    A damaged UTF-8 page is read as UTF-8 when the header or, failing the header's charset,
    the page declares UTF-8; otherwise the page's own declaration or detection decides, if it
    finds an encoding that decodes the body. None leaves the header's charset to be used.
    """
    fallback = _declared_in_body(body)
    if _is_utf8(header_encoding) or _is_utf8(fallback):
        text = _damaged_utf8(body)
        if text is not None:
            return _finish(text, "utf-8", body)
    if not fallback or not _strict_ok(body, fallback):
        fallback = detect_encoding(body)
    if fallback and _strict_ok(body, fallback):
        return repair_mojibake(html_to_unicode(f"text/html; charset={fallback}", body)[1])
    return None


def _finish(text: str, encoding: str, body: bytes) -> str:
    """Repair mojibake in the decoded text (searching the UTF-8 source when it is one)."""
    # Every UTF-8 sequence of a sign in the text is in the bytes it was decoded from.
    return repair_mojibake(text, body if _is_utf8(encoding) else None)

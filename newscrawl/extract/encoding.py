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
            return html_to_unicode(f"text/html; charset={fallback}", body)[1]
    _, text = html_to_unicode(content_type, body, auto_detect_fun=detect_encoding)
    return text

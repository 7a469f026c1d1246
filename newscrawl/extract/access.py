"""Tell whether an article is free or paywalled (a teaser or subscriber-only page)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from newscrawl.extract.metadata import PageMeta

#: Class/id fragments of paywall overlays and subscriber gates.
PAYWALL_MARKERS = (
    "paywall",
    "subscriber-only",
    "subscribers-only",
    "premium-content",
    "regwall",
    "meteredcontent",
    "piano-offer",
    "tp-modal",
    "article-locked",
    "content-locked",
    "subscription-required",
    "subscribe-wall",
)
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
#: A body shorter than this next to a paywall marker is a teaser.
TEASER_WORDS = 150


def _flag(value: Any) -> bool | None:
    """Read a schema.org boolean that may be a bool or a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    return None


def _ld_free(meta: PageMeta) -> bool | None:
    """Read isAccessibleForFree from the article node or its hasPart entries."""
    node = meta.article_ld or {}
    flag = _flag(node.get("isAccessibleForFree"))
    parts = node.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict) and _flag(part.get("isAccessibleForFree")) is False:
            return False
    if flag is None:
        values = meta.microdata.get("isAccessibleForFree") or []
        flag = _flag(values[0]) if values else None
    return flag


def _has_paywall_marker(tree: etree._Element) -> bool:
    """Tell whether the page holds an element whose class or id names a paywall."""
    attrs = " ".join(str(v) for v in tree.xpath("//@class | //@id")).lower()
    return any(marker in attrs for marker in PAYWALL_MARKERS)


def detect_access(
    tree: etree._Element, meta: PageMeta, text_words: int
) -> tuple[str | None, str | None]:
    """Return (access, source): "free", "paywalled" or None (unknown), and where that came from."""
    free = _ld_free(meta)
    if free is False:
        return "paywalled", "json-ld"
    tier = meta.first_meta("article:content_tier")
    if tier:
        low = tier[0].lower()
        if low in ("locked", "metered", "premium"):
            return "paywalled", "meta:article:content_tier"
        if low == "free":
            return "free", "meta:article:content_tier"
    if text_words < TEASER_WORDS and _has_paywall_marker(tree):
        return "paywalled", "paywall-marker"
    if free is True:
        return "free", "json-ld"
    return None, None

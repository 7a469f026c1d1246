"""A registry of `SiteRule`s keyed by domain; a rule overrides only the fields it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newscrawl.extract.document import node_text


@dataclass(frozen=True)
class SiteRule:
    """Overrides for one site: XPaths for fields its markup hides, fixed values, body pruning.

    Every XPath may select elements (their text is used) or strings. Fields without an XPath are
    left to the generic extractors.
    """

    domain: str
    title: str | None = None
    authors: str | None = None
    published: str | None = None
    section: str | None = None
    body: str | None = None
    prune: tuple[str, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)

    def source(self) -> str:
        """Return the provenance name of this rule."""
        return f"site:{self.domain}"

    def select(self, tree: etree._Element, name: str) -> list[str]:
        """Return the non-empty texts selected by the XPath for field `name`."""
        xpath = getattr(self, name)
        if not xpath:
            return []
        result = tree.xpath(xpath)
        items = result if isinstance(result, list) else [result]
        texts = [
            node_text(item) if isinstance(item, etree._Element) else str(item).strip()
            for item in items
        ]
        return [t for t in texts if t]


_RULES: dict[str, SiteRule] = {}


def register(rule: SiteRule) -> SiteRule:
    """Add (or replace) the rule for a domain; it also applies to the domain's subdomains."""
    _RULES[rule.domain.lower().removeprefix("www.")] = rule
    return rule


def unregister(domain: str) -> None:
    """Remove the rule for a domain, if any."""
    _RULES.pop(domain.lower().removeprefix("www."), None)


def rule_for(url: str | None) -> SiteRule | None:
    """Return the rule for the URL's host or its closest registered parent domain."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    while host:
        rule = _RULES.get(host)
        if rule is not None:
            return rule
        _, _, host = host.partition(".")
    return None

"""Per-site extraction rules: small overrides for the fields a site's template gets wrong."""

from newscrawl.extract.sites.registry import SiteRule, register, rule_for, unregister

__all__ = ["SiteRule", "register", "rule_for", "unregister"]

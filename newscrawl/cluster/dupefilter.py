"""The shared seen-set: scrapy-redis' dupefilter with newscrawl's URL canonicalisation and
fingerprints that expire, so hubs are visited again after a while and articles can be re-checked.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter

from newscrawl.cluster.keys import Keys
from newscrawl.urls import canonicalize

#: Seconds an article URL counts as seen (then it may be fetched again as a re-check).
DEFAULT_ARTICLE_TTL = 30 * 86400
#: Seconds a hub, feed or sitemap URL counts as seen (then it is fetched again when linked).
DEFAULT_HUB_TTL = 900

# ARGV: now, then (fingerprint, seen-until) pairs; returns 1 (seen) or 0 (new) for each.
_SEEN_MANY = """
local now = tonumber(ARGV[1])
local answers = {}
for i = 2, #ARGV, 2 do
  local expiry = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if expiry and tonumber(expiry) > now then
    answers[#answers + 1] = 1
  else
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    answers[#answers + 1] = 0
  end
end
return answers
"""

_SEEN = """
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > tonumber(ARGV[2]) then return 1 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 0
"""


def url_fingerprint(url: str, method: str = "GET") -> str:
    """The fingerprint of a URL: SHA-1 of its canonical form (the frontier's key)."""
    try:
        key = canonicalize(url)
    except ValueError:
        key = url
    if method.upper() != "GET":
        key = f"{method.upper()} {key}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


class CanonicalDupeFilter(RFPDupeFilter):
    """Seen-set in a Redis sorted set: fingerprint -> time until which it counts as seen."""

    def __init__(
        self,
        server: Any,
        key: str,
        debug: bool = False,
        *,
        article_ttl: float = DEFAULT_ARTICLE_TTL,
        hub_ttl: float = DEFAULT_HUB_TTL,
    ) -> None:
        super().__init__(server, key, debug)
        self.article_ttl = article_ttl
        self.hub_ttl = hub_ttl
        self._seen = server.register_script(_SEEN)
        self._seen_many = server.register_script(_SEEN_MANY)

    @classmethod
    def from_spider(cls, spider: Any) -> CanonicalDupeFilter:
        from scrapy_redis.connection import get_redis_from_settings

        settings = spider.settings
        keys: Keys = getattr(spider, "cluster_keys", None) or Keys()
        return cls(
            get_redis_from_settings(settings),
            keys.seen,
            settings.getbool("DUPEFILTER_DEBUG"),
            article_ttl=settings.getfloat("NEWSCRAWL_REDIS_SEEN_TTL", DEFAULT_ARTICLE_TTL),
            hub_ttl=settings.getfloat("NEWSCRAWL_REDIS_HUB_TTL", DEFAULT_HUB_TTL),
        )

    def request_fingerprint(self, request: Request) -> str:
        return url_fingerprint(request.url, request.method)

    def _ttl(self, request: Request) -> float:
        kind = request.meta.get("nc_kind", "article")
        return self.article_ttl if kind == "article" else self.hub_ttl

    def request_seen(self, request: Request) -> bool:
        now = time.time()
        args = [self.request_fingerprint(request), now, now + self._ttl(request)]
        return bool(self._seen(keys=[self.key], args=args))

    def requests_seen(self, requests: list[Request]) -> list[bool]:
        """`request_seen` for many requests in one round trip (a page's links)."""
        if not requests:
            return []
        now = time.time()
        args: list[Any] = [now]
        for request in requests:
            args += [self.request_fingerprint(request), now + self._ttl(request)]
        return [bool(v) for v in self._seen_many(keys=[self.key], args=args)]

    def prune(self) -> int:
        """Forget fingerprints whose time has passed."""
        return int(self.server.zremrangebyscore(self.key, "-inf", time.time()))

    def close(self, reason: str = "") -> None:
        """The seen-set is shared by every worker: closing one worker keeps it."""

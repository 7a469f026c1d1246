"""Crawling from many machines: a shared frontier, request queue and item queue in Redis.

Crawl workers (`newscrawl crawl --redis URL`) take requests from a scrapy-redis scheduler whose
queue leases each request until it is finished, so a killed worker's requests come back; they push
extracted articles to Redis, and one `newscrawl archive-worker` drains them into the SQLite
archive through the usual validate/clean/dedupe/archive pipelines.
"""

from newscrawl.cluster.connection import RedisUnavailable, connect, redis_url
from newscrawl.cluster.keys import Keys

__all__ = ["Keys", "RedisUnavailable", "connect", "redis_url"]

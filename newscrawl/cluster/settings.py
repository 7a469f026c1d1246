"""The Scrapy settings that turn a crawl process into a cluster worker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newscrawl.cluster.keys import Keys


def worker_settings(
    redis_url: str, prefix: str, settings: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Settings for a worker: scrapy-redis scheduler, leased queue, shared seen-set, item queue.

    Raw captures (WARC) need a folder on the worker's machine: they are written only when
    NEWSCRAWL_WARC_DIR is set.
    """
    given = dict(settings or {})
    keys = Keys(prefix)
    values: dict[str, Any] = {
        "REDIS_URL": redis_url,
        # Every call to Redis holds up the worker's event loop: when the server is away, a
        # call gives up in seconds (scrapy-redis waits 30 s) and the worker waits for it.
        "REDIS_PARAMS": {
            "redis_cls": "newscrawl.cluster.connection.CountingRedis",
            "socket_connect_timeout": 5,
            "socket_timeout": 10,
        },
        "NEWSCRAWL_REDIS_PREFIX": prefix,
        "SCHEDULER": "newscrawl.cluster.scheduler.ReliableScheduler",
        "SCHEDULER_QUEUE_CLASS": "newscrawl.cluster.queue.LeasedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_SERIALIZER": "newscrawl.cluster.serializer",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "DUPEFILTER_CLASS": "newscrawl.cluster.dupefilter.CanonicalDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.seen,
        # Validation and cleaning are pure: done here, non-articles never reach Redis. The
        # archive-worker runs them again (a no-op) before dedupe and archive.
        "ITEM_PIPELINES": {
            "newscrawl.pipelines.validate.ValidatePipeline": 100,
            "newscrawl.pipelines.clean.CleanPipeline": 200,
            "newscrawl.cluster.items.RedisItemsPipeline": 900,
        },
        "SPIDER_MIDDLEWARES": {"newscrawl.cluster.leases.LeaseMiddleware": 10},
    }
    if not given.get("NEWSCRAWL_WARC_DIR"):
        values["NEWSCRAWL_WARC"] = False
    return {**given, **values}

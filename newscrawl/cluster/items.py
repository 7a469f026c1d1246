"""Crawl workers push extracted articles to the shared item queue (JSON, one list entry each)."""

from __future__ import annotations

import json
import logging
from typing import Any

from itemadapter import ItemAdapter

from newscrawl.cluster.keys import Keys
from newscrawl.cluster.leases import tracker_of
from newscrawl.pipelines.outcomes import count

logger = logging.getLogger(__name__)


def encode_item(item: Any) -> str:
    """An article as the JSON the archive-worker reads."""
    return json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, default=str)


class RedisItemsPipeline:
    """Hand each article to its request's lease, which pushes it to Redis for the archive-worker
    as it ends (`newscrawl.cluster.leases`); an article without a lease is pushed at once."""

    def __init__(self, crawler: Any, keys: Keys) -> None:
        self.crawler = crawler
        self.keys = keys

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisItemsPipeline:
        return cls(crawler, Keys(crawler.settings.get("NEWSCRAWL_REDIS_PREFIX") or "newscrawl"))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        source, article = ItemAdapter(item).get("source"), encode_item(item)
        if not tracker_of(self.crawler).deliver(item, source, article):
            queue = self.crawler.engine._slot.scheduler.queue
            key = self.keys.items
            # Through the queue's backlog: it waits there while Redis cannot be reached.
            queue.write(lambda: queue.server.rpush(key, article))
            count(self.crawler, "items_pushed", source)
        return item

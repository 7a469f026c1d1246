"""Acknowledging leased requests once their results are safe in Redis.

A response's lease is acknowledged when the spider's output for it is exhausted and every
article it yielded has reached the item pipeline's end: its articles are then pushed to the item
queue and the lease deleted in one transaction (one round trip; the articles and the end of the
lease land together or not at all). A failed request's lease is acknowledged when its errback
has run. Until then a killed worker's request comes back to the queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from scrapy import signals
from scrapy.http import Request, Response

from newscrawl.cluster.keys import LEASE_META
from newscrawl.pipelines.outcomes import count


class LeaseTracker:
    """Counts the items of each leased response still on their way to Redis, and holds the
    articles ready to go until their lease can end with them.

    `settle(lease, articles)` pushes the articles ((source, JSON) pairs) and acknowledges the
    lease, atomically.
    """

    def __init__(self, settle: Callable[[str, list[tuple[str | None, str]]], None]) -> None:
        self._settle = settle
        self.outstanding: dict[str, int] = {}
        self.ended: set[str] = set()
        self.item_lease: dict[int, str] = {}
        self.ready: dict[str, list[tuple[str | None, str]]] = {}

    def item(self, item: Any, lease: str) -> None:
        """An item of the leased response is on its way to the pipelines."""
        self.outstanding[lease] = self.outstanding.get(lease, 0) + 1
        self.item_lease[id(item)] = lease

    def output_ended(self, lease: str) -> None:
        """The spider has yielded everything for the leased response."""
        self.ended.add(lease)
        self._maybe_ack(lease)

    def deliver(self, item: Any, source: str | None, article: str) -> bool:
        """The item passed every pipeline: hold its `article` (JSON) for its lease's end.
        False when the item has no lease (the caller pushes it on its own)."""
        lease = self.item_lease.get(id(item))
        if lease is None:
            return False
        self.ready.setdefault(lease, []).append((source, article))
        self.item_done(item)
        return True

    def item_done(self, item: Any) -> None:
        """An item is delivered (or was dropped for good)."""
        lease = self.item_lease.pop(id(item), None)
        if lease is None:
            return
        self.outstanding[lease] -= 1
        self._maybe_ack(lease)

    def _maybe_ack(self, lease: str) -> None:
        if lease in self.ended and self.outstanding.get(lease, 0) <= 0:
            self.ended.discard(lease)
            self.outstanding.pop(lease, None)
            self._settle(lease, self.ready.pop(lease, []))


def tracker_of(crawler: Any) -> LeaseTracker:
    """The crawler's lease tracker, pushing and acknowledging through its scheduler's queue."""
    tracker = getattr(crawler, "_newscrawl_leases", None)
    if tracker is None:

        def settle(lease: str, articles: list[tuple[str | None, str]]) -> None:
            crawler.engine._slot.scheduler.queue.ack(lease, [text for _, text in articles])
            for source, _ in articles:
                count(crawler, "items_pushed", source)

        tracker = LeaseTracker(settle)
        crawler._newscrawl_leases = tracker
    return tracker


class LeaseMiddleware:
    """Spider middleware: follows each leased response's output to acknowledge it in time."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseMiddleware:
        middleware = cls(crawler)
        # An article dropped (not an article, empty) or failing in a pipeline is finished too.
        crawler.signals.connect(middleware._item_finished, signal=signals.item_dropped)
        crawler.signals.connect(middleware._item_finished, signal=signals.item_error)
        return middleware

    def _item_finished(self, item: Any, **kwargs: Any) -> None:
        tracker_of(self.crawler).item_done(item)

    def _track(self, response: Response, output: Any) -> Any:
        lease = (response.request.meta if response.request else {}).get(LEASE_META)
        if lease and not isinstance(output, Request):
            tracker_of(self.crawler).item(output, lease)
        return output

    def _ended(self, response: Response) -> None:
        lease = (response.request.meta if response.request else {}).get(LEASE_META)
        if lease:
            tracker_of(self.crawler).output_ended(lease)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterable[Any]:
        try:
            for output in result:
                yield self._track(response, output)
        finally:
            self._ended(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        try:
            async for output in result:
                yield self._track(response, output)
        finally:
            self._ended(response)

"""The leased request queue and the shared seen-set, against a real Redis server."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import Request

from newscrawl.cluster import Keys, serializer
from newscrawl.cluster.dupefilter import CanonicalDupeFilter, url_fingerprint
from newscrawl.cluster.keys import LEASE_META
from newscrawl.cluster.queue import LeasedPriorityQueue
from newscrawl.urls import canonicalize


def _queue(server: Any, keys: Keys, worker: str) -> LeasedPriorityQueue:
    spider = SimpleNamespace(name="news", cluster_keys=keys, worker_id=worker)
    return LeasedPriorityQueue(server, spider, keys.requests, serializer)


def _alive(server: Any, keys: Keys, worker: str) -> None:
    server.set(keys.alive(worker), "1", px=60_000)


def test_a_popped_request_is_leased_until_acknowledged(server: Any, keys: Keys) -> None:
    queue = _queue(server, keys, "w1")
    queue.push(Request("https://x.example/a"))
    request = queue.pop()
    assert request is not None and request.url == "https://x.example/a"
    assert (len(queue), queue.leased()) == (0, 1)
    queue.ack(request.meta[LEASE_META])
    assert (len(queue), queue.leased()) == (0, 0)


def test_a_lease_ends_with_its_articles_pushed_in_the_same_transaction(
    server: Any, keys: Keys
) -> None:
    queue = _queue(server, keys, "w1")
    queue.push(Request("https://x.example/a"))
    request = queue.pop()
    assert request is not None
    queue.ack(request.meta[LEASE_META], ['{"n": 1}', '{"n": 2}'])
    assert server.lrange(keys.items, 0, -1) == [b'{"n": 1}', b'{"n": 2}']
    assert queue.leased() == 0


def test_best_priority_is_popped_first(server: Any, keys: Keys) -> None:
    queue = _queue(server, keys, "w1")
    queue.push(Request("https://x.example/article", priority=0))
    queue.push(Request("https://x.example/feed", priority=200))
    assert [queue.pop().url, queue.pop().url] == [  # type: ignore[union-attr]
        "https://x.example/feed",
        "https://x.example/article",
    ]


def test_leases_of_a_dead_worker_go_back_with_their_priority(server: Any, keys: Keys) -> None:
    dead, live = _queue(server, keys, "dead"), _queue(server, keys, "live")
    _alive(server, keys, "live")
    dead.push(Request("https://x.example/feed", priority=200))
    dead.push(Request("https://x.example/a", priority=0))
    assert dead.pop() is not None  # the feed, leased by a worker with no heartbeat
    assert live.requeue_orphans() == 1
    assert live.leased() == 0
    again = live.pop()
    assert again is not None and (again.url, again.priority) == ("https://x.example/feed", 200)


def test_leases_of_a_live_worker_stay_leased(server: Any, keys: Keys) -> None:
    worker, other = _queue(server, keys, "w1"), _queue(server, keys, "w2")
    _alive(server, keys, "w1")
    worker.push(Request("https://x.example/a"))
    assert worker.pop() is not None
    assert other.requeue_orphans() == 0
    assert other.leased() == 1


def test_a_worker_closing_returns_its_own_leases(server: Any, keys: Keys) -> None:
    worker = _queue(server, keys, "w1")
    _alive(server, keys, "w1")
    worker.push(Request("https://x.example/a"))
    assert worker.pop() is not None
    assert worker.requeue_orphans(own=True) == 1
    assert (len(worker), worker.leased()) == (1, 0)


def test_a_redirect_replaces_the_lease_of_its_request(server: Any, keys: Keys) -> None:
    queue = _queue(server, keys, "w1")
    queue.push(Request("https://x.example/old"))
    request = queue.pop()
    assert request is not None
    queue.push(Request("https://x.example/new"), done=request.meta[LEASE_META])
    assert (len(queue), queue.leased()) == (1, 0)


def _filter(server: Any, keys: Keys, **ttl: float) -> CanonicalDupeFilter:
    return CanonicalDupeFilter(server, keys.seen, **ttl)


def test_url_variants_are_one_fingerprint_as_in_the_sqlite_frontier(
    server: Any, keys: Keys
) -> None:
    urls = [
        "https://x.example/2025/story?utm_source=feed&b=2&a=1#comments",
        "https://x.example/2025/story?a=1&b=2",
    ]
    assert {canonicalize(u) for u in urls} == {canonicalize(urls[1])}
    assert {url_fingerprint(u) for u in urls} == {url_fingerprint(urls[1])}
    seen = _filter(server, keys)
    assert [seen.request_seen(Request(u)) for u in urls] == [False, True]


def test_a_url_seen_by_one_worker_is_seen_by_all(server: Any, keys: Keys) -> None:
    first, second = _filter(server, keys), _filter(server, keys)
    assert first.request_seen(Request("https://x.example/a")) is False
    assert second.request_seen(Request("https://x.example/a")) is True


def test_fingerprints_expire_hubs_sooner_than_articles(server: Any, keys: Keys) -> None:
    seen = _filter(server, keys, hub_ttl=0.3, article_ttl=60)
    hub = Request("https://x.example/world", meta={"nc_kind": "hub"})
    article = Request("https://x.example/a", meta={"nc_kind": "article"})
    assert not seen.request_seen(hub) and not seen.request_seen(article)
    time.sleep(0.4)
    assert seen.request_seen(hub) is False  # expired: fetched again when linked again
    assert seen.request_seen(article) is True
    assert seen.prune() == 0  # the hub's new entry has not expired yet


def test_serializer_round_trips_bytes_and_refuses_pickle(server: Any) -> None:
    import pickle

    data = Request(
        "https://x.example/a", headers={"If-None-Match": '"abc"'}, body=b"\xff\x00", meta={"k": 1}
    ).to_dict()
    assert serializer.loads(serializer.dumps(data)) == data
    with pytest.raises(ValueError):
        serializer.loads(pickle.dumps(data))


def test_a_pages_links_are_checked_against_the_seen_set_in_one_call(
    server: Any, keys: Keys
) -> None:
    seen = _filter(server, keys)
    seen.request_seen(Request("https://x.example/old"))
    links = [Request(f"https://x.example/{p}") for p in ("old", "new", "new?utm_source=x")]
    assert seen.requests_seen(links) == [True, False, True]

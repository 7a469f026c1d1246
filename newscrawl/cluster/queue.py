"""The shared request queue: scrapy-redis' priority queue, made reliable with leases.

Popping a request moves it, in one atomic step, from the queue to a hash of leased requests
tagged with the worker that took it. The worker acknowledges it once the response is handled
(its article pushed to the item queue) or the request has failed; the leases of a worker whose
heartbeat has stopped (killed, machine lost) go back to the queue with their priority, so no
request is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scrapy.http import Request
from scrapy_redis.queue import PriorityQueue

from newscrawl.cluster.keys import LEASE_META, Keys

_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], r[1], cjson.encode({worker=ARGV[1], score=tonumber(r[2])}))
return r[1]
"""

# Leases whose worker is not alive (its heartbeat key expired) go back to the queue.
_REQUEUE = """
local entries = redis.call('HGETALL', KEYS[2])
local moved = 0
for i = 1, #entries, 2 do
  local lease = cjson.decode(entries[i + 1])
  local dead = redis.call('EXISTS', ARGV[1] .. lease.worker) == 0
  if dead or lease.worker == ARGV[2] then
    redis.call('HDEL', KEYS[2], entries[i])
    redis.call('ZADD', KEYS[1], lease.score, entries[i])
    moved = moved + 1
  end
end
return moved
"""


class LeasedPriorityQueue(PriorityQueue):
    """A priority queue whose popped requests stay leased until acknowledged."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys: Keys = getattr(spider, "cluster_keys", None) or Keys()
        self.worker_id: str = str(getattr(spider, "worker_id", "") or "anonymous")
        self.leases_key = self.keys.leases
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)

    def push(self, request: Request, *, done: str | None = None) -> None:
        """Queue a request; `done` is the lease of the request it replaces (a redirect, a retry)."""
        data = self._encode_request(request)
        pipe = self.server.pipeline()
        pipe.execute_command("ZADD", self.key, -request.priority, data)
        if done:
            pipe.hdel(self.leases_key, done)
        pipe.execute()

    def push_many(self, requests: list[Request]) -> None:
        """Queue several requests in one round trip."""
        if not requests:
            return
        pipe = self.server.pipeline(transaction=False)
        for request in requests:
            pipe.execute_command("ZADD", self.key, -request.priority, self._encode_request(request))
        pipe.execute()

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the best request and lease it to this worker."""
        data = self._pop(keys=[self.key, self.leases_key], args=[self.worker_id])
        if not data:
            return None
        request = self._decode_request(data)
        request.meta[LEASE_META] = data.decode("utf-8") if isinstance(data, bytes) else data
        return request

    def ack(self, lease: str | None, articles: Sequence[str] = ()) -> None:
        """The leased request is finished: forget it, pushing its `articles` (JSON) to the
        item queue in the same transaction."""
        if not lease:
            return
        if not articles:
            self.server.hdel(self.leases_key, lease)
            return
        pipe = self.server.pipeline()  # MULTI ... EXEC
        pipe.rpush(self.keys.items, *articles)
        pipe.hdel(self.leases_key, lease)
        pipe.execute()

    def requeue_orphans(self, *, own: bool = False) -> int:
        """Put back the leases of workers that stopped sending heartbeats (and ours if `own`)."""
        prefix = self.keys.alive("")
        return int(
            self._requeue(
                keys=[self.key, self.leases_key],
                args=[prefix, self.worker_id if own else ""],
            )
        )

    def leased(self) -> int:
        """Requests leased by any worker."""
        return int(self.server.hlen(self.leases_key))


def lease_owner(value: bytes | str) -> str:
    """The worker id recorded in a lease entry."""
    return str(json.loads(value).get("worker", ""))

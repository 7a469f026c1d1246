"""The shared request queue: scrapy-redis' priority queue, made reliable with leases.

Popping a request moves it, in one atomic step, from the queue to a hash of leased requests
tagged with the worker that took it. The worker acknowledges it once the response is handled
(its article pushed to the item queue) or the request has failed; the leases of a worker whose
heartbeat has stopped (killed, machine lost) go back to the queue with their priority, so no
request is lost.

While the Redis server cannot be reached (restarting, a network fault), the writes a worker
makes (requests discovered, leases ended with their articles) wait in order in its `backlog` and
are made once the server answers again, and `pop` hands out nothing: the worker's requests wait
instead of failing. A worker killed with writes still waiting loses none of its work: the leases
they would have ended go back to the queue, and their requests are fetched again.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from scrapy.http import Request
from scrapy_redis.queue import PriorityQueue

from newscrawl.cluster.connection import Outage, unreachable_errors
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
        #: Writes Redis could not take yet, oldest first (each a function making one).
        self.backlog: deque[Callable[[], Any]] = deque()
        #: Whether Redis answers, and when to try it again if not.
        self.outage = Outage("request queue", cap=2.0)

    # -- writes that wait while Redis cannot be reached ----------------------------------------

    def write(self, write: Callable[[], Any]) -> bool:
        """Make `write` (a function writing to Redis) after the writes waiting before it; while
        Redis cannot be reached, it waits with them. True when it is made now."""
        self.backlog.append(write)
        return self.flush()

    def flush(self) -> bool:
        """Make the writes that are waiting, in order, if Redis answers (and the wait after its
        last failure is over); True when none is left waiting."""
        if not self.backlog:
            return True
        if not self.outage.ready():
            return False
        while self.backlog:
            try:
                self.backlog[0]()
            except unreachable_errors() as exc:
                self.outage.failed(exc)
                return False
            except Exception:
                self.backlog.popleft()  # a wrong write is not retried
                raise
            self.backlog.popleft()
        self.outage.succeeded()
        return True

    # -- requests -------------------------------------------------------------------------------

    def push(self, request: Request, *, done: str | None = None) -> None:
        """Queue a request; `done` is the lease of the request it replaces (a redirect, a retry)."""
        data = self._encode_request(request)
        self.write(lambda: self.push_now([(data, request.priority)], done))

    def push_many(self, requests: list[Request]) -> None:
        """Queue several requests in one round trip."""
        if not requests:
            return
        encoded = [(self._encode_request(r), r.priority) for r in requests]
        self.write(lambda: self.push_now(encoded))

    def push_now(self, encoded: Sequence[tuple[Any, int]], done: str | None = None) -> None:
        """Queue serialized requests (with their priorities) and end the lease `done`, now."""
        if not encoded and not done:
            return
        if len(encoded) == 1 or done:
            pipe = self.server.pipeline()  # MULTI ... EXEC
        else:
            pipe = self.server.pipeline(transaction=False)
        for data, priority in encoded:
            pipe.execute_command("ZADD", self.key, -priority, data)
        if done:
            pipe.hdel(self.leases_key, done)
        pipe.execute()

    def encode(self, request: Request) -> Any:
        """A request as the queue stores it."""
        return self._encode_request(request)

    def pop(self, timeout: int = 0) -> Request | None:
        """Take the best request and lease it to this worker (None while Redis cannot be reached,
        or while writes made before wait for it)."""
        if not self.flush() or not self.outage.ready():
            return None
        try:
            data = self._pop(keys=[self.key, self.leases_key], args=[self.worker_id])
        except unreachable_errors() as exc:
            self.outage.failed(exc)
            return None
        self.outage.succeeded()
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
        articles = list(articles)
        self.write(lambda: self.ack_now(lease, articles))

    def ack_now(self, lease: str, articles: Sequence[str] = ()) -> None:
        """`ack`, now."""
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

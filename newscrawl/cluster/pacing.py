"""Request pacing shared by the workers of a cluster, in its Redis server.

The same per-host state a local crawl's processes share through files
(`newscrawl.pacing.HostState`), for workers that may run on several machines: each host's next
free turn (robots.txt ``Crawl-delay``, ``DOWNLOAD_DELAY``, AutoThrottle's delay), the end of a
``Retry-After`` pause, and its request slots (``CONCURRENT_REQUESTS_PER_DOMAIN`` across the
cluster). Each change is one Lua script, so two workers never take the same turn or slot.

Times are the Redis server's clock: each worker measures its offset from it once, so workers
whose clocks disagree still space their requests right. A slot is a lease: a sorted-set member
whose score is when it expires, renewed while its worker keeps working (every `RENEW_SECONDS`)
and taken back by the others once a worker has stopped renewing it (killed, machine lost) for
`LEASE_SECONDS`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from newscrawl.cluster.keys import Keys

#: A slot not renewed for this long (seconds) is free again.
LEASE_SECONDS = 60.0
#: How often a worker renews the leases of the slots it holds.
RENEW_SECONDS = 15.0
#: Seconds a host's keys stay in Redis after their last use.
KEY_TTL = 86_400
#: How long a worker trusts what it last read of a host's pause (a round trip saved for each
#: request to a busy site; another worker's new pause is seen at most this late).
PAUSE_READ_SECONDS = 0.25

_RESERVE = """
local start = math.max(tonumber(ARGV[1]), tonumber(redis.call('HGET', KEYS[1], 'next') or '0'))
redis.call('HSET', KEYS[1], 'next', string.format('%.6f', start + tonumber(ARGV[2])))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return string.format('%.6f', start)
"""

_PAUSE = """
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'until') or '0') then
  redis.call('HSET', KEYS[1], 'until', ARGV[1], 'sit_out', ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

_TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisHostState:
    """The per-host state the workers of a cluster share (`newscrawl.pacing.SharedPacing`)."""

    #: Each look for a free slot is a round trip to Redis: less often than for local files.
    poll_seconds = 0.1

    def __init__(self, server: Any, keys: Keys) -> None:
        self.server = server
        self.keys = keys
        self.held: set[tuple[str, Any]] = set()
        self._reserve = server.register_script(_RESERVE)
        self._pause = server.register_script(_PAUSE)
        self._take = server.register_script(_TAKE_SLOT)
        seconds, micros = server.time()
        #: The Redis clock minus this machine's wall clock.
        self.offset = seconds + micros / 1e6 - time.time()
        self._renewed = time.monotonic()
        #: host -> (monotonic time read, (until, sit_out) on this machine's clock, or None)
        self._pauses: dict[str, tuple[float, tuple[float, bool] | None]] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> RedisHostState:
        """The state of the cluster a worker's settings name (``REDIS_URL``, its prefix)."""
        from newscrawl.cluster.connection import connect

        prefix = settings.get("NEWSCRAWL_REDIS_PREFIX") or Keys().prefix
        return cls(connect(settings.get("REDIS_URL")), Keys(prefix))

    def reserve(self, host: str, delay: float, now: float) -> float:
        """Reserve the next turn at `host`, `delay` seconds after the cluster's previous request
        to it; return when the turn starts, on this machine's clock (`now` or later)."""
        start = self._reserve(
            keys=[self.keys.host(host)], args=[repr(now + self.offset), repr(delay), KEY_TTL]
        )
        return max(now, float(start) - self.offset)

    def pause(self, host: str, until: float, sit_out: bool) -> None:
        """Leave `host` alone until `until` (a later pause already recorded is kept)."""
        self._pauses.pop(host, None)
        self._pause(
            keys=[self.keys.host(host)],
            args=[repr(until + self.offset), int(sit_out), KEY_TTL],
        )

    def paused(self, host: str, now: float) -> tuple[float, bool] | None:
        """The pause of `host` still running at `now`: (until, whether requests wait it out)."""
        read = self._pauses.get(host)
        if read is None or time.monotonic() - read[0] > PAUSE_READ_SECONDS:
            until, sit_out = self.server.hmget(self.keys.host(host), "until", "sit_out")
            pause = None
            if until is not None:
                pause = (float(until) - self.offset, sit_out not in (None, b"0", "0"))
            if len(self._pauses) >= 4096:
                self._pauses.clear()
            read = self._pauses[host] = (time.monotonic(), pause)
        pause = read[1]
        return pause if pause is not None and pause[0] > now else None

    def take_slot(self, host: str, limit: int) -> tuple[str, str] | None:
        """Take a free one of `host`'s `limit` request slots (across the cluster), or None."""
        self._renew()
        token = uuid.uuid4().hex
        now = time.time() + self.offset
        taken = self._take(
            keys=[self.keys.host_slots(host)],
            args=[repr(now), limit, repr(now + LEASE_SECONDS), token, KEY_TTL],
        )
        if not int(taken):
            return None
        slot = (host, token)
        self.held.add(slot)
        return slot

    def give_slot(self, slot: tuple[str, Any]) -> None:
        """Free a slot `take_slot` gave."""
        if slot in self.held:
            self.held.discard(slot)
            self.server.zrem(self.keys.host_slots(slot[0]), slot[1])

    def close(self) -> None:
        """Free the slots this worker still holds."""
        for slot in list(self.held):
            self.give_slot(slot)

    def _renew(self) -> None:
        """Extend the leases of the slots held, every `RENEW_SECONDS` at most."""
        if time.monotonic() - self._renewed < RENEW_SECONDS:
            return
        self._renewed = time.monotonic()
        if not self.held:
            return
        expires = repr(time.time() + self.offset + LEASE_SECONDS)
        pipe = self.server.pipeline(transaction=False)
        for host, token in self.held:
            pipe.zadd(self.keys.host_slots(host), {token: expires}, xx=True)
        pipe.execute()

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

While Redis cannot be reached (restarting, a network fault), requests wait rather than fail: no
slot is given (the request waits in its site's line, `newscrawl.middlewares.siteslots`, and asks
again; Redis is tried again after a wait that grows with each failure, `Outage`), a turn is kept
on this worker's own clock, at least one delay away, and a pause is kept here and written once
Redis answers, as are the slots freed meanwhile.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from newscrawl.cluster.connection import Outage, unreachable_errors
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
        self.outage = Outage("site pacing", cap=2.0)
        #: The Redis clock minus this machine's wall clock (None until measured).
        self._offset: float | None = None
        self._measure()
        self._renewed = time.monotonic()
        #: host -> (monotonic time read, (until, sit_out) on this machine's clock, or None)
        self._pauses: dict[str, tuple[float, tuple[float, bool] | None]] = {}
        #: What waits for Redis to answer: slots freed, pauses asked for (host -> until, sit_out).
        self._unfreed: set[tuple[str, Any]] = set()
        self._unsent: dict[str, tuple[float, bool]] = {}
        #: host -> the end of the last turn this worker kept on its own clock (Redis away).
        self._own_turns: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> RedisHostState:
        """The state of the cluster a worker's settings name (``REDIS_URL``, its prefix)."""
        from newscrawl.cluster.connection import connect

        prefix = settings.get("NEWSCRAWL_REDIS_PREFIX") or Keys().prefix
        # Not checked: the first request may come while Redis is away, and then waits.
        return cls(connect(settings.get("REDIS_URL"), check=False), Keys(prefix))

    @property
    def offset(self) -> float:
        """The Redis clock minus this machine's wall clock (0 until Redis could be asked)."""
        return self._offset or 0.0

    @offset.setter
    def offset(self, value: float) -> None:
        self._offset = value

    def _measure(self) -> None:
        try:
            seconds, micros = self.server.time()
        except unreachable_errors() as exc:
            self.outage.failed(exc)
            return
        self._offset = seconds + micros / 1e6 - time.time()

    def _reach(self) -> bool:
        """Whether to ask Redis now: it answers, or its wait after a failure is over. Sends
        what waited for it first (the clock offset, slots freed, pauses)."""
        if not self.outage.ready():
            return False
        try:
            if self._offset is None:
                seconds, micros = self.server.time()
                self._offset = seconds + micros / 1e6 - time.time()
            if self._unfreed:
                pipe = self.server.pipeline(transaction=False)
                for host, token in self._unfreed:
                    pipe.zrem(self.keys.host_slots(host), token)
                pipe.execute()
                self._unfreed.clear()
            while self._unsent:
                host, (until, sit_out) = next(iter(self._unsent.items()))
                self._pause(
                    keys=[self.keys.host(host)],
                    args=[repr(until + self.offset), int(sit_out), KEY_TTL],
                )
                del self._unsent[host]
        except unreachable_errors() as exc:
            self.outage.failed(exc)
            return False
        return True

    def reserve(self, host: str, delay: float, now: float) -> float:
        """Reserve the next turn at `host`, `delay` seconds after the cluster's previous request
        to it; return when the turn starts, on this machine's clock (`now` or later).

        While Redis cannot be reached, the turn is kept on this machine: at least `delay` from
        now, and `delay` after the turn it kept before."""
        if self._reach():
            try:
                start = self._reserve(
                    keys=[self.keys.host(host)],
                    args=[repr(now + self.offset), repr(delay), KEY_TTL],
                )
            except unreachable_errors() as exc:
                self.outage.failed(exc)
            else:
                self.outage.succeeded()
                turn = max(now, float(start) - self.offset)
                own = self._own_turns.pop(host, None)
                return turn if own is None else max(turn, own)
        turn = max(now + delay, self._own_turns.get(host, 0.0))
        if len(self._own_turns) >= 4096:
            self._own_turns.clear()
        self._own_turns[host] = turn + delay
        return turn

    def pause(self, host: str, until: float, sit_out: bool) -> None:
        """Leave `host` alone until `until` (a later pause already recorded is kept)."""
        self._pauses.pop(host, None)
        if self._reach():
            try:
                self._pause(
                    keys=[self.keys.host(host)],
                    args=[repr(until + self.offset), int(sit_out), KEY_TTL],
                )
            except unreachable_errors() as exc:
                self.outage.failed(exc)
            else:
                self.outage.succeeded()
                return
        # Kept here until Redis answers, and sent then.
        unsent = self._unsent.get(host)
        if unsent is None or unsent[0] < until:
            self._unsent[host] = (until, sit_out)

    def paused(self, host: str, now: float) -> tuple[float, bool] | None:
        """The pause of `host` still running at `now`: (until, whether requests wait it out)."""
        read = self._pauses.get(host)
        if read is None or time.monotonic() - read[0] > PAUSE_READ_SECONDS:
            # While Redis cannot be reached, what was read last (if anything) stands.
            pause = read[1] if read is not None else None
            if self._reach():
                try:
                    until, sit_out = self.server.hmget(self.keys.host(host), "until", "sit_out")
                except unreachable_errors() as exc:
                    self.outage.failed(exc)
                else:
                    self.outage.succeeded()
                    pause = None
                    if until is not None:
                        pause = (float(until) - self.offset, sit_out not in (None, b"0", "0"))
            if len(self._pauses) >= 4096:
                self._pauses.clear()
            read = self._pauses[host] = (time.monotonic(), pause)
        pause = read[1]
        unsent = self._unsent.get(host)
        if unsent is not None and (pause is None or unsent[0] > pause[0]):
            pause = unsent
        return pause if pause is not None and pause[0] > now else None

    def take_slot(self, host: str, limit: int) -> tuple[str, str] | None:
        """Take a free one of `host`'s `limit` request slots (across the cluster), or None (none
        is free, or Redis cannot be reached: the request waits and asks again)."""
        if not self._reach():
            return None
        token = uuid.uuid4().hex
        try:
            self._renew()
            now = time.time() + self.offset
            taken = self._take(
                keys=[self.keys.host_slots(host)],
                args=[repr(now), limit, repr(now + LEASE_SECONDS), token, KEY_TTL],
            )
        except unreachable_errors() as exc:
            self.outage.failed(exc)
            return None
        self.outage.succeeded()
        if not int(taken):
            return None
        slot = (host, token)
        self.held.add(slot)
        return slot

    def give_slot(self, slot: tuple[str, Any]) -> None:
        """Free a slot `take_slot` gave (once Redis answers, if it cannot be reached now)."""
        if slot not in self.held:
            return
        self.held.discard(slot)
        if self._reach():
            try:
                self.server.zrem(self.keys.host_slots(slot[0]), slot[1])
            except unreachable_errors() as exc:
                self.outage.failed(exc)
            else:
                return
        self._unfreed.add(slot)

    def close(self) -> None:
        """Free the slots this worker still holds."""
        for slot in list(self.held):
            self.give_slot(slot)
        if self._unfreed or self._unsent:
            self.outage.next_try = 0.0  # one more try, whatever the wait
            if not self._reach():
                # Their leases run out by themselves (`LEASE_SECONDS`).
                self._unfreed.clear()
                self._unsent.clear()

    def _renew(self) -> None:
        """Extend the leases of the slots held, every `RENEW_SECONDS` at most."""
        if time.monotonic() - self._renewed < RENEW_SECONDS:
            return
        if self.held:
            expires = repr(time.time() + self.offset + LEASE_SECONDS)
            pipe = self.server.pipeline(transaction=False)
            for host, token in self.held:
                pipe.zadd(self.keys.host_slots(host), {token: expires}, xx=True)
            pipe.execute()
        self._renewed = time.monotonic()

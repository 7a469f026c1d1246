"""Connecting to the cluster's Redis server, with a clear error when it cannot be reached, and
riding out the times it cannot (`Outage`)."""

from __future__ import annotations

import logging
import os
import time
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

ENV_VAR = "NEWSCRAWL_REDIS"


class RedisUnavailable(RuntimeError):
    """The Redis server cannot be reached or the URL is wrong."""


def redis_url(value: str | None = None) -> str | None:
    """The Redis URL to use: the value given, else $NEWSCRAWL_REDIS, else None (no cluster)."""
    url = value or os.environ.get(ENV_VAR) or None
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise RedisUnavailable(
            f"{url!r} is not a Redis URL (expected redis://HOST:PORT/DB or unix:///path.sock)"
        )
    return url


#: Round trips to Redis made by this process's cluster clients (for stats and benchmarks).
_ROUND_TRIPS = [0]


@lru_cache(maxsize=1)
def _client_class() -> Any:
    """The Redis client class counting its round trips, built on first use: redis is imported
    only by processes that talk to a cluster (a local crawl never loads it)."""
    import redis

    class CountingPipeline(redis.client.Pipeline):
        """A pipeline whose `execute` (one round trip) is counted."""

        def execute(self, raise_on_error: bool = True) -> Any:
            _ROUND_TRIPS[0] += 1
            return super().execute(raise_on_error)

    class CountingRedis(redis.Redis):
        """A Redis client counting its round trips to the server."""

        def execute_command(self, *args: Any, **options: Any) -> Any:
            _ROUND_TRIPS[0] += 1
            return super().execute_command(*args, **options)

        def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
            return CountingPipeline(
                self.connection_pool, self.response_callbacks, transaction, shard_hint
            )

    return CountingRedis


def __getattr__(name: str) -> Any:
    """`CountingRedis`, the class the scrapy-redis settings name, built on first access."""
    if name == "CountingRedis":
        return _client_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def round_trips() -> int:
    """Round trips to Redis made by this process's cluster clients so far."""
    return _ROUND_TRIPS[0]


def connect(url: str, *, timeout: float = 10.0, check: bool = True) -> Any:
    """A Redis client for `url`, checked with PING (unless `check` is false: for a process that
    rides out the server being away, `Outage`)."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise RedisUnavailable(
            "crawling with Redis needs the 'redis' extra: pip install 'newscrawl[redis]'"
        ) from exc
    try:
        client = _client_class().from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=False
        )
        if check:
            client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from exc
    return client


@lru_cache(maxsize=1)
def unreachable_errors() -> tuple[type[Exception], ...]:
    """The errors that mean the Redis server cannot be reached for now (stopped, restarting,
    still loading its data, the network between): worth trying again, unlike a wrong command."""
    import redis

    # BusyLoadingError ("LOADING", a server reading its data after a restart) is a
    # ConnectionError.
    return (redis.ConnectionError, redis.TimeoutError)


class Outage:
    """The state of a process's attempts to reach a Redis server that does not answer.

    While it answers, every attempt goes ahead. Once one fails, the next is allowed only after a
    wait that doubles with each failure (`first` seconds, at most `cap`); one warning is logged
    when the outage starts and one line when the server answers again, not one per attempt.
    """

    def __init__(self, what: str, *, first: float = 0.2, cap: float = 5.0) -> None:
        #: What could not reach Redis, for the log ("request queue", "site pacing").
        self.what = what
        self.first = first
        self.cap = cap
        self.failures = 0
        #: When (monotonic) the outage began; None while the server answers.
        self.since: float | None = None
        self.next_try = 0.0
        #: Outages begun so far.
        self.count = 0

    @property
    def down(self) -> bool:
        """Whether the last attempt failed."""
        return self.since is not None

    def ready(self) -> bool:
        """Whether to try Redis now (always while it answers; once the wait is over if not)."""
        return self.since is None or time.monotonic() >= self.next_try

    def failed(self, error: BaseException) -> float:
        """Note a failed attempt; return the seconds to wait before the next one."""
        now = time.monotonic()
        if self.since is None:
            self.since = now
            self.count += 1
            logger.warning(
                "Redis cannot be reached (%s), trying again with a growing wait (up to %.0f s): %s",
                self.what,
                self.cap,
                error,
            )
        wait = min(self.cap, self.first * 2 ** min(self.failures, 30))
        self.failures += 1
        self.next_try = now + wait
        return wait

    def succeeded(self) -> None:
        """Note an attempt that reached Redis: the outage, if any, is over."""
        if self.since is not None:
            logger.info(
                "Redis answers again (%s) after %.1f s and %d failed attempts",
                self.what,
                time.monotonic() - self.since,
                self.failures,
            )
        self.since = None
        self.failures = 0
        self.next_try = 0.0

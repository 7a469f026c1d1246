"""Connecting to the cluster's Redis server, with a clear error when it cannot be reached."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

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


def connect(url: str, *, timeout: float = 10.0) -> Any:
    """A Redis client for `url`, checked with PING."""
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
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from exc
    return client

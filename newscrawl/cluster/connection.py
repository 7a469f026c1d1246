"""Connecting to the cluster's Redis server, with a clear error when it cannot be reached."""

from __future__ import annotations

import os
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


def connect(url: str, *, timeout: float = 10.0) -> Any:
    """A Redis client for `url`, checked with PING."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise RedisUnavailable(
            "crawling with Redis needs the 'redis' extra: pip install 'newscrawl[redis]'"
        ) from exc
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=False
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from exc
    return client

"""Putting start URLs and their sources into the cluster's shared queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scrapy.http import Request

from newscrawl.cluster import serializer
from newscrawl.cluster.keys import Keys
from newscrawl.sources import Source
from newscrawl.spiders.news import PRIORITY, request_meta


def start_request(url: str, source: str) -> str:
    """A start page's request as the shared queue stores it (fetched even if seen before)."""
    data = Request(
        url,
        meta=request_meta(url, source, "start", 0),
        priority=PRIORITY["start"],
        dont_filter=True,
    ).to_dict()
    data["callback"], data["errback"] = "parse", "on_error"
    return serializer.dumps(data)


def recheck_request(url: str, source: str, validators: dict[str, Any]) -> tuple[str, int]:
    """An archived article's re-check request (with its validators) and its priority."""
    hints = {"recheck": 1, **{k: v for k, v in validators.items() if v}}
    priority = 50
    data = Request(
        url,
        meta=request_meta(url, source, "article", 0, hints=hints),
        priority=priority,
        dont_filter=True,
    ).to_dict()
    data["callback"], data["errback"] = "parse", "on_error"
    return serializer.dumps(data), priority


def seed(server: Any, keys: Keys, sources: Sequence[Source]) -> int:
    """Store the sources' definitions and queue their start URLs; returns the URLs queued."""
    pipe = server.pipeline()
    queued = 0
    for source in sources:
        pipe.hset(keys.sources, source.name, json.dumps(source.to_dict()))
        for url in source.start_urls:
            pipe.execute_command(
                "ZADD", keys.requests, -PRIORITY["start"], start_request(url, source.name)
            )
            queued += 1
    pipe.execute()
    return queued

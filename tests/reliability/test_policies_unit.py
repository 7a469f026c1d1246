"""Retry-After parsing and back-off, origin checks on redirects, robots.txt 5xx: unit level."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
from scrapy import Spider
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from newscrawl.middlewares.guard import BlockedRequest
from newscrawl.middlewares.origin import OriginGuardMiddleware
from newscrawl.middlewares.retryafter import RetryAfterMiddleware, parse_retry_after
from newscrawl.middlewares.robots import UnavailableRobots


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (b"0", 0.0), ("", None), ("soon", None), ("-5", None), ("1.5", None)],
)
def test_retry_after_values(value: Any, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=90)
    wait = parse_retry_after(format_datetime(when, usegmt=True))
    assert wait is not None and 85 <= wait <= 91
    past = format_datetime(datetime.now(timezone.utc) - timedelta(days=1), usegmt=True)
    assert parse_retry_after(past) == 0.0


def _middleware(max_wait: float = 60.0) -> RetryAfterMiddleware:
    crawler = get_crawler(Spider, settings_dict={"RETRY_TIMES": 2})
    crawler.spider = crawler._create_spider("unit")
    return RetryAfterMiddleware(crawler, max_wait, 2)


def test_short_retry_after_retries_after_backing_off() -> None:
    middleware = _middleware()
    request = Request("http://127.0.0.1:1/a")
    answer = Response(request.url, status=429, headers={"Retry-After": "5"}, request=request)
    retry = middleware.process_response(request, answer)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    until, waits = middleware.until["http://127.0.0.1:1"]
    assert waits and until > 0


def test_long_retry_after_leaves_the_host_alone() -> None:
    middleware = _middleware(max_wait=10)
    request = Request("http://127.0.0.1:1/a")
    answer = Response(request.url, status=503, headers={"Retry-After": "3600"}, request=request)
    assert middleware.process_response(request, answer) is answer
    assert request.meta["dont_retry"] is True

    import asyncio

    with pytest.raises(BlockedRequest) as refused:
        asyncio.run(middleware.process_request(Request("http://127.0.0.1:1/b")))
    assert refused.value.reason == "backoff"
    # Other hosts are not affected.
    assert asyncio.run(middleware.process_request(Request("http://127.0.0.1:2/b"))) is None


def _redirect(source: Request, location: str) -> Request:
    crawler = get_crawler(settings_dict={"REDIRECT_ENABLED": True})
    redirect = RedirectMiddleware.from_crawler(crawler)
    response = HtmlResponse(source.url, status=302, headers={"Location": location})
    result = redirect.process_response(source, response)
    assert isinstance(result, Request)
    return result


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:2/next",  # another port: Scrapy keeps the Cookie here
        "https://127.0.0.1:1/next",  # another scheme: Scrapy keeps the Cookie here
        "http://127.0.0.2:1/next",
    ],
)
def test_credentials_never_cross_origins(target: str) -> None:
    source = Request(
        "http://127.0.0.1:1/start",
        headers={"Authorization": "Bearer secret", "Cookie": "session=1"},
    )
    redirected = _redirect(source, target)
    result = OriginGuardMiddleware().process_request(redirected)
    final = result if isinstance(result, Request) else redirected
    assert b"Authorization" not in final.headers
    assert b"Cookie" not in final.headers


def test_credentials_stay_on_the_same_origin() -> None:
    source = Request("http://127.0.0.1:1/a", headers={"Authorization": "Bearer x", "Cookie": "s=1"})
    redirected = _redirect(source, "/b")
    assert OriginGuardMiddleware().process_request(redirected) is None
    assert redirected.headers[b"Authorization"] == b"Bearer x"
    assert redirected.headers[b"Cookie"] == b"s=1"


def test_credentials_stay_off_a_chain_that_left_the_origin() -> None:
    # A -> B -> B: HttpAuthMiddleware puts Authorization back on each hop; the second hop is
    # same-origin with the previous one but not with the first.
    hop = _redirect(Request("http://127.0.0.1:1/a"), "http://127.0.0.1:2/hop")
    second = _redirect(hop, "/b")
    second.headers[b"Authorization"] = b"Basic c2VjcmV0"
    assert OriginGuardMiddleware().process_request(second) is None
    assert b"Authorization" not in second.headers


def test_credentials_return_with_a_chain_to_its_first_origin() -> None:
    away = _redirect(Request("http://127.0.0.1:1/a"), "http://127.0.0.1:2/hop")
    back = _redirect(away, "http://127.0.0.1:1/b")
    back.headers[b"Authorization"] = b"Basic c2VjcmV0"
    assert OriginGuardMiddleware().process_request(back) is None
    assert back.headers[b"Authorization"] == b"Basic c2VjcmV0"


def test_url_credentials_are_dropped_across_origins() -> None:
    redirected = _redirect(Request("http://127.0.0.1:1/a"), "http://user:pw@127.0.0.1:2/b")
    result = OriginGuardMiddleware().process_request(redirected)
    assert isinstance(result, Request) and result.url == "http://127.0.0.1:2/b"


def test_unavailable_robots_disallow_everything() -> None:
    assert UnavailableRobots(503).allowed("http://x/", "newscrawl") is False

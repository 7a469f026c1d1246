"""The news spider: discovers article URLs from start pages, feeds and sitemaps, and requests them.

It never parses an article body itself: HTML pages go to the page object
(`newscrawl.pages.article_from_page`), whose item the pipelines validate, clean, deduplicate and
archive. Discovered URLs go into the SQLite frontier, which the spider drains in small batches, so
memory stays flat and a later run skips what is already archived.

Arguments (``-a name=value`` with ``scrapy crawl news``, or from `newscrawl crawl`):
``start_urls`` (comma or space separated), ``sources_file`` (TOML), ``sources_json`` (JSON list
of sources), ``db`` (archive path), ``run_id``, ``max_pages``, ``max_depth``.
"""

from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newscrawl.archive.errors import ArchiveError
from newscrawl.discover import (
    classify_url,
    detect_kind,
    find_feed_links,
    find_links,
    find_next_page,
    parse_sitemap,
    read_feed,
    sitemaps_from_robots,
)
from newscrawl.discover.sitemaps import SitemapEntry
from newscrawl.extract import parse_page
from newscrawl.failures import failure_reason
from newscrawl.frontier import Claimed, Discovered
from newscrawl.isotime import utc_now
from newscrawl.pages import FetchedPage, article_from_page
from newscrawl.pipelines.outcomes import count
from newscrawl.recheck import DEFAULT_SCHEDULE, next_check, parse_schedule
from newscrawl.runsummary import summarise
from newscrawl.session import CrawlSession
from newscrawl.sources import Source, load_sources, source_from_dict, sources_from_urls
from newscrawl.urls import canonicalize

logger = logging.getLogger(__name__)

#: How often an idle worker looks for new URLs (found by the other workers of the run) and for
#: the end of the run: two index searches of the frontier each time.
IDLE_POLL_SECONDS = 0.1

HUB_SHAPES = {"section", "tag", "author", "gallery", "video"}
SKIP_SHAPES = {"asset", "about", "search"}
MAX_PAGINATION = 10
#: What a crawl logs of a feed's problem (`newscrawl.discover.feeds.Feed.problem`).
FEED_PROBLEMS = {
    "too_large": "over the size cap: not read",
    "xml_entities": "declares XML entities: not expanded",
    "unreadable": "not a feed that can be read (broken or not RSS/Atom): no entries",
}
#: Sitemap indexes followed below a first one (the protocol has one level; sites use two).
MAX_SITEMAP_NESTING = 3
#: Found URLs whose canonical form and acceptance a spider remembers (bounded: memory stays flat).
ACCEPTED_CACHE_SIZE = 8192

PRIORITY = {"start": 300, "robots": 300, "feed": 200, "sitemap": 200, "hub": 100, "article": 0}


def _split_urls(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [u for u in re.split(r"[\s,]+", value) if u]
    return list(value)


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1"): b",".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }


def request_meta(
    url: str,
    source: str,
    kind: str,
    depth: int,
    *,
    frontier: bool = True,
    hints: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a request carries for the spider: its source, kind, depth and discovery hints."""
    return {
        "nc_source": source,
        "nc_kind": kind,
        "nc_depth": depth,
        "nc_frontier": url if frontier else None,
        "nc_hints": hints or {},
        "nc_recheck": bool((hints or {}).get("recheck")),
    }


class NewsSpider(scrapy.Spider):
    """Discover and request news articles of the configured sources."""

    name = "news"
    #: A crawl on one machine starts from its own sources; a cluster worker gets them from Redis.
    needs_sources = True

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        sources_file: str | None = None,
        sources_json: str | None = None,
        db: str | None = None,
        run_id: str | int | None = None,
        max_pages: str | int | None = None,
        max_depth: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        options: dict[str, Any] = {}
        if max_depth not in (None, ""):
            options["max_depth"] = int(max_depth)
        if max_pages not in (None, ""):
            options["max_pages"] = int(max_pages)
        sources: list[Source] = []
        if sources_json:
            sources.extend(source_from_dict(d) for d in json.loads(sources_json))
        if sources_file:
            sources.extend(load_sources(sources_file))
        sources.extend(sources_from_urls(_split_urls(start_urls), **options))
        if not sources and self.needs_sources:
            raise ValueError("nothing to crawl: give start_urls or a sources file")
        self.sources = sources
        self.db_path = db
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.session: CrawlSession | None = None
        self.inflight = 0
        self.pagination: dict[str, int] = {}
        self.batch = 64
        self.started = utc_now()
        self.news_sitemaps: set[str] = set()
        self.robots_read: set[str] = set()
        self.worker = 0
        self.obey_robots = True
        self.recheck_all = False
        self.poller: task.LoopingCall | None = None
        #: One bound `parse` for every request: Scrapy checks each response's callback for a
        #: generator returning a value (reading its source) and remembers the answer only while
        #: the callback object lives.
        self.callback = self.parse
        #: `_accepted_url` answers by (id of the source, URL as found).
        self._accepted: OrderedDict[tuple[int, str], tuple[Source, str | None]] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        db_path = spider.db_path or settings.get("NEWSCRAWL_DB")
        spider.session = CrawlSession.open(
            db_path,
            spider.sources,
            run_id=spider.run_id,
            command="crawl " + " ".join(s.name for s in spider.sources),
            max_attempts=settings.getint("NEWSCRAWL_MAX_ATTEMPTS", 3),
        )
        spider.batch = settings.getint("NEWSCRAWL_FRONTIER_BATCH", 64)
        spider.worker = settings.getint("NEWSCRAWL_WORKER", 0)
        spider.obey_robots = settings.getbool("ROBOTSTXT_OBEY", True)
        spider.recheck_all = settings.getbool("NEWSCRAWL_RECHECK_ALL", False)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # -- scheduling -------------------------------------------------------------------------------

    async def start(self) -> Any:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        # Start pages and robots.txt go through the frontier too, so that every worker process
        # of the run sees them as work in progress; the first worker seeds them.
        if self.worker == 0:
            assert self.session is not None
            requeued = self.session.frontier.requeue_rechecks(
                self._all_sources(), utc_now(), everything=self.recheck_all
            )
            if requeued:
                logger.info("Re-checking %d archived articles", requeued)
            seeds = []
            for source in self.sources:
                robots_seen: set[str] = set()
                for url in source.start_urls:
                    seeds.append(Discovered(url, source.name, "start", 0, PRIORITY["start"]))
                    robots = _robots_url(url)
                    # With robots.txt obeyed, Scrapy fetches it anyway: its sitemaps are read
                    # from that copy when the start page arrives (`_sitemaps_from_robots`).
                    if self.obey_robots:
                        continue
                    if source.discover_sitemaps and robots not in robots_seen:
                        robots_seen.add(robots)
                        seeds.append(
                            Discovered(robots, source.name, "robots", 0, PRIORITY["robots"])
                        )
            self.session.frontier.discover(seeds)
            self.session.frontier.flush()
        assert self.session is not None
        self.session.worker_started(self.worker)
        yield from self._claim()

    def _request(
        self,
        url: str,
        source: str,
        kind: str,
        depth: int,
        *,
        frontier: bool,
        hints: dict[str, Any] | None = None,
    ) -> Request:
        meta = request_meta(url, source, kind, depth, frontier=frontier, hints=hints)
        if frontier:
            self.inflight += 1
        headers = self._conditional_headers(url, kind, hints or {})
        if headers:
            meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=self.callback,
            errback=self.on_error,
            meta=meta,
            headers=headers,
            priority=PRIORITY.get(kind, 0),
            # The frontier is the seen-set; Scrapy's dupefilter would drop claimed URLs silently.
            dont_filter=True,
        )

    def _conditional_headers(self, url: str, kind: str, hints: dict[str, Any]) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for re-checks, feeds, sitemaps and start pages."""
        assert self.session is not None
        etag: str | None = None
        last_modified: str | None = None
        if kind == "article" and hints.get("recheck"):
            row = self.session.archive.conn.execute(
                "SELECT etag, last_modified FROM articles WHERE url = ?", (url,)
            ).fetchone()
            etag, last_modified = (row[0], row[1]) if row else (None, None)
        elif kind in ("start", "feed", "sitemap"):
            etag, last_modified = self.session.frontier.validators(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _claim(self) -> Iterator[Request]:
        """Take the next URLs from the frontier, within each source's page budget for the run."""
        want = self.batch - self.inflight
        if want < self.batch // 2 or self.session is None:
            return
        frontier = self.session.frontier
        unlimited = [n for n, s in self.session.sources.items() if s.max_pages is None]
        limited = {n: s.max_pages for n, s in self.session.sources.items() if s.max_pages}
        claimed: list[Claimed] = []
        if limited:
            used = frontier.claimed_this_run()
            for name, budget in limited.items():
                left = min(want - len(claimed), int(budget or 0) - used.get(name, 0))
                if left > 0:  # checked again inside the claim: other workers claim meanwhile
                    claimed += frontier.claim(left, [name], budget=int(budget or 0))
        if unlimited and want - len(claimed) > 0:
            claimed += frontier.claim(want - len(claimed), unlimited)
        for item in claimed:
            yield self._from_claimed(item)

    def _all_sources(self) -> list[str]:
        return [s.name for s in self.sources]

    def _from_claimed(self, claimed: Claimed) -> Request:
        return self._request(
            claimed.url,
            claimed.source,
            claimed.kind,
            claimed.depth,
            frontier=True,
            hints=claimed.meta,
        )

    def on_idle(self, spider: Any = None) -> None:
        """Feed the next batch from the frontier; keep the spider open while this run has work.

        When other worker processes are still fetching, their pages may add URLs: poll the
        frontier until they do or until every worker is idle.
        """
        if self._feed():
            raise DontCloseSpider
        assert self.session is not None
        if self._work_left():
            if self.poller is None or not self.poller.running:
                self.poller = task.LoopingCall(self._poll)
                self.poller.start(IDLE_POLL_SECONDS, now=False)
            raise DontCloseSpider

    def _feed(self) -> bool:
        scheduled = False
        for request in self._claim():
            self.crawler.engine.crawl(request)
            scheduled = True
        return scheduled

    def _poll(self) -> None:
        assert self.session is not None
        if self._feed():
            self._stop_poller()
        elif not self._work_left():
            self._stop_poller()
            engine = self.crawler.engine
            if engine.spider_is_idle():
                # Close now rather than at the engine's next idle check (up to 5 s later).
                deferred_from_coro(engine.close_spider_async(reason="finished"))

    def _work_left(self) -> bool:
        """Work for this run: URLs pending or being fetched, or a first worker still seeding.

        URLs of a source that has used up its page budget (``max_pages``) are not work: they wait
        for the next run.
        """
        assert self.session is not None
        if self.session.frontier.work_left(self._sources_with_budget()):
            return True
        return not self.session.seeded()

    def _sources_with_budget(self) -> list[str]:
        """This run's sources that may still fetch pages."""
        assert self.session is not None
        budgets = {n: s.max_pages for n, s in self.session.sources.items() if s.max_pages}
        used = self.session.frontier.claimed_this_run() if budgets else {}
        return [
            name
            for name in self._all_sources()
            if name not in budgets or used.get(name, 0) < int(budgets[name] or 0)
        ]

    def _stop_poller(self) -> None:
        if self.poller is not None and self.poller.running:
            self.poller.stop()

    # -- responses ------------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        meta = response.meta
        source_name, kind, depth = meta["nc_source"], meta["nc_kind"], meta["nc_depth"]
        source = self.session.sources[source_name]  # type: ignore[union-attr]
        frontier_url = meta.get("nc_frontier")
        if frontier_url:
            self.inflight -= 1
        count(self.crawler, "fetched", source_name)
        if response.status == 304:
            yield from self._not_modified(response, source_name, kind, frontier_url)
            return
        if kind in ("start", "feed", "sitemap"):
            self._remember_validators(response, source_name, kind)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        detected = (
            "robots" if kind == "robots" else detect_kind(response.body, content_type, response.url)
        )
        if detected == "robots":
            self._discover_robots(response, source)
            self._mark(frontier_url, "done", kind="hub")
        elif detected in ("feed", "rss", "atom"):
            self._discover_feed(response, source, depth)
            self._mark(frontier_url, "done", kind="feed")
        elif detected in ("sitemap", "sitemapindex"):
            self._discover_sitemap(response, source, depth)
            self._mark(frontier_url, "done", kind="sitemap")
        elif detected == "html":
            if kind == "start" and self.obey_robots and source.discover_sitemaps:
                self._sitemaps_from_robots(response, source)
            yield from self._handle_html(response, source, kind, depth, frontier_url)
        else:
            count(self.crawler, "failed/unsupported_content_type", source_name)
            logger.warning("Skipped %s: unsupported content type %s", response.url, content_type)
            self._mark(frontier_url, "skipped", "unsupported_content_type")
        yield from self._claim()

    def _not_modified(
        self, response: Response, source_name: str, kind: str, frontier_url: str | None
    ) -> Iterator[Any]:
        """A conditional request answered 304: nothing changed since the last fetch."""
        assert self.session is not None
        count(self.crawler, "not_modified", source_name)
        if kind == "article" and frontier_url:
            row = self.session.archive.get_article(frontier_url)
            if row is not None:
                schedule = parse_schedule(
                    self.crawler.settings.get("NEWSCRAWL_RECHECK_SCHEDULE", DEFAULT_SCHEDULE)
                )
                self.session.archive.touch_article(
                    frontier_url,
                    next_check(
                        row.get("published"),
                        row.get("first_seen"),
                        datetime.now(timezone.utc),
                        schedule,
                    ),
                )
                count(self.crawler, "articles_unchanged", source_name)
        self._mark(frontier_url, "done")
        yield from self._claim()

    def _remember_validators(self, response: Response, source_name: str, kind: str) -> None:
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.session.frontier.set_validators(  # type: ignore[union-attr]
                response.request.url if response.request else response.url,
                source_name,
                kind,
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )

    def _mark(
        self, url: str | None, state: str, reason: str | None = None, kind: str | None = None
    ) -> None:
        if url:
            self.session.frontier.mark(url, state, reason, kind=kind)  # type: ignore[union-attr]

    def _discover(self, items: Iterable[Discovered], source: Source) -> None:
        accepted = []
        excluded = 0
        for item in items:
            url = self._accepted_url(item.url, source)
            if url is not None:
                item.url = url
                accepted.append(item)
            else:
                excluded += 1
        if excluded:
            # Other sites, the source's deny patterns, or none of its allow patterns.
            count(self.crawler, "links_excluded", source.name, excluded)
        if accepted:
            count(self.crawler, "discovered", source.name, len(accepted))
            self.session.frontier.discover(accepted)  # type: ignore[union-attr]

    def _accepted_url(self, url: str, source: Source) -> str | None:
        """The canonical form of a found URL if `source` takes it (its site, its patterns), else
        None; remembered, since every page of a site links the same sections again."""
        cache = self._accepted
        key = (id(source), url)
        hit = cache.get(key)
        if hit is not None and hit[0] is source:
            cache.move_to_end(key)
            return hit[1]
        try:
            canonical: str | None = canonicalize(url)
        except ValueError:
            canonical = None
        if canonical is not None and not (source.in_domain(canonical) and source.allows(canonical)):
            canonical = None
        # The entry holds the source itself, so its id cannot be reused while it is cached.
        cache[key] = (source, canonical)
        if len(cache) > ACCEPTED_CACHE_SIZE:
            cache.popitem(last=False)
        return canonical

    def _sitemaps_from_robots(self, response: Response, source: Source) -> None:
        """Discover the sitemaps named in the robots.txt Scrapy's robots middleware fetched."""
        from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

        netloc = urlsplit(response.url).netloc
        if netloc in self.robots_read:
            return
        self.robots_read.add(netloc)
        manager = getattr(getattr(self.crawler.engine, "downloader", None), "middleware", None)
        for middleware in getattr(manager, "middlewares", ()):
            if isinstance(middleware, RobotsTxtMiddleware):
                parser = getattr(middleware, "_parsers", {}).get(netloc)
                sitemaps = list(getattr(getattr(parser, "rp", None), "sitemaps", []) or [])
                self._discover(
                    (
                        Discovered(u, source.name, "sitemap", 0, PRIORITY["sitemap"], response.url)
                        for u in sitemaps
                    ),
                    source,
                )

    def _discover_robots(self, response: Response, source: Source) -> None:
        text = (
            response.text if hasattr(response, "text") else response.body.decode("utf-8", "replace")
        )
        sitemaps = sitemaps_from_robots(text, response.url)
        self._discover(
            (
                Discovered(u, source.name, "sitemap", 0, PRIORITY["sitemap"], response.url)
                for u in sitemaps
            ),
            source,
        )

    def _discover_feed(self, response: Response, source: Source, depth: int) -> None:
        feed = read_feed(response.body, response.url)
        if feed.problem is not None:
            count(self.crawler, f"failed/feed_{feed.problem}", source.name)
            logger.warning("Feed %s: %s", response.url, FEED_PROBLEMS[feed.problem])
        entries = feed.entries
        self._discover(
            (
                Discovered(
                    e.url,
                    source.name,
                    "article",
                    depth + 1,
                    PRIORITY["article"],
                    response.url,
                    meta={
                        k: v
                        for k, v in {
                            "title": e.title,
                            "published": e.published,
                            "published_raw": e.published_raw,
                            "authors": e.authors,
                        }.items()
                        if v
                    },
                )
                for e in entries
            ),
            source,
        )

    def _discover_sitemap(self, response: Response, source: Source, depth: int) -> None:
        sitemap = parse_sitemap(response.body, response.url)
        if b"<!ENTITY" in response.body[:65536]:
            # Billion laughs / XXE: entities are never expanded nor loaded; say so once.
            count(self.crawler, "failed/xml_entities", source.name)
            logger.warning("Sitemap %s declares XML entities: not expanded", response.url)
        if sitemap.truncated:
            count(self.crawler, "failed/sitemap_truncated", source.name)
            logger.warning("Sitemap %s is over the size or entry cap: read in part", response.url)
        if sitemap.kind == "sitemapindex":
            # Indexes may list indexes; a chain of them (a trap, or a loop of query strings)
            # is followed MAX_SITEMAP_NESTING levels down from the first, no further.
            level = int((response.meta.get("nc_hints") or {}).get("sitemap_level") or 0)
            if level >= MAX_SITEMAP_NESTING and sitemap.sitemaps:
                count(self.crawler, "failed/sitemap_nesting", source.name)
                logger.warning(
                    "Sitemap index %s is nested %d deep: its sitemaps are not followed",
                    response.url,
                    level + 1,
                )
                items = []
            else:
                items = [
                    Discovered(
                        u,
                        source.name,
                        "sitemap",
                        depth,
                        PRIORITY["sitemap"],
                        response.url,
                        {"sitemap_level": level + 1},
                    )
                    for u in sitemap.sitemaps
                ]
        else:
            items = []
            if any(entry.news for entry in sitemap.entries):
                self.news_sitemaps.add(response.url)
            seen = self._seen_before_watermark(response.url, sitemap.entries, source)
            for entry in sitemap.entries:
                if entry.loc in seen:
                    count(self.crawler, "older_than_watermark", source.name)
                    continue
                meta: dict[str, Any] = {}
                if entry.news:
                    meta["news"] = entry.news
                if entry.lastmod:
                    meta["lastmod"] = entry.lastmod
                newest = (entry.news or {}).get("publication_date") or entry.lastmod or ""
                # Newer entries first: the priority grows with the date (YYYYMMDD).
                priority = int(re.sub(r"\D", "", newest[:10]) or 0) // 100 if newest else 0
                items.append(
                    Discovered(
                        entry.loc,
                        source.name,
                        "article",
                        depth + 1,
                        priority,
                        response.url,
                        meta,
                        lastmod=entry.lastmod,
                    )
                )
        self._discover(items, source)

    def _seen_before_watermark(
        self, sitemap_url: str, entries: Sequence[SitemapEntry], source: Source
    ) -> set[str]:
        """The entries of a news sitemap published before the last completed run that read it
        and already in the frontier: that run saw them, so they are not queued again. An older
        entry the frontier does not hold (listed late, or backdated) is still new."""
        watermark = self.session.frontier.watermark(sitemap_url)  # type: ignore[union-attr]
        old: dict[str, str] = {}
        for entry in entries:
            published = (entry.news or {}).get("publication_date")
            if watermark and published and published < watermark:
                canonical = self._accepted_url(entry.loc, source)
                if canonical is not None:
                    old[canonical] = entry.loc
        known = self.session.frontier.known(old) if old else set()  # type: ignore[union-attr]
        return {old[url] for url in known}

    def _handle_html(
        self, response: Response, source: Source, kind: str, depth: int, frontier_url: str | None
    ) -> Iterator[Any]:
        headers = _headers(response)
        try:
            # Parsed once: the links are found in the tree extraction reads.
            tree: Any = parse_page(response.body, headers)
        except Exception:  # extraction, below, reports the failure; links use Scrapy's text
            tree = None
        html = response.text if tree is None else tree
        if depth < source.max_depth:
            found: list[Discovered] = []
            for link in find_links(html, response.url):
                shape = classify_url(link)
                if shape in SKIP_SHAPES:
                    continue
                if shape == "feed":
                    if source.discover_feeds:
                        found.append(
                            Discovered(
                                link, source.name, "feed", depth + 1, PRIORITY["feed"], response.url
                            )
                        )
                    continue
                link_kind = "hub" if shape in HUB_SHAPES else "article"
                found.append(
                    Discovered(
                        link, source.name, link_kind, depth + 1, PRIORITY[link_kind], response.url
                    )
                )
            self._discover(found, source)
        if source.discover_feeds and kind in ("start", "hub"):
            feeds = find_feed_links(html, response.url)
            self._discover(
                (
                    Discovered(u, source.name, "feed", depth, PRIORITY["feed"], response.url)
                    for u in feeds
                ),
                source,
            )
        # The next page of a listing (a start page, a hub); an article's "Next" is another story,
        # found among its links.
        next_page = find_next_page(html, response.url) if kind in ("start", "hub") else None
        if next_page:
            key = f"{source.name}:{depth}"
            if self.pagination.get(key, 0) < MAX_PAGINATION:
                self.pagination[key] = self.pagination.get(key, 0) + 1
                self._discover(
                    [
                        Discovered(
                            next_page, source.name, "hub", depth, PRIORITY["hub"], response.url
                        )
                    ],
                    source,
                )
        page = FetchedPage(
            url=response.url,
            body=response.body,
            headers=headers,
            requested_url=frontier_url,
            source=source.name,
            default_language=source.language,
            hints=response.meta.get("nc_hints") or {},
            capture=response.meta.get("nc_warc"),
            reason="recheck" if response.meta.get("nc_recheck") else "crawl",
        )
        try:
            item = article_from_page(page, tree)
        except Exception as exc:  # extraction must never stop the crawl
            count(self.crawler, "failed/extract_error", source.name)
            logger.warning("Could not extract %s: %s: %s", response.url, type(exc).__name__, exc)
            self._mark(frontier_url, "failed", "extract_error")
            return
        if self._is_variant(item, response, source, depth, frontier_url):
            return
        yield item

    def _is_variant(
        self, item: Any, response: Response, source: Source, depth: int, frontier_url: str | None
    ) -> bool:
        """A page naming another page of its site as canonical (AMP, print, mobile view) is a
        variant: fetch the canonical page instead, whose extraction is the complete one."""
        assert self.session is not None
        if item.page_type not in (None, "article") or item.duplicate_of:
            return False
        try:
            fetched = canonicalize(response.url)
        except ValueError:
            return False
        if item.url == fetched or not source.in_domain(item.url):
            return False
        state = self.session.frontier.state_of(item.url)
        if state in ("skipped", "failed"):
            return False  # the canonical page cannot be had: keep what the variant gives
        if state is None:
            self._discover(
                [
                    Discovered(
                        item.url,
                        source.name,
                        "article",
                        depth,
                        PRIORITY["article"] + 1,
                        response.url,
                        meta=dict(response.meta.get("nc_hints") or {}),
                    )
                ],
                source,
            )
        count(self.crawler, "variants", source.name)
        self._mark(frontier_url, "skipped", f"variant of {item.url}")
        return True

    def on_error(self, failure: Any) -> None:
        """Count and record a failed request; the crawl goes on."""
        request = failure.request
        meta = request.meta
        source_name = meta.get("nc_source")
        frontier_url = meta.get("nc_frontier")
        if frontier_url:
            self.inflight -= 1
        reason = failure_reason(failure)
        if reason == "robots":
            count(self.crawler, "robots", source_name)
            self._mark(frontier_url, "skipped", "robots")
            logger.info("Skipped %s: forbidden by robots.txt", request.url)
            return
        if meta.get("nc_kind") == "robots":
            self._mark(frontier_url, "done", "no robots.txt")
            return  # no robots.txt is normal
        count(self.crawler, f"failed/{reason}", source_name)
        self._mark(frontier_url, "failed", reason)
        logger.warning("Failed %s: %s", request.url, reason)

    def closed(self, reason: str) -> None:
        """Record the run's outcome and counters in the archive."""
        if self.session is None:
            return
        stats = self.crawler.stats.get_stats()
        counters, summary = summarise(stats)
        if isinstance(stats.get("newscrawl/error"), str):
            counters["error"] = stats["newscrawl/error"]
        status = {"finished": "completed", "shutdown": "stopped"}.get(reason, "failed")
        counters["close_reason"] = reason
        if self.poller is not None and self.poller.running:
            self.poller.stop()
        if status == "completed" and self.news_sitemaps:
            self.session.frontier.set_watermark(self.news_sitemaps, self.started)
        try:
            if self.session.owns_run:
                self.session.finish(status, counters, summary)
            else:
                self.session.finish_worker(self.worker, status, counters, summary)
        except ArchiveError as exc:  # e.g. the disk is still full: the parent records the run
            logger.error("Could not record the run's outcome: %s", exc)
        finally:
            self.session.close()

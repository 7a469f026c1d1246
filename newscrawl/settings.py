"""Scrapy settings for newscrawl crawls, with the NEWSCRAWL_* settings and their defaults.

Every value can be overridden per crawl (``-s NAME=VALUE``), per source (``[sources.settings]``)
or, for the NEWSCRAWL_* ones, through the environment variable of the same name.
"""

from scrapy.settings import default_settings as _scrapy_defaults

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

USER_AGENT = f"newscrawl/{__version__} (+https://pypi.org/project/newscrawl/)"
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_INSTALL_ROOT_HANDLER = False

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# One item at a time per response: Scrapy >= 2.13 otherwise starts 100 tasks per response.
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 0  # the frontier applies each source's max_depth itself

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.clean.CleanPipeline": 200,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.archive.ArchivePipeline": 400,
}
DOWNLOADER_MIDDLEWARES = {
    # First of all: no private, loopback or link-local address, no file://.
    "newscrawl.middlewares.guard.PrivateAddressGuardMiddleware": 50,
    # robots.txt answering 5xx/429 means "disallow everything" (RFC 9309).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.middlewares.robots.RobotsTxtMiddleware": 100,
    # A site's request slot, taken after robots.txt is known (the robots.txt request takes one
    # of its own) and before the request's turn and the check for a Retry-After pause, which a
    # request that waited for its slot must still keep.
    "newscrawl.middlewares.siteslots.SiteSlotsMiddleware": 105,
    # After the RobotsTxtMiddleware (100), which has parsed robots.txt by then.
    "newscrawl.middlewares.crawldelay.CrawlDelayMiddleware": 110,
    # After HttpAuthMiddleware (300) and DefaultHeadersMiddleware (400), which put credentials
    # back on every request, and before CookiesMiddleware (700): none cross origins on redirects.
    "newscrawl.middlewares.origin.OriginGuardMiddleware": 450,
    # Sees responses before RetryMiddleware (550): Retry-After is honoured first.
    "newscrawl.middlewares.retryafter.RetryAfterMiddleware": 560,
    # Next to the downloader: captures responses before they are decompressed.
    "newscrawl.middlewares.warc.WarcCaptureMiddleware": 950,
    # Last before the downloader, first to see answers and failures: the slot is freed before
    # another middleware turns them into a retry or a redirect.
    "newscrawl.middlewares.siteslots.SiteSlotsReleaseMiddleware": 990,
}
EXTENSIONS = {
    "newscrawl.extensions.progress.ProgressReporter": 500,
}
# Turned off above, and left out of the base list so that Scrapy does not import their modules
# (aiohttp, twisted.conch: ~0.15 s per crawl process) only to find them disabled.
EXTENSIONS_BASE = {
    name: order
    for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if not name.endswith((".RemoteControl", ".TelnetConsole"))
}

# -- newscrawl's own settings -----------------------------------------------------------------
NEWSCRAWL_DB = "archive/news.db"
#: Crawl processes per run sharing the frontier ("auto": one per core, at most 4).
NEWSCRAWL_PROCESSES = "auto"
#: Articles per archive transaction.
NEWSCRAWL_BATCH_SIZE = 50
#: Seconds after which a partly filled batch is written anyway.
NEWSCRAWL_BATCH_SECONDS = 2.0
#: Articles with fewer words than this are dropped as empty extractions.
NEWSCRAWL_MIN_WORDS = 30
#: MinHash Jaccard similarity at or above which an article is recorded as a near-duplicate.
NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD = 0.8
#: Fetch attempts (over several runs) before a URL is left failed for good.
NEWSCRAWL_MAX_ATTEMPTS = 3
#: URLs claimed from the frontier at a time; kept low so memory stays flat.
NEWSCRAWL_FRONTIER_BATCH = 64
#: Seconds between progress lines when not on a terminal.
NEWSCRAWL_PROGRESS_INTERVAL = 10.0
#: Seconds a published date may lie in the future before it is distrusted.
NEWSCRAWL_FUTURE_TOLERANCE = 86400
#: Write every response to WARC files in a warc/ folder beside the archive.
NEWSCRAWL_WARC = True
#: Size at which a WARC file is closed and a new one started (bytes).
NEWSCRAWL_WARC_MAX_SIZE = 100 * 1024 * 1024
#: gzip level of WARC records, 1 (fastest) to 9 (smallest); 6 is within 1% of 9's size.
NEWSCRAWL_WARC_GZIP_LEVEL = 6
#: When articles are fetched again after publication (empty: never).
NEWSCRAWL_RECHECK_SCHEDULE = "1h,6h,24h,72h"
#: Re-check every archived article of the crawled sources now (`newscrawl crawl --recheck`).
NEWSCRAWL_RECHECK_ALL = False

# -- reliability and security -------------------------------------------------------------------
#: Verify TLS certificates (Scrapy's own setting; false turns verification off).
DOWNLOAD_VERIFY_CERTIFICATES = True
#: Drops private addresses at connect time too (closes the DNS-rebinding window).
TWISTED_DNS_RESOLVER = "newscrawl.net.resolver.GuardedResolver"
#: Allow requests to private, loopback and link-local addresses (start URL hosts always are).
NEWSCRAWL_ALLOW_PRIVATE = False
#: Function ``host -> [address, ...]`` the private-address guard resolves with (empty: system).
NEWSCRAWL_GUARD_RESOLVER = ""
#: Longest Retry-After (seconds) waited out; a host asking more is left alone until then (at
#: most a day), also by later runs.
NEWSCRAWL_RETRY_AFTER_MAX = 120.0
#: Longest wait (seconds) for one of a site's request slots shared by the worker processes.
NEWSCRAWL_SLOT_MAX_WAIT = 300.0
#: Seconds before robots.txt is asked for again when its fetch failed for a reason of ours (an
#: error of newscrawl or of Redis, not the site's answer); the wait doubles up to 30 s.
NEWSCRAWL_ROBOTS_RETRY_DELAY = 1.0
#: Longest wait of a page for its site's robots.txt; then it is refused as robots_unavailable.
NEWSCRAWL_ROBOTS_MAX_WAIT = 300.0

# -- crawling from many machines (newscrawl.cluster, `crawl --redis`) -------------------------
#: Redis URL that makes crawl processes cluster workers (also $NEWSCRAWL_REDIS or --redis).
NEWSCRAWL_REDIS = ""
#: Prefix of the cluster's Redis keys.
NEWSCRAWL_REDIS_PREFIX = "newscrawl"
#: Seconds a worker waits with no work anywhere in the cluster before it stops (0: never).
NEWSCRAWL_REDIS_MAX_IDLE = 10.0
#: Seconds without a heartbeat after which a worker's leased requests are queued again.
NEWSCRAWL_REDIS_WORKER_TIMEOUT = 15.0
#: Seconds an article URL counts as seen by the cluster (then it may be fetched again).
NEWSCRAWL_REDIS_SEEN_TTL = 30 * 86400
#: Seconds a hub, feed or sitemap URL counts as seen (then it is fetched again when linked).
NEWSCRAWL_REDIS_HUB_TTL = 900
#: Seconds the archive-worker's lock outlives it when it is killed.
NEWSCRAWL_REDIS_ARCHIVER_TTL = 15.0
#: Seconds between the archive-worker's looks for articles due for a re-check.
NEWSCRAWL_REDIS_RECHECK_EVERY = 60.0

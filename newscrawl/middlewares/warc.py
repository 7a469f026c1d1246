"""Write every response, as received, with its request to the archive's WARC files.

A full disk (or an I/O error) while writing a capture stops the crawl as a full disk under the
SQLite archive does: one storage error, said once (``Error: cannot write captures to ...: the disk
is full``), the run failed. The page whose capture failed is not kept (an article without its
capture would be archived as if whole) and not counted as a failed fetch: its request goes back
to the scheduler, which the closing crawl does not fetch again, so the URL stays claimed and is
put back to pending by the next run (a cluster's shared queue gets it back at once).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK

from newscrawl.archive.warc import (
    DEFAULT_GZIP_LEVEL,
    WarcStorageError,
    WarcWriter,
    recover,
    warc_folder,
)
from newscrawl.pipelines.outcomes import stop_on_storage_error

logger = logging.getLogger(__name__)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    pairs = []
    for key, values in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            pairs.append((name, text))
    return pairs


class WarcCaptureMiddleware:
    """Capture responses before decompression (so the WARC holds what the server sent).

    Registered close to the downloader so that its `process_response` runs first; the capture's
    (file, offset, length) travels in ``request.meta["nc_warc"]`` to the item.
    """

    def __init__(
        self,
        folder: str,
        max_size: int,
        gzip_level: int = DEFAULT_GZIP_LEVEL,
        crawler: Any = None,
    ) -> None:
        if not 1 <= gzip_level <= 9:
            raise ValueError(f"NEWSCRAWL_WARC_GZIP_LEVEL must be 1-9, not {gzip_level}")
        self.folder = folder
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.crawler = crawler
        self.writer: WarcWriter | None = None
        #: The disk refused a capture: nothing more is captured, or kept, in this crawl.
        self.error: WarcStorageError | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_WARC", True):
            raise NotConfigured("WARC capture turned off (NEWSCRAWL_WARC)")
        middleware = cls(
            settings.get("NEWSCRAWL_WARC_DIR") or warc_folder(settings.get("NEWSCRAWL_DB")),
            settings.getint("NEWSCRAWL_WARC_MAX_SIZE", 100 * 1024 * 1024),
            settings.getint("NEWSCRAWL_WARC_GZIP_LEVEL", DEFAULT_GZIP_LEVEL),
            crawler,
        )
        crawler.signals.connect(middleware.opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.closed, signal=signals.spider_closed)
        return middleware

    def opened(self, spider: Any = None) -> None:
        try:
            for name in recover(self.folder):
                logger.info("Closed WARC file %s left open by an interrupted crawl", name)
        except OSError as exc:  # the folder cannot be read: the first write will say why
            logger.warning("Cannot look for WARC files left open in %s: %s", self.folder, exc)
        self.writer = WarcWriter(self.folder, self.max_size, gzip_level=self.gzip_level)

    def closed(self, spider: Any = None) -> None:
        writer, self.writer = self.writer, None
        if writer is None:
            return
        try:
            writer.close()
        except WarcStorageError as exc:
            # The file keeps its `.open` suffix, whole records only or cut back by the next run.
            if self.error is None:
                logger.error("Could not finish the WARC file: %s", exc)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if self.error is None:
            if self.writer is None:
                self.opened()
            assert self.writer is not None
            try:
                capture = self.writer.write(
                    response.url,
                    request.method,
                    _pairs(request.headers),
                    response.status,
                    _pairs(response.headers),
                    response.body,
                    request.body or b"",
                )
            except WarcStorageError as exc:
                self.error = exc
            else:
                request.meta["nc_warc"] = (capture.file, capture.offset, capture.length)
                return response
        return self._not_captured(request)

    def _not_captured(self, request: Any) -> Any:
        """Stop the crawl (once) and leave the page whose capture failed for the next run."""
        assert self.error is not None
        engine = getattr(self.crawler, "engine", None)
        if self.crawler is not None:
            stop_on_storage_error(self.crawler, self.error)
        logger.debug("Not captured, left for the next run: %s", request.url)
        if engine is None or request.callback is NO_CALLBACK:
            # Fetched outside the scheduler (robots.txt by Scrapy's middleware), which would
            # fetch a request given back at once: refuse it, without a log line.
            raise IgnoreRequest(str(self.error))
        # Back to the scheduler, which the closing crawl does not fetch again (a shared queue
        # keeps it for another worker); never to the errback, which would mark the URL failed.
        return request.replace(dont_filter=True)

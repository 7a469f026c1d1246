"""Write every response, as received, with its request to the archive's WARC files."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals

from newscrawl.archive.warc import DEFAULT_GZIP_LEVEL, WarcWriter, recover, warc_folder

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

    def __init__(self, folder: str, max_size: int, gzip_level: int = DEFAULT_GZIP_LEVEL) -> None:
        if not 1 <= gzip_level <= 9:
            raise ValueError(f"NEWSCRAWL_WARC_GZIP_LEVEL must be 1-9, not {gzip_level}")
        self.folder = folder
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.writer: WarcWriter | None = None

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
        )
        crawler.signals.connect(middleware.opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.closed, signal=signals.spider_closed)
        return middleware

    def opened(self, spider: Any = None) -> None:
        for name in recover(self.folder):
            logger.info("Closed WARC file %s left open by an interrupted crawl", name)
        self.writer = WarcWriter(self.folder, self.max_size, gzip_level=self.gzip_level)

    def closed(self, spider: Any = None) -> None:
        if self.writer is not None:
            self.writer.close()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if self.writer is None:
            self.opened()
        assert self.writer is not None
        capture = self.writer.write(
            response.url,
            request.method,
            _pairs(request.headers),
            response.status,
            _pairs(response.headers),
            response.body,
            request.body or b"",
        )
        request.meta["nc_warc"] = (capture.file, capture.offset, capture.length)
        return response

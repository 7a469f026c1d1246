"""Logging for crawl processes: plain lines or JSON objects, quiet about routine drops."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from scrapy.logformatter import LogFormatter


class JsonFormatter(logging.Formatter):
    """One JSON object per log record, for machines."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(payload, ensure_ascii=False)


class RoutineFailureFilter(logging.Filter):
    """Hide Scrapy's tracebacks for failed downloads: the spider logs one clear line for each."""

    ROUTINE = ("Error downloading", "Gave up retrying", "Retrying <")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("scrapy.") and isinstance(record.msg, str):
            return not record.msg.startswith(self.ROUTINE)
        return True


def configure(level: str = "INFO", fmt: str = "text", scrapy_level: str = "WARNING") -> None:
    """Send log records to stderr as text or JSON; Scrapy's own chatter only from `scrapy_level`."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    handler.addFilter(RoutineFailureFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("scrapy").setLevel(scrapy_level)
    logging.getLogger("py.warnings").setLevel("ERROR")
    for noisy in ("trafilatura", "htmldate", "charset_normalizer", "urllib3", "asyncio", "twisted"):
        logging.getLogger(noisy).setLevel("ERROR")


class QuietDropFormatter(LogFormatter):
    """Dropped items are routine (non-article pages, duplicates): log them at DEBUG."""

    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any = None
    ) -> Any:
        entry = super().dropped(item, exception, response, spider)
        entry["level"] = logging.DEBUG
        return entry

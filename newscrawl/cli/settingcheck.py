"""Setting values checked before a crawl starts: a bad one is a usage error, not a failed run.

A crawl process reads its settings with Scrapy's getters (``getfloat``, ``getint``,
``getbool``), which raise `ValueError` on a bad value only once the run has been recorded and
its processes started. The same getters are run here first, on every value given with ``-s``,
in a sources file's ``[sources.settings]`` or in a ``NEWSCRAWL_*`` environment variable, for
newscrawl's own settings and the common numeric and boolean Scrapy ones. Which getter applies
follows from the setting's default value (`newscrawl.settings` over Scrapy's defaults); other
settings pass through as they are.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from newscrawl.recheck import parse_schedule

#: Scrapy settings checked, by name or (ending in ``_``) by prefix; newscrawl's own are all
#: checked.
SCRAPY_CHECKED = (
    "AUTOTHROTTLE_",
    "CLOSESPIDER_",
    "CONCURRENT_",
    "COOKIES_ENABLED",
    "DEPTH_",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_WARNSIZE",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "REDIRECT_",
    "RETRY_",
    "ROBOTSTXT_OBEY",
)
#: Settings whose default is a whole number but which are read as any number (``getfloat``).
READ_AS_FLOAT = frozenset(
    {
        "DOWNLOAD_TIMEOUT",
        "NEWSCRAWL_FUTURE_TOLERANCE",
        "NEWSCRAWL_REDIS_HUB_TTL",
        "NEWSCRAWL_REDIS_SEEN_TTL",
    }
)
#: newscrawl settings read without a default in `newscrawl.settings`, and how.
UNLISTED = {"NEWSCRAWL_MAX_CRAWL_DELAY": "float", "NEWSCRAWL_WORKER_BACKLOG": "int"}

_GETTERS = {"float": "getfloat", "int": "getint", "bool": "getbool"}
_EXPECTED = {
    "float": "expected a number",
    "int": "expected a whole number",
    "bool": "expected true or false (or 1 or 0)",
}


def _schedule(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected re-check intervals such as 1h,6h,24h (empty: no re-checks)"
    try:
        parse_schedule(value)
    except ValueError as exc:
        return str(exc)
    return None


def _processes(value: Any) -> str | None:
    # As `newscrawl.runner.worker_count` reads it.
    if str(value).strip().lower() in ("", "auto", "0"):
        return None
    try:
        int(value)
    except (TypeError, ValueError):
        return "expected a whole number of processes, or auto"
    return None


def _gzip_level(value: Any) -> str | None:
    if not 1 <= int(value) <= 9:
        return "expected a gzip level from 1 (fastest) to 9 (smallest)"
    return None


#: Settings with a check of their own (after their type's, when they have a default).
SPECIAL: dict[str, Callable[[Any], str | None]] = {
    "NEWSCRAWL_RECHECK_SCHEDULE": _schedule,
    "NEWSCRAWL_PROCESSES": _processes,
    "NEWSCRAWL_WARC_GZIP_LEVEL": _gzip_level,
}


#: NEWSCRAWL_* environment variables read by the command itself (`newscrawl.runner`) rather
#: than through the crawl's settings.
ENVIRONMENT_ONLY = frozenset({"NEWSCRAWL_WORKER_BACKLOG"})


@functools.lru_cache(maxsize=1)
def _defaults() -> Mapping[str, Any]:
    """Default values: newscrawl's settings over Scrapy's (without the environment)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    return {name: attribute.value for name, attribute in settings.attributes.items()}


def kind_of(name: str) -> str | None:
    """``"float"``, ``"int"`` or ``"bool"``: how `name` is read; None when it is not checked
    by type."""
    if name in UNLISTED:
        return UNLISTED[name]
    if not name.startswith("NEWSCRAWL_") and not any(
        name == p or (p.endswith("_") and name.startswith(p)) for p in SCRAPY_CHECKED
    ):
        return None
    default = _defaults().get(name)
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, float) or (isinstance(default, int) and name in READ_AS_FLOAT):
        return "float"
    if isinstance(default, int):
        return "int"
    return None


def setting_problem(name: str, value: Any) -> str | None:
    """What is wrong with `value` for the setting `name`, or None when a crawl can use it."""
    from scrapy.settings import BaseSettings

    kind = kind_of(name)
    if kind is not None:
        try:
            getattr(BaseSettings({name: value}), _GETTERS[kind])(name)
        except (TypeError, ValueError):
            return _EXPECTED[kind]
    special = SPECIAL.get(name)
    return special(value) if special else None


def first_problem(settings: Mapping[str, Any]) -> str | None:
    """The first bad value among `settings` as one line naming the setting, the value and what
    is wrong, or None when all are usable."""
    for name, value in settings.items():
        problem = setting_problem(name, value)
        if problem:
            return f"{name}={value!r}: {problem}"
    return None


def environment_problem(
    environ: Mapping[str, str] | None = None, overridden: Iterable[str] = ()
) -> str | None:
    """The first bad value among the ``NEWSCRAWL_*`` environment variables a crawl reads (and
    that no ``-s`` overrides), described, or None."""
    environ = os.environ if environ is None else environ
    skip = set(overridden)
    read = {n: environ[n] for n in sorted(environ) if n.startswith("NEWSCRAWL_") and n not in skip}
    # Only those a crawl reads: the ones `newscrawl.runner.crawl_settings` takes from the
    # environment (newscrawl's settings) and those the command reads itself.
    read = {n: v for n, v in read.items() if n in _defaults() or n in ENVIRONMENT_ONLY}
    problem = first_problem(read)
    return f"environment variable {problem}" if problem else None

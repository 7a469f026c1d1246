"""The SQLite archive: schema, store, search, exports. Imports neither Scrapy nor click."""

from newscrawl.archive.errors import (
    ArchiveError,
    ArchiveLockedError,
    ArchiveNotFoundError,
    InvalidQueryError,
    NotAnArchiveError,
    StorageError,
)
from newscrawl.archive.search import Filters, SearchResult, build_fts_query, search
from newscrawl.archive.store import Archive, UpsertResult, default_db_path

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchiveLockedError",
    "ArchiveNotFoundError",
    "Filters",
    "InvalidQueryError",
    "NotAnArchiveError",
    "SearchResult",
    "StorageError",
    "UpsertResult",
    "build_fts_query",
    "default_db_path",
    "search",
]

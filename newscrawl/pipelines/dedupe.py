"""Deduplication: one row per story.

- URL variants (tracking parameters, AMP, redirects, fragments) already share one canonical URL
  (the page object sets it); a second item for a URL archived earlier in this run is dropped.
- A page that names another site's page as its canonical (a syndicated copy) is kept, with
  `duplicate_of` set by the page object.
- The same title and body under another URL (exact content hash) is dropped as a duplicate,
  unless the earlier article is a declared copy of this one (then this one is the original).
- A near-duplicate (MinHash similarity at or above the threshold) is kept, with `duplicate_of`
  naming the article it copies. Signatures are written with their articles, in the archive
  pipeline's batch transaction; until then they are looked up in memory (`signatures.Pending`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, TypeVar

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newscrawl.archive import signatures
from newscrawl.archive.errors import StorageError
from newscrawl.hashing import content_hash, minhash_signature
from newscrawl.pipelines.outcomes import count, drop, stop_on_storage_error

#: Entries each in-memory "seen recently" map keeps (well above one archive batch).
RECENT_LIMIT = 20_000
#: Unwritten signatures at which the pipeline writes them itself (the archive pipeline normally
#: writes them with each batch of articles, well before).
PENDING_LIMIT = 1_000

logger = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")


class Recent(OrderedDict[K, V]):
    """A dict that forgets its oldest entries beyond `limit`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class DedupePipeline:
    """Drop exact duplicates, mark near-duplicates, remember signatures for later runs."""

    def __init__(self, crawler: Any, threshold: float) -> None:
        self.crawler = crawler
        self.threshold = threshold
        # Only the recent past is kept in memory (the archive answers for the rest), so memory
        # stays flat however long the crawl.
        self.urls_this_run: Recent[str, bool] = Recent(RECENT_LIMIT)
        self.hashes_this_run: Recent[str, tuple[str, str | None]] = Recent(RECENT_LIMIT)
        self.copies_this_run: Recent[str, str] = Recent(RECENT_LIMIT)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler, crawler.settings.getfloat("NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD", 0.8))

    @property
    def pending(self) -> signatures.Pending:
        """Signatures of items passed on but not archived yet (shared with the archive pipeline)."""
        return signatures.pending_for(self.crawler)

    def _write_pending(self) -> None:
        pending = self.pending
        if not len(pending):
            return
        with self.crawler.spider.session.archive.transaction() as tx:
            pending.write(tx)
        pending.written()

    def close_spider(self, spider: Any = None) -> None:
        """Write the signatures no archive batch took (items dropped later, or no archive)."""
        try:
            self._write_pending()
        except StorageError as exc:
            logger.error("Could not save near-duplicate signatures: %s", exc)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        url = adapter["url"]
        source = adapter.get("source")
        session = self.crawler.spider.session
        if url in self.urls_this_run:
            count(self.crawler, "duplicates", source)
            raise drop(self.crawler, item, "duplicate_url", f"another URL of {url}", kind="article")
        digest = content_hash(adapter.get("title"), adapter.get("text"))
        adapter["content_hash"] = digest
        declared = adapter.get("duplicate_of")
        earlier = self.hashes_this_run.get(digest) or session.archive.find_by_hash(digest)
        if earlier and earlier[0] != url and not declared and earlier[1] != url:
            count(self.crawler, "duplicates", source)
            raise drop(
                self.crawler,
                item,
                "duplicate_content",
                f"same text as {earlier[0]}",
                kind="article",
            )
        signature = minhash_signature(adapter.get("text") or "", signatures.NUM_PERM)
        keys = signatures.band_hashes(signature)
        best = signatures.most_similar(
            session.archive.conn, signature, exclude_url=url, keys=keys, pending=self.pending
        )
        if declared:
            count(self.crawler, "near_duplicates", source)
        elif best and best[1] >= self.threshold and not self._is_copy_of(best[0], url):
            adapter["duplicate_of"] = best[0]
            count(self.crawler, "near_duplicates", source)
        # The archive pipeline writes the signature with the article, in its batch transaction;
        # until then it is found in `self.pending`.
        self.pending.add(url, signature, keys)
        if len(self.pending) >= PENDING_LIMIT:  # nobody is writing them: write them now
            try:
                self._write_pending()
            except StorageError as exc:
                self.pending.discard(url)
                stop_on_storage_error(self.crawler, exc)
                raise DropItem(f"storage_error: {exc}") from None
        self.urls_this_run[url] = True
        self.hashes_this_run[digest] = (url, adapter.get("duplicate_of"))
        if declared:
            self.copies_this_run[url] = declared
        return item

    def _is_copy_of(self, candidate: str, url: str) -> bool:
        """True when `candidate` declared itself a copy of `url` (so `url` is the original)."""
        if self.copies_this_run.get(candidate) == url:
            return True
        row = self.crawler.spider.session.archive.get_article(candidate)
        return bool(row and row.get("duplicate_of") == url)

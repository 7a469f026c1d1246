"""Article extraction: pure functions from a fetched page to `newscrawl.items.Article` fields."""

from newscrawl.extract.article import RESULT_KEYS, extract_article
from newscrawl.extract.encoding import decode_html

__all__ = ["RESULT_KEYS", "decode_html", "extract_article"]

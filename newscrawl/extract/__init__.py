"""Article extraction: pure functions from a fetched page to the fields of an `Article`."""

from newscrawl.extract.article import RESULT_KEYS, extract_article, parse_page
from newscrawl.extract.encoding import decode_html

#: Bumped whenever extraction changes what it returns for some pages; each archived article
#: records the version that produced it, and `newscrawl reextract` brings old rows up to date.
EXTRACTOR_VERSION = "8"

__all__ = ["EXTRACTOR_VERSION", "RESULT_KEYS", "decode_html", "extract_article", "parse_page"]

"""Page objects: a fetched page (URL, headers, bytes) in, an `Article` item out. No Scrapy here."""

from newscrawl.pages.article import FetchedPage, article_from_page, article_url

__all__ = ["FetchedPage", "article_from_page", "article_url"]

"""Browsing and searching the archive in a browser: ``newscrawl serve`` on Datasette.

Importing this package imports neither Datasette nor matplotlib (both optional extras);
`newscrawl.serve.app.create_datasette` builds the configured Datasette.
"""

from newscrawl.serve.charts import MissingExtraError, articles_per_day, plot_articles_per_day
from newscrawl.serve.config import build_metadata

__all__ = ["MissingExtraError", "articles_per_day", "build_metadata", "plot_articles_per_day"]

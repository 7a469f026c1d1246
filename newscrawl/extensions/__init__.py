"""Scrapy extensions: progress display."""

"""Scrapy extensions: the run's owner, progress."""

"""Scrapy downloader middlewares (their order in ``crawler.settings``).

Modules:

* ``archive``: Archive every fetch off the wire.
* ``conditional``: Conditional re-crawls: validators out, a 304 answered from the archive.
* ``retry``: Retries with exponential backoff and jitter.
"""

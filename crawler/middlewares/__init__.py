"""Scrapy downloader middlewares.

* ``archive``: record every response and failed fetch as it comes off the wire (order 950).
* ``conditional``: conditional requests for re-crawls; a 304 answered from the archive (940).
* ``retry``: Scrapy's retries with exponential backoff and jitter (549).
"""

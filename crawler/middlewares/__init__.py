"""Scrapy downloader middlewares and one spider middleware (their order in ``crawler.settings``).

Modules:

* ``archive``: Archive every fetch off the wire.
* ``conditional``: Conditional re-crawls: validators out, a 304 answered from the archive.
* ``retry``: Retries with exponential backoff and jitter.
* ``addresses``: Refuse requests to IP literals that are not public, before any connection is tried.
* ``list_depth``: (spider middleware) the pages of one list keep the depth of its first page.
* ``decompression``: Content decoding bounded by ``DOWNLOAD_MAXSIZE``, streamed, for stacked encodings too.
* ``global_politeness``: Distributed runs: a host's slots and pace in Redis, shared by every worker.
* ``politeness``: Be polite where a host pushes back: Crawl-delay, Retry-After, backing off a failing host.
* ``redirect_scope``: Redirects stay in the crawl's scope: every hop is checked before it is followed.
* ``soft404``: Recognise soft 404s before the spider sees them (``crawler.fetch.soft404`` has the rules).
"""

"""The crawl frontier: what a run still has to fetch, kept where a crash cannot lose it.

``base``: the small interface the run owner talks to (size, drained?, requeue in-flight).
``scheduler``: :class:`DatabaseScheduler`, a Scrapy scheduler backed by the archive
database's ``frontier`` table (SQL in ``storage/frontier.py``). A Redis-backed frontier
(scrapy-redis) can take its place through the ``SCHEDULER`` setting by implementing ``base``.
"""

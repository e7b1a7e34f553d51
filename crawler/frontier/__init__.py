"""The crawl frontier: what a run still has to fetch, kept where a crash cannot lose it.

``base``: the small interface the run owner talks to (size, drained?, requeue in-flight),
and what both frontiers share: the requests the engine holds, a request serialised cheaply.
``scheduler``: :class:`DatabaseScheduler`, a Scrapy scheduler backed by the archive
database's ``frontier`` table (SQL in ``storage/frontier.py``).
``spill``: the queued requests it does not hold in memory, 28 bytes each (place in the queue
and fingerprint), read back from the table when their turn comes.
``keysets``: per-URL facts (seen, budgeted, what a URL answered) as 64-bit keys in sorted
arrays, a few bytes per URL, so memory stays flat as a crawl grows.
Distributed mode (``--redis``, docs/distributed.md), on scrapy-redis:
``redis_scheduler``: :class:`RedisScheduler`, the shared frontier and duplicate filter in Redis.
``reliable_queue``: a popped request stays in the worker's processing hash until handled.
``workers``: worker heartbeats; dead workers' requests reclaimed into the queue.
``redis_keys``: the keys of one run, under ``govreports:<run-key>:``.
``shared_budget``: per-host page budgets, trap caps, site-search budgets and the run's
``--max-pages``, counted once for all workers.
``shared_state``: what one worker's spider learnt that the run's end needs, shared in Redis.
"""

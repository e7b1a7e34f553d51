"""Running a crawl.

``runner``: ``run_crawl`` — build the settings, run the portal spider, read the summary.
``opening``: open a run — the seed set's lock, crashed runs found, unfinished runs continued.
``summary``: what a run did, read back from the archive (the one shape of its counts).
``logformat``: log line formats of a crawl (``kv`` or ``json``) for the run log and progress.
``children``: child processes (parse worker, converters) die with the crawler; stale temp folders.
``distributed``: a distributed run's shared record in Redis: id, options, phases, finished once.
``distributed_status``: what ``govreports status --redis`` shows: frontier, workers, hosts, shared budgets.
``distributed_start``: ``govreports crawl/worker --redis`` start or join a run; workers wait for the finisher.
The run's lifecycle itself belongs to ``crawler.extensions.run_owner.RunOwner``.
"""

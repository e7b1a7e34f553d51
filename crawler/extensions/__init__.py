"""Scrapy extensions.

``run_owner``: ``RunOwner``, the one owner of a crawl run (open or resume, revalidate at idle,
change detection, finish, alerts); other components reach it with ``crawler.get_extension``.
``progress``: the progress line.
``distributed_end``: how a distributed run ends: phases moved on by one worker, finished by exactly one.
``run_page_limit``: ``--max-pages`` of a distributed run, one budget for all workers (in Redis).
* ``leftovers``: Clean up what killed crawls left behind, when the next crawl starts.
"""

"""What one worker's spider learnt that the whole run needs, shared through Redis.

Each worker's spider keeps its own counters (``PortalSpider._counters``). Before a worker
reports a request handled, :func:`publish` copies what the run's end needs: site-search forms
noted (asked once discovery ends), hosts not finished (budget exhausted, backed off) and pages
per host. :func:`merge` gives the worker that moves the run on (or finishes it) the whole
run's view: those, plus every capture of the run from the database.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.workers import text

if TYPE_CHECKING:
    from redis import Redis

class SharedState:
    """Publish a worker's spider state to Redis; merge the run's state into a spider."""

    def __init__(self, server: Redis, keys: RunKeys) -> None:
        self.server = server
        self.keys = keys
        self._forms_sent: set[str] = set()
        self._unfinished_sent: set[str] = set()

    def publish(self, spider: Any, handled_hosts: Iterable[str] = ()) -> None:
        """Copy new search forms and unfinished hosts; count handled pages per host."""
        counters = getattr(spider, "_counters", None)
        pipe = self.server.pipeline(transaction=False)
        if counters is not None:
            for host, form in counters("search_forms").items():
                if host not in self._forms_sent:
                    pipe.hsetnx(self.keys.search_forms, host, pickle.dumps(form, protocol=4))
                    self._forms_sent.add(host)
        unfinished = set(getattr(spider, "unfinished_hosts", set())) - self._unfinished_sent
        if unfinished:
            pipe.sadd(self.keys.unfinished_hosts, *sorted(unfinished))
            self._unfinished_sent |= unfinished
        for host in handled_hosts:
            pipe.hincrby(self.keys.pages, host, 1)
        pipe.execute()

    def merge(self, spider: Any, fetched: list[tuple[str, str | None, int | None]]) -> None:
        """Give ``spider`` the run's search forms, unfinished hosts and what every worker fetched
        (``fetched``: the run's captures, ``ArchiveDB.run_fetches``)."""
        from spiders.portal import META_REVALIDATE  # the spider imports the run owner

        forms = spider._counters("search_forms")
        stored: Any = self.server.hgetall(self.keys.search_forms)
        for host, data in stored.items():
            forms.setdefault(text(host), pickle.loads(data))  # noqa: S301 - written by our workers
        exhausted = spider._counters("budget_exhausted")
        hosts: Any = self.server.smembers(self.keys.unfinished_hosts)
        for host in hosts:
            exhausted[text(host)] = 1
        urls: Any = self.server.smembers(self.keys.revalidating)
        revalidating = [(text(url), {META_REVALIDATE: True}) for url in urls]
        spider.restore_state(scheduled=revalidating, fetched=fetched)

    def note_revalidating(self, urls: Iterable[str]) -> None:
        """Remember the known report URLs asked directly (they are not "listed" by the portal)."""
        urls = list(urls)
        if urls:
            self.server.sadd(self.keys.revalidating, *urls)

"""``--max-pages`` of a distributed run: one budget of responses for all workers together.

A single process stops after ``--max-pages`` responses with Scrapy's ``CLOSESPIDER_PAGECOUNT``,
counted in the process. A distributed run counts every worker's responses in one Redis counter
(:class:`crawler.frontier.shared_budget.RunPageBudget`, checked before a response is counted):
the worker whose response reaches the limit, and every other worker within a tick, closes its
spider with the reason ``closespider_pagecount``, so takes no new request; what is queued stays
queued, what is held goes back to the queue, requests already in flight are finished (and
archived; the scheduler takes none beyond the limit: ``crawler.frontier.reliable_queue``). One worker then records the run as ``stopped`` (``crawler.extensions.run_owner``);
``govreports crawl`` with the same options joins it again with a new page budget.

Settings: ``GOVREPORTS_RUN_MAX_PAGES`` (0: no limit), ``GOVREPORTS_REDIS_URL``,
``GOVREPORTS_RUN_KEY``, ``GOVREPORTS_REDIS_TICK_SECONDS`` (how often an idle worker looks).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from redis import Redis
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.shared_budget import RunPageBudget

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The close reason, the same as a single process's ``CLOSESPIDER_PAGECOUNT``.
REASON = "closespider_pagecount"


class RunPageLimit:
    """Stop this worker once the run's workers together handled ``--max-pages`` responses."""

    def __init__(self, crawler: Crawler, budget: RunPageBudget, tick_seconds: float) -> None:
        self.crawler = crawler
        self.budget = budget
        self.tick_seconds = tick_seconds
        self.stopping = False
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunPageLimit:
        settings = crawler.settings
        limit = settings.getint("GOVREPORTS_RUN_MAX_PAGES")
        url, run_key = settings.get("GOVREPORTS_REDIS_URL"), settings.get("GOVREPORTS_RUN_KEY")
        if limit <= 0 or not url or not run_key:
            raise NotConfigured
        budget = RunPageBudget(Redis.from_url(url), RunKeys(run_key), limit)
        extension = cls(crawler, budget, settings.getfloat("GOVREPORTS_REDIS_TICK_SECONDS", 0.5))
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.check)
        self._loop.start(self.tick_seconds, now=False)

    def response_received(self, **_: Any) -> None:
        """Count the response in the run's counter; stop when the run has its pages."""
        if not self.stopping and not self.budget.count():
            self.stop()

    def check(self) -> None:
        """Stop when other workers' responses used the run's pages (an idle worker too)."""
        if not self.stopping and self.budget.reached():
            self.stop()

    def stop(self) -> None:
        self.stopping = True
        logger.info("the run's page limit is reached; this worker stops",
                    extra={"max_pages": self.budget.limit, "counted": self.budget.used()})
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=REASON))

    def spider_closed(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

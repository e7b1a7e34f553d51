"""How a distributed run ends: phases moved on by one worker, finished by exactly one.

The run owner of each worker calls :meth:`DistributedEnd.on_idle` when its engine is idle.
While the shared frontier holds work (queued, or held by any worker), the worker waits. When
it is drained, one worker (the holder of the phase lock) merges what every worker saw
(``crawler.frontier.shared_state``), queues the next phase's requests (site searches, then
known reports no link led to) and moves the phase on; after the last phase, the worker that
wins ``SET NX`` finishes the run. End detection looks only at Redis (queue and processing
hashes), so requests filtered or dropped by any middleware can never hold it up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DontCloseSpider

from crawler.discovery.urls import canonicalize
from crawler.frontier.redis_scheduler import RedisScheduler
from crawler.run.distributed import DistributedRun

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from storage.repository import ArchiveDB

logger = logging.getLogger(__name__)

#: Longest time one worker may hold the phase lock (a dead holder's lock expires).
PHASE_LEASE_SECONDS = 60.0


class DistributedEnd:
    """One worker's part in ending the run (see module docstring)."""

    def __init__(self, crawler: Crawler, run: DistributedRun, db: ArchiveDB, run_id: int) -> None:
        self.crawler = crawler
        self.run = run
        self.db = db
        self.run_id = run_id
        self.finisher = False
        self._frontier: RedisScheduler | None = None

    @property
    def frontier(self) -> RedisScheduler:
        """This worker's scheduler (kept: the engine lets go of it while closing)."""
        if self._frontier is None:
            engine = self.crawler.engine
            scheduler = engine.scheduler if engine is not None else None
            if not isinstance(scheduler, RedisScheduler):
                raise RuntimeError("a distributed run needs SCHEDULER = RedisScheduler")
            self._frontier = scheduler
        return self._frontier

    def keep_frontier(self) -> None:
        """Hold on to this worker's scheduler from the start (the run may stop or end before
        the engine is ever idle)."""
        _ = self.frontier

    def on_idle(self) -> None:
        """Wait while the run has work; else move it on; let the spider close once it is done."""
        if self.run.phase() == "done":
            return
        frontier = self.frontier
        if not frontier.drained():
            raise DontCloseSpider
        worker = frontier.worker_id
        if not self.run.take_phase_lock(worker, PHASE_LEASE_SECONDS):
            raise DontCloseSpider
        try:
            self._move_on(frontier)
        finally:
            self.run.release_phase_lock(worker)

    def _move_on(self, frontier: RedisScheduler) -> None:
        spider: Any = self.crawler.spider
        while True:
            if not frontier.drained():
                raise DontCloseSpider
            phase = self.run.phase()
            if phase == "done":
                return
            if phase == "revalidate":
                self.finisher = self.run.claim_finish(frontier.worker_id)
                self.run.set_phase("done")
                if self.finisher:
                    logger.info("this worker finishes the distributed run",
                                extra={"run_id": self.run_id})
                return
            frontier.shared.merge(spider, self.db.run_fetches(self.run_id))
            if phase == "discovery":
                requests = self._site_searches(spider)
                next_phase = "search"
            else:
                requests = self._revalidations(spider)
                frontier.shared.note_revalidating(canonicalize(r.url) for r in requests)
                next_phase = "revalidate"
            queued = frontier.enqueue_many(requests)
            self.run.set_phase(next_phase)
            logger.info("distributed run moved on", extra={"phase": next_phase, "queued": queued})
            if queued:
                engine = self.crawler.engine
                if engine is not None and engine._slot is not None:
                    engine._slot.nextcall.schedule()
                raise DontCloseSpider

    @staticmethod
    def _site_searches(spider: Any) -> list[Request]:
        search = getattr(spider, "site_search_requests", None)
        return list(search()) if search is not None else []

    def _revalidations(self, spider: Any) -> list[Request]:
        make = getattr(spider, "revalidation_requests", None)
        if make is None:
            return []
        return list(make(self.db.live_report_documents(getattr(spider, "hosts", set()))))

    def claim_stop(self, worker: str) -> bool:
        """Become the one worker recording the run as stopped at its ``--max-pages``."""
        won = self.run.claim_stop(worker)
        if won:
            logger.info("this worker records the run as stopped (its --max-pages)",
                        extra={"run_id": self.run_id})
        return won

    def before_finish(self) -> None:
        """The finisher's spider learns the whole run (for change detection)."""
        self.frontier.shared.merge(self.crawler.spider, self.db.run_fetches(self.run_id))

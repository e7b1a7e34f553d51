"""A Scrapy scheduler whose frontier and duplicate filter live in Redis (scrapy-redis), shared
by every worker of a distributed run.

Built on scrapy-redis's ``Scheduler`` and ``RFPDupeFilter``, with the run's keys
(``crawler.frontier.redis_keys``) and the reliable queue (``crawler.frontier.reliable_queue``):
a request popped by this worker stays in its processing hash until the engine is done with it
(downloaded, its callback's requests queued, its items through the pipeline, or dropped by a
middleware: whatever way it leaves the engine). Every ``GOVREPORTS_REDIS_TICK_SECONDS`` the
worker heartbeats, reports handled requests, reclaims the requests of dead workers and wakes
its engine when the queue has work.

Settings: ``GOVREPORTS_REDIS_URL``, ``GOVREPORTS_RUN_KEY``, ``GOVREPORTS_WORKER_STALE``
(seconds without heartbeat after which a worker is dead, default 30),
``GOVREPORTS_REDIS_TICK_SECONDS`` (default 0.5).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from redis import Redis
from scrapy.utils.reactor import is_reactor_installed
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.discovery.urls import host_of
from crawler.frontier.base import archive_writes_pending, engine_busy_requests
from crawler.frontier.redis_keys import RunKeys
from crawler.frontier.reliable_queue import ReliableQueue
from crawler.frontier.shared_budget import SharedBudget
from crawler.frontier.shared_state import SharedState
from crawler.frontier.workers import WorkerRegistry, new_worker_id

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FingerprintDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's duplicate filter with Scrapy's request fingerprints (as the single-process
    frontier uses), so both modes agree on what a duplicate is."""

    def __init__(self, server: Redis, key: str, fingerprinter: Any) -> None:
        super().__init__(server, key)
        self.fingerprinter = fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return str(self.fingerprinter.fingerprint(request).hex())


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """The distributed frontier (see module docstring); implements ``crawler.frontier.base``."""

    def __init__(self, crawler: Crawler, server: Redis, keys: RunKeys, *, worker_id: str,
                 stale_after: float, tick_seconds: float, page_limit: int = 0) -> None:
        super().__init__(server, persist=True, queue_key=keys.queue, dupefilter_key=keys.dupefilter)
        self.crawler = crawler
        self.stats = crawler.stats
        self.keys = keys
        self.worker_id = worker_id
        self.tick_seconds = tick_seconds
        #: The run's --max-pages (0: none): no request is taken beyond it (``ReliableQueue``).
        self.page_limit = page_limit
        self.registry = WorkerRegistry(server, keys, stale_after=stale_after)
        self.shared = SharedState(server, keys)
        #: Per-host page budgets and trap caps for all workers (the spider counts through it).
        self.shared_budget = SharedBudget(server, keys)
        self.held: dict[int, tuple[Request, bytes]] = {}
        self.reclaimed = 0
        self._pending: list[Request] = []  # requests to queue at the next flush
        self._loop: task.LoopingCall | None = None
        self._ticks = 0
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        url = settings.get("GOVREPORTS_REDIS_URL")
        run_key = settings.get("GOVREPORTS_RUN_KEY")
        if not url or not run_key:
            raise RuntimeError("RedisScheduler needs GOVREPORTS_REDIS_URL and GOVREPORTS_RUN_KEY")
        server = Redis.from_url(url)
        server.ping()
        return cls(crawler, server, RunKeys(run_key),
                   worker_id=settings.get("GOVREPORTS_WORKER_ID") or new_worker_id(),
                   stale_after=settings.getfloat("GOVREPORTS_WORKER_STALE", 30.0),
                   tick_seconds=settings.getfloat("GOVREPORTS_REDIS_TICK_SECONDS", 0.5),
                   page_limit=settings.getint("GOVREPORTS_RUN_MAX_PAGES"))

    # -- Scrapy's scheduler interface -------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = ReliableQueue(self.server, spider, self.keys.queue,
                                   processing_key=self.keys.processing(self.worker_id),
                                   keys=self.keys, page_limit=self.page_limit)
        self.df = FingerprintDupeFilter(self.server, self.keys.dupefilter,
                                        self.crawler.request_fingerprinter)
        self.registry.beat(self.worker_id)
        self.reclaimed = self.registry.reclaim_dead(this_worker=self.worker_id)
        logger.info("worker joined the run", extra={"worker": self.worker_id, "queued": len(self.queue),
                                                    "reclaimed": self.reclaimed})
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(self.tick_seconds, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.tick()
        self._closed = True  # no heartbeat after leaving
        returned = self.registry.leave(self.worker_id)  # what is still held goes back
        logger.info("worker left the run", extra={"worker": self.worker_id, "returned": returned})

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` unless the run has seen it. The requests of one callback's output
        go to Redis together, in one round trip (:meth:`flush`, called soon after, and before
        anything that reads the queue or reports a request handled): the worker's event loop
        waits for every Redis call it makes. Always True: a duplicate is known only then."""
        self._pending.append(request)
        # flushed on the reactor's next turn; with no reactor installed (a scheduler used
        # outside a crawl) importing it would install one, so the flush waits for the next
        # pop, tick or end check instead
        if len(self._pending) == 1 and is_reactor_installed():
            from twisted.internet import reactor  # the installed one

            clock: Any = reactor
            clock.callLater(0, self.flush)
        return True

    def enqueue_many(self, requests: list[Request]) -> int:
        """Queue ``requests`` now (those the run has not seen); return how many were queued."""
        self._pending.extend(requests)
        return self.flush()

    def flush(self) -> int:
        """Send the requests waiting to be queued (duplicate filter and queue, one script);
        return how many were queued."""
        pending, self._pending = self._pending, []
        if not pending:
            return 0
        fingerprints = [None if r.dont_filter else self.df.request_fingerprint(r) for r in pending]
        answers = self.queue.push_unseen(list(zip(pending, fingerprints, strict=True)), self.df.key)
        for request, answer in zip(pending, answers, strict=True):
            if not answer:
                self.df.log(request, self.spider)
        queued = sum(answers)
        if self.stats is not None and queued:
            self.stats.inc_value("scheduler/enqueued/redis", queued)
        return queued

    def __len__(self) -> int:
        return len(self.queue) + len(self._pending)

    def next_request(self) -> Request | None:
        self.flush()
        popped = self.queue.pop()
        if popped is None:
            return None
        request, data = popped
        self.held[id(request)] = (request, data)
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- the run owner's interface (crawler.frontier.base.Frontier) -------------------------
    def size(self) -> int:
        """Requests not finished: queued plus held by any worker."""
        return len(self.queue) + self.registry.in_flight()

    def queued(self) -> int:
        """Requests waiting in the shared queue, for every worker (the progress line's figure)."""
        return len(self.queue) if hasattr(self, "queue") else 0

    def drained(self) -> bool:
        """True when the queue is empty and no worker (live or dead) holds a request."""
        self.tick()
        self.registry.reclaim_dead(this_worker=self.worker_id)
        return len(self.queue) == 0 and self.registry.in_flight() == 0

    def requeue_in_flight(self) -> int:
        """Requests of dead workers this worker queued again when it joined."""
        return self.reclaimed

    # -- the periodic tick -------------------------------------------------------------------
    def tick(self) -> None:
        """Heartbeat; report handled requests (after publishing what their callbacks taught the
        spider); every few ticks reclaim dead workers' requests; wake the engine if work waits."""
        if self._closed:
            return
        self._ticks += 1
        self.flush()  # a handled request's new requests are queued before it leaves
        self.registry.beat(self.worker_id)
        busy = engine_busy_requests(self.crawler.engine)
        writing = archive_writes_pending(self.crawler)
        handled = [key for key in self.held if key not in busy and not writing(key)]
        if handled:
            hosts = [host_of(self.held[key][0].url) for key in handled]
            self.shared.publish(self.spider, hosts)
            self.queue.done(*(self.held.pop(key)[1] for key in handled))
        if self._ticks % 10 == 0:
            self.reclaimed += self.registry.reclaim_dead(this_worker=self.worker_id)
        self._wake_engine()

    def _wake_engine(self) -> None:
        """Let the engine look again: for queued work, and, while this worker holds nothing,
        every second, so an idle worker sees the run move on (or end) without waiting for
        Scrapy's 5-second heartbeat."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or engine is None or engine.downloader.needs_backout():
            return
        if len(self.queue) or (not self.held and self._ticks % 2 == 0):
            slot.nextcall.schedule()

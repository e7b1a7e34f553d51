"""A Scrapy scheduler whose queue lives in the archive database, so ``kill -9`` loses nothing.

Requests are kept in memory in priority order (FIFO within a priority) and written to the
``frontier`` table in batches: every ``GOVREPORTS_FRONTIER_FLUSH_SECONDS`` one transaction
inserts the new requests, marks handed-out ones ``in_flight`` and finished ones ``done``. A
request is finished when the engine is done with it: its response went through the callback,
the requests the callback made are in the frontier (written first, in the same transaction)
and its items went through the pipeline. Retries and redirects of a request stay its row
(the row's request is replaced), so a crash mid-redirect resumes at the redirect.

On open, rows of the run not ``done`` are queued again and every fingerprint is remembered
in memory (as a 64-bit key, ``crawler.frontier.keysets``), so duplicates cost no SQL.

Memory: at most ``GOVREPORTS_FRONTIER_MEMORY`` queued requests are kept as ``Request``
objects (a few KB each, with their headers, meta and Scrapy's caches). A portal's sitemap can
queue every URL of the portal at once; past the bound, after a flush (when every queued
request is in the table), all but the half with the highest priority are dropped from memory
("spilled") and read back from the table, a batch at a time in priority order, when their
turn comes. What stays in memory per spilled URL is its fingerprint and place in the queue,
28 bytes in arrays (``crawler.frontier.spill``); a resumed run's unfinished rows start spilled.

Settings: ``GOVREPORTS_FRONTIER_FLUSH_SECONDS`` (default 1.0), ``GOVREPORTS_FRONTIER_MEMORY``
(default 2000).
"""

from __future__ import annotations

import heapq
import logging
import pickle
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import BaseScheduler
from scrapy.utils.request import request_from_dict
from twisted.internet import task

from crawler.frontier.base import archive_writes_pending, engine_busy_requests, request_dict
from crawler.frontier.keysets import KeySet
from crawler.frontier.spill import SpillQueue
from storage.frontier import FrontierRow, FrontierStore

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from crawler.extensions.run_owner import RunOwner

logger = logging.getLogger(__name__)

#: Request meta: the fingerprint of the frontier row a request answers (kept by retries/redirects).
META_FRONTIER_KEY = "govreports_frontier_key"


class DatabaseScheduler(BaseScheduler):
    """Scrapy scheduler over the archive database's frontier table (see module docstring)."""

    def __init__(self, crawler: Crawler, owner: RunOwner, *, flush_seconds: float,
                 max_held: int = 2000) -> None:
        self.crawler = crawler
        self.owner = owner
        self.flush_seconds = flush_seconds
        #: Queued requests kept in memory as ``Request`` objects; past this, the rest are spilled.
        self.max_held = max(2, max_held)
        #: Queued requests held in memory now, and the most held at once (stat ``…/held_max``).
        self.held = 0
        self.held_max = 0
        self.store: FrontierStore | None = None
        self.spider: Spider | None = None
        #: Fingerprints of every request this run queued, as 64-bit keys (about 9 bytes each).
        self.seen = KeySet()
        #: Queued requests held in memory: heap of (-priority, sequence, fingerprint), and by
        #: fingerprint (sequence, priority, the request); a heap entry whose sequence is not its
        #: fingerprint's here is stale (queued again since).
        self._heap: list[tuple[int, int, str]] = []
        self._queued: dict[str, tuple[int, int, Request]] = {}
        #: Queued requests not in memory (read back from the table when their turn comes).
        self._spilled = SpillQueue()
        self._popped: dict[str, Request] = {}
        self._seq = 0
        self._added: dict[str, FrontierRow] = {}
        self._replaced: dict[str, FrontierRow] = {}
        self._handed_out: set[str] = set()
        self._loop: task.LoopingCall | None = None
        self.requeued = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseScheduler:
        from crawler.extensions.run_owner import RunOwner

        owner = crawler.get_extension(RunOwner)
        if owner is None:
            raise RuntimeError("DatabaseScheduler needs the RunOwner extension "
                               "(crawler.extensions.run_owner.RunOwner in EXTENSIONS)")
        return cls(crawler, owner,
                   flush_seconds=crawler.settings.getfloat("GOVREPORTS_FRONTIER_FLUSH_SECONDS", 1.0),
                   max_held=crawler.settings.getint("GOVREPORTS_FRONTIER_MEMORY", 2000))

    # -- Scrapy's scheduler interface -------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.store = FrontierStore(self.owner.db.session, self.owner.run_id)
        self.requeued = self.store.requeue_unfinished()
        unfinished: list[tuple[int, int, str]] = []
        for fingerprint, state, priority in self.store.states():
            self.seen.add(fingerprint)
            if state != "done":  # read back from the table when its turn comes
                self._seq += 1
                unfinished.append((priority, self._seq, fingerprint))
                if len(unfinished) >= 10_000:
                    self._spilled.add(unfinished)
                    unfinished = []
        self._spilled.add(unfinished)
        if len(self._spilled):
            logger.info("frontier resumed", extra={"queued": len(self._spilled), "requeued": self.requeued})
        self._loop = task.LoopingCall(self.flush)
        self._loop.start(self.flush_seconds, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.flush()

    def has_pending_requests(self) -> bool:
        return bool(self._queued) or bool(len(self._spilled))

    def already_queued(self, request: Request) -> bool:
        """True when :meth:`enqueue_request` would drop ``request`` as a duplicate (a new
        request whose fingerprint this run has queued before). The spider asks before yielding
        a link's request: on a portal most links of a page are queued already, and each such
        request cost its way through the spider middlewares and the engine only to be dropped
        here."""
        return (not request.dont_filter and META_FRONTIER_KEY not in request.meta
                and self._fingerprint(request) in self.seen)

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = self._fingerprint(request)
        row_key = request.meta.get(META_FRONTIER_KEY)
        if row_key is not None and row_key in self._popped:  # a retry or redirect of a row
            if fingerprint != row_key and fingerprint in self.seen and not request.dont_filter:
                self._stats("scheduler/dropped_duplicate")
                return False  # the row finishes with its request
            self.seen.add(fingerprint)
            del self._popped[row_key]
            self._push(row_key, request.priority, request, may_be_spilled=False)  # it was in flight
            self._replaced[row_key] = self._row(row_key, request)
            self._added.pop(row_key, None)
            self._stats("scheduler/enqueued")
            self._bound_memory()
            return True
        if self.already_queued(request):
            self._stats("scheduler/dropped_duplicate")
            return False
        request.meta[META_FRONTIER_KEY] = fingerprint
        self._push(fingerprint, request.priority, request, may_be_spilled=fingerprint in self.seen)
        if fingerprint in self.seen:  # dont_filter: the row is queued again
            self._replaced[fingerprint] = self._row(fingerprint, request)
        else:
            self.seen.add(fingerprint)
            self._added[fingerprint] = self._row(fingerprint, request)
        self._stats("scheduler/enqueued")
        self._bound_memory()
        return True

    def _bound_memory(self) -> None:
        """Over ``max_held`` queued requests in memory (a sitemap queues a whole portal at
        once): write the frontier now and spill, rather than at the next timed flush."""
        if self.held > self.max_held:
            self.flush()

    def next_request(self) -> Request | None:
        while True:
            while self._heap:  # stale entries (queued again since) go
                _, seq, fingerprint = self._heap[0]
                entry = self._queued.get(fingerprint)
                if entry is not None and entry[0] == seq:
                    break
                heapq.heappop(self._heap)
            spilled_first = self._spilled.first()
            if spilled_first is not None and (not self._heap or spilled_first < self._heap[0][:2]):
                self._load_spilled()
                continue
            if not self._heap:
                return None
            _, seq, fingerprint = heapq.heappop(self._heap)
            _, _, request = self._queued.pop(fingerprint)
            self.held -= 1
            request.meta[META_FRONTIER_KEY] = fingerprint
            self._popped[fingerprint] = request
            self._handed_out.add(fingerprint)
            self._stats("scheduler/dequeued")
            return request

    def __len__(self) -> int:
        return len(self._queued) + len(self._spilled)

    # -- the run owner's interface (crawler.frontier.base.Frontier) -------------------------
    def size(self) -> int:
        """Requests not finished: queued (in memory or spilled) plus handed out."""
        return len(self._queued) + len(self._spilled) + len(self._popped)

    def drained(self) -> bool:
        """True when nothing is queued or in flight, in memory and in the table."""
        self.flush()
        return not self.size() and self.store is not None and self.store.unfinished() == 0

    def requeue_in_flight(self) -> int:
        """Rows handed out by a dead process, queued again (done once, when opening)."""
        return self.requeued

    # -- writing -------------------------------------------------------------------------
    def flush(self) -> None:
        """One transaction: new and replaced rows, handed-out and finished requests."""
        if self.store is None:
            return
        finished = self._finished()
        for fingerprint in finished:
            del self._popped[fingerprint]
        # A row queued again while its earlier request was in flight (a dont_filter request of
        # the same URL, such as a rendering of the page) is not done: it stays queued.
        finished = [fingerprint for fingerprint in finished if fingerprint not in self._queued]
        if not (self._added or self._replaced or self._handed_out or finished):
            if self.held > self.max_held:
                self._spill()
            return
        added = [self._with_state(row) for row in self._added.values()]
        replaced = [self._with_state(row) for row in self._replaced.values()]
        handed_out = [f for f in self._handed_out if f not in self._added]
        self._added, self._replaced, self._handed_out = {}, {}, set()
        self.store.write(added=added, replaced=replaced, in_flight=handed_out, done=finished)
        self._stats("govreports/frontier/flushes")
        if self.held > self.max_held:  # every queued request is in the table now
            self._spill()

    def _spill(self) -> None:
        """Drop from memory every queued request but the ``max_held // 2`` due first; each is
        in the table (written by the flush just done), read back by :meth:`_load_spilled`. A
        request whose row is also in flight (queued again while its earlier request is being
        answered) stays: the flush must see it queued."""
        keep = {fingerprint for _, _, fingerprint in heapq.nsmallest(self.max_held // 2, self._heap)}
        spill = [(priority, seq, fingerprint) for fingerprint, (seq, priority, _) in self._queued.items()
                 if fingerprint not in keep and fingerprint not in self._popped]
        for _, _, fingerprint in spill:
            del self._queued[fingerprint]
        self._spilled.add(spill)
        self._heap = [(-priority, seq, fingerprint)
                      for fingerprint, (seq, priority, _) in self._queued.items()]
        heapq.heapify(self._heap)
        self.held -= len(spill)
        self._stats("govreports/frontier/spilled", len(spill))

    def _load_spilled(self) -> None:
        """Read back the spilled requests due next, up to ``max_held // 4`` in one query, into
        memory at their places in the queue."""
        assert self.store is not None and self.spider is not None
        wanted = self._spilled.take(max(1, self.max_held // 4))
        stored = self.store.requests([fingerprint for _, _, fingerprint in wanted])
        for priority, seq, fingerprint in wanted:
            data = stored.get(fingerprint)
            if data is None:  # not in the table: cannot happen unless the table was edited
                logger.warning("frontier row missing", extra={"fingerprint": fingerprint})
                continue
            if fingerprint in self._queued or fingerprint in self._popped:
                continue  # queued again since (that entry is kept instead)
            request = request_from_dict(pickle.loads(data), spider=self.spider)  # noqa: S301 - our own rows
            self._queued[fingerprint] = (seq, priority, request)
            heapq.heappush(self._heap, (-priority, seq, fingerprint))
            self.held += 1
        self._note_held()
        self._stats("govreports/frontier/loaded", len(stored))
        self._stats("govreports/frontier/load_queries")

    def _finished(self) -> list[str]:
        """Handed-out requests the engine no longer holds (downloaded, scraped, items done)
        and with no archive write still on its way (a failure handed to the writer thread)."""
        if not self._popped:
            return []
        busy = engine_busy_requests(self.crawler.engine)
        writing = archive_writes_pending(self.crawler)
        return [fingerprint for fingerprint, request in self._popped.items()
                if id(request) not in busy and not writing(fingerprint)]


    def _with_state(self, row: FrontierRow) -> FrontierRow:
        if row.fingerprint in self._popped or row.fingerprint in self._handed_out:
            state = "in_flight"
        elif row.fingerprint in self._queued:
            state = "queued"
        else:
            state = "in_flight"  # finished in this flush: marked done right after
        return FrontierRow(row.fingerprint, row.priority, row.url, row.request, state)

    def _row(self, fingerprint: str, request: Request) -> FrontierRow:
        data = pickle.dumps(request_dict(request, self.spider), protocol=4)
        return FrontierRow(fingerprint, request.priority, request.url, data)

    # -- helpers -------------------------------------------------------------------------
    def _push(self, fingerprint: str, priority: int, request: Request, *, may_be_spilled: bool) -> None:
        """Queue ``request`` as ``fingerprint``'s one entry; ``may_be_spilled``: the row may be
        queued and spilled already (a ``dont_filter`` request of a URL seen before), and its
        spilled entry is dropped (a scan of the spilled entries: rare)."""
        self._seq += 1
        if fingerprint in self._queued:
            self.held -= 1
        elif may_be_spilled:
            self._spilled.discard(fingerprint)
        self._queued[fingerprint] = (self._seq, priority, request)
        self.held += 1
        self._note_held()
        heapq.heappush(self._heap, (-priority, self._seq, fingerprint))

    def _note_held(self) -> None:
        if self.held > self.held_max:
            self.held_max = self.held
            if self.crawler.stats is not None:
                self.crawler.stats.max_value("govreports/frontier/held_max", self.held)

    def _fingerprint(self, request: Request) -> str:
        fingerprinter: Any = self.crawler.request_fingerprinter
        return str(fingerprinter.fingerprint(request).hex())

    def _stats(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

"""The archive's writer thread: each response's transaction and WARC record, off the reactor.

One thread per crawl, with a database connection of its own (an ``ArchiveDB`` on the same
URL, opened in that thread). The reactor hands it a response's write (document row, WARC
record, capture row, URL state and the frontier row's ``answered`` mark: one transaction) and
awaits the commit before the response goes on to the spider, so "answered" and everything
downstream (links, report rows) still follow the capture's commit. Writes run one at a time,
in the order they were handed over; the WARC file has one writer.

A write handed over by a synchronous hook (a failure recorded by a redirect or an errback) is
not awaited: its request's frontier key stays :meth:`ArchiveWriter.busy` until it is
committed, and the frontier does not mark the request ``done`` meanwhile
(``crawler.frontier.scheduler``), so a crash cannot lose it.

What overlaps with the reactor: SQLite's and psycopg's statement execution and commit,
zlib's compression of the WARC record and hashing release the GIL.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from storage.repository import ArchiveDB

T = TypeVar("T")
logger = logging.getLogger(__name__)


class ArchiveWriter:
    """A single thread running archive writes in order, with its own database connection."""

    #: Where the writes run (``thread``; ``process`` for :class:`ProcessWriter`).
    kind = "thread"

    def __init__(self, db_url: str, pool: Executor | None = None) -> None:
        self.db_url = db_url
        #: One worker: the writes run one at a time, in the order handed over.
        self._pool: Executor = pool or ThreadPoolExecutor(max_workers=1,
                                                          thread_name_prefix="govreports-archive")
        self._db: ArchiveDB | None = None
        self._busy: Counter[str | int] = Counter()
        self._lock = threading.Lock()
        self._backlog = 0
        self.closed = False

    @property
    def db(self) -> ArchiveDB:
        """The writer thread's database (opened on first use; only that thread uses it)."""
        if self._db is None:
            self._db = ArchiveDB(self.db_url, migrate=False)
        return self._db

    def operation(self, session: object, name: str) -> Any:
        """What :meth:`call` and :meth:`submit` take to run ``session``'s method ``name`` in
        the writer: the bound method (a writer process takes the name instead)."""
        return getattr(session, name)

    def _task(self, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any]:
        return functools.partial(func, *args, **kwargs)

    async def call(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` in the writer, after the writes handed over before; its
        result (or exception) when done. Without a running asyncio loop: waits for it here."""
        call = self._task(func, args, kwargs)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not under the asyncio reactor
            result: T = self._pool.submit(call).result()
            return result
        return await loop.run_in_executor(self._pool, call)

    def submit(self, keys: tuple[str | int, ...], func: Callable[..., T], /, *args: Any,
               **kwargs: Any) -> Future[T]:
        """Hand a write over without waiting for it; ``keys`` (a frontier key, a request's
        ``id()``) are busy until it is committed. A failure is logged (the crawl goes on, as
        when it ran inline)."""
        with self._lock:
            self._busy.update(keys)
            self._backlog += 1
        future: Future[T]
        try:
            future = self._pool.submit(self._task(func, args, kwargs))
        except RuntimeError as exc:  # the writer is gone (shut down; a writer process died)
            future = Future()
            future.set_exception(exc)
        future.add_done_callback(functools.partial(self._finished, keys))
        return future

    def _finished(self, keys: tuple[str | int, ...], future: Future[Any]) -> None:
        with self._lock:
            self._backlog -= 1
            self._busy.subtract(keys)
            for key in keys:
                if self._busy[key] <= 0:
                    del self._busy[key]
        error = future.exception()
        if error is not None:
            logger.error("archive write failed", exc_info=error)

    @property
    def backlog(self) -> int:
        """Writes handed over without waiting (:meth:`submit`) and not done yet."""
        return self._backlog

    def busy(self, key: str | int) -> bool:
        """True while a write handed over for ``key`` (a frontier key, a request's ``id()``)
        is not committed."""
        with self._lock:
            return key in self._busy

    def close(self) -> None:
        """Wait for the writes handed over, then close the writer's database. Idempotent."""
        if self.closed:
            return
        self.closed = True
        self._pool.shutdown(wait=True)
        if self._db is not None:
            self._db.close()

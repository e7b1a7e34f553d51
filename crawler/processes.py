"""Work sent to other processes: the page analysis of a crawl, off the crawler's GIL.

The crawler process is bound by one core (Scrapy, Twisted and the archive's threads share one
GIL). :class:`WorkerProcesses` runs a picklable function in a pool of worker processes, so it
takes the machine's other cores instead; with no workers it runs in the thread pool
(:func:`crawler.threads.in_thread`). Workers come from the ``forkserver`` (never ``fork`` from a
threaded process), and leave with the crawler, even when it is killed by SIGKILL: a worker
watches the crawler's process (:func:`exit_with`; its parent is the forkserver, and its call
queue's pipe, whose both ends every worker holds, never reaches end of file), and the
forkserver exits once the crawler and its workers are gone.
"""

from __future__ import annotations

import asyncio
import functools
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from crawler.parsing.api import worker_context
from crawler.run.children import process_alive
from crawler.threads import in_thread

T = TypeVar("T")


class WorkerProcesses:
    """``workers`` processes (0: none, the thread pool instead), started on first use.

    Starting them takes a while (the forkserver imports the parsing code before it forks the
    first worker: about 0.4 s here), and ``ProcessPoolExecutor`` starts a worker inside
    ``submit``. That is done in a thread (:meth:`start`), never on the event loop: a loop
    stalled that long fires every timer due meanwhile at once, which let two requests to one
    host go out closer than its Crawl-delay.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._starting: asyncio.Future[ProcessPoolExecutor] | None = None

    async def call(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` in a worker process (its result, or its exception)."""
        if self.workers == 0:
            return await in_thread(func, *args, **kwargs)
        pool = self._pool if self._pool is not None else await self.start()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(func, *args, **kwargs))

    async def start(self) -> ProcessPoolExecutor:
        """The pool with all its workers running, started in a thread (once, however many
        callers wait for it)."""
        if self._pool is not None:
            return self._pool
        if self._starting is None:
            self._starting = asyncio.ensure_future(in_thread(self._started_pool))
        try:
            self._pool = await asyncio.shield(self._starting)
        except BaseException:
            if self._starting.done():
                self._starting = None  # a failed start is tried again by the next call
            raise
        return self._pool

    def _started_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=worker_context(),
                                   initializer=exit_with, initargs=(os.getpid(),))
        # each submit finding no idle worker starts one: start them all here, off the event
        # loop (a worker busy for a moment is not idle, so the next submit starts another)
        for future in [pool.submit(time.sleep, 0.05) for _ in range(self.workers)]:
            future.result()
        return pool

    def close(self) -> None:
        """Stop the workers (calls not started are cancelled). Idempotent."""
        starting, self._starting = self._starting, None
        if self._pool is None and starting is not None and starting.done() \
                and not starting.cancelled() and starting.exception() is None:
            self._pool = starting.result()  # started while nobody was waiting any more
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def exit_with(pid: int) -> None:
    """In a worker: exit at once when process ``pid`` (the crawler) ends, however it ends."""
    threading.Thread(target=_watch, args=(pid,), name="govreports-watch-crawler",
                     daemon=True).start()


def _watch(pid: int) -> None:
    try:  # Linux 5.3+: readable when the process ends
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while process_alive(pid):
            time.sleep(1.0)
    os._exit(1)

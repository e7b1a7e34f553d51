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
    """``workers`` processes (0: none, the thread pool instead), started on first use."""

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None

    async def call(self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)`` in a worker process (its result, or its exception)."""
        if self.workers == 0:
            return await in_thread(func, *args, **kwargs)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=worker_context(),
                                             initializer=exit_with, initargs=(os.getpid(),))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(func, *args, **kwargs))

    def close(self) -> None:
        """Stop the workers (calls not started are cancelled). Idempotent."""
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

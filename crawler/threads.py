"""Blocking work off the reactor thread: one thread pool, awaited as an asyncio future.

:func:`in_thread` costs less per call than Twisted's ``deferToThread`` wrapped by Scrapy's
``maybe_deferred_to_future`` (its ``Team``/``LockWorker`` hand-off and the Deferred-to-Future
bridge were 4% of the crawler's CPU samples, twice per page). It needs the asyncio reactor
(``TWISTED_REACTOR`` in ``crawler.settings``); without a running asyncio loop it falls back
to ``deferToThread``.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: Threads of the pool (Scrapy's ``REACTOR_THREADPOOL_MAXSIZE`` default, which it replaces here).
MAX_THREADS = 10
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="govreports-work")
        return _pool


async def in_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` run in a pool thread; its result (or exception) when done."""
    call = functools.partial(func, *args, **kwargs)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not under the asyncio reactor: Twisted's pool
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        return await maybe_deferred_to_future(deferToThread(call))
    return await loop.run_in_executor(_executor(), call)

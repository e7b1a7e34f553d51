"""Retries with exponential backoff and jitter; a ``Retry-After`` answer waits as the server asks."""

from __future__ import annotations

import random
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from crawler.fetch.throttle import RETRY_AFTER_STATUSES, retry_after_seconds


class RetryBackoffMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting ``RETRY_BACKOFF_BASE * 2**n`` (± jitter) before retry n.

    Settings: those of ``RetryMiddleware`` plus ``RETRY_BACKOFF_BASE`` (seconds, default 0.5)
    and ``RETRY_BACKOFF_MAX`` (default 30).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def backoff_delay(self, retry_times: int) -> float:
        """Seconds to wait before the ``retry_times``-th retry."""
        delay = min(self.backoff_max, self.backoff_base * 2 ** max(retry_times - 1, 0))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not crypto

    async def _wait(self, result: Request | Response | None) -> None:
        if isinstance(result, Request):
            from twisted.internet import reactor  # the running one, installed by Scrapy

            delay = self.backoff_delay(result.meta.get("retry_times", 1))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if response.status in RETRY_AFTER_STATUSES and retry_after_seconds(
                response.headers.get("Retry-After")) is not None:
            # the host is paused for Retry-After (HostPolitenessMiddleware): the retry waits
            # there, with every other request to that host, not here as well
            return result
        await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        await self._wait(result)
        return result

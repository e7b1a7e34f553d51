"""Be polite where a host pushes back: Crawl-delay, Retry-After, backing off a failing host.

``HostPolitenessMiddleware`` holds each request until its host's :class:`HostClock` lets it
go, reads ``Crawl-delay`` from the host's robots.txt (Protego) as it passes, and pauses a host
that answers 429/503 with ``Retry-After`` or keeps failing. What it did per host is kept in
the crawl stats (``govreports/throttled``) for the run summary.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from protego import Protego
from scrapy.http import Request, Response

from crawler.discovery.urls import host_of
from crawler.fetch.throttle import FAILING_STATUSES, HostClock, retry_after_seconds

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
STATS_KEY = "govreports/throttled"


class HostPolitenessMiddleware:
    """Per-host pacing on top of Scrapy's slots and AutoThrottle.

    Settings: ``GOVREPORTS_MAX_WAIT`` (longest single pause, seconds, default 120),
    ``GOVREPORTS_BACKOFF_AFTER`` (failures in a row before a host is paused, default 3),
    ``GOVREPORTS_BACKOFF_BASE`` / ``GOVREPORTS_BACKOFF_MAX`` (pause ``base * 2**k``, default
    1 s and 60 s), ``ROBOTSTXT_OBEY`` (Crawl-delay is read only when robots.txt is obeyed),
    ``USER_AGENT``.
    """

    def __init__(self, crawler: Crawler, clock: HostClock, *, user_agent: str, obey_robots: bool) -> None:
        self.crawler = crawler
        self.clock = clock
        self.user_agent = user_agent
        self.obey_robots = obey_robots

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostPolitenessMiddleware:
        s = crawler.settings
        clock = HostClock(max_wait=s.getfloat("GOVREPORTS_MAX_WAIT", 120.0),
                          backoff_after=s.getint("GOVREPORTS_BACKOFF_AFTER", 3),
                          backoff_base=s.getfloat("GOVREPORTS_BACKOFF_BASE", 1.0),
                          backoff_max=s.getfloat("GOVREPORTS_BACKOFF_MAX", 60.0))
        return cls(crawler, clock, user_agent=s.get("USER_AGENT", ""),
                   obey_robots=s.getbool("ROBOTSTXT_OBEY"))

    async def process_request(self, request: Request) -> None:
        """Wait until the request's host may be asked again: its booked slot, then as long as
        the host's last request is closer than its Crawl-delay or a pause holds."""
        host = host_of(request.url)
        wait = self.clock.reserve(host)
        while True:
            if wait > 0:
                await asyncio.sleep(wait)
                self._publish()
            wait = self.clock.release(host)
            if wait <= 0:
                return None

    def process_response(self, request: Request, response: Response) -> Response:
        """Read Crawl-delay from robots.txt; pause the host on Retry-After or repeated failure."""
        host = host_of(request.url)
        robots = (self.obey_robots and request.url.endswith("/robots.txt")
                  and urlsplit(request.url).path == "/robots.txt" and response.status == 200)
        if robots:
            self._crawl_delay(host, response)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        paused = self.clock.answered(host, response.status, retry_after)
        if paused:
            logger.info("host paused", extra={"host": host, "status": response.status,
                                               "seconds": paused})
        if robots or paused or response.status in FAILING_STATUSES:
            self._publish()  # only these change what throttled() reports (not every 200)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A failed fetch counts towards backing the host off."""
        from scrapy.exceptions import IgnoreRequest

        if not isinstance(exception, IgnoreRequest):
            self.clock.answered(host_of(request.url), None)
            self._publish()
        return None

    def _crawl_delay(self, host: str, response: Response) -> None:
        try:
            robots = Protego.parse(response.body.decode("utf-8", errors="replace"))
            delay = robots.crawl_delay(self.user_agent)
        except Exception:  # noqa: BLE001 - an unreadable robots.txt sets no delay
            return
        if delay:
            self.clock.set_crawl_delay(host, float(delay))
            logger.info("robots.txt Crawl-delay", extra={"host": host, "seconds": float(delay)})

    def _publish(self) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value(STATS_KEY, self.clock.throttled())

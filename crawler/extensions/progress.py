"""Show a crawl's progress while it runs: one updating line on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, TextIO

from scrapy import signals
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("govreports.progress")


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def progress_line(values: dict[str, object], elapsed: float) -> str:
    """One line: fetches, reports, errors, rate."""
    fetched = _count(values.get("govreports/fetches"))
    reports = _count(values.get("govreports/reports_found"))
    errors = sum(_count(v) for k, v in values.items() if k.startswith("govreports/errors/"))
    queued = _count(values.get("scheduler/enqueued")) - _count(values.get("scheduler/dequeued"))
    rate = fetched / elapsed if elapsed > 0 else 0.0
    return (
        f"fetched {fetched} pages ({rate:.1f}/s) | reports {reports} | errors {errors} | "
        f"queued {max(queued, 0)} | {elapsed:.0f}s"
    )


class ProgressExtension:
    """Every ``GOVREPORTS_PROGRESS_INTERVAL`` seconds (default 2), report the crawl's progress.

    Settings: ``GOVREPORTS_PROGRESS_INTERVAL``, ``GOVREPORTS_PROGRESS`` (False to silence).
    """

    def __init__(self, crawler: Crawler, interval: float, stream: TextIO) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GOVREPORTS_PROGRESS", True):
            raise NotConfigured
        extension = cls(crawler, crawler.settings.getfloat("GOVREPORTS_PROGRESS_INTERVAL", 2.0), sys.stderr)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self, final: bool = False) -> None:
        assert self.crawler.stats is not None
        line = progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        if self.stream.isatty():
            self.stream.write(("\r" + line + ("\n" if final else "")).ljust(100))
            self.stream.flush()
        else:
            logger.info("progress %s", line)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show(final=True)

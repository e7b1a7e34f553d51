"""Show a crawl's progress while it runs: a rich progress bar on a terminal, log lines otherwise.

Rate is pages fetched per second since the start; the ETA is the queue divided by that rate
(a crawl discovers its work as it goes, so the ETA moves as the queue grows). In distributed
mode the queue is the shared frontier's (every worker's), read from the scheduler; the other
figures are this worker's.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from twisted.internet import task

from crawler.run.logformat import formatter_for

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID
    from scrapy.crawler import Crawler

logger = logging.getLogger("govreports.progress")


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


@dataclass(frozen=True)
class Snapshot:
    """The crawl's figures at one moment."""

    fetched: int
    reports: int
    errors: int
    queued: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Pages fetched per second since the start."""
        return self.fetched / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds until the queue is empty at the current rate (None: no rate yet)."""
        return self.queued / self.rate if self.rate > 0 else None

    def fields(self) -> dict[str, Any]:
        """The figures as structured log fields."""
        eta = self.eta_seconds
        return {"fetched": self.fetched, "reports": self.reports, "errors": self.errors,
                "queued": self.queued, "rate": round(self.rate, 2),
                "eta_s": round(eta) if eta is not None else None, "elapsed_s": round(self.elapsed)}


def snapshot(values: dict[str, object], elapsed: float, *, queued: int | None = None) -> Snapshot:
    """Read the crawl's figures from Scrapy stats; ``queued``, when given (the shared frontier of
    a distributed run), replaces this process's enqueued − dequeued."""
    if queued is None:
        queued = _count(values.get("scheduler/enqueued")) - _count(values.get("scheduler/dequeued"))
    return Snapshot(
        fetched=_count(values.get("govreports/fetches")),
        reports=_count(values.get("govreports/reports_found")),
        errors=sum(_count(v) for k, v in values.items() if k.startswith("govreports/errors/")),
        queued=max(queued, 0),
        elapsed=elapsed,
    )


def progress_line(now: Snapshot) -> str:
    """One readable line: fetches, rate, reports, errors, queue, ETA."""
    eta = now.eta_seconds
    return (f"fetched {now.fetched} pages ({now.rate:.1f}/s) | reports {now.reports} | "
            f"errors {now.errors} | queued {now.queued} | "
            f"eta {'—' if eta is None else f'{eta:.0f}s'} | {now.elapsed:.0f}s")


class TerminalProgress:
    """A rich progress bar: pages fetched of fetched + queued, rate, ETA, reports, errors."""

    def __init__(self, console: Console) -> None:
        # rich is imported here: only a crawl on a terminal draws a bar
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("crawling"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} pages/s"), TextColumn("eta"), TimeRemainingColumn(),
            TextColumn("reports {task.fields[reports]} · errors {task.fields[errors]}"),
            console=console, redirect_stdout=False, redirect_stderr=False, transient=False,
        )
        self.task: TaskID | None = None

    def update(self, now: Snapshot) -> None:
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("crawl", total=None, rate=0.0, reports=0, errors=0)
        self.progress.update(self.task, completed=now.fetched, total=now.fetched + now.queued,
                             rate=now.rate, reports=now.reports, errors=now.errors)

    def close(self) -> None:
        if self.task is not None:
            self.progress.refresh()
            self.progress.stop()


class ProgressExtension:
    """Report the crawl's progress: a bar on a terminal, else a log line every so often.

    Settings: ``GOVREPORTS_PROGRESS`` (False to silence), ``GOVREPORTS_PROGRESS_INTERVAL``
    (bar refresh, default 1 s), ``GOVREPORTS_PROGRESS_LOG_INTERVAL`` (seconds between log
    lines when stderr is not a terminal, default 30), ``GOVREPORTS_LOG_FORMAT`` (``kv`` or
    ``json``: the format of those lines on stderr; they also go to the run log).
    """

    def __init__(self, crawler: Crawler, *, stream: TextIO, interval: float, log_interval: float,
                 log_format: str = "kv", terminal: bool | None = None) -> None:
        self.crawler = crawler
        self.stream = stream
        self.terminal = stream.isatty() if terminal is None else terminal
        self.interval = interval if self.terminal else log_interval
        self.log_format = log_format
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self.bar: TerminalProgress | None = None
        self.handler: logging.Handler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not settings.getbool("GOVREPORTS_PROGRESS", True):
            raise NotConfigured
        extension = cls(crawler, stream=sys.stderr,
                        interval=settings.getfloat("GOVREPORTS_PROGRESS_INTERVAL", 1.0),
                        log_interval=settings.getfloat("GOVREPORTS_PROGRESS_LOG_INTERVAL", 30.0),
                        log_format=settings.get("GOVREPORTS_LOG_FORMAT", "kv"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        if self.terminal:
            from rich.console import Console

            self.bar = TerminalProgress(Console(file=self.stream, force_terminal=True))
        else:
            self.handler = logging.StreamHandler(self.stream)
            self.handler.setFormatter(formatter_for(self.log_format))
            logger.addHandler(self.handler)
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self) -> None:
        assert self.crawler.stats is not None
        now = snapshot(self.crawler.stats.get_stats(), time.monotonic() - self.started,
                       queued=self._shared_queued())
        if self.bar is not None:
            self.bar.update(now)
        else:
            logger.info("progress %s", progress_line(now), extra=now.fields())

    def _shared_queued(self) -> int | None:
        """The shared frontier's queue when the scheduler has one (distributed), else None."""
        engine = self.crawler.engine
        queued = getattr(getattr(engine, "scheduler", None), "queued", None)
        if not callable(queued):
            return None
        try:
            return int(queued())
        except Exception:  # noqa: BLE001 - Redis unreachable for a moment: fall back to stats
            logger.debug("shared queue size unavailable", exc_info=True)
            return None

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()
        if self.bar is not None:
            self.bar.close()
        if self.handler is not None:
            logger.removeHandler(self.handler)

"""The one owner of a crawl run: open or resume it, revalidate, detect changes, finish it.

``scrapy crawl portal`` and ``govreports crawl`` both run through :class:`RunOwner`, so they
have the same effects on the archive and record the same events. Middlewares, the pipeline,
the scheduler and the spider reach the run's services as
``crawler.get_extension(RunOwner)`` (``.db``, ``.session``, ``.run_id``).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.archive.policy import policy_class
from crawler.archive.session import ArchiveSession, WriterKind
from crawler.archive.stores import open_archive_storage, settings_target
from crawler.config import default_db_url, env_value
from crawler.frontier.base import Frontier
from crawler.frontier.scheduler import META_FRONTIER_KEY
from crawler.middlewares.politeness import STATS_KEY as THROTTLE_STATS_KEY
from crawler.reports.changes import ChangeRecorder, Deadlines
from crawler.run.children import remove_stale_temp_dirs
from crawler.run.opening import (
    OpenedRun,
    RunOpenError,
    clear_marker,
    open_run,
    seed_key,
    write_marker,
)
from crawler.run.summary import summarize_run
from crawler.version import software_version
from storage.frontier import FrontierStore
from storage.repository import ArchiveDB
from storage.runlock import RunLocks, this_holder

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from crawler.alerts.config import AlertSettings
    from crawler.alerts.delivery import DeliverySummary
    from crawler.extensions.distributed_end import DistributedEnd
    from crawler.run.distributed import DistributedRun

logger = logging.getLogger(__name__)

#: Finish reasons of a stop with work left (not a failure): the run can be continued.
_INTERRUPT_REASONS = ("shutdown", "lock_lost")


def today_from(value: str | date | None) -> date:
    """The day deadlines are judged on: ``value``, else ``$GOVREPORTS_TODAY``, else today (UTC)."""
    if isinstance(value, date):
        return value
    configured = value or env_value("GOVREPORTS_TODAY")
    if configured:
        try:
            return date.fromisoformat(configured)
        except ValueError as exc:
            raise RunOpenError(f"GOVREPORTS_TODAY={configured!r} is not a date (YYYY-MM-DD)") from exc
    return datetime.now(UTC).date()


class RunOwner:
    """Scrapy extension owning the crawl run (see module docstring).

    Settings: ``GOVREPORTS_DB``, ``GOVREPORTS_ARCHIVE``, ``GOVREPORTS_RESUME`` (insist on
    continuing a run), ``GOVREPORTS_RUN_LOCK_WAIT`` (seconds to wait for a live crawl of the
    same seeds, default 0: refuse), ``GOVREPORTS_RUN_LOCK_STALE`` (seconds without heartbeat
    after which a lock is dead, default 60), ``GOVREPORTS_HEARTBEAT_SECONDS`` (default 5),
    ``GOVREPORTS_RECRAWL_POLICY``, ``GOVREPORTS_INSECURE_HOSTS``, ``GOVREPORTS_ALERTS`` (an
    ``AlertSettings``; default: read from ``GOVREPORTS_CONFIG``, ``$GOVREPORTS_CONFIG`` or
    ``./govreports.toml``), ``GOVREPORTS_TODAY``, ``GOVREPORTS_SCHEDULE_ID``,
    ``GOVREPORTS_RUN_SETTINGS`` (what to record as the run's settings).
    """

    def __init__(self, crawler: Crawler, *, db: ArchiveDB, opened: OpenedRun, session: ArchiveSession,
                 archive_dir: Path, alerts: AlertSettings | None, today: date, heartbeat_seconds: float,
                 stale_after: timedelta) -> None:
        self.crawler = crawler
        self.db = db
        self.opened = opened
        self.run_id = opened.run_id
        self.session = session
        self.archive_dir = archive_dir
        self.alerts = alerts
        self.today = today
        self.heartbeat_seconds = heartbeat_seconds
        self.locks = RunLocks(db.session, stale_after=stale_after)
        self.frontier: Frontier | None = None
        self.status: str | None = None
        self.events: list[str] = []
        self.delivery: DeliverySummary | None = None
        self.lock_lost = False
        self._heartbeat: task.LoopingCall | None = None
        self._log_handler: logging.Handler | None = None
        self._closed = False
        #: Set for a worker of a distributed run (``govreports crawl/worker --redis``).
        self.distributed: DistributedEnd | None = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunOwner:
        settings = crawler.settings
        spider = crawler.spider
        seeds = list(getattr(spider, "seed_urls", []))
        hosts = set(getattr(spider, "hosts", set()))
        target = settings_target(settings.get("GOVREPORTS_ARCHIVE"),
                                 settings.get("GOVREPORTS_ARCHIVE_STORE"))
        archive_dir = target.local_dir
        alerts = settings.get("GOVREPORTS_ALERTS") or _load_alerts(settings.get("GOVREPORTS_CONFIG"))
        today = today_from(settings.get("GOVREPORTS_TODAY"))
        db = ArchiveDB(settings.get("GOVREPORTS_DB") or default_db_url(), migrate=True)
        stale_after = timedelta(seconds=settings.getfloat("GOVREPORTS_RUN_LOCK_STALE", 60.0))
        channels = alerts.channels() if alerts is not None else []
        recorded = settings.getdict("GOVREPORTS_RUN_SETTINGS") or {"launched_by": "scrapy crawl"}

        def start(key: str) -> int:
            return db.start_run(seeds=seeds, software_version=software_version(),
                                settings=recorded | {"alert_channels": channels},
                                schedule_id=settings.getint("GOVREPORTS_SCHEDULE_ID") or None,
                                seed_key=key)

        distributed: DistributedRun | None = None
        try:
            if settings.get("GOVREPORTS_REDIS_URL"):  # a worker of a distributed run
                from crawler.run.distributed import DistributedRun  # the distributed extra
                distributed = DistributedRun.connect(settings.get("GOVREPORTS_REDIS_URL"),
                                                     settings.get("GOVREPORTS_RUN_KEY"))
                opened = OpenedRun(run_id=distributed.join().run_id, seed_key=seed_key(seeds),
                                   holder=this_holder(), resumed=False)
            else:
                opened = open_run(db, seeds=seeds, resume=settings.getbool("GOVREPORTS_RESUME"),
                                  wait_seconds=settings.getfloat("GOVREPORTS_RUN_LOCK_WAIT", 0.0),
                                  stale_after=stale_after, start=start)
        except BaseException:
            db.close()
            raise
        run_id = opened.run_id

        session = ArchiveSession.open(
            db=db, archive_dir=archive_dir, run_id=opened.run_id,
            storage=open_archive_storage(target),
            storage_factory=functools.partial(open_archive_storage, target),
            warc_max_bytes=settings.getint("GOVREPORTS_WARC_MAX_BYTES", 1_000_000_000),
            insecure_hosts=set(settings.getlist("GOVREPORTS_INSECURE_HOSTS")),
            policy=policy_class(settings).from_archive(settings, db, hosts),
            alert_channels=channels, alert_baseline=settings.getbool("GOVREPORTS_ALERT_BASELINE"),
            on_capture=FrontierAnswered(run_id),
            max_size=settings.getint("DOWNLOAD_MAXSIZE"),
            writer=archive_writer_kind(settings),
        )
        owner = cls(crawler, db=db, opened=opened, session=session, archive_dir=archive_dir,
                    alerts=alerts, today=today,
                    heartbeat_seconds=settings.getfloat("GOVREPORTS_HEARTBEAT_SECONDS", 5.0),
                    stale_after=stale_after)
        if distributed is not None:
            from crawler.extensions.distributed_end import DistributedEnd

            owner.distributed = DistributedEnd(crawler, distributed, db, opened.run_id)
        remove_stale_temp_dirs()  # of parse workers and converters killed with an earlier crawl
        owner.start_run_log(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"),
                            settings.get("LOG_LEVEL") or "INFO",
                            structure=settings.get("GOVREPORTS_LOG_FORMAT") or "kv")
        write_marker(archive_dir, seeds, opened.run_id)
        logger.info("crawl run %s", "joined" if distributed is not None
                    else "resumed" if opened.resumed else "started",
                    extra={"run_id": opened.run_id, "crashed_before": list(opened.crashed)})
        if distributed is None:  # a distributed run's finisher delivers
            owner.deliver_alerts()  # what a killed or failed earlier delivery left pending
        crawler.signals.connect(owner.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(owner.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(owner.spider_closed, signal=signals.spider_closed)
        return owner

    def start_run_log(self, log_format: str | None, date_format: str | None, level: str,
                      structure: str = "kv") -> None:
        """Copy this process's log lines to ``ARCHIVE/logs/run-N.log`` while the run is open,
        as ``key=value`` lines or (``structure="json"``, ``crawl --log-format json``) JSON lines."""
        from crawler.logs import KeyValueFormatter
        from crawler.run.logformat import JsonLinesFormatter

        log_dir = self.archive_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_dir / f"run-{self.run_id}.log", encoding="utf-8")
        handler.setFormatter(JsonLinesFormatter() if structure == "json"
                             else KeyValueFormatter(log_format or None, date_format or None))
        handler.setLevel(level)
        logging.getLogger().addHandler(handler)
        self._log_handler = handler

    def spider_opened(self) -> None:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if isinstance(scheduler, Frontier):
            self.frontier = scheduler
        restore = getattr(self.crawler.spider, "restore_state", None)
        if self.distributed is not None:
            self.distributed.keep_frontier()  # the engine lets go of it while closing
            return  # no run lock: the workers' heartbeats are in Redis
        if restore is not None and self.opened.resumed:
            scheduled = self._scheduled_requests()
            restore(scheduled=scheduled, fetched=self.db.run_fetches(self.run_id))
            restore_forms = getattr(self.crawler.spider, "restore_search_forms", None)
            if restore_forms is not None:
                restore_forms(self._first_pages(), scheduled)
        self._heartbeat = task.LoopingCall(self.beat)
        self._heartbeat.start(self.heartbeat_seconds, now=False)

    def _scheduled_requests(self) -> list[tuple[str, dict[str, Any]]]:
        """(url, meta) of every request in this run's frontier (to rebuild the spider's state)."""
        import pickle

        rows = FrontierStore(self.db.session, self.run_id).rows()
        return [(row.url, pickle.loads(row.request).get("meta") or {}) for row in rows]  # noqa: S301

    def _first_pages(self) -> list[tuple[str, str, str]]:
        """(url, HTML, charset) of each host's first page in this run, read from the archive."""
        from crawler.fetch.encoding import decode_page

        pages = []
        for url, sha256, charset in self.db.run_first_pages(self.run_id):
            try:
                body = self.session.blobs.get(sha256)
            except FileNotFoundError:
                continue
            decoded = decode_page(body, f"text/html; charset={charset}" if charset else None)
            pages.append((url, decoded.text, decoded.charset))
        return pages

    def beat(self) -> None:
        """Refresh the run lock's heartbeat; losing the lock stops the crawl."""
        if self.locks.heartbeat(self.opened.seed_key, self.opened.holder):
            return
        self.lock_lost = True
        logger.error("the run lock was taken over by another crawl; stopping",
                     extra={"run_id": self.run_id})
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="lock_lost"))

    # -- discovery done: known report URLs no link led to ----------------------------------
    def spider_idle(self) -> None:
        """Ask the sites' own search (the spider's ``site_search_requests``), then fetch known
        report URLs that no link led to this time (once, at the end). A distributed run does
        this once for all workers (``crawler.extensions.distributed_end``)."""
        if self.distributed is not None:
            self.distributed.on_idle()
            return
        spider = self.crawler.spider
        engine = self.crawler.engine
        search = getattr(spider, "site_search_requests", None)
        if search is not None and engine is not None:
            searches = search()
            for request in searches:
                engine.crawl(request)
            if searches:
                raise DontCloseSpider
        make = getattr(spider, "revalidation_requests", None)
        if make is None or engine is None:
            return
        requests = make(self.db.live_report_documents(getattr(spider, "hosts", set())))
        if not requests:
            return
        for request in requests:
            engine.crawl(request)
        scheduler = engine.scheduler
        if scheduler is not None and scheduler.has_pending_requests():
            logger.info("revalidating unlisted report URLs", extra={"count": len(requests)})
            raise DontCloseSpider

    # -- closing ---------------------------------------------------------------------------
    def spider_closed(self, reason: str) -> None:
        """Finish the run: status, change detection (completed runs only), counts, alerts."""
        if self._closed:
            return
        self._closed = True
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        failed_uploads = self.session.close()  # waits for the WARC uploads still running
        if failed_uploads and self.crawler.stats is not None:
            self.crawler.stats.set_value("govreports/errors/warc_upload", len(failed_uploads))
        if (self.distributed is not None and not self.distributed.finisher
                and reason.startswith("closespider_")):  # the run's --max-pages: one worker stops it
            self.distributed.finisher = self.distributed.claim_stop(
                str(getattr(self.frontier, "worker_id", this_holder())))
        if self.distributed is not None and not self.distributed.finisher:
            self._leave_distributed(reason)
            return
        if self.distributed is not None:
            self.distributed.before_finish()
        drained = self.frontier.drained() if self.frontier is not None else reason == "finished"
        if drained and reason == "finished":
            self.status = "completed"
        elif reason in _INTERRUPT_REASONS:
            self.status = "interrupted"
        elif reason.startswith("closespider_"):
            self.status = "stopped"  # a budget: continued only by --resume
        else:
            self.status = "failed"
        if self.status == "completed":
            self.events = self.detect_changes()
        summary = summarize_run(self.db, self.run_id, archive_dir=self.archive_dir,
                                status=self.status)
        stats = self.crawler.stats
        summary.throttled = dict((stats.get_value(THROTTLE_STATS_KEY) if stats else None) or {})
        self.db.finish_run(self.run_id, status=self.status, counts=summary.counts())
        if self.status == "completed":
            clear_marker(self.archive_dir, list(getattr(self.crawler.spider, "seed_urls", [])))
        if not self.lock_lost and self.distributed is None:
            self.locks.release(self.opened.seed_key, self.opened.holder)
        # after the run is recorded: a crash while delivering leaves a finished run and a
        # durable outbox, which the next crawl (or `govreports alerts deliver`) delivers
        self.delivery = self.deliver_alerts()
        self.db.close()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()

    def _leave_distributed(self, reason: str) -> None:
        """A worker that does not finish the run: it leaves it as it is."""
        # the run ends (done, or stopped at --max-pages) by another worker: wait for it
        ended = reason == "finished" or reason.startswith("closespider_")
        self.status = "worker_done" if ended else "worker_stopped"
        logger.info("worker stopped", extra={"run_id": self.run_id, "reason": reason})
        self.db.close()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()

    def detect_changes(self) -> list[str]:
        """After a completed crawl: reports gone from its hosts, agencies past their deadline."""
        spider = self.crawler.spider
        hosts: set[str] = getattr(spider, "hosts", set())
        recorder = ChangeRecorder(self.db, run_id=self.run_id, channels=self.session.alert_channels,
                                  baseline=self.session.alert_baseline)
        events = recorder.detect_removals(hosts=hosts, listed_urls=getattr(spider, "listed_urls", set()),
                                          revalidated=getattr(spider, "revalidated", {}),
                                          unfinished_hosts=getattr(spider, "unfinished_hosts", set()))
        events += recorder.detect_overdue(hosts=hosts, today=self.today, deadlines=self.deadlines)
        if events:
            logger.info("alerts recorded after the crawl", extra={"count": len(events)})
        return events

    @property
    def deadlines(self) -> Deadlines:
        """Legal deadlines for overdue reports (configurable in the alert settings)."""
        if self.alerts is None:
            return Deadlines()
        return self.alerts.deadlines()

    def deliver_alerts(self) -> DeliverySummary | None:
        """One delivery pass of the alert outbox (pending alerts of earlier runs included)."""
        if self.alerts is None or not (self.alerts.channels() or self.alerts.atom_path):
            return None
        from crawler.alerts.delivery import deliver_pending

        summary = deliver_pending(self.db.engine, self.alerts)
        logger.info("alerts delivered", extra={"delivered": summary.delivered, "failed": summary.failed})
        return summary


def _load_alerts(config: str | None) -> AlertSettings | None:
    from crawler.alerts.config import AlertConfigError, load_settings

    try:
        return load_settings(config or None)
    except (AlertConfigError, OSError) as exc:
        raise RunOpenError(f"alert settings: {exc}") from exc


@dataclass(frozen=True)
class FrontierAnswered:
    """The archive's ``on_capture`` hook: marks the request's frontier row answered in its
    capture's transaction (a plain object: a writer process gets it pickled)."""

    run_id: int

    def __call__(self, request: Any, capture_db: ArchiveDB) -> None:
        key = request.meta.get(META_FRONTIER_KEY)
        if key is not None:
            FrontierStore(capture_db.session, self.run_id).stage_answered(key)


def archive_writer_kind(settings: Settings) -> WriterKind:
    """Where the archive's write path runs: ``GOVREPORTS_ARCHIVE_PROCESS`` (a writer process),
    else ``GOVREPORTS_ARCHIVE_THREAD`` (a writer thread), else inline on the reactor."""
    if settings.getbool("GOVREPORTS_ARCHIVE_PROCESS"):
        return "process"
    return "thread" if settings.getbool("GOVREPORTS_ARCHIVE_THREAD", True) else "inline"

"""Run a crawl from Python: build the settings, run the portal spider, read the summary.

The run itself (open or resume, lock, frontier, change detection, alerts) belongs to the
run owner extension (``crawler/extensions/run_owner.py``), so ``scrapy crawl portal`` does the
same. The CLI (``govreports crawl``) is a thin layer over :func:`run_crawl`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.alerts.config import AlertSettings
from crawler.archive.folder import ArchiveFolderError, prepare_archive_folder
from crawler.archive.stores import open_archive_storage
from crawler.config import ArchiveTarget
from crawler.errors import GovreportsError
from crawler.extensions.run_owner import RunOwner, today_from
from crawler.middlewares.politeness import STATS_KEY as THROTTLE_STATS_KEY
from crawler.reports.changes import Deadlines
from crawler.run.opening import RUN_FILE, RunOpenError, job_dir
from crawler.run.summary import CrawlSummary, summarize_run
from spiders.portal import PortalSpider, read_seeds
from storage.db import migrate
from storage.repository import ArchiveDB
from storage.s3 import ObjectStoreError

__all__ = ["RUN_FILE", "CrawlOptions", "CrawlSetupError", "build_settings", "job_dir", "run_crawl"]

logger = logging.getLogger(__name__)

#: Settings of a worker of a distributed run (``--redis``): the shared frontier in Redis.
DISTRIBUTED_SETTINGS: dict[str, Any] = {
    "SCHEDULER": "crawler.frontier.redis_scheduler.RedisScheduler",
}
#: Downloader middlewares added in distributed mode: politeness held across workers.
#: (after the redirect middleware, 600: its response hook runs before a redirect replaces it)
DISTRIBUTED_MIDDLEWARES: dict[str, int] = {
    "crawler.middlewares.global_politeness.GlobalPolitenessMiddleware": 610,
}
#: Extensions added in distributed mode: ``--max-pages`` counted for all workers together.
DISTRIBUTED_EXTENSIONS: dict[str, int] = {
    "crawler.extensions.run_page_limit.RunPageLimit": 500,
}
#: Seconds a worker that does not finish the run waits for the one that does.
FINISH_WAIT_SECONDS = 300.0


class CrawlSetupError(GovreportsError):
    """The crawl could not start; the message says what to do about it."""


@dataclass
class CrawlOptions:
    """Everything a crawl needs to know."""

    seeds: list[str]
    db_url: str
    archive_dir: Path
    max_pages: int | None = None
    #: ``s3://bucket/prefix`` holding blobs and WARC files (``archive_dir`` then holds logs, job
    #: state and WARC files being written); None: the folder holds everything.
    archive_store: str | None = None
    max_pages_per_host: int | None = None
    resume: bool = False
    insecure_hosts: list[str] = field(default_factory=list)
    ca_file: str | None = None
    timeout: float | None = None
    parse: bool = True
    progress: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    #: Alert channels and deadlines (``crawler.alerts.config``); None: no delivery.
    alerts: AlertSettings | None = None
    #: The day overdue reports are judged on (default: today, or $GOVREPORTS_TODAY).
    today: date | None = None
    #: Record this crawl's alert events as a baseline: kept, marked, never announced.
    baseline: bool = False
    #: Format of the run log and of progress log lines: ``kv`` or ``json`` (JSON lines).
    log_format: str = "kv"
    #: ``domain`` (a seed's registered domain) or ``host`` (exactly the seed's host).
    scope: str = "domain"
    #: Further hosts the crawl may fetch from.
    allow_hosts: list[str] = field(default_factory=list)
    #: Host names answered without DNS: {name: IP address} (``--resolve``).
    resolve: dict[str, str] = field(default_factory=dict)
    #: Distributed mode: the Redis holding the shared frontier (None: one process, embedded).
    redis_url: str | None = None
    #: Distributed mode: the run's key (its Redis keys are ``govreports:<run_key>:…``).
    run_key: str = "default"
    #: Distributed mode: join a run started by ``govreports crawl --redis`` (``govreports worker``).
    worker: bool = False

    @property
    def alert_channels(self) -> list[str]:
        """Channels new alert events are queued for."""
        return self.alerts.channels() if self.alerts is not None else []

    @property
    def deadlines(self) -> Deadlines:
        """Legal deadlines for overdue reports (configurable in the alert settings)."""
        if self.alerts is None:
            return Deadlines()
        return self.alerts.deadlines()
    #: The schedule that started this crawl (``govreports schedule run``), recorded on the run.
    schedule_id: int | None = None


def build_settings(options: CrawlOptions) -> Settings:
    """Scrapy settings for one run: project defaults plus this run's options."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    log_dir = options.archive_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {
        "GOVREPORTS_DB": options.db_url,
        "GOVREPORTS_ARCHIVE": str(options.archive_dir),
        "GOVREPORTS_ARCHIVE_STORE": options.archive_store or "",
        "GOVREPORTS_RESUME": options.resume,
        "GOVREPORTS_INSECURE_HOSTS": options.insecure_hosts,
        "GOVREPORTS_CA_FILE": options.ca_file or "",
        "GOVREPORTS_PARSE": options.parse,
        "GOVREPORTS_PROGRESS": options.progress,
        "GOVREPORTS_ALERTS": options.alerts,
        "GOVREPORTS_ALERT_BASELINE": options.baseline,
        "GOVREPORTS_LOG_FORMAT": options.log_format,
        "GOVREPORTS_TODAY": options.today.isoformat() if options.today else "",
        "GOVREPORTS_SCHEDULE_ID": options.schedule_id or 0,
        "GOVREPORTS_RUN_SETTINGS": _recorded_settings(options),
        "GOVREPORTS_SCOPE": options.scope,
        "GOVREPORTS_ALLOW_HOSTS": options.allow_hosts,
        "GOVREPORTS_RESOLVE": options.resolve,
        "LOG_FILE": str(log_dir / ("crawl.log" if not options.redis_url
                                   else f"worker-{socket.gethostname()}-{os.getpid()}.log")),
    }
    if options.max_pages and not options.redis_url:
        overrides["CLOSESPIDER_PAGECOUNT"] = options.max_pages
    if options.max_pages and options.redis_url:  # one budget for all workers, in Redis
        overrides["GOVREPORTS_RUN_MAX_PAGES"] = options.max_pages
    if options.max_pages_per_host:
        overrides["GOVREPORTS_MAX_PAGES_PER_HOST"] = options.max_pages_per_host
    if options.timeout:
        overrides["DOWNLOAD_TIMEOUT"] = options.timeout
    if options.redis_url:
        overrides.update(DISTRIBUTED_SETTINGS)
        overrides["GOVREPORTS_REDIS_URL"] = options.redis_url
        overrides["GOVREPORTS_RUN_KEY"] = options.run_key
        overrides["DOWNLOADER_MIDDLEWARES"] = {**settings.getdict("DOWNLOADER_MIDDLEWARES"),
                                               **DISTRIBUTED_MIDDLEWARES}
        overrides["EXTENSIONS"] = {**settings.getdict("EXTENSIONS"), **DISTRIBUTED_EXTENSIONS}
    overrides.update(options.settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


def _recorded_settings(options: CrawlOptions) -> dict[str, Any]:
    """The options as stored with the run."""
    return _jsonable({k: v for k, v in vars(options).items() if k not in ("settings", "archive_dir", "alerts")}
                     | {"archive_dir": str(options.archive_dir), "scrapy": options.settings,
                        "deadlines": vars(options.deadlines)})


def today_for(options: CrawlOptions) -> date:
    """The day deadlines are judged on: the option, else ``$GOVREPORTS_TODAY``, else today."""
    try:
        return today_from(options.today)
    except RunOpenError as exc:
        raise CrawlSetupError(str(exc)) from exc


def run_crawl(options: CrawlOptions) -> CrawlSummary:
    """Crawl the seeds into the archive; return the run's summary.

    Builds the settings, runs the portal spider (whose run owner opens, resumes and finishes
    the run) and reads the summary back. Raises :class:`CrawlSetupError` when the crawl
    cannot start (no seeds, bad database URL, nothing to resume, another crawl of the same
    seeds running). Pages that fail are recorded, not raised.
    """
    if not options.worker:
        options.seeds = read_seeds(options.seeds, None)
    options.today = today_for(options)
    if not options.seeds and not options.worker:
        raise CrawlSetupError("no seed URLs given: pass one or more URLs, or --seeds FILE")
    try:
        options.archive_dir = prepare_archive_folder(options.archive_dir)
    except ArchiveFolderError as exc:
        raise CrawlSetupError(str(exc)) from exc
    if options.archive_store:
        try:
            open_archive_storage(ArchiveTarget(options.archive_dir, options.archive_store)).check()
        except ObjectStoreError as exc:
            raise CrawlSetupError(exc.explain()) from exc
    try:
        migrate(options.db_url)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the user
        raise CrawlSetupError(
            f"cannot open the database {options.db_url!r}: {exc}. "
            "Check --db or GOVREPORTS_DB (e.g. sqlite:///govreports.db or postgresql+psycopg://…)."
        ) from exc

    if options.redis_url:
        from crawler.run.distributed_start import prepare

        prepare(options, worker=options.worker, recorded=_recorded_settings(options))
    process = CrawlerProcess(build_settings(options))
    crawler = process.create_crawler(PortalSpider)
    failures: list[BaseException] = []
    process.crawl(crawler, seeds=options.seeds).addErrback(lambda f: failures.append(f.value))
    process.start()

    try:
        owner = crawler.get_extension(RunOwner)
    except RuntimeError:  # the crawl never started: its extensions were not built
        owner = None
    if owner is None or owner.status is None:
        error = failures[0] if failures else None
        if isinstance(error, RunOpenError):
            raise CrawlSetupError(str(error)) from error
        raise CrawlSetupError(f"the crawl could not start: {error!r}; see the log in "
                              f"{options.archive_dir / 'logs'}")
    status = owner.status
    if status == "worker_done":  # another worker finishes the run: wait for it
        from crawler.run.distributed_start import wait_for_run_end

        status = wait_for_run_end(options.db_url, owner.run_id, timeout=FINISH_WAIT_SECONDS)
    elif status == "worker_stopped":
        status = "interrupted"
    db = ArchiveDB(options.db_url, migrate=False)
    try:
        summary = summarize_run(db, owner.run_id, archive_dir=options.archive_dir, status=status)
    finally:
        db.close()
    summary.archive_store = options.archive_store
    summary.delivery = owner.delivery
    summary.throttled = dict(crawler.stats.get_value(THROTTLE_STATS_KEY) or {}) if crawler.stats else {}
    return summary


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))

"""Run a crawl from Python: set up the archive, run the portal spider, record the run.

The CLI (``govreports crawl``) is a thin layer over :func:`run_crawl`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.alerts.config import AlertSettings
from crawler.errors import GovreportsError
from crawler.reports.changes import ChangeRecorder, Deadlines
from crawler.run.summary import CrawlSummary, summarize_run
from crawler.version import software_version
from spiders.portal import PortalSpider, read_seeds
from storage.db import migrate
from storage.repository import ArchiveDB

if TYPE_CHECKING:
    from crawler.alerts.delivery import DeliverySummary

logger = logging.getLogger(__name__)

RUN_FILE = "govreports-run.json"


class CrawlSetupError(GovreportsError):
    """The crawl could not start; the message says what to do about it."""


@dataclass
class CrawlOptions:
    """Everything a crawl needs to know."""

    seeds: list[str]
    db_url: str
    archive_dir: Path
    max_pages: int | None = None
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

    @property
    def alert_channels(self) -> list[str]:
        """Channels new alert events are queued for."""
        return self.alerts.channels() if self.alerts is not None else []

    @property
    def deadlines(self) -> Deadlines:
        """Legal deadlines for overdue reports (configurable in the alert settings)."""
        if self.alerts is None:
            return Deadlines()
        return Deadlines(department=self.alerts.deadline_department,
                         government=self.alerts.deadline_government)
    #: The schedule that started this crawl (``govreports schedule run``), recorded on the run.
    schedule_id: int | None = None


def job_dir(archive_dir: Path, seeds: list[str]) -> Path:
    """The folder holding a crawl's resumable state: one per set of seeds."""
    key = hashlib.sha1("\n".join(sorted(seeds)).encode()).hexdigest()[:12]  # noqa: S324 - a name
    return archive_dir / "jobs" / key


def build_settings(options: CrawlOptions, run_id: int, jobdir: Path) -> Settings:
    """Scrapy settings for one run: project defaults plus this run's options."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    log_dir = options.archive_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, Any] = {
        "GOVREPORTS_DB": options.db_url,
        "GOVREPORTS_ARCHIVE": str(options.archive_dir),
        "GOVREPORTS_RUN_ID": run_id,
        "GOVREPORTS_INSECURE_HOSTS": options.insecure_hosts,
        "GOVREPORTS_CA_FILE": options.ca_file or "",
        "GOVREPORTS_PARSE": options.parse,
        "GOVREPORTS_PROGRESS": options.progress,
        "GOVREPORTS_ALERT_CHANNELS": options.alert_channels,
        "JOBDIR": str(jobdir),
        "LOG_FILE": str(log_dir / f"run-{run_id}.log"),
        "LOG_FORMAT": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
    }
    if options.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = options.max_pages
    if options.max_pages_per_host:
        overrides["GOVREPORTS_MAX_PAGES_PER_HOST"] = options.max_pages_per_host
    if options.timeout:
        overrides["DOWNLOAD_TIMEOUT"] = options.timeout
    overrides.update(options.settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


def _open_run(options: CrawlOptions, db: ArchiveDB, jobdir: Path) -> int:
    run_file = jobdir / RUN_FILE
    if options.resume:
        if not run_file.exists():
            raise CrawlSetupError(
                f"nothing to resume in {jobdir}: no interrupted crawl of these seeds. "
                "Run the same command without --resume to start a new crawl."
            )
        run_id = int(json.loads(run_file.read_text())["run_id"])
        db.mark_run(run_id, "running")
        return run_id
    if jobdir.exists():
        shutil.rmtree(jobdir)
    jobdir.mkdir(parents=True)
    run_id = db.start_run(
        seeds=options.seeds,
        settings={k: v for k, v in vars(options).items()
                  if k not in ("settings", "archive_dir", "alerts")}
        | {"archive_dir": str(options.archive_dir), "scrapy": options.settings,
           "alert_channels": options.alert_channels, "deadlines": vars(options.deadlines)},
        software_version=software_version(),
        jobdir=str(jobdir),
        schedule_id=options.schedule_id,
    )
    run_file.write_text(json.dumps({"run_id": run_id, "seeds": options.seeds}))
    return run_id


def today_for(options: CrawlOptions) -> date:
    """The day deadlines are judged on: the option, else ``$GOVREPORTS_TODAY``, else today."""
    if options.today is not None:
        return options.today
    configured = os.environ.get("GOVREPORTS_TODAY")
    if configured:
        try:
            return date.fromisoformat(configured)
        except ValueError as exc:
            raise CrawlSetupError(f"GOVREPORTS_TODAY={configured!r} is not a date (YYYY-MM-DD)") from exc
    return datetime.now(UTC).date()


def detect_after_crawl(db: ArchiveDB, run_id: int, spider: Any, options: CrawlOptions) -> list[str]:
    """After a completed crawl: reports gone from its hosts, agencies past their deadline."""
    recorder = ChangeRecorder(db, run_id=run_id, channels=options.alert_channels)
    events = recorder.detect_removals(hosts=spider.hosts, listed_urls=spider.listed_urls,
                                      revalidated=spider.revalidated)
    events += recorder.detect_overdue(hosts=spider.hosts, today=today_for(options),
                                      deadlines=options.deadlines)
    if events:
        logger.info("alerts recorded after the crawl", extra={"count": len(events)})
    return events


def deliver_alerts(db: ArchiveDB, options: CrawlOptions) -> DeliverySummary | None:
    """One delivery pass of the alert outbox (pending alerts of earlier runs included)."""
    if options.alerts is None or not (options.alert_channels or options.alerts.atom_path):
        return None
    from crawler.alerts.delivery import deliver_pending

    summary = deliver_pending(db.engine, options.alerts)
    logger.info("alerts delivered", extra={"delivered": summary.delivered, "failed": summary.failed})
    return summary


def run_crawl(options: CrawlOptions) -> CrawlSummary:
    """Crawl the seeds into the archive; return the run's summary.

    Raises :class:`CrawlSetupError` when the crawl cannot start (no seeds, bad database URL,
    nothing to resume). Pages that fail are recorded, not raised.
    """
    options.seeds = read_seeds(options.seeds, None)
    options.today = today_for(options)
    if not options.seeds:
        raise CrawlSetupError("no seed URLs given: pass one or more URLs, or --seeds FILE")
    options.archive_dir = Path(options.archive_dir).resolve()
    try:
        options.archive_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlSetupError(f"cannot create archive folder {options.archive_dir}: {exc}") from exc
    try:
        migrate(options.db_url)
        db = ArchiveDB(options.db_url, migrate=False)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the user
        raise CrawlSetupError(
            f"cannot open the database {options.db_url!r}: {exc}. "
            "Check --db or GOVREPORTS_DB (e.g. sqlite:///govreports.db or postgresql+psycopg://…)."
        ) from exc
    jobdir = job_dir(options.archive_dir, options.seeds)
    run_id = _open_run(options, db, jobdir)
    deliver_alerts(db, options)  # what a killed or failed earlier delivery left pending

    process = CrawlerProcess(build_settings(options, run_id, jobdir))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, seeds=options.seeds)
    process.start()

    session = getattr(crawler, "_govreports_session", None)
    if session is not None:
        session.close()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    status = {"finished": "completed", "closespider_pagecount": "completed", "shutdown": "interrupted"}.get(
        str(reason), "failed"
    )
    if str(reason) == "finished":  # a whole crawl: what it did not see is really gone
        detect_after_crawl(db, run_id, crawler.spider, options)
    summary = summarize_run(db, run_id, archive_dir=options.archive_dir, status=status)
    db.finish_run(run_id, status=status, counts=summary.counts())
    if status == "completed":
        (jobdir / RUN_FILE).unlink(missing_ok=True)
    # after the run is recorded: a crash while delivering leaves a finished run and a
    # durable outbox, which the next crawl (or `govreports alerts deliver`) delivers
    summary.delivery = deliver_alerts(db, options)
    db.close()
    return summary

"""What a crawl run did, read back from the archive database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import AlertEvent, Capture, ReportDocument
from storage.repository import ArchiveDB

if TYPE_CHECKING:
    from crawler.alerts.delivery import DeliverySummary


@dataclass
class CrawlSummary:
    """Figures of one crawl run, for the end-of-crawl display and the run record."""

    run_id: int
    status: str
    pages: int
    documents: int
    reports_found: int
    reports_new: int
    report_documents: int
    errors: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    #: Responses that were not errors (status below 400, no error kind), 304s included.
    pages_ok: int = 0
    alerts: dict[str, int] = field(default_factory=dict)
    #: The alert delivery pass after the crawl (None when no channel is configured).
    delivery: DeliverySummary | None = None
    archive_dir: Path | None = None
    #: The bucket holding blobs and WARC files (``s3://…``), when not ``archive_dir``.
    archive_store: str | None = None
    db_url: str = ""
    #: Hosts that were slowed down (Crawl-delay, Retry-After, backoff) and by how much.
    throttled: dict[str, dict[str, float | int]] = field(default_factory=dict)

    def counts(self) -> dict[str, object]:
        """The figures as stored with the run."""
        return {
            "pages": self.pages,
            "documents": self.documents,
            "reports_found": self.reports_found,
            "reports_new": self.reports_new,
            "report_documents": self.report_documents,
            "errors": self.errors,
            "not_modified": self.not_modified,
            "alerts": self.alerts,
            "throttled": self.throttled,
        }

    def render(self) -> str:
        """A readable summary for the terminal."""
        lines = [
            f"Crawl run {self.run_id}: {self.status}",
            f"  pages fetched:     {self.pages}",
            f"  distinct payloads: {self.documents}",
            f"  reports found:     {self.reports_found} ({self.reports_new} new) "
            f"in {self.report_documents} documents",
            f"  not modified:      {self.not_modified} (304, archived as revisits)",
            "  alerts recorded:   " + (", ".join(f"{k} {v}" for k, v in sorted(self.alerts.items()))
                                       or "none"),
        ]
        if self.delivery is not None:
            lines.append(f"  alerts delivered:  {self.delivery.delivered}, failed {self.delivery.failed}"
                         + (" (see `govreports alerts`)" if self.delivery.failed else ""))
        if self.errors:
            lines.append("  errors by kind:    " + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())))
        else:
            lines.append("  errors:            none")
        if self.throttled:
            lines.append("  throttled hosts:   " + "; ".join(
                f"{host} waited {t['waited_s']} s (Crawl-delay {t['crawl_delay_s']} s, "
                f"Retry-After {t['retry_after']}× {t['retry_after_s']} s, backoff {t['backoffs']}×)"
                for host, t in self.throttled.items()))
        if self.archive_store:
            lines.append(f"  archive:           {self.archive_store} (local files: {self.archive_dir})")
        else:
            lines.append(f"  archive:           {self.archive_dir}")
        lines.append(f"  database:          {self.db_url}")
        return "\n".join(lines)


def summarize_run(db: ArchiveDB, run_id: int, *, archive_dir: Path, status: str) -> CrawlSummary:
    """Count a run's captures, reports and errors (errors: distinct URLs per kind)."""
    engine = make_engine(db.url)
    try:
        with Session(engine) as session:
            in_run = and_(Capture.run_id == run_id, or_(Capture.kind.is_(None), Capture.kind != "probe"))
            pages = session.scalar(select(func.count()).where(in_run, Capture.status.is_not(None))) or 0
            documents = session.scalar(select(func.count(distinct(Capture.sha256))).where(in_run)) or 0
            pages_ok = session.scalar(select(func.count()).where(
                in_run, Capture.status < 400, Capture.error_kind.is_(None))) or 0
            errors: dict[str, int] = {}
            for kind, count in session.execute(
                select(Capture.error_kind, func.count(distinct(Capture.url)))
                .where(in_run, Capture.error_kind.is_not(None))
                .group_by(Capture.error_kind)
            ):
                errors[str(kind)] = int(count)
            for status_code, count in session.execute(
                select(Capture.status, func.count(distinct(Capture.url)))
                .where(in_run, Capture.status >= 400, Capture.error_kind.is_(None))
                .group_by(Capture.status)
            ):
                errors[f"http_{status_code}"] = int(count)
            linked = (  # report documents whose bytes this run fetched (or revalidated)
                select(ReportDocument.report_id, ReportDocument.id)
                .join(Capture, and_(Capture.final_url == ReportDocument.url,
                                    Capture.sha256 == ReportDocument.sha256))
                .where(in_run)
                .subquery()
            )
            not_modified = session.scalar(
                select(func.count()).where(in_run, Capture.status == 304)) or 0
            alerts = {str(kind): int(count) for kind, count in session.execute(
                select(AlertEvent.type, func.count()).where(AlertEvent.run_id == run_id)
                .group_by(AlertEvent.type))}
            reports_found = session.scalar(select(func.count(distinct(linked.c.report_id)))) or 0
            report_documents = session.scalar(select(func.count(distinct(linked.c.id)))) or 0
            first_run = (
                select(ReportDocument.report_id, func.min(Capture.run_id).label("first_run"))
                .join(Capture, Capture.id == ReportDocument.capture_id)
                .group_by(ReportDocument.report_id)
                .subquery()
            )
            reports_new = session.scalar(
                select(func.count()).select_from(first_run).where(first_run.c.first_run == run_id)
            ) or 0
    finally:
        engine.dispose()
    return CrawlSummary(
        run_id=run_id,
        status=status,
        pages=int(pages),
        documents=int(documents),
        reports_found=int(reports_found),
        reports_new=int(reports_new),
        report_documents=int(report_documents),
        errors=errors,
        not_modified=int(not_modified),
        pages_ok=int(pages_ok),
        alerts=alerts,
        archive_dir=archive_dir,
        db_url=db.url,
    )

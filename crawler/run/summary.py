"""What a crawl run did, read back from the archive database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storage.repository import ArchiveDB
from storage.runs import run_counts

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
    counts = run_counts(db.url, run_id)
    return CrawlSummary(
        run_id=run_id,
        status=status,
        pages=counts.pages,
        documents=counts.documents,
        reports_found=counts.reports_found,
        reports_new=counts.reports_new,
        report_documents=counts.report_documents,
        errors=counts.errors,
        not_modified=counts.not_modified,
        pages_ok=counts.pages_ok,
        alerts=counts.alerts,
        archive_dir=archive_dir,
        db_url=db.url,
    )

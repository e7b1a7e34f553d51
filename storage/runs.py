"""Reading crawl runs back: the list of runs, a run's failed URLs (``govreports runs|errors``), what
a run fetched and found (its summary), runs by id (bundle READMEs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import AlertEvent, Capture, CrawlRun, ReportDocument


@dataclass(frozen=True)
class RunRow:
    """One crawl run as listed by ``govreports runs``."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    seeds: list[str]
    counts: dict[str, Any]
    schedule_id: int | None

    @property
    def error_total(self) -> int:
        """Distinct failed URLs the run recorded (all kinds together)."""
        errors = self.counts.get("errors") or {}
        return sum(int(v) for v in errors.values()) if isinstance(errors, dict) else 0


@dataclass(frozen=True)
class FailedFetch:
    """One failed URL of a run: its error kind (or HTTP status) and the last message."""

    url: str
    kind: str
    status: int | None
    message: str | None
    referrer: str | None
    fetched_at: datetime


def list_runs(session: Session, *, limit: int | None = None) -> list[RunRow]:
    """Runs newest first (at most ``limit``)."""
    query = select(CrawlRun).order_by(CrawlRun.id.desc())
    if limit:
        query = query.limit(limit)
    return [
        RunRow(id=run.id, status=run.status, started_at=run.started_at, finished_at=run.finished_at,
               seeds=list(run.seeds or []), counts=dict(run.counts or {}), schedule_id=run.schedule_id)
        for run in session.scalars(query)
    ]


def error_kind_of(capture: Capture) -> str:
    """The kind a failed capture is listed under: its error kind, else ``http_<status>``."""
    return capture.error_kind or f"http_{capture.status}"


def run_errors(session: Session, run_id: int, *, kind: str | None = None) -> list[FailedFetch]:
    """A run's failed URLs, one row per URL (its latest failure), ordered by kind then URL.

    A capture failed when it has an error kind or an HTTP status of 400 or more; ``kind``
    keeps one kind (``timeout``, ``dns``…, or ``http_404`` for a status).
    """
    failed = or_(Capture.error_kind.is_not(None), Capture.status >= 400)
    latest = (
        select(func.max(Capture.id))
        .where(Capture.run_id == run_id, failed)
        .group_by(Capture.url)
    )
    rows = [
        FailedFetch(url=c.url, kind=error_kind_of(c), status=c.status, message=c.error_message,
                    referrer=c.referrer, fetched_at=c.fetched_at)
        for c in session.scalars(select(Capture).where(Capture.id.in_(latest)))
    ]
    if kind is not None:
        rows = [row for row in rows if row.kind == kind]
    return sorted(rows, key=lambda row: (row.kind, row.url))


def run_exists(session: Session, run_id: int) -> bool:
    """Whether a crawl run with this id was recorded."""
    return session.get(CrawlRun, run_id) is not None


def runs_by_id(session: Session, run_ids: list[int], *, batch: int = 500) -> list[CrawlRun]:
    """The crawl runs with these ids, by id (read ``batch`` ids at a time)."""
    found: list[CrawlRun] = []
    for start in range(0, len(run_ids), batch):
        found.extend(session.scalars(select(CrawlRun).where(
            CrawlRun.id.in_(run_ids[start:start + batch])).order_by(CrawlRun.id)))
    return found


def synthetic_seed(session: Session, run_ids: list[int]) -> int | None:
    """The seed when the first 500 of these runs include a synthetic archive's, else None."""
    for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(run_ids[:500]))):
        if (run.settings or {}).get("synthetic"):
            return int(run.settings.get("seed", 0))
    return None


@dataclass
class RunCounts:
    """What one run fetched and found, counted from its captures (probes left out)."""

    pages: int
    documents: int
    reports_found: int
    reports_new: int
    report_documents: int
    #: Distinct URLs per error kind, and per HTTP status 400 and above (``http_404``).
    errors: dict[str, int]
    not_modified: int
    #: Responses that were not errors (status below 400, no error kind), 304s included.
    pages_ok: int
    #: Alert events the run recorded, by type.
    alerts: dict[str, int]


def run_counts(db_url: str, run_id: int) -> RunCounts:
    """Count a run's captures, reports and errors (errors: distinct URLs per kind), on a
    connection of its own."""
    engine = make_engine(db_url)
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
    return RunCounts(pages=int(pages), documents=int(documents), reports_found=int(reports_found),
                     reports_new=int(reports_new), report_documents=int(report_documents),
                     errors=errors, not_modified=int(not_modified), pages_ok=int(pages_ok),
                     alerts=alerts)

"""Reading crawl runs back: the list of runs and a run's failed URLs (``govreports runs|errors``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.models import Capture, CrawlRun


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

"""Bulk writes for the synthetic archive: rows inserted in chunks with ids given up front, runs
and sites added, runs closed at their last capture.

Only :mod:`crawler.testbed.synthetic_archive` (tests, benchmarks, the demo) writes this way; the
crawl writes through :mod:`storage.repository`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from storage.models import (
    AlertEvent,
    Base,
    Capture,
    CrawlRun,
    Document,
    ParseResult,
    Report,
    ReportDocument,
    ReportVersion,
    Site,
)


def has_reports(session: Session) -> bool:
    """Whether the database holds any report."""
    return bool(session.scalar(select(func.count()).select_from(Report)))


def add_crawl_run(session: Session, *, started_at: datetime, status: str, seeds: list[str],
                  settings: dict[str, Any], software_version: str) -> int:
    """Add a crawl run (unfinished, no counts, no job folder, no schedule); its id. No commit."""
    run = CrawlRun(started_at=started_at, finished_at=None, status=status, seeds=seeds,
                   settings=settings, software_version=software_version, counts=None, jobdir=None,
                   schedule_id=None)
    session.add(run)
    session.flush()
    return run.id


def site_id(session: Session, host: str, *, first_seen_at: datetime) -> int:
    """The id of the site ``host``, added (http, TLS verified) when unknown. No commit."""
    site = session.scalar(select(Site).where(Site.host == host))
    if site is None:
        site = Site(host=host, scheme="http", tls_verify=True, first_seen_at=first_seen_at)
        session.add(site)
        session.flush()
    return site.id


def finish_runs(session: Session, run_ids: list[int]) -> None:
    """Close each run at its last capture (else at its start), with its capture count. No commit."""
    for run_id in run_ids:
        run = session.get(CrawlRun, run_id)
        assert run is not None
        last, count = session.execute(
            select(func.max(Capture.fetched_at), func.count()).where(Capture.run_id == run_id)
        ).one()
        run.finished_at = last or run.started_at
        run.counts = {"captures": int(count), "synthetic": True}


class BulkWriter:
    """Accumulates rows per table and bulk-inserts them in foreign-key order, committing each
    :meth:`flush`; ids are given up front, past the tables' current maximum."""

    ORDER: tuple[type[Base], ...] = (Capture, Document, Report, ReportVersion, ReportDocument,
                                     ParseResult, AlertEvent)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in self.ORDER}
        self.counts: dict[type[Base], int] = dict.fromkeys(self.ORDER, 0)
        self.next_id: dict[type[Base], int] = {
            model: self._max_id(model) + 1 for model in self.ORDER if model is not Document}

    def _max_id(self, model: type[Base]) -> int:
        return int(self.session.scalar(select(func.max(model.id))) or 0)  # type: ignore[attr-defined]

    def add(self, model: type[Base], **values: Any) -> int:
        """Queue a row of ``model``; its id (0 for a document, keyed by its digest)."""
        if model is not Document:
            values["id"] = self.next_id[model]
            self.next_id[model] += 1
        self.rows[model].append(values)
        return int(values.get("id", 0))

    def flush(self) -> None:
        """Insert the queued rows, table by table, and commit."""
        for model in self.ORDER:
            rows = self.rows[model]
            if rows:
                self.session.execute(insert(model), rows)
                self.counts[model] += len(rows)
                rows.clear()
        self.session.commit()

    def advance_sequences(self) -> None:
        """On PostgreSQL, move each id sequence past the ids given explicitly."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in self.next_id:
            table = model.__tablename__
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
        self.session.commit()

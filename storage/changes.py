"""The change recorder's queries: a report's versions, their documents' types, agencies' years.

:class:`crawler.reports.changes.ChangeRecorder` decides what is a new version, a removal or an
overdue report; these functions read and add the rows it needs in the caller's session (they
never commit).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, Report, ReportDocument, ReportVersion


def version_by_id(session: Session, version_id: int) -> ReportVersion | None:
    """One version row, or None."""
    return session.get(ReportVersion, version_id)


def version_of_document(session: Session, report_id: int, sha256: str) -> int | None:
    """The version a report's document ``sha256`` already belongs to, if any."""
    return session.scalar(select(ReportDocument.version_id).where(
        ReportDocument.report_id == report_id, ReportDocument.sha256 == sha256,
        ReportDocument.version_id.is_not(None)).limit(1))


def add_version(session: Session, *, report_id: int, number: int, fingerprint: str, sha256: str,
                url: str, parser_version: str | None, run_id: int | None, now: datetime,
                changes: dict[str, Any] | None) -> ReportVersion:
    """Add a report's version ``number`` (first and last seen ``now``); flushed, so it has an id."""
    version = ReportVersion(
        report_id=report_id, number=number, fingerprint=fingerprint, sha256=sha256, url=url,
        parser_version=parser_version, run_id=run_id, first_seen_at=now, last_seen_at=now,
        changes=changes,
    )
    session.add(version)
    session.flush()
    return version


def content_types(session: Session, digests: Collection[str]) -> dict[str, str | None]:
    """The content type of each archived document among ``digests``."""
    return {sha: kind for sha, kind in session.execute(
        select(Document.sha256, Document.content_type).where(Document.sha256.in_(list(digests))))}


def report_years(session: Session, agencies: Collection[str]) -> list[tuple[str, int]]:
    """(agency, year) of every report of ``agencies``, whatever its status."""
    return [(agency, year) for agency, year in session.execute(
        select(Report.agency, Report.year).where(Report.agency.in_(list(agencies))))]

"""The archived documents that carry reports, with what a parser needs to know of their report;
where a document's blob was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Document, Report, ReportDocument


@dataclass(frozen=True)
class ReportDocumentFile:
    """A report's document: its digest, where its blob is, and its report's title and date."""

    sha256: str
    blob_path: str
    title: str
    published_on: date | None


def report_document_files(session: Session) -> list[ReportDocumentFile]:
    """Every document linked to a report, once each, by digest."""
    rows = session.execute(
        select(ReportDocument.sha256, Document.blob_path, Report.title, Report.published_on)
        .join(Document, Document.sha256 == ReportDocument.sha256)
        .join(Report, Report.id == ReportDocument.report_id)
    ).all()
    unique = {sha: ReportDocumentFile(sha, blob, title, published) for sha, blob, title, published in rows}
    return [unique[sha] for sha in sorted(unique)]


def recorded_blob_path(session: Session, sha256: str) -> str | None:
    """Where the document's blob was recorded when it was archived (None: unknown document)."""
    return session.scalar(select(Document.blob_path).where(Document.sha256 == sha256))

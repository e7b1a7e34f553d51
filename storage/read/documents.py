"""Archived documents read back: those that carry reports (what ``reparse`` parses again), a
report's documents and captures, one document's reports, captures and parses, where its blob
was recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Capture, Document, ParseResult, Report, ReportDocument, ReportVersion


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


def report_document_links(session: Session, report_id: int) -> list[dict[str, Any]]:
    """A report's document links in the order found: ``url``, ``sha256``, ``role``, the
    document's ``content_type`` and ``size``, its ``version`` number, ``first_seen_at`` and
    ``last_seen_at``."""
    stmt = (select(ReportDocument, Document.content_type, Document.size, ReportVersion.number)
            .outerjoin(Document, Document.sha256 == ReportDocument.sha256)
            .outerjoin(ReportVersion, ReportVersion.id == ReportDocument.version_id)
            .where(ReportDocument.report_id == report_id).order_by(ReportDocument.id))
    return [{"url": link.url, "sha256": link.sha256, "role": link.role,
             "content_type": content_type, "size": size, "version": number,
             "first_seen_at": link.first_seen_at, "last_seen_at": link.last_seen_at}
            for link, content_type, size, number in session.execute(stmt)]


def report_captures(session: Session, report_id: int) -> list[Capture]:
    """Every capture of a report's URLs or contents (its links' and versions'), oldest first."""
    urls = set(session.scalars(select(ReportDocument.url).where(
        ReportDocument.report_id == report_id)))
    shas = set(session.scalars(select(ReportDocument.sha256).where(
        ReportDocument.report_id == report_id)))
    shas |= set(session.scalars(select(ReportVersion.sha256).where(
        ReportVersion.report_id == report_id)))
    if not urls and not shas:
        return []
    stmt = (select(Capture).where(or_(Capture.url.in_(urls), Capture.sha256.in_(shas)))
            .order_by(Capture.fetched_at, Capture.id))
    return list(session.scalars(stmt))


def document_by_sha(session: Session, sha256: str) -> Document | None:
    """An archived content's row, or None."""
    return session.get(Document, sha256)


def document_references(session: Session, sha256: str) -> list[dict[str, Any]]:
    """The reports a content carries, in link order: ``report_id``, ``agency``, ``year``, the
    link's ``url`` and ``role``."""
    rows = session.execute(select(ReportDocument, Report.agency, Report.year)
                           .join(Report, Report.id == ReportDocument.report_id)
                           .where(ReportDocument.sha256 == sha256).order_by(ReportDocument.id))
    return [{"report_id": link.report_id, "agency": agency, "year": year, "url": link.url,
             "role": link.role} for link, agency, year in rows]


def document_captures(session: Session, sha256: str) -> list[Capture]:
    """Every capture of a content, oldest first."""
    return list(session.scalars(select(Capture).where(Capture.sha256 == sha256)
                                .order_by(Capture.fetched_at, Capture.id)))


def document_parses(session: Session, sha256: str) -> list[ParseResult]:
    """Every parse of a content, oldest first."""
    return list(session.scalars(select(ParseResult).where(ParseResult.sha256 == sha256)
                                .order_by(ParseResult.parsed_at)))


def declared_charset(session: Session, sha256: str) -> str | None:
    """A charset one of the content's captures declared, if any did."""
    return session.scalar(select(Capture.charset).where(
        Capture.sha256 == sha256, Capture.charset.is_not(None)).limit(1))

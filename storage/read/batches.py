"""What an exported report is assembled from, read for a batch of reports at once: their
document links, versions, the documents' types and sizes, and the documents' captures.

Four queries per batch, whatever its size (:mod:`crawler.exports.query`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Capture, Document, ReportDocument, ReportVersion


@dataclass(frozen=True)
class LinkRow:
    """A report's link to a document."""

    report_id: int
    sha256: str
    url: str
    role: str
    version_id: int | None


@dataclass(frozen=True)
class VersionRow:
    """A report's version."""

    id: int
    report_id: int
    number: int
    sha256: str
    url: str
    parser_version: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    changes: dict[str, Any] | None


@dataclass(frozen=True)
class DocumentMeta:
    """An archived document's type and size."""

    sha256: str
    content_type: str | None
    size: int | None


@dataclass(frozen=True)
class CaptureRow:
    """A capture of a document: where and when, and its WARC record."""

    sha256: str | None
    #: The URL requested; ``final_url``: where redirects led (the URL of the WARC record).
    url: str
    final_url: str | None
    fetched_at: datetime
    status: int | None
    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None
    run_id: int


def links_by_report(session: Session, report_ids: Collection[int]) -> dict[int, list[LinkRow]]:
    """Per report: its document links, in the order found."""
    out: dict[int, list[LinkRow]] = {}
    for row in session.execute(
        select(ReportDocument.report_id, ReportDocument.sha256, ReportDocument.url,
               ReportDocument.role, ReportDocument.version_id)
        .where(ReportDocument.report_id.in_(list(report_ids))).order_by(ReportDocument.id)
    ):
        out.setdefault(row.report_id, []).append(LinkRow(*row))
    return out


def versions_by_report(session: Session, report_ids: Collection[int]) -> dict[int, list[VersionRow]]:
    """Per report: its versions, oldest first."""
    out: dict[int, list[VersionRow]] = {}
    for row in session.execute(
        select(ReportVersion.id, ReportVersion.report_id, ReportVersion.number,
               ReportVersion.sha256, ReportVersion.url, ReportVersion.parser_version,
               ReportVersion.first_seen_at, ReportVersion.last_seen_at, ReportVersion.changes)
        .where(ReportVersion.report_id.in_(list(report_ids))).order_by(ReportVersion.number)
    ):
        out.setdefault(row.report_id, []).append(VersionRow(*row))
    return out


def documents_by_sha(session: Session, digests: Collection[str]) -> dict[str, DocumentMeta]:
    """The type and size of each archived document among ``digests``."""
    return {row.sha256: DocumentMeta(*row) for row in session.execute(
        select(Document.sha256, Document.content_type, Document.size)
        .where(Document.sha256.in_(list(digests))))}


def captures_by_sha(session: Session, digests: Collection[str]) -> dict[str, list[CaptureRow]]:
    """Per document: its captures, oldest first."""
    out: dict[str, list[CaptureRow]] = {}
    for row in session.execute(
        select(Capture.sha256, Capture.url, Capture.final_url, Capture.fetched_at, Capture.status,
               Capture.warc_file, Capture.warc_offset, Capture.warc_record_id, Capture.run_id)
        .where(Capture.sha256.in_(list(digests))).order_by(Capture.fetched_at, Capture.id)
    ):
        out.setdefault(row.sha256, []).append(CaptureRow(*row))
    return out

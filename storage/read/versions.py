"""A report's versions read back: the list, each one's documents and their captures, and the two
records a diff compares (CLI and web app)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.errors import NotFound
from storage.models import Capture, Document, ParseResult, ReportDocument, ReportVersion


def versions_of(session: Session, report_id: int) -> list[ReportVersion]:
    """Every version of a report, oldest first."""
    return list(session.scalars(select(ReportVersion).where(ReportVersion.report_id == report_id)
                                .order_by(ReportVersion.number)))


def version_documents(session: Session, version_id: int) -> list[ReportDocument]:
    """The document links of one version, in the order they were found."""
    return list(session.scalars(select(ReportDocument).where(
        ReportDocument.version_id == version_id).order_by(ReportDocument.id)))


def link_captures(session: Session, link: ReportDocument) -> list[Capture]:
    """The captures that fetched a link's document at its URL, oldest first."""
    return list(session.scalars(select(Capture).where(
        Capture.final_url == link.url, Capture.sha256 == link.sha256)
        .order_by(Capture.fetched_at)))


def records_to_compare(session: Session, report_id: int, old: int,
                       new: int) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The parsed records of versions ``old`` and ``new``, and whether their texts are comparable.

    Texts compare when both versions came from the same URL or the same kind of document.
    :class:`NotFound` when a version is unknown or has no parsed record.
    """
    found = {v.number: v for v in session.scalars(select(ReportVersion).where(
        ReportVersion.report_id == report_id, ReportVersion.number.in_([old, new])))}
    for number in (old, new):
        if number not in found:
            raise NotFound(f"report {report_id} has no version {number}")
    records: list[dict[str, Any]] = []
    for number in (old, new):
        version = found[number]
        record = session.scalar(select(ParseResult.record).where(
            ParseResult.sha256 == version.sha256,
            ParseResult.parser_version == (version.parser_version or "")))
        if not isinstance(record, dict):
            raise NotFound(f"version {number} of report {report_id} has no parsed record; "
                           "run `govreports reparse`")
        records.append(record)
    types = {sha: kind for sha, kind in session.execute(
        select(Document.sha256, Document.content_type).where(
            Document.sha256.in_([found[old].sha256, found[new].sha256])))}
    same_kind = (found[old].url == found[new].url
                 or types.get(found[old].sha256) == types.get(found[new].sha256))
    return records[0], records[1], same_kind

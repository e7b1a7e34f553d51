"""The current parse of a report: one definition for every reader (web app, exports, CLI).

**The current parse of a report** is defined once, here: among the parse results of the
report's current document (its current version's document; before it has a version, any
document linked to it), an ``ok`` one before any other, then the newest (``parsed_at``, then
id). So ``govreports reparse`` makes its new result current everywhere at once, whether or not
the report had parsed before.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ScalarSelect, and_, case, or_, select, tuple_
from sqlalchemy.orm import Session

from storage.models import ParseResult, Report, ReportDocument, ReportVersion


def current_parse_id() -> ScalarSelect[int]:
    """``parse_results.id`` of the current parse of the ``reports`` row in the outer query (or NULL)."""
    version_document = (select(ReportVersion.sha256)
                        .where(ReportVersion.id == Report.current_version_id)
                        .correlate(Report).scalar_subquery())
    linked_documents = (select(ReportDocument.sha256)
                        .where(ReportDocument.report_id == Report.id).correlate(Report))
    return (
        select(ParseResult.id)
        .where(or_(ParseResult.sha256 == version_document,
                   and_(Report.current_version_id.is_(None), ParseResult.sha256.in_(linked_documents))))
        .order_by(case((ParseResult.status == "ok", 0), else_=1),
                  ParseResult.parsed_at.desc(), ParseResult.id.desc())
        .limit(1).correlate(Report).scalar_subquery()
    )


def current_parses(session: Session, report_ids: Collection[int]) -> dict[int, ParseResult]:
    """The current parse of each report in ``report_ids`` that has one."""
    if not report_ids:
        return {}
    pairs = session.execute(select(Report.id, current_parse_id().label("parse_id"))
                            .where(Report.id.in_(list(report_ids)))).all()
    wanted = {parse_id: report_id for report_id, parse_id in pairs if parse_id is not None}
    if not wanted:
        return {}
    parses = session.scalars(select(ParseResult).where(ParseResult.id.in_(list(wanted))))
    return {wanted[p.id]: p for p in parses}


def previous_year_cells(session: Session, keys: Collection[tuple[str, int]]) -> dict[tuple[str, int], dict[str, Any]]:
    """For each (agency, year) asked for, the cells of its current ok parse that the cross-year
    checks read (``crawler.reports.cross_year``), selected by JSON path: whole records are
    not loaded, so exports stay flat in memory."""
    if not keys:
        return {}
    record = ParseResult.record
    stmt = (select(Report.agency, Report.year, record[("applications", "carried_forward")],
                   record[("active_disclosure", "regulations", "in_force")],
                   record[("active_disclosure", "normative_documents", "in_force")])
            .join(ParseResult, ParseResult.id == current_parse_id())
            .where(tuple_(Report.agency, Report.year).in_(sorted(keys)), ParseResult.status == "ok")
            .order_by(Report.id))
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for agency, year, carried_forward, regulations, normative in session.execute(stmt):
        out[(agency, year)] = {
            "year": year, "applications": {"carried_forward": carried_forward or {}},
            "active_disclosure": {"regulations": {"in_force": regulations},
                                  "normative_documents": {"in_force": normative}}}
    return out

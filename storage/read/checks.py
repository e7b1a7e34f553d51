"""How many checks each report has and fails, the cross-year ones included (CLI, web lists,
exports count alike).

The in-year checks are in each parse record; the cross-year checks
(:mod:`crawler.reports.cross_year`) compare a report's current parse with the same agency's
report of the year before, so they are computed here, from the few cells they read (selected by
JSON path, whole records are not loaded).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.reports.cross_year import cross_year_checks
from storage.models import ParseResult, Report
from storage.read.current import current_parse_id, previous_year_cells
from storage.read.summaries import checks_expr, failed_expr


@dataclass(frozen=True)
class CheckCount:
    """A report's checks (in-year and cross-year) and how many of them fail."""

    checks: int
    failed: int


def cross_year_results(session: Session,
                       report_ids: Collection[int] | None = None) -> dict[int, list[dict[str, Any]]]:
    """The cross-year checks of each report (all of them, or ``report_ids``) whose current
    parse is ok and whose agency's report of the year before parsed; others are left out."""
    record = ParseResult.record
    stmt = (select(Report.id, Report.agency, Report.year,
                   record[("applications", "carried_over")],
                   record[("active_disclosure", "regulations")],
                   record[("active_disclosure", "normative_documents")])
            .join(ParseResult, ParseResult.id == current_parse_id())
            .where(ParseResult.status == "ok"))
    if report_ids is not None:
        if not report_ids:
            return {}
        stmt = stmt.where(Report.id.in_(list(report_ids)))
    rows = session.execute(stmt).all()
    previous = previous_year_cells(session, {(agency, year - 1) for _, agency, year, *_ in rows
                                             if agency and year is not None})
    out: dict[int, list[dict[str, Any]]] = {}
    for report_id, agency, year, carried_over, regulations, normative in rows:
        last = previous.get((agency, year - 1))
        if last is None:
            continue
        this = {"year": year, "applications": {"carried_over": carried_over or {}},
                "active_disclosure": {"regulations": regulations or {},
                                      "normative_documents": normative or {}}}
        checks = cross_year_checks(this, last)
        if checks:
            out[report_id] = checks
    return out


def cross_year_failing(session: Session) -> list[int]:
    """Ids of the reports with at least one failed cross-year check."""
    return sorted(rid for rid, checks in cross_year_results(session).items()
                  if any(not c["ok"] for c in checks))


def check_counts(session: Session, dialect: str) -> dict[int, CheckCount]:
    """Every report with a current parse: its checks and failures, cross-year ones included."""
    stmt = (select(Report.id, checks_expr(dialect), failed_expr(dialect))
            .join(ParseResult, ParseResult.id == current_parse_id()))
    counts = {rid: [int(checks or 0), int(failed or 0)] for rid, checks, failed in session.execute(stmt)}
    for rid, checks in cross_year_results(session, None).items():
        count = counts.setdefault(rid, [0, 0])
        count[0] += len(checks)
        count[1] += sum(1 for c in checks if not c["ok"])
    return {rid: CheckCount(checks, failed) for rid, (checks, failed) in counts.items()}

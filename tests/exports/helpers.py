"""The archive's own answers, read straight from the tables, to compare exports against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.reports.cross_year import cross_year_checks
from storage.models import ParseResult, Report, ReportVersion


@dataclass(frozen=True)
class Truth:
    """One report as the database has it: fields and its current version's parse record."""

    report_id: int
    agency: str
    year: int
    status: str
    host: str
    sha256: str
    n_versions: int
    record: dict[str, Any]
    #: the checks against the same agency's report of the year before (crawler.reports.cross_year)
    cross_year: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed_checks(self) -> int:
        """Failed checks, in the report or against last year's, as exports count them."""
        return sum(1 for c in [*self.record["checks"], *self.cross_year] if not c["ok"])


def truths(db_url: str) -> dict[int, Truth]:
    """Every report with a current version, by id."""
    engine = create_engine(db_url)
    out: dict[int, Truth] = {}
    with Session(engine) as session:
        counts: dict[int, int] = {}
        for (report_id,) in session.execute(select(ReportVersion.report_id)):
            counts[report_id] = counts.get(report_id, 0) + 1
        rows = session.execute(
            select(Report, ReportVersion).join(ReportVersion, ReportVersion.id == Report.current_version_id))
        for report, version in rows:
            record = session.scalar(select(ParseResult.record).where(
                ParseResult.sha256 == version.sha256,
                ParseResult.parser_version == version.parser_version))
            assert record is not None
            out[report.id] = Truth(report.id, report.agency, report.year, report.status,
                                   urlsplit(version.url).netloc, version.sha256,
                                   counts[report.id], record)
    engine.dispose()
    by_year = {(t.agency, t.year): t for t in out.values()}
    for t in out.values():
        last = by_year.get((t.agency, t.year - 1))
        if last is not None:
            t.cross_year.extend(cross_year_checks(t.record, last.record))
    return out


def cells(record: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """Every table cell of a record: (table, row, column) -> value."""
    found: dict[tuple[str, str, str], Any] = {}
    for table in ("active_disclosure", "applications", "review_litigation"):
        for row, columns in (record.get(table) or {}).items():
            for column, value in columns.items():
                found[(table, row, column)] = value
    return found

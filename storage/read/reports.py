"""Reports read back: which reports a filter selects, each with its current version and parse;
agencies with their report spans; the years and a year's reports.

One selection (:class:`ReportSelection`) narrows the ``reports`` table for every reader: the
web app's lists, pages and CSV downloads, and the exports. A report row
(:data:`REPORT_COLUMNS`) carries the report's fields, its current version's number and URL and
the id of its current parse (:func:`storage.read.current.current_parse_id`): ``id``, ``agency``,
``year``, ``title``, ``published_on``, ``status``, ``first_seen_at``, ``last_seen_at``,
``removed_at``, ``missing_runs``, ``versions``, ``source_url``, ``parse_id``. Rows come back as
plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, false, func, or_, select, tuple_
from sqlalchemy.orm import Session

from storage.models import ParseResult, Report, ReportVersion
from storage.read.current import current_parse_id
from storage.read.updates import agency_updated_since, report_updated_since

Row = dict[str, Any]

#: The orders a report list can be sorted by (``-``: descending).
REPORT_SORTS = ("-year", "year", "agency", "-agency", "published_on", "-published_on")


@dataclass(frozen=True)
class ReportSelection:
    """Which reports; every field left None selects all.

    ``agency``: substring of the name (case-insensitive on every database, as the web app,
    the API and exports all take it);
    ``agencies``: one of these names exactly (an empty list selects none); ``year``,
    ``year_from``, ``year_to``: the report year; ``status``: ``live`` or ``removed``;
    ``updated_since``: changed at or after that moment (:mod:`storage.read.updates`);
    ``parse_ids``: the current parse is one of these; ``failing_parse_ids`` with
    ``failing_report_ids``: the current parse is one of the first or the report one of the second.
    """

    agency: str | None = None
    agencies: Sequence[str] | None = None
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    status: str | None = None
    updated_since: datetime | None = None
    parse_ids: Sequence[int] | None = None
    failing_parse_ids: Sequence[int] | None = None
    failing_report_ids: Sequence[int] | None = None

    def needs_parse(self) -> bool:
        """Whether a condition reads the current parse (so it must be joined)."""
        return self.parse_ids is not None or self.failing_parse_ids is not None

    def conditions(self) -> list[Any]:
        """The WHERE conditions of the selection."""
        where: list[Any] = []
        if self.agency:
            where.append(Report.agency.icontains(self.agency, autoescape=True))
        if self.agencies is not None:
            where.append(Report.agency.in_(list(self.agencies)) if self.agencies else false())
        if self.year is not None:
            where.append(Report.year == self.year)
        if self.year_from is not None:
            where.append(Report.year >= self.year_from)
        if self.year_to is not None:
            where.append(Report.year <= self.year_to)
        if self.status:
            where.append(Report.status == self.status)
        if self.updated_since is not None:
            where.append(report_updated_since(self.updated_since))
        if self.parse_ids is not None:
            where.append(ParseResult.id.in_(bindparam(
                "parse_ids", value=list(self.parse_ids), expanding=True, literal_execute=True)))
        if self.failing_parse_ids is not None:
            where.append(or_(
                ParseResult.id.in_(bindparam("failed_ids", value=list(self.failing_parse_ids),
                                             expanding=True, literal_execute=True)),
                Report.id.in_(bindparam("cross_failed_ids", value=list(self.failing_report_ids or []),
                                        expanding=True, literal_execute=True))))
        return where


# -- expressions ---------------------------------------------------------------------------
def _with_parse(stmt: Any) -> Any:
    return (stmt.outerjoin(ReportVersion, ReportVersion.id == Report.current_version_id)
            .outerjoin(ParseResult, ParseResult.id == current_parse_id()))


def _report_select() -> Any:
    return _with_parse(select(
        Report.id, Report.agency, Report.year, Report.title, Report.published_on,
        Report.status, Report.first_seen_at, Report.last_seen_at, Report.removed_at,
        Report.missing_runs, ReportVersion.number.label("versions"),
        ReportVersion.url.label("source_url"), ParseResult.id.label("parse_id"),
    ).select_from(Report))


def _order(sort: str) -> list[Any]:
    """The ORDER BY of ``sort``, one of :data:`REPORT_SORTS`."""
    orders: dict[str, list[Any]] = {
        "-year": [Report.year.desc(), Report.agency, Report.id],
        "year": [Report.year, Report.agency, Report.id],
        "agency": [Report.agency, Report.year.desc(), Report.id],
        "-agency": [Report.agency.desc(), Report.year.desc(), Report.id],
        "published_on": [Report.published_on, Report.id],
        "-published_on": [Report.published_on.desc(), Report.id],
    }
    return orders[sort]


# -- reports -------------------------------------------------------------------------------
def agency_names(session: Session) -> list[str]:
    """Every agency with a report, once each."""
    return list(session.scalars(select(Report.agency).distinct()))


def count_reports(session: Session, selection: ReportSelection) -> int:
    """How many reports ``selection`` selects."""
    stmt = select(func.count()).select_from(Report)
    if selection.needs_parse():
        stmt = _with_parse(stmt)
    return int(session.scalar(stmt.where(*selection.conditions())) or 0)


def report_page(session: Session, selection: ReportSelection, sort: str, limit: int,
                offset: int) -> list[Row]:
    """One page of the report rows ``selection`` selects, in ``sort`` order (:data:`REPORT_SORTS`)."""
    stmt = select(Report.id).select_from(Report)
    if selection.needs_parse():
        stmt = _with_parse(stmt)
    ids = list(session.scalars(stmt.where(*selection.conditions()).order_by(*_order(sort))
                               .limit(limit).offset(offset)))
    if not ids:
        return []
    found = {r["id"]: dict(r) for r in session.execute(
        _report_select().where(Report.id.in_(ids))).mappings()}
    return [found[i] for i in ids if i in found]


def iter_report_rows(session: Session, selection: ReportSelection, sort: str) -> Iterator[Row]:
    """Every report row ``selection`` selects, in ``sort`` order, streamed 500 at a time."""
    stmt = _report_select().where(*selection.conditions()).order_by(*_order(sort))
    for r in session.execute(stmt.execution_options(yield_per=500)).mappings():
        yield dict(r)


def report_batch(session: Session, selection: ReportSelection, after: tuple[int, str, int] | None,
                 size: int) -> list[Row]:
    """Up to ``size`` reports ``selection`` selects, ordered by (year, agency, id), after the key
    ``after`` (keyset pagination: memory stays flat however large the archive). Each: the
    report's fields and ``current_version_id`` (no join: the exports read versions and the
    current parse per batch)."""
    stmt = select(Report.id, Report.agency, Report.year, Report.title, Report.published_on,
                  Report.status, Report.first_seen_at, Report.last_seen_at,
                  Report.current_version_id).where(*selection.conditions())
    if after is not None:
        stmt = stmt.where(tuple_(Report.year, Report.agency, Report.id) > tuple_(*after))
    return [dict(r) for r in session.execute(
        stmt.order_by(Report.year, Report.agency, Report.id).limit(size)).mappings()]


def report_row(session: Session, report_id: int) -> Row | None:
    """A report's row, or None when there is no such report."""
    found = session.execute(_report_select().where(Report.id == report_id)).mappings().first()
    return dict(found) if found is not None else None


def agency_report_rows(session: Session, agency: str) -> list[Row]:
    """An agency's report rows, newest year first."""
    stmt = _report_select().where(Report.agency == agency).order_by(Report.year.desc())
    return [dict(r) for r in session.execute(stmt).mappings()]


def current_record(session: Session, report_id: int) -> dict[str, Any] | None:
    """The parse record of a report's current version, if it parsed."""
    stmt = _with_parse(select(ParseResult.record).select_from(Report)).where(Report.id == report_id)
    record = session.scalar(stmt)
    return record if isinstance(record, dict) else None


def report_by_id(session: Session, report_id: int) -> Report | None:
    """The report's row object, or None."""
    return session.get(Report, report_id)


def report_years(session: Session) -> list[int]:
    """Years with at least one report, newest first."""
    return list(session.scalars(select(Report.year).distinct().order_by(Report.year.desc())))


def reports_of_year(session: Session, year: int) -> dict[str, Row]:
    """Per agency: its report for ``year`` (id, status, publication date)."""
    return {r.agency: {"id": r.id, "status": r.status, "published_on": r.published_on}
            for r in session.execute(select(Report.agency, Report.id, Report.status,
                                            Report.published_on).where(Report.year == year))}


# -- agencies ------------------------------------------------------------------------------
def _agency_where(name: str | None, agencies: Sequence[str] | None,
                  updated_since: datetime | None) -> list[Any]:
    where: list[Any] = []
    if name:
        where.append(Report.agency.icontains(name, autoescape=True))
    if agencies is not None:
        where.append(Report.agency.in_(list(agencies)) if agencies else false())
    if updated_since is not None:
        where.append(agency_updated_since(updated_since))
    return where


def count_agencies(session: Session, *, name: str | None = None,
                   agencies: Sequence[str] | None = None,
                   updated_since: datetime | None = None) -> int:
    """How many agencies with reports match: ``name`` a substring (case-insensitive), one of
    ``agencies`` (an empty list: none), with a report updated since ``updated_since``."""
    stmt = select(func.count(func.distinct(Report.agency))).where(
        *_agency_where(name, agencies, updated_since))
    return int(session.scalar(stmt) or 0)


def agency_spans(session: Session, *, name: str | None = None,
                 agencies: Sequence[str] | None = None, updated_since: datetime | None = None,
                 limit: int | None = None, offset: int = 0) -> list[Row]:
    """The agencies :func:`count_agencies` counts, by name, a page of them: each with its number
    of reports (``reports``), ``first_year``, ``last_year`` and how many were ``removed``."""
    removed = func.sum(case((Report.status == "removed", 1), else_=0))
    stmt = (select(Report.agency, func.count().label("reports"),
                   func.min(Report.year).label("first_year"),
                   func.max(Report.year).label("last_year"),
                   removed.label("removed")).group_by(Report.agency)
            .where(*_agency_where(name, agencies, updated_since))
            .order_by(Report.agency).offset(offset))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in session.execute(stmt).mappings()]

"""The read queries behind every page and API call; lists are filtered and paginated in SQL.

Rows come back as plain dicts shaped like the models in :mod:`crawler.web.schemas`, so the
HTML pages, the JSON API and the CSV downloads all show the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from crawler.alerts.render import describe, label
from crawler.errors import NotFound
from crawler.reports.changes import Deadlines
from crawler.reports.compliance import Evidence, absent_status
from crawler.reports.cross_year import with_cross_year
from crawler.reports.form import RULE_LABELS, TEXT_SECTION_TITLES, cell_label, check_where_label
from crawler.reports.regions import in_region, region_of
from crawler.reports.versions import diff_records, is_government
from crawler.web.cells import sort_cells, template_order, value_rows
from crawler.web.filters import ReportFilters
from crawler.web.layout import check_cells, source_origin
from storage.agencies import compliance_evidence
from storage.models import AlertEvent, Capture, Document, Report, ReportVersion
from storage.read import alerts as alert_events
from storage.read import documents as stored_documents
from storage.read import previous_year_cells
from storage.read import reports as stored_reports
from storage.read.checks import cross_year_failing, cross_year_results
from storage.read.listing import unlisted_since
from storage.read.publications import publications
from storage.read.reports import ReportSelection
from storage.read.summaries import SummaryCache
from storage.read.versions import records_to_compare, versions_of

Row = dict[str, Any]


def report_path(report_id: int) -> str:
    """Path of a report's page."""
    return f"/reports/{report_id}"


@lru_cache(maxsize=65536)
def agency_path(agency: str) -> str:
    """Path of an agency's page (the name percent-encoded, slashes included)."""
    return f"/agencies/{quote(agency, safe='')}"


def document_path(sha256: str) -> str:
    """Path serving a document's original bytes."""
    return f"/documents/{sha256}"


@dataclass
class Queries:
    """Queries for one database dialect, with the deadlines and today's date to judge by."""

    dialect: str
    deadlines: Deadlines = field(default_factory=Deadlines)
    today: Callable[[], date] = date.today

    summaries: SummaryCache = field(init=False)

    def __post_init__(self) -> None:
        self.summaries = SummaryCache(self.dialect)

    # -- filters -------------------------------------------------------------------------
    def agencies_in_region(self, session: Session, region: str) -> list[str]:
        """Known agencies whose area is ``region`` or inside it."""
        return [name for name in stored_reports.agency_names(session) if in_region(name, region)]

    def selection(self, session: Session, f: ReportFilters) -> ReportSelection:
        """The reports ``f`` selects, as the read side takes them.

        Template and failed-check filters read the summary cache: refresh it first.
        """
        failed = bool(f.failed)  # an in-year check failed, or one against last year's report
        return ReportSelection(
            agency=f.agency or None,
            agencies=self.agencies_in_region(session, f.region) if f.region else None,
            year=f.year, year_from=f.year_from, year_to=f.year_to, status=f.status or None,
            updated_since=f.updated_since,
            parse_ids=self.summaries.ids(template=f.template) if f.template else None,
            failing_parse_ids=self.summaries.ids(failed=True) if failed else None,
            failing_report_ids=cross_year_failing(session) if failed else None,
        )

    # -- reports -------------------------------------------------------------------------
    def list_reports(self, session: Session, f: ReportFilters, limit: int,
                     offset: int) -> tuple[int, list[Row]]:
        """The total matching ``f`` and one page of report rows."""
        self.summaries.refresh(session)
        selection = self.selection(session, f)
        total = stored_reports.count_reports(session, selection)
        found = stored_reports.report_page(session, selection, f.sort, limit, offset)
        if not found:
            return total, []
        cross = cross_year_results(session, [r["id"] for r in found])
        return total, [self.report_row(r, cross.get(r["id"])) for r in found]

    def iter_reports(self, session: Session, f: ReportFilters) -> Iterator[Row]:
        """Every report matching ``f``, streamed (for CSV downloads)."""
        self.summaries.refresh(session)
        selection = self.selection(session, f)
        cross = cross_year_results(session)
        for r in stored_reports.iter_report_rows(session, selection, f.sort):
            yield self.report_row(r, cross.get(r["id"]))

    def deadline(self, agency: str, year: int) -> date:
        """The legal deadline of ``agency``'s report for ``year``."""
        return _deadline(self.deadlines, agency, year)

    def timeliness(self, agency: str, year: int, published_on: date | None) -> str:
        """``on_time``/``late`` against the legal deadline, ``unknown`` without a date."""
        if published_on is None:
            return "unknown"
        return "on_time" if published_on <= self.deadline(agency, year) else "late"

    def absent(self, agency: str, year: int, evidence: Evidence) -> str:
        """A year without a report: ``not_due``, ``missing`` (registered agency, portal fully
        crawled after the deadline) or ``not_found`` (only absent from the archive)."""
        return absent_status(agency, self.deadline(agency, year), self.today(), evidence)

    def report_row(self, r: Any, cross_year: list[dict[str, Any]] | None = None) -> Row:
        """A list row from a report row of :mod:`storage.read.reports`; ``cross_year``: its
        checks against last year's report, counted with the in-year ones."""
        summary = self.summaries.get(r["parse_id"])
        cross = cross_year or []
        return {
            "id": r["id"], "agency": r["agency"], "region": region_of(r["agency"]),
            "year": r["year"], "title": r["title"], "published_on": r["published_on"],
            "status": r["status"], "template": summary.template if summary else None,
            "checks": (summary.checks if summary else 0) + len(cross),
            "failed_checks": (summary.failed if summary else 0) + sum(1 for c in cross if not c.get("ok")),
            "versions": r["versions"] or 0,
            "deadline": self.deadline(r["agency"], r["year"]),
            "timeliness": self.timeliness(r["agency"], r["year"], r["published_on"]),
            "first_seen_at": r["first_seen_at"], "last_seen_at": r["last_seen_at"],
            "listed": r["status"] == "live" and not r["missing_runs"],
            "source_url": r["source_url"],
            "url": report_path(r["id"]), "api_url": f"/api/v1{report_path(r['id'])}",
        }

    def report(self, session: Session, report_id: int) -> Row:
        """A report's row, its record, checks, documents and versions."""
        return self.report_with_record(session, report_id)[0]

    def report_with_record(self, session: Session,
                           report_id: int) -> tuple[Row, dict[str, Any] | None]:
        """:meth:`report` and the raw parse record of its current version (None if unparsed)."""
        self.summaries.refresh(session)
        found = stored_reports.report_row(session, report_id)
        if found is None:
            raise NotFound(f"no report {report_id}")
        row = self.report_row(found)
        row["removed_at"] = found["removed_at"]
        row["unlisted_since"] = (unlisted_since(session, report_id)
                                 if found["status"] == "live" and found["missing_runs"] else None)
        record = self.current_record(session, report_id)
        if record is not None:  # checks against last year's report shown like in-year ones
            record = with_cross_year(record, self.previous_record(session, found["agency"], found["year"]))
            checks = [c for c in record.get("checks") or [] if isinstance(c, dict)]
            row["checks"], row["failed_checks"] = len(checks), sum(1 for c in checks if not c.get("ok"))
        row["record"] = _record_out(record) if record is not None else None
        row["checks_list"] = [_check_out(c, record) for c in (record or {}).get("checks") or []
                              if isinstance(c, dict)]
        row["documents"] = self.documents(session, report_id)
        row["version_list"] = self._versions(session, report_id, row["documents"])
        row["captures_url"] = f"/api/v1{report_path(report_id)}/captures"
        return row, record

    def previous_record(self, session: Session, agency: str | None,
                        year: int | None) -> dict[str, Any] | None:
        """The cells of the same agency's report of the year before that the cross-year checks
        read, if that report parsed."""
        if not agency or year is None:
            return None
        return previous_year_cells(session, {(agency, year - 1)}).get((agency, year - 1))

    def current_record(self, session: Session, report_id: int) -> dict[str, Any] | None:
        """The parse record of a report's current version, if it parsed."""
        return stored_reports.current_record(session, report_id)

    def values(self, session: Session, report_id: int) -> Row:
        """The numbers of a report's current version as tidy rows, in template order."""
        self.require_report(session, report_id)
        record = self.current_record(session, report_id)
        return {"report_id": report_id, "template": (record or {}).get("template"),
                "items": value_rows(record) if record is not None else []}

    def require_report(self, session: Session, report_id: int) -> Report:
        """The report row; :class:`NotFound` when there is none."""
        report = stored_reports.report_by_id(session, report_id)
        if report is None:
            raise NotFound(f"no report {report_id}")
        return report

    def documents(self, session: Session, report_id: int) -> list[Row]:
        """The documents carrying a report, with their type, size and version number."""
        return [_document_link(link) for link in stored_documents.report_document_links(session, report_id)]

    def report_documents(self, session: Session, report_id: int) -> list[Row]:
        """:meth:`documents` of a report that must exist (:class:`NotFound` otherwise)."""
        self.require_report(session, report_id)
        return self.documents(session, report_id)

    def captures(self, session: Session, report_id: int) -> list[Row]:
        """Every capture of a report's URLs or contents, oldest first."""
        self.require_report(session, report_id)
        return [capture_out(c) for c in stored_documents.report_captures(session, report_id)]

    def versions(self, session: Session, report_id: int) -> list[Row]:
        """A report's versions, oldest first, each with its documents and changes."""
        return self._versions(session, report_id, self.report_documents(session, report_id))

    def _versions(self, session: Session, report_id: int, links: list[Row]) -> list[Row]:
        versions = versions_of(session, report_id)
        by_version: dict[int | None, list[Row]] = {}
        for link in links:
            by_version.setdefault(link["version"], []).append(link)
        out = []
        previous: int | None = None
        for v in versions:
            out.append({
                "number": v.number, "first_seen_at": v.first_seen_at,
                "last_seen_at": v.last_seen_at, "run_id": v.run_id, "sha256": v.sha256,
                "url": v.url, "parser_version": v.parser_version,
                "summary": _summary(v.changes) if v.number > 1 else "first version",
                "changes": v.changes, "documents": by_version.get(v.number, []),
                "diff_url": (f"/api/v1{report_path(report_id)}/diff/{previous}/{v.number}"
                             if previous is not None else None),
            })
            previous = v.number
        return out

    def diff(self, session: Session, report_id: int, old: int, new: int) -> Row:
        """What changed between two versions (numbers, and text when comparable)."""
        self.require_report(session, report_id)
        old_record, new_record, same_kind = records_to_compare(session, report_id, old, new)
        diff = diff_records(old_record, new_record, compare_text=same_kind)
        versions = {v.number: v for v in versions_of(session, report_id)}
        order = template_order(new_record, old_record)
        return {
            "report_id": report_id, "old": old, "new": new, "summary": diff.summary(),
            "compared_text": same_kind,
            "old_version": _version_ref(versions[old]), "new_version": _version_ref(versions[new]),
            "numbers": [dict(n, label=cell_label(n["table"], n["row"], n["column"]))
                        for n in sort_cells(diff.numbers, order)],
            "text": [dict(t, label=" ".join(TEXT_SECTION_TITLES.get(t["section"], (t["section"],))))
                     for t in diff.text],
        }

    # -- documents -----------------------------------------------------------------------
    def document(self, session: Session, sha256: str) -> Row:
        """An archived content's metadata, the reports it carries, its captures and parses."""
        doc = stored_documents.document_by_sha(session, sha256)
        if doc is None:
            raise NotFound(f"no document {sha256}")
        refs = stored_documents.document_references(session, sha256)
        captures = stored_documents.document_captures(session, sha256)
        parses = stored_documents.document_parses(session, sha256)
        return {
            "sha256": doc.sha256, "size": doc.size, "content_type": doc.content_type,
            "first_seen_at": doc.first_seen_at, "content_url": document_path(doc.sha256),
            "reports": refs,
            "captures": [capture_out(c) for c in captures],
            "parses": [{"parser_version": p.parser_version, "status": p.status,
                        "message": p.message, "parsed_at": p.parsed_at} for p in parses],
        }

    def document_file(self, session: Session, sha256: str) -> tuple[Document, str | None]:
        """A document row and the charset its captures declared (for text types)."""
        doc = stored_documents.document_by_sha(session, sha256)
        if doc is None:
            raise NotFound(f"no document {sha256}")
        return doc, stored_documents.declared_charset(session, sha256)

    # -- agencies ------------------------------------------------------------------------
    def list_agencies(self, session: Session, name: str | None, region: str | None,
                      limit: int | None, offset: int = 0, *,
                      updated_since: datetime | None = None,
                      on_time: bool = False) -> tuple[int, list[Row]]:
        """Known agencies (name substring, area, updated since), a page of them, each with its
        report span and, with ``on_time``, how many of its reports came out by the deadline."""
        agencies = self.agencies_in_region(session, region) if region else None
        total = stored_reports.count_agencies(session, name=name or None, agencies=agencies,
                                              updated_since=updated_since)
        rows = [_agency_row(r) for r in stored_reports.agency_spans(
            session, name=name or None, agencies=agencies, updated_since=updated_since,
            limit=limit, offset=offset)]
        if on_time:
            names = [r["agency"] for r in rows]
            stats = self.on_time_counts(session, names if limit is not None else None)
            for row in rows:
                row.update(stats.get(row["agency"]) or _on_time_stats(0, 0, 0))
        return total, rows

    def on_time_counts(self, session: Session, agencies: list[str] | None) -> dict[str, Row]:
        """Per agency: reports published on time, late, or with no date, and the on-time rate
        (on time / reports with a date; null without any)."""
        counts: dict[str, list[int]] = {}
        for agency, year, published_on in publications(session, agencies):
            status = self.timeliness(agency, year, published_on)
            tally = counts.setdefault(agency, [0, 0, 0])
            tally[("on_time", "late", "unknown").index(status)] += 1
        return {agency: _on_time_stats(*tally) for agency, tally in counts.items()}

    def latest_due_year(self, agency: str) -> int:
        """The newest report year whose legal deadline for ``agency`` has passed."""
        today = self.today()
        year = today.year - 1
        return year if today > self.deadline(agency, year) else year - 1

    def agency(self, session: Session, agency: str) -> Row:
        """An agency's reports by year (newest first), each judged against its deadline."""
        self.summaries.refresh(session)
        found = stored_reports.agency_report_rows(session, agency)
        cross = cross_year_results(session, [r["id"] for r in found])
        reports = [self.report_row(r, cross.get(r["id"])) for r in found]
        if not reports:
            raise NotFound(f"no agency {agency!r} in the archive")
        by_year: dict[int, Row] = {}
        for row in reports:
            by_year.setdefault(row["year"], row)
        first = min(by_year)
        last = max(max(by_year), self.latest_due_year(agency))
        evidence = compliance_evidence(session)
        years = []
        for year in range(last, first - 1, -1):
            report = by_year.get(year)
            status = report["timeliness"] if report is not None else self.absent(agency, year, evidence)
            years.append({"year": year, "deadline": self.deadline(agency, year),
                          "timeliness": status, "report": report})
        series = {state: sum(1 for y in years if y["timeliness"] == state)
                  for state in ("on_time", "late", "unknown", "missing", "not_found", "not_due")}
        dated = series["on_time"] + series["late"]
        return {"agency": agency, "region": region_of(agency),
                "is_government": is_government(agency), "counts": series,
                "on_time_rate": round(series["on_time"] / dated, 4) if dated else None,
                "years": years}

    # -- coverage ------------------------------------------------------------------------
    def years(self, session: Session) -> list[int]:
        """Years with at least one report, newest first."""
        return stored_reports.report_years(session)

    def coverage(self, session: Session, year: int | None, name: str | None, region: str | None,
                 has_report: bool | None) -> tuple[Row, list[Row]]:
        """For ``year`` (default: the newest with reports): each known agency, report or none."""
        years = self.years(session)
        chosen = year if year is not None else (years[0] if years else self.today().year - 1)
        _, agencies = self.list_agencies(session, name, region, None)
        reports = stored_reports.reports_of_year(session, chosen)
        evidence = compliance_evidence(session)
        rows = []
        for a in agencies:
            report = reports.get(a["agency"])
            status = (self.timeliness(a["agency"], chosen, report["published_on"])
                      if report is not None else self.absent(a["agency"], chosen, evidence))
            rows.append({
                "agency": a["agency"], "region": a["region"], "has_report": report is not None,
                "report_id": report["id"] if report else None,
                "status": report["status"] if report else None,
                "published_on": report["published_on"] if report else None,
                "deadline": self.deadline(a["agency"], chosen), "timeliness": status,
                "first_year": a["first_year"],
                "last_year": a["last_year"],
                "url": report_path(report["id"]) if report else a["url"],
            })
        summary = {"year": chosen, "known": len(rows),
                   "with_report": sum(1 for r in rows if r["has_report"]),
                   "without_report": sum(1 for r in rows if not r["has_report"]),
                   "missing": sum(1 for r in rows if r["timeliness"] == "missing"),
                   "not_found": sum(1 for r in rows if r["timeliness"] == "not_found"),
                   "registered": len(set(evidence.registered.values())), "years": years}
        if has_report is not None:
            rows = [r for r in rows if r["has_report"] == has_report]
        rows.sort(key=lambda r: (r["has_report"], r["agency"]))
        return summary, rows

    # -- alerts --------------------------------------------------------------------------
    def list_alerts(self, session: Session, type_: str | None, agency: str | None,
                    since: date | None, limit: int | None, offset: int = 0, *,
                    updated_since: datetime | None = None) -> tuple[int, list[Row]]:
        """Alert events, newest first: the total and one page (created on or after the day
        ``since`` and at or after the moment ``updated_since``)."""
        starts = [datetime.combine(since, time.min, UTC) if since else None, updated_since]
        start = max((s for s in starts if s is not None), default=None)
        total = alert_events.count_events(session, type_=type_, agency=agency, since=start)
        return total, [alert_out(e) for e in alert_events.events(
            session, type_=type_, agency=agency, since=start, limit=limit, offset=offset)]


@lru_cache(maxsize=65536)
def _deadline(deadlines: Deadlines, agency: str, year: int) -> date:
    return deadlines.for_agency(agency, year)


# -- row builders ------------------------------------------------------------------------------
def capture_out(c: Capture) -> Row:
    """A capture as the API shows it."""
    return {
        "id": c.id, "run_id": c.run_id, "url": c.url, "final_url": c.final_url,
        "method": c.method, "status": c.status, "fetched_at": c.fetched_at,
        "content_type": c.content_type, "sha256": c.sha256, "size": c.size,
        "warc_file": c.warc_file, "warc_offset": c.warc_offset, "warc_record_id": c.warc_record_id,
        "tls_verified": c.tls_verified, "error_kind": c.error_kind, "kind": c.kind,
    }


def alert_out(e: AlertEvent) -> Row:
    """An alert event as the API shows it."""
    details = e.details if isinstance(e.details, dict) else {}
    return {
        "id": e.id, "key": e.key, "type": e.type, "label": label(e.type),
        "headline_zh": describe(e, "zh").headline, "headline_en": describe(e, "en").headline,
        "agency": e.agency, "year": e.year, "report_id": e.report_id, "run_id": e.run_id,
        "created_at": e.created_at, "details": details,
        "report_url": report_path(e.report_id) if e.report_id is not None else None,
    }


def _on_time_stats(on_time: int, late: int, unknown: int) -> Row:
    dated = on_time + late
    return {"on_time": on_time, "late": late, "undated": unknown,
            "on_time_rate": round(on_time / dated, 4) if dated else None}


def _version_ref(v: ReportVersion) -> Row:
    """A version as a diff names it: when it was captured and where its document is."""
    return {"number": v.number, "first_seen_at": v.first_seen_at, "last_seen_at": v.last_seen_at,
            "sha256": v.sha256, "source_url": v.url, "content_url": document_path(v.sha256),
            "api_url": f"/api/v1/documents/{v.sha256}"}


def _agency_row(r: Any) -> Row:
    return {"agency": r["agency"], "region": region_of(r["agency"]), "reports": r["reports"],
            "first_year": r["first_year"], "last_year": r["last_year"],
            "removed": int(r["removed"] or 0), "url": agency_path(r["agency"]),
            "api_url": f"/api/v1{agency_path(r['agency'])}"}


def _document_link(link: Row) -> Row:
    return {**link, "content_url": document_path(link["sha256"]),
            "api_url": f"/api/v1/documents/{link['sha256']}"}


def _summary(changes: dict[str, Any] | None) -> str:
    if not changes:
        return "no recorded change"
    if isinstance(changes.get("summary"), str):
        return str(changes["summary"])
    numbers, text = changes.get("numbers") or [], changes.get("text") or []
    parts = []
    if numbers:
        parts.append(f"{len(numbers)} number{'s' if len(numbers) != 1 else ''}")
    if text:
        parts.append("text of " + ", ".join(str(t.get("section")) for t in text if isinstance(t, dict)))
    return "; ".join(parts) or "no change"


def _check_out(check: dict[str, Any], record: dict[str, Any] | None) -> Row:
    rule, where = str(check.get("rule")), str(check.get("where"))
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return {
        "rule": rule, "where": where, "ok": bool(check.get("ok")),
        "expected": check.get("expected"), "actual": check.get("actual"),
        "rule_label": f"{zh} ({en})", "where_label": check_where_label(rule, where),
        "cells": [cell_label(*key) for key in check_cells(check, record or {})],
    }


def _record_out(record: dict[str, Any]) -> Row:
    def tables(name: str) -> dict[str, dict[str, Any]]:
        value = record.get(name)
        return {str(k): dict(v) for k, v in value.items() if isinstance(v, dict)} \
            if isinstance(value, dict) else {}

    sections = record.get("sections") if isinstance(record.get("sections"), dict) else {}
    return {
        "parser_version": record.get("parser_version"), "template": record.get("template"),
        "table_templates": record.get("table_templates") or {},
        "active_disclosure": tables("active_disclosure"), "applications": tables("applications"),
        "review_litigation": tables("review_litigation"),
        "sections": {str(k): str(v or "") for k, v in (sections or {}).items()},
        "warnings": [str(w) for w in record.get("warnings") or []],
        "statistics": [_statistics_row(s) for s in record.get("statistics") or [] if isinstance(s, dict)],
    }


def _statistics_row(row: dict[str, Any]) -> Row:
    """A pre-2019 statistics row: label, unit and value as printed, and where it sits."""
    value = row.get("value")
    source = row.get("source") if isinstance(row.get("source"), dict) else None
    fragment, where = source_origin(source)
    return {"label": str(row.get("label") or ""), "unit": str(row.get("unit") or ""),
            "value": value if isinstance(value, int | float) and not isinstance(value, bool) else None,
            "source": source, "fragment": (fragment or "").rstrip("#"), "where": where}

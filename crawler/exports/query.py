"""Select the reports to export, in batches, each assembled with its documents and values.

:func:`iter_reports` pages through the ``reports`` table with keyset pagination (year,
agency, id) and assembles each batch with a handful of queries, so memory depends on the
batch size, never on the archive's size. Agency and year filters run in SQL; region, host,
template and check filters on the assembled batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from crawler.errors import FilterError
from crawler.reports.changes import Deadlines
from crawler.reports.cross_year import with_cross_year
from crawler.reports.regions import in_region, region_of
from storage.models import ParseResult
from storage.read import current_parses, previous_year_cells
from storage.read.batches import (
    CaptureRow,
    DocumentMeta,
    LinkRow,
    VersionRow,
    captures_by_sha,
    documents_by_sha,
    links_by_report,
    versions_by_report,
)
from storage.read.reports import ReportSelection, report_batch
from storage.read.reports import count_reports as count_selected

TEMPLATES = ("2019", "2021", "mixed", "unknown")
CHECK_STATES = ("ok", "failed")
DEFAULT_BATCH = 200
_DEADLINES = Deadlines()



@dataclass(frozen=True)
class ExportFilters:
    """Which reports to export; every field left None selects all.

    ``region``: the agency's area is this area or inside it (:func:`crawler.reports.regions.in_region`);
    ``host``: host (host:port) of the report's document; ``agency``: substring of the name;
    ``template``: of the parsed tables (``unknown`` also selects unparsed reports);
    ``checks``: ``ok`` (parsed, no failed check) or ``failed`` (at least one failed check).
    """

    region: str | None = None
    host: str | None = None
    agency: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    template: str | None = None
    checks: str | None = None

    def __post_init__(self) -> None:
        if self.template is not None and self.template not in TEMPLATES:
            raise FilterError(f"template must be one of {', '.join(TEMPLATES)}, not {self.template!r}")
        if self.checks is not None and self.checks not in CHECK_STATES:
            raise FilterError(f"checks must be 'ok' or 'failed', not {self.checks!r}")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise FilterError(f"--year-from {self.year_from} is after --year-to {self.year_to}")

    def as_dict(self) -> dict[str, Any]:
        """The filters that are set (for READMEs and logs)."""
        return {k: v for k, v in vars(self).items() if v is not None}

    def selection(self) -> ReportSelection:
        """The filters SQL can apply (agency, years), as the read side takes them."""
        return ReportSelection(agency=self.agency or None,
                               year_from=self.year_from, year_to=self.year_to)

    def keeps(self, report: ExportedReport) -> bool:
        """True when the assembled report passes the filters SQL could not apply."""
        if self.host and report.host != self.host.lower():
            return False
        if self.template and (report.template or "unknown") != self.template:
            return False
        if self.checks == "ok":
            return report.checks_failed == 0
        if self.checks == "failed":
            return bool(report.checks_failed)
        return True


@dataclass
class ExportedReport:
    """One report as exported: its fields (the wide table's first columns) and its data."""

    report_id: int
    agency: str
    region: str
    host: str | None
    year: int
    template: str | None
    title: str
    published_on: date | None
    deadline: date
    late: bool | None
    status: str
    checks_total: int
    checks_failed: int | None
    n_versions: int
    n_documents: int
    source_url: str | None
    sha256: str | None
    content_type: str | None
    fetched_at: datetime | None
    warc_file: str | None
    warc_record_id: str | None
    parser_version: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    source_urls: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    captures: list[dict[str, Any]] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)
    #: The parse record of the current version's document (docs/record.md), or None.
    parse: dict[str, Any] | None = None

    def field_values(self, names: Sequence[str]) -> list[Any]:
        """The values of the named report fields, in order."""
        return [getattr(self, name) for name in names]


def count_reports(session: Session, filters: ExportFilters) -> int:
    """How many reports the SQL filters select (an upper bound for progress bars)."""
    return count_selected(session, filters.selection())


def iter_reports(session: Session, filters: ExportFilters | None = None, *,
                 batch_size: int = DEFAULT_BATCH) -> Iterator[tuple[int, ExportedReport | None]]:
    """(number of reports examined so far, the report or None when filtered out), in order.

    Ordered by year, agency and id. Yielding filtered-out reports as None lets callers
    advance a progress bar over the SQL count.
    """
    filters = filters or ExportFilters()
    after: tuple[int, str, int] | None = None
    seen = 0
    selection = filters.selection()
    while True:
        rows = [_ReportRow(**r) for r in report_batch(session, selection, after, batch_size)]
        if not rows:
            return
        after = (rows[-1].year, rows[-1].agency, rows[-1].id)
        wanted = [r for r in rows if not filters.region or in_region(r.agency, filters.region)]
        assembled = {r.report_id: r for r in _assemble(session, wanted)}
        for row in rows:
            seen += 1
            report = assembled.get(row.id)
            yield seen, report if report is not None and filters.keeps(report) else None


def select_reports(session: Session, filters: ExportFilters | None = None, *,
                   batch_size: int = DEFAULT_BATCH) -> Iterator[ExportedReport]:
    """The selected reports only (see :func:`iter_reports`)."""
    for _, report in iter_reports(session, filters, batch_size=batch_size):
        if report is not None:
            yield report


@dataclass(frozen=True)
class _ReportRow:
    """A report as :func:`storage.read.reports.report_batch` reads it."""

    id: int
    agency: str
    year: int
    title: str
    published_on: date | None
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    current_version_id: int | None


def _assemble(session: Session, rows: Sequence[_ReportRow]) -> list[ExportedReport]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    links = links_by_report(session, ids)
    versions = versions_by_report(session, ids)
    digests = sorted({link.sha256 for group in links.values() for link in group})
    docs = documents_by_sha(session, digests)
    captures = captures_by_sha(session, digests)
    parses = current_parses(session, ids)
    out = [_one(row, links.get(row.id, []), versions.get(row.id, []), docs, captures,
                parses.get(row.id)) for row in rows]
    previous = previous_year_cells(session, {(r.agency, r.year - 1) for r in out
                                             if r.agency and r.year is not None and r.parse})
    for report in out:  # checks against last year's report, exported and counted like in-year ones
        if report.parse is not None and report.year is not None:
            report.parse = with_cross_year(report.parse, previous.get((report.agency, report.year - 1)))
            checks = report.parse.get("checks") or []
            report.checks_total = len(checks)
            report.checks_failed = sum(1 for c in checks if not c.get("ok"))
    return out


def _one(row: _ReportRow, links: list[LinkRow], versions: list[VersionRow],
         docs: dict[str, DocumentMeta], captures: dict[str, list[CaptureRow]],
         parse: ParseResult | None) -> ExportedReport:
    current = next((v for v in versions if v.id == row.current_version_id), None)
    digests = list(dict.fromkeys(link.sha256 for link in links))
    sha256: str | None
    url: str | None
    if current is not None:
        sha256, url = current.sha256, current.url
    else:  # no version yet: the document of its current parse (storage.read), else the first
        sha256 = parse.sha256 if parse is not None else (digests[0] if digests else None)
        url = next((link.url for link in links if link.sha256 == sha256), None)
    record = parse.record if parse is not None and parse.record is not None else None
    checks = (record or {}).get("checks") or []
    capture = _first_capture(captures.get(sha256 or "", []), url)
    deadline = _DEADLINES.for_agency(row.agency, row.year)
    number_of: dict[int | None, int] = {v.id: v.number for v in versions}
    return ExportedReport(
        report_id=row.id, agency=row.agency, region=region_of(row.agency),
        host=urlsplit(url).netloc.lower() if url else None, year=row.year,
        template=record.get("template") if record else None, title=row.title,
        published_on=row.published_on, deadline=deadline,
        late=(row.published_on > deadline) if row.published_on else None, status=row.status,
        checks_total=len(checks),
        checks_failed=sum(1 for c in checks if not c.get("ok")) if record else None,
        n_versions=len(versions), n_documents=len(digests), source_url=url, sha256=sha256,
        content_type=docs[sha256].content_type if sha256 in docs else None,
        fetched_at=capture.fetched_at if capture else None,
        warc_file=capture.warc_file if capture else None,
        warc_record_id=capture.warc_record_id if capture else None,
        parser_version=parse.parser_version if parse is not None and record else None,
        first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        source_urls=list(dict.fromkeys(link.url for link in links)),
        documents=[{"sha256": link.sha256, "url": link.url, "role": link.role,
                    "content_type": docs[link.sha256].content_type if link.sha256 in docs else None,
                    "size": docs[link.sha256].size if link.sha256 in docs else None,
                    "version": number_of.get(link.version_id)} for link in links],
        captures=[{"url": c.url, "final_url": c.final_url or c.url, "fetched_at": c.fetched_at,
                   "status": c.status, "sha256": c.sha256,
                   "warc_file": c.warc_file, "warc_offset": c.warc_offset,
                   "warc_record_id": c.warc_record_id, "run_id": c.run_id}
                  for d in digests for c in captures.get(d, [])],
        versions=[{"number": v.number, "sha256": v.sha256, "url": v.url,
                   "parser_version": v.parser_version, "first_seen_at": v.first_seen_at,
                   "last_seen_at": v.last_seen_at, "changes": v.changes} for v in versions],
        parse=record,
    )


def _first_capture(captures: list[CaptureRow], url: str | None) -> CaptureRow | None:
    """The earliest capture with a WARC record, at ``url`` when there is one."""
    archived = [c for c in captures if c.warc_file]
    at_url = [c for c in archived if c.url == url]
    chosen = at_url or archived or captures
    return chosen[0] if chosen else None

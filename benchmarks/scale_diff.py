"""What two crawl archives of the same portal found differently, and why (for ``scale.py``).

:func:`read_archive` reads one archive database: its reports with their documents' URLs, its
documents, page count and the run's errors by kind (the run record's counts, which
``govreports crawl`` and ``govreports worker`` print as their summary). :func:`explain`
lists, for each (agency, year) pair and document sha256 one side lacks, the URLs where the
other side found it and what the lacking side's captures of those URLs (or of the pages that
led to them, following the other side's referrers up to one the lacking side fetched) say:
status, error kind and message, or "never fetched".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from storage.models import Capture, CrawlRun, Report, ReportDocument

#: Referrer hops followed from a missing URL towards a page the lacking side fetched.
MAX_HOPS = 8


@dataclass
class ArchiveFacts:
    """What one run stored: reports, documents, pages, errors (see module docstring)."""

    db_url: str
    #: (agency, year) -> URLs of the report's documents.
    reports: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    #: sha256 -> URLs where a report document with these bytes was found.
    documents: dict[str, list[str]] = field(default_factory=dict)
    pages: int = 0
    #: The run's failed requests by kind (error kind, or ``http_<status>``), distinct URLs.
    errors: dict[str, int] = field(default_factory=dict)


def read_archive(db_url: str) -> ArchiveFacts:
    """The reports, documents, page count and errors stored in the database at ``db_url``."""
    facts = ArchiveFacts(db_url)
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            for agency, year, url, sha256 in session.execute(
                    select(Report.agency, Report.year, ReportDocument.url, ReportDocument.sha256)
                    .join(ReportDocument, ReportDocument.report_id == Report.id)):
                facts.reports.setdefault((agency, year), []).append(url)
                facts.documents.setdefault(sha256, []).append(url)
            for agency, year in session.execute(select(Report.agency, Report.year)):
                facts.reports.setdefault((agency, year), [])
            facts.pages = int(session.scalar(select(func.count()).select_from(Capture)) or 0)
            for counts in session.scalars(select(CrawlRun.counts)):
                for kind, n in ((counts or {}).get("errors") or {}).items():
                    facts.errors[kind] = facts.errors.get(kind, 0) + int(n)
    finally:
        engine.dispose()
    return facts


@dataclass(frozen=True)
class CaptureLine:
    """One capture of a URL, as much as a reader needs to judge it."""

    url: str
    status: int | None
    error_kind: str | None
    error_message: str | None
    kind: str | None
    referrer: str | None

    def render(self) -> str:
        """``status 200``, ``error timeout (message)`` and the capture kind, on one line."""
        what = f"status {self.status}" if self.status is not None else "no response"
        if self.error_kind:
            message = (self.error_message or "").replace("\n", " ")[:160]
            what += f", error {self.error_kind}" + (f" ({message})" if message else "")
        return what + (f", kind {self.kind}" if self.kind else "")


def _captures(session: Session, url: str) -> list[CaptureLine]:
    rows = session.execute(
        select(Capture.url, Capture.status, Capture.error_kind, Capture.error_message,
               Capture.kind, Capture.referrer)
        .where((Capture.url == url) | (Capture.final_url == url)).order_by(Capture.id))
    return [CaptureLine(*row) for row in rows]


def _trail(url: str, lacking: Session, having: Session) -> list[str]:
    """How the lacking side saw ``url`` and the pages that led to it on the having side."""
    lines: list[str] = []
    for _ in range(MAX_HOPS):
        mine = _captures(lacking, url)
        if mine:
            lines += [f"{url}: {c.render()}" for c in mine]
            return lines
        lines.append(f"{url}: never fetched")
        theirs = _captures(having, url)
        referrer = next((c.referrer for c in theirs if c.referrer), None)
        if referrer is None or referrer == url:
            return lines
        url = referrer
        lines.append("  found on (other side):")
    return lines


def _differences(label: str, lacking: ArchiveFacts, having: ArchiveFacts,
                 missing_reports: Iterable[tuple[str, int]], missing_docs: Iterable[str]) -> list[str]:
    lines: list[str] = []
    lacking_engine, having_engine = create_engine(lacking.db_url), create_engine(having.db_url)
    try:
        with Session(lacking_engine) as mine, Session(having_engine) as theirs:
            for agency, year in sorted(missing_reports):
                lines.append(f"{label} lacks report ({agency}, {year}):")
                for url in having.reports[(agency, year)] or ["(no document URL)"]:
                    lines += [f"    {line}" for line in _trail(url, mine, theirs)]
            for sha256 in sorted(missing_docs):
                lines.append(f"{label} lacks document {sha256}:")
                for url in having.documents[sha256]:
                    lines += [f"    {line}" for line in _trail(url, mine, theirs)]
    finally:
        lacking_engine.dispose()
        having_engine.dispose()
    return lines


def explain(a_label: str, a: ArchiveFacts, b_label: str, b: ArchiveFacts) -> list[str]:
    """Lines saying which reports and documents each side lacks and what became of their URLs
    there (empty when both found the same)."""
    return [
        *_differences(a_label, a, b, b.reports.keys() - a.reports.keys(),
                      b.documents.keys() - a.documents.keys()),
        *_differences(b_label, b, a, a.reports.keys() - b.reports.keys(),
                      a.documents.keys() - b.documents.keys()),
    ]


def missing_expected(facts: ArchiveFacts, expected: Iterable[tuple[str, int, tuple[str, ...]]]) -> list[str]:
    """Lines for each expected (agency, year) the archive lacks, with its URLs' captures there."""
    lines: list[str] = []
    engine = create_engine(facts.db_url)
    try:
        with Session(engine) as session:
            for agency, year, urls in sorted(expected):
                if (agency, year) in facts.reports:
                    continue
                lines.append(f"lacks expected report ({agency}, {year}):")
                for url in urls:
                    captures = _captures(session, url)
                    lines += [f"    {url}: {c.render()}" for c in captures] or [f"    {url}: never fetched"]
    finally:
        engine.dispose()
    return lines

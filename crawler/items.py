"""Items the spider yields: a document found to carry an annual report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReportItem:
    """A fetched document (page or attachment) that carries an annual report."""

    url: str
    capture_id: int
    sha256: str
    role: str  # "page" (report inline in HTML) | "attachment" (pdf, doc, docx, wps…)
    title: str
    agency: str | None
    year: int
    published_on: str | None  # "YYYY-MM-DD" from page metadata, when given
    content_type: str | None
    filename: str | None = None
    #: Which source named the agency (``crawler.reports.identity.IDENTITY_SOURCES``, or "host").
    identity_source: str | None = None
    #: ``pre2019`` for reports in the old 统计表 format; None: the parser decides.
    template: str | None = None

"""Response models of the JSON API (they make the OpenAPI document precise)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Timeliness = Literal["on_time", "late", "unknown", "missing", "not_found", "not_due"]
Number = int | float


class PageLink(BaseModel):
    """One numbered page of a list (null ``url``: a gap of pages left out)."""

    number: int | None
    url: str | None
    current: bool = False


class Page(BaseModel):
    """Where a page of a list sits in the whole list."""

    total: int = Field(description="Rows matching the filters, all pages together.")
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page; null on the last page.")
    prev: str | None = Field(description="URL of the previous page; null on the first page.")
    csv: str = Field(description="URL of the whole filtered list as CSV (UTF-8 with BOM).")
    pages: list[PageLink] = Field(default=[], description=(
        "Numbered pages: the first, the last and those around the current one; "
        "a gap is an entry with a null url."))


class ReportRow(BaseModel):
    """A report as the list shows it."""

    id: int
    agency: str
    region: str = Field(description="Administrative area read from the agency's name ('' unknown).")
    year: int
    title: str
    published_on: date | None
    status: Literal["live", "removed"] | str
    template: str | None = Field(description="2019, 2021, mixed or unknown; null when unparsed.")
    checks: int = Field(description="Consistency checks recorded for the current version.")
    failed_checks: int
    versions: int = Field(description="Number of the current version (0 when unparsed).")
    deadline: date
    timeliness: Timeliness
    first_seen_at: datetime
    last_seen_at: datetime
    listed: bool = Field(description="Live and still linked from a list on its portal (false when "
                         "removed, or when the last crawls found it only at its URL).")
    source_url: str | None = Field(description="The government URL of the current version's document.")
    url: str = Field(description="URL of this report's page.")
    api_url: str


class ReportList(BaseModel):
    """A page of reports."""

    page: Page
    items: list[ReportRow]


class Check(BaseModel):
    """One official consistency check (勾稽关系) of the parsed record."""

    rule: str
    where: str
    ok: bool
    expected: Number | None
    actual: Number | None
    rule_label: str
    where_label: str
    cells: list[str] = Field(description="Labels of the cells the check adds up.")


class DocumentLink(BaseModel):
    """A document that carries the report, at a URL."""

    url: str
    sha256: str
    role: str
    content_type: str | None
    size: int | None
    version: int | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    content_url: str = Field(description="Path serving the archived original bytes.")
    api_url: str


class VersionSummary(BaseModel):
    """One version of a report and a one-line summary of what changed."""

    number: int
    first_seen_at: datetime
    last_seen_at: datetime
    run_id: int | None
    sha256: str
    url: str
    parser_version: str | None
    summary: str
    changes: dict[str, Any] | None
    documents: list[DocumentLink] = []
    diff_url: str | None = Field(description="API path of the diff from the previous version.")


class StatisticsRow(BaseModel):
    """One row of a pre-2019 report's 政府信息公开情况统计表."""

    label: str = Field(description="统计指标 as printed, e.g. （一）主动公开政府信息数.")
    unit: str = Field(description="单位 as printed: 条, 件, 万元, ….")
    value: Number | None = Field(description="统计数; null when blank.")
    source: dict[str, Any] | None = Field(description="Where the value sits in the original (docs/record.md).")
    fragment: str = Field(description="URL fragment of that place in the original (#page=N for PDFs), or empty.")
    where: str | None = Field(description="That place in words (page and box; table, row and column; line).")


class ParsedRecord(BaseModel):
    """The parse record of the current version (see docs/record.md)."""

    parser_version: str | None
    template: str | None
    table_templates: dict[str, Any]
    active_disclosure: dict[str, dict[str, Number | None]]
    applications: dict[str, dict[str, Number | None]]
    review_litigation: dict[str, dict[str, Number | None]]
    sections: dict[str, str]
    warnings: list[str]
    statistics: list[StatisticsRow] = Field(
        default_factory=list,
        description="Template pre2019 only: the 政府信息公开情况统计表 rows as printed, in order.")


class ReportDetail(ReportRow):
    """Everything the report page shows."""

    removed_at: datetime | None = Field(description="When a crawl found every URL of it gone.")
    unlisted_since: datetime | None = Field(description=(
        "For a live report no list links to any more: when a crawl first found it unlisted."))
    record: ParsedRecord | None
    checks_list: list[Check]
    documents: list[DocumentLink]
    version_list: list[VersionSummary]
    captures_url: str


class CaptureOut(BaseModel):
    """One fetch of a URL, with where its bytes are in the WARC files."""

    id: int
    run_id: int
    url: str
    final_url: str | None
    method: str
    status: int | None
    fetched_at: datetime
    content_type: str | None
    sha256: str | None
    size: int | None
    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None
    tls_verified: bool | None
    error_kind: str | None
    kind: str | None


class CaptureList(BaseModel):
    """Every capture of a report's URLs and contents."""

    report_id: int
    items: list[CaptureOut]


class VersionList(BaseModel):
    """Every version of a report, oldest first."""

    report_id: int
    items: list[VersionSummary]


class NumberChange(BaseModel):
    """A cell whose number differs between two versions."""

    table: str
    row: str
    column: str
    label: str
    old: Number
    new: Number


class TextChange(BaseModel):
    """A narrative section whose text differs (unified diff)."""

    section: str
    label: str
    diff: str


class VersionRef(BaseModel):
    """One side of a diff: when that version was captured, and its archived document."""

    number: int
    first_seen_at: datetime = Field(description="First capture of this version's document.")
    last_seen_at: datetime
    sha256: str
    source_url: str = Field(description="The government URL it was captured from.")
    content_url: str = Field(description="URL of the archived document.")
    api_url: str


class VersionDiffOut(BaseModel):
    """What changed from version ``old`` to version ``new``."""

    report_id: int
    old: int
    new: int
    summary: str
    compared_text: bool = Field(description="False when the two versions are different formats.")
    old_version: VersionRef
    new_version: VersionRef
    numbers: list[NumberChange] = Field(description="Changed cells in the official template's order.")
    text: list[TextChange]


class ReportRef(BaseModel):
    """A report that a document carries."""

    report_id: int
    agency: str
    year: int
    url: str
    role: str


class ParseOutcome(BaseModel):
    """One parser version's outcome for a document."""

    parser_version: str
    status: str
    message: str | None
    parsed_at: datetime


class DocumentMeta(BaseModel):
    """An archived content: its type, size, where it came from and which reports it carries."""

    sha256: str
    size: int
    content_type: str | None
    first_seen_at: datetime
    content_url: str
    reports: list[ReportRef]
    captures: list[CaptureOut]
    parses: list[ParseOutcome]


class DocumentList(BaseModel):
    """The documents of a report."""

    report_id: int
    items: list[DocumentLink]


class AgencyRow(BaseModel):
    """An agency and its reports in the archive."""

    agency: str
    region: str
    reports: int
    first_year: int
    last_year: int
    removed: int
    on_time: int = Field(description="Reports published on or before the legal deadline.")
    late: int = Field(description="Reports published after the deadline.")
    undated: int = Field(description="Reports with no publication date (not judged).")
    on_time_rate: float | None = Field(description="on_time / (on_time + late); null when no report has a date.")
    url: str
    api_url: str


class AgencyList(BaseModel):
    """A page of agencies."""

    page: Page
    items: list[AgencyRow]


class AgencyYear(BaseModel):
    """One year of an agency: its report (if any) and whether it came out on time."""

    year: int
    deadline: date
    timeliness: Timeliness
    report: ReportRow | None


class AgencyDetail(BaseModel):
    """An agency's reports by year, each on time or late against the legal deadline."""

    agency: str
    region: str
    is_government: bool = Field(description="A 人民政府 (deadline 31 March, else 31 January).")
    counts: dict[str, int] = Field(description="Years by state: on_time, late, unknown (no date), "
                                   "missing, not_found (not in the archive), not_due.")
    on_time_rate: float | None = Field(description="on_time / (on_time + late) over the years shown.")
    years: list[AgencyYear] = Field(description="The time series, newest year first.")


class CoverageRow(BaseModel):
    """A known agency in the coverage year: its report, or none."""

    agency: str
    region: str
    has_report: bool
    report_id: int | None
    status: str | None
    published_on: date | None
    deadline: date
    timeliness: Timeliness
    first_year: int
    last_year: int
    url: str


class CoverageSummary(BaseModel):
    """How many known agencies (a report for any year in the archive) have one for the year."""

    year: int
    known: int = Field(description="Agencies with a report for any year in the archive.")
    with_report: int = Field(description="Known agencies with a report for this year in the archive.")
    without_report: int = Field(description="Known agencies with no report for this year in the archive "
                                "(missing + not_found + not yet due).")
    missing: int = Field(description="Of those, registered agencies whose portal was fully crawled after "
                         "the deadline: a report that should exist and was not there.")
    not_found: int = Field(description="Of those, past the deadline but not judged: unregistered agency, "
                           "or no completed crawl of its portal after the deadline.")
    registered: int = Field(description="Agencies in the registry (govreports agencies import).")
    years: list[int] = Field(description="Years that have at least one report.")


class Coverage(BaseModel):
    """For a year, which known agencies have a report and which do not."""

    summary: CoverageSummary
    page: Page
    items: list[CoverageRow]


class AlertOut(BaseModel):
    """An alert event: a new, changed, removed or overdue report."""

    id: int
    key: str
    type: str
    label: str
    headline_zh: str
    headline_en: str
    agency: str
    year: int
    report_id: int | None
    run_id: int | None
    created_at: datetime
    details: dict[str, Any]
    report_url: str | None


class AlertList(BaseModel):
    """A page of alert events, newest first."""

    page: Page
    items: list[AlertOut]


class ValueRow(BaseModel):
    """One number of a report's tables as a tidy row."""

    section: Literal["active_disclosure", "applications", "review_litigation"]
    section_label: str = Field(description="The section as the form prints it, e.g. 三、收到和处理政府信息公开申请情况.")
    row: str
    row_label: str = Field(description="The row as the form prints it.")
    column: str
    column_label: str = Field(description="The column as the form prints it.")
    value: Number
    unit: str


class ValueList(BaseModel):
    """The numbers of a report's current version, in the official template's order."""

    report_id: int
    template: str | None
    items: list[ValueRow]


class Problem(BaseModel):
    """An error: what went wrong (404 unknown id, 400 bad filter)."""

    detail: str

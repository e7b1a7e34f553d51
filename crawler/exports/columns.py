"""The stable column names and types of every export table (documented in docs/exports.md).

Types are Frictionless Table Schema types (integer, number, string, boolean, date, datetime);
:mod:`crawler.exports.parquet` and the data package map them to Arrow and JSON types.
Changing a name here is a breaking change for researchers: ``tests/exports`` pins them.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.reports.schema import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)


@dataclass(frozen=True)
class Column:
    """One column of an export table."""

    name: str
    type: str
    description: str


CELL_TABLES = ("active_disclosure", "applications", "review_litigation")

#: Report fields, first in the wide per-report table (``reports``).
REPORT_FIELDS: tuple[Column, ...] = (
    Column("report_id", "integer", "the report's id in the archive"),
    Column("agency", "string", "issuing agency (normalised name)"),
    Column("region", "string", "administrative area read from the agency's name (crawler.reports.regions); empty when unknown"),
    Column("host", "string", "host (host:port) of the document the values come from"),
    Column("year", "integer", "report year"),
    Column("template", "string", "2019, 2021, mixed, unknown or pre2019 (its rows in the statistics table): the form of the tables; empty when not parsed"),
    Column("title", "string", "title of the report"),
    Column("published_on", "date", "publication date (page metadata or signature date)"),
    Column("deadline", "date", "legal deadline: 31 January (departments) or 31 March (governments) of the next year"),
    Column("late", "boolean", "published after the deadline; empty when the date is unknown"),
    Column("status", "string", "live, or removed (gone from its site)"),
    Column("checks_total", "integer", "official consistency checks (勾稽关系) that could be computed, those against last year's report included"),
    Column("checks_failed", "integer", "checks that do not add up (in the report or against last year's); empty when not parsed"),
    Column("n_versions", "integer", "distinct versions of the report seen"),
    Column("n_documents", "integer", "distinct documents (contents) that carry the report"),
    Column("source_url", "string", "URL of the document the values come from (current version)"),
    Column("sha256", "string", "sha256 of that document (its file in the bundle's documents/)"),
    Column("content_type", "string", "media type of that document"),
    Column("fetched_at", "datetime", "when that document was first captured (UTC)"),
    Column("warc_file", "string", "WARC file holding that capture"),
    Column("warc_record_id", "string", "WARC-Record-ID of that capture's response record"),
    Column("parser_version", "string", "parser version of the values"),
    Column("first_seen_at", "datetime", "when the archive first saw the report (UTC)"),
    Column("last_seen_at", "datetime", "when the archive last saw the report (UTC)"),
)


def _active_cells() -> list[tuple[str, str]]:
    cells: dict[tuple[str, str], None] = {}
    rows = dict.fromkeys([*ACTIVE_DISCLOSURE_2019, *ACTIVE_DISCLOSURE_2021])
    for row in rows:
        for layout in (ACTIVE_DISCLOSURE_2019, ACTIVE_DISCLOSURE_2021):
            for field in layout.get(row, ()):
                cells[(row, field)] = None
    return list(cells)


ACTIVE_CELLS: tuple[tuple[str, str], ...] = tuple(_active_cells())
APPLICATION_ROWS: tuple[str, ...] = tuple(dict.fromkeys([*APPLICATION_ROWS_2019, *APPLICATION_ROWS_2021]))
APPLICATION_CELLS: tuple[tuple[str, str], ...] = tuple(
    (row, col) for row in APPLICATION_ROWS for col in APPLICANT_COLUMNS)
REVIEW_CELLS: tuple[tuple[str, str], ...] = tuple(
    (group, col) for group in REVIEW_GROUPS for col in REVIEW_COLUMNS)

#: Every table cell of both official templates: (table, row, column, type).
CELLS: tuple[tuple[str, str, str, str], ...] = (
    tuple(("active_disclosure", r, c, "number") for r, c in ACTIVE_CELLS)
    + tuple(("applications", r, c, "integer") for r, c in APPLICATION_CELLS)
    + tuple(("review_litigation", r, c, "integer") for r, c in REVIEW_CELLS)
)


def cell_column(table: str, row: str, column: str) -> str:
    """The wide table's column name of a cell, e.g. ``applications.granted.total``."""
    return f"{table}.{row}.{column}"


CELL_COLUMNS: tuple[Column, ...] = tuple(
    Column(cell_column(t, r, c), kind, f"{t} row {r}, column {c}; empty when blank in the document "
           "or not in the report's template")
    for t, r, c, kind in CELLS
)
#: The wide per-report table: report fields, then one column per table cell.
WIDE_COLUMNS: tuple[Column, ...] = REPORT_FIELDS + CELL_COLUMNS

#: The first columns of the ``values`` and ``checks`` tables: which report a row belongs to.
_REPORT_KEY: tuple[Column, ...] = (
    Column("report_id", "integer", "the report (reports.report_id)"),
    Column("agency", "string", "issuing agency"),
    Column("year", "integer", "report year"),
)

#: The tidy long table (``values``): one row per table cell present in a report's record.
VALUE_COLUMNS: tuple[Column, ...] = (
    *_REPORT_KEY,
    Column("table", "string", "active_disclosure (section 二), applications (三) or review_litigation (四)"),
    Column("row", "string", "row (or group) name, see docs/record.md"),
    Column("column", "string", "column (or field) name, see docs/record.md"),
    Column("value", "number", "the cell's number; empty when the cell is blank in the document"),
)

#: The checks table (``checks``): one row per official check of a report.
CHECK_COLUMNS: tuple[Column, ...] = (
    *_REPORT_KEY,
    Column("rule", "string", "balance, results_sum, row_total or review_total (docs/record.md)"),
    Column("where", "string", "the column, row or group checked"),
    Column("ok", "boolean", "true when expected equals actual"),
    Column("expected", "number", "what the parts add up to"),
    Column("actual", "number", "the printed total"),
)

#: The text sections table (``sections``): one row per non-empty text section of a report.
SECTION_COLUMNS: tuple[Column, ...] = (
    *_REPORT_KEY,
    Column("section", "string", "overview (section 一), problems (五) or other (六)"),
    Column("heading", "string", "the section's official heading, e.g. 一、总体情况"),
    Column("text", "string", "the section's text as parsed from the document"),
)

#: The pre-2019 statistics table (``statistics``): one row per row of a pre-2019 report's
#: 政府信息公开情况统计表 (template ``pre2019``, whose three official tables are empty).
STATISTICS_COLUMNS: tuple[Column, ...] = (
    *_REPORT_KEY,
    Column("position", "integer", "the row's place in the report's statistics table, from 1"),
    Column("label", "string", "统计指标 as printed (enumeration kept, spaces removed), e.g. （一）主动公开政府信息数"),
    Column("unit", "string", "单位 as printed: 条, 件, 万元, …"),
    Column("value", "number", "统计数; empty when blank in the document"),
)

#: Table name -> columns, in the order files are written.
TABLES: dict[str, tuple[Column, ...]] = {
    "reports": WIDE_COLUMNS,
    "values": VALUE_COLUMNS,
    "checks": CHECK_COLUMNS,
    "sections": SECTION_COLUMNS,
    "statistics": STATISTICS_COLUMNS,
}

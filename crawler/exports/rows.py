"""One exported report as rows of the export tables: wide, tidy values, checks, JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from crawler.exports.columns import CELL_TABLES, CELLS, REPORT_FIELDS
from crawler.exports.query import ExportedReport
from crawler.reports.form import TEXT_SECTION_TITLES

REPORT_FIELD_NAMES = tuple(c.name for c in REPORT_FIELDS)


def wide_row(report: ExportedReport) -> list[Any]:
    """The report's row of the wide table: its fields, then every cell (None when absent)."""
    parse = report.parse or {}
    cells = [((parse.get(table) or {}).get(row) or {}).get(column)
             for table, row, column, _ in CELLS]
    return report.field_values(REPORT_FIELD_NAMES) + cells


def value_rows(report: ExportedReport) -> Iterator[tuple[Any, ...]]:
    """(report_id, agency, year, table, row, column, value) for every cell of the record."""
    parse = report.parse or {}
    for table in CELL_TABLES:
        for row, columns in (parse.get(table) or {}).items():
            for column, value in (columns or {}).items():
                yield (report.report_id, report.agency, report.year, table, row, column, value)


def check_rows(report: ExportedReport) -> Iterator[tuple[Any, ...]]:
    """(report_id, agency, year, rule, where, ok, expected, actual) for every check."""
    for check in (report.parse or {}).get("checks") or []:
        yield (report.report_id, report.agency, report.year, check.get("rule"), check.get("where"),
               check.get("ok"), check.get("expected"), check.get("actual"))


def section_rows(report: ExportedReport) -> Iterator[tuple[Any, ...]]:
    """(report_id, agency, year, section, heading, text) for every non-empty text section."""
    sections = (report.parse or {}).get("sections") or {}
    for section, (heading, _english) in TEXT_SECTION_TITLES.items():
        text = sections.get(section)
        if text:
            yield (report.report_id, report.agency, report.year, section, heading, text)


def statistics_rows(report: ExportedReport) -> Iterator[tuple[Any, ...]]:
    """(report_id, agency, year, position, label, unit, value) for every row of a pre-2019
    report's statistics table."""
    for position, row in enumerate((report.parse or {}).get("statistics") or [], start=1):
        if isinstance(row, dict):
            yield (report.report_id, report.agency, report.year, position, row.get("label"),
                   row.get("unit"), row.get("value"))


def json_object(report: ExportedReport) -> dict[str, Any]:
    """The report as a JSON-ready dict (shallow; dates stay objects: see :func:`json_default`)."""
    return {f.name: getattr(report, f.name) for f in fields(report)}


def json_default(value: Any) -> str:
    """``json.dumps`` hook: dates and times as ISO 8601 strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")

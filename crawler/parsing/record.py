"""From an extracted :class:`Doc` to the record of issue 3 (see docs/record.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crawler.errors import ParseError
from crawler.parsing.active import complete_rows as complete_active
from crawler.parsing.active import parse_active
from crawler.parsing.anchors import table_starts
from crawler.parsing.applications import complete_rows as complete_applications
from crawler.parsing.applications import parse_applications
from crawler.parsing.layout import Cell, Doc, Line
from crawler.parsing.numbers import printed_form
from crawler.parsing.pre2019 import Statistics, is_pre2019, parse_statistics
from crawler.parsing.review import parse_review
from crawler.parsing.sections import (
    find_outline,
    is_furniture,
    parse_date,
    section_ranges,
    section_text,
    signature,
)
from crawler.parsing.version import PARSER_VERSION
from crawler.reports.checks import run_checks
from crawler.reports.identity import Identity, clean_title, decide, publisher
from crawler.reports.schema import APPLICANT_COLUMNS


class NotAReport(ParseError):
    """The document has neither the sections nor the tables of an annual report."""


def _cited_template(lines: list[Line]) -> str | None:
    head = "".join(line.key for line in lines[:60])
    if re.search(r"2021[〕\])]30号", head):
        return "2021"
    if re.search(r"2019[〕\])]60号", head):
        return "2019"
    return None


def _overall(active: str, applications: str) -> str:
    found = {t for t in (active, applications) if t != "unknown"}
    if not found:
        return "unknown"
    if found == {"mixed"} or len(found) > 1:
        return "mixed"
    return found.pop()


def build_record(doc: Doc, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The structured record; raises :class:`NotAReport` for other documents."""
    lines = [line for line in doc.lines if not is_furniture(line)]
    outline = find_outline(lines)
    outline.starts, found_by_cells = table_starts(lines, outline.starts)
    ranges = section_ranges(outline, len(lines))
    warnings = list(doc.warnings) + found_by_cells
    meta = metadata or {}

    page_title = None
    if doc.page_title and "报告" in doc.page_title:
        page_title = "".join(re.split(r"[_|｜]|\s[-—]\s", doc.page_title)[0].split())
    meta_title = "".join(str(meta["title"]).split()) if meta.get("title") else None
    title = meta_title or outline.title or page_title
    title = clean_title(title) if title else None
    sig_day, sig_start = signature(lines, max((start for start, _ in ranges.values()), default=0))
    signer = lines[sig_start].key if sig_day is not None and sig_start < len(lines) else None
    if signer is not None and parse_date(signer) is not None:
        signer = None
    identity = decide(
        [("metadata", meta_title), ("title", outline.title), ("page_title", page_title)],
        [("publisher", publisher([line.text for line in lines[:40]])), ("signature", signer)],
    )
    agency, year = identity.agency, identity.year
    if is_pre2019(lines, year):
        stats = parse_statistics(lines)
        if stats.found_table:
            record = _pre2019_record(lines, ranges, stats, warnings, title, identity, meta)
            record["ocr"] = doc.ocr
            return record
    fallback = _cited_template(lines) or ("2019" if year is not None and year < 2021 else "2021")

    def part(name: str) -> list[Line]:
        start, end = ranges.get(name, (0, 0))
        return lines[start:end]

    active = parse_active(part("active"), doc.mode, fallback)
    apps = parse_applications(part("applications"), doc.mode)
    review_cells: dict[str, dict[str, Cell]] = {}
    review, review_warnings = (
        parse_review(part("review"), doc.mode, review_cells) if "review" in ranges else ({}, [])
    )
    if len(outline.starts) < 3 and not (active.rows or apps.found_table):
        raise NotAReport(
            "no report title, section headings or standard tables were found"
        )

    app_template = apps.template
    if app_template == "unknown" and apps.found_table:
        app_template = active.template if active.template in ("2019", "2021") else fallback
    active_template = active.template
    ad_layout = active_template if active_template in ("2019", "2021") else (
        app_template if app_template in ("2019", "2021") else fallback
    )
    active_rows = complete_active(active, ad_layout) if active.rows else {}
    applications = complete_applications(apps, app_template)
    template = _overall(active_template, apps.template)

    published = None
    published_source = None
    if meta.get("published_on"):
        published = parse_date(str(meta["published_on"])) or _iso(str(meta["published_on"]))
        published_source = "metadata" if published else None
    end_of_other = len(lines)
    day, sig_start = sig_day, sig_start
    if day is not None and "other" in ranges:
        end_of_other = sig_start
    if published is None and day is not None:
        published, published_source = day, "signature"

    other_start = ranges.get("other", (len(lines), len(lines)))[0]
    sections = {
        "overview": section_text(part("overview")),
        "problems": section_text(part("problems")),
        "other": section_text(lines[other_start:end_of_other]) if "other" in ranges else "",
    }
    for name in ("active", "applications", "review"):
        if name not in ranges:
            warnings.append(f"section {_SECTION_NUMERAL[name]} not found")
    warnings += active.warnings + apps.warnings + review_warnings
    sources = {
        "active_disclosure": _located(active.cells),
        "applications": _located(
            {row: dict(zip(APPLICANT_COLUMNS, cells, strict=True)) for row, cells in apps.cells.items()}
        ),
        "review_litigation": _located(review_cells),
    }
    checks = run_checks(applications, review)
    if doc.ocr:
        warnings += ocr_flags(sources, checks)
    return {
        "agency": agency,
        "year": year,
        "title": title,
        "published_on": published.isoformat() if published else None,
        "template": template,
        "table_templates": {"active_disclosure": active_template, "applications": apps.template},
        "active_disclosure": active_rows,
        "applications": applications,
        "review_litigation": review,
        "sections": sections,
        "checks": checks,
        "warnings": warnings,
        "parser_version": PARSER_VERSION,
        "ocr": doc.ocr,
        "identity": {"agency": identity.agency_source, "year": identity.year_source,
                     "published_on": published_source},
        "units": {f"active_disclosure.{k}": v for k, v in active.units.items()},
        "sources": sources,
    }


def ocr_flags(sources: Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]],
              checks: list[dict[str, Any]]) -> list[str]:
    """Warnings for recognised values: each one read with low confidence, and failed checks."""
    from crawler.parsing.ocr_source import LOW_CONFIDENCE

    out = []
    for table, rows in sources.items():
        for row, columns in rows.items():
            for col, where in columns.items():
                confidence = where.get("confidence")
                if confidence is not None and confidence < LOW_CONFIDENCE:
                    out.append(f"{table}.{row}.{col}: read by OCR with confidence {confidence:.2f} "
                               f"(page {where.get('page')}); check it against the original")
    failed = sum(1 for c in checks if not c["ok"])
    if failed:
        out.append(f"ocr: {failed} checks failed; values may be misread, check them against the original")
    return out


def located(cell: Cell) -> dict[str, Any]:
    """A value's place in the original and, when the number alone does not say it, its text
    as printed (``printed``: "+5174", "1,234", "35.6万元")."""
    out = cell.source.to_json() if cell.source is not None else {}
    printed = printed_form(cell.text)
    if printed is not None:
        out["printed"] = printed
    return out


def _located(cells: Mapping[str, Mapping[str, Cell | None]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each value's place in the original, by row and column (values without one left out)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row, columns in cells.items():
        placed = {col: located(cell) for col, cell in columns.items()
                  if cell is not None and cell.source is not None}
        if placed:
            out[row] = placed
    return out


def _pre2019_record(lines: list[Line], ranges: dict[str, tuple[int, int]], stats: Statistics,
                    warnings: list[str], title: str | None, identity: Identity,
                    meta: dict[str, Any]) -> dict[str, Any]:
    """The record of a report in the pre-2019 shape: identity, prose sections, statistics."""
    published, published_source = None, None
    if meta.get("published_on"):
        published = parse_date(str(meta["published_on"])) or _iso(str(meta["published_on"]))
        published_source = "metadata" if published else None
    day, sig_start = signature(lines, max((start for start, _ in ranges.values()), default=0))
    if published is None and day is not None:
        published, published_source = day, "signature"

    def text(name: str, end: int | None = None) -> str:
        if name not in ranges:
            return ""
        start, stop = ranges[name]
        return section_text(lines[start:min(stop, end or stop)])

    return {
        "agency": identity.agency, "year": identity.year, "title": title,
        "published_on": published.isoformat() if published else None,
        "template": "pre2019",
        "table_templates": {"active_disclosure": "pre2019", "applications": "pre2019"},
        "active_disclosure": {}, "applications": {}, "review_litigation": {},
        "statistics": stats.rows,
        "sections": {"overview": text("overview"), "problems": text("problems"),
                     "other": text("other", sig_start if day is not None else None)},
        "checks": [], "warnings": warnings, "parser_version": PARSER_VERSION, "ocr": False,
        "identity": {"agency": identity.agency_source, "year": identity.year_source,
                     "published_on": published_source},
        "units": {}, "sources": {"active_disclosure": {}, "applications": {}, "review_litigation": {}},
    }


_SECTION_NUMERAL = {"active": "二", "applications": "三", "review": "四"}


def _iso(text: str) -> Any:
    import datetime

    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def schema() -> dict[str, Any]:
    """The JSON Schema of the record (record.schema.json beside this module)."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).with_name("record.schema.json")).read_text("utf-8"))

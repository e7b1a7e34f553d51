"""A parsed record laid out like the official template: sections 二, 三 and 四 as grids.

Labels come from :mod:`crawler.reports.form`, as the report generator's do, so the web page draws
the same rows and columns, with the same Chinese labels, as the documents the parser reads.
Each value cell knows its (table, row, column) key and the failed checks that involve it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.reports.form import (
    AD_BLOCKS,
    AD_LABEL_HEADER,
    AD_ROW_LABELS,
    APPLICANTS_HEADER,
    APPLICATION_NOTE,
    APPLICATION_ROW_LABELS,
    LITIGATION_GROUP_HEADERS,
    LITIGATION_HEADER,
    NATURAL_PERSON,
    ORGANISATION_LABELS,
    ORGANISATIONS_HEADER,
    RESULTS_HEADER,
    REVIEW_HEADER,
    REVIEW_LABELS,
    RULE_LABELS,
    SECTION_TITLES,
    TOTAL,
    check_where_label,
    format_number,
    result_groups,
)
from crawler.reports.schema import (
    APPLICANT_COLUMNS,
    OTHER_ROWS_2019,
    OTHER_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    active_disclosure_layout,
)

Key = tuple[str, str, str]

@dataclass
class CellView:
    """One drawn cell; value cells carry their key and the failed checks touching them."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    key: Key | None = None
    failed: list[str] = field(default_factory=list)
    href: str | None = None  # the value's place in the original (PDF page), when recorded
    where: str | None = None  # that place in words (page and box; table, row and column; line)


@dataclass
class TableView:
    """One section's table: rows of cells, plus record cells the layout has no place for."""

    table: str
    title_zh: str
    title_en: str
    template: str | None
    ncols: int
    rows: list[list[CellView]]
    extra: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the record has no value in this table."""
        return not any(c.key and c.text for row in self.rows for c in row) and not self.extra


def check_cells(check: dict[str, Any], record: dict[str, Any]) -> list[Key]:
    """The cells a check adds up, so a failed check can be shown where it is."""
    rule, where = check.get("rule"), str(check.get("where"))
    applications = record.get("applications") or {}
    if rule == "balance":
        return [("applications", r, where)
                for r in ("new_received", "carried_over", "total", "carried_forward")]
    if rule == "results_sum":
        rows = [r for r in applications if r not in APPLICATION_ROW_LABELS]
        return [("applications", r, where) for r in [*rows, "total"]]
    if rule == "row_total":
        return [("applications", where, c) for c in APPLICANT_COLUMNS]
    if rule == "review_total":
        return [("review_litigation", where, c) for c in REVIEW_COLUMNS]
    if rule == "carried_over_prev":
        return [("applications", "carried_over", where)]
    if rule == "in_force_prev":
        return [("active_disclosure", where, f) for f in ("issued", "repealed", "in_force")]
    return []


def failed_by_cell(record: dict[str, Any]) -> dict[Key, list[str]]:
    """For each cell, the descriptions of the failed checks that involve it."""
    out: dict[Key, list[str]] = {}
    for check in record.get("checks") or []:
        if check.get("ok") is not False:
            continue
        zh, en = RULE_LABELS.get(str(check.get("rule")), (str(check.get("rule")), ""))
        text = (f"{zh} ({en}) @ {check_where_label(str(check.get('rule')), str(check.get('where')))}: "
                f"expected {check.get('expected')}, actual {check.get('actual')}")
        for key in check_cells(check, record):
            out.setdefault(key, []).append(text)
    return out


def _value(record: dict[str, Any], key: Key, failed: dict[Key, list[str]]) -> CellView:
    table, row, column = key
    raw = ((record.get(table) or {}).get(row) or {}).get(column)
    text = format_number(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else (
        "" if raw is None else str(raw))
    href, where = _origin(record, key)
    return CellView(text, key=key, failed=list(failed.get(key, [])), href=href, where=where)


def _origin(record: dict[str, Any], key: Key) -> tuple[str | None, str | None]:
    """href (completed by :func:`link_cells`) and words for a value's recorded source."""
    table, row, column = key
    return source_origin((((record.get("sources") or {}).get(table) or {}).get(row) or {}).get(column))


def source_origin(source: Any) -> tuple[str | None, str | None]:
    """href suffix and words for a recorded source (docs/record.md): ``#page=N`` for a PDF,
    ``/cell?at=t,r,c`` for an HTML cell, ``/cell?grid=t,r,c`` for a DOCX one (:mod:`crawler.web.original_cells`), else ``#``."""
    if not isinstance(source, dict):
        return None, None
    parts = []
    if "page" in source:
        parts.append(f"第{source['page']}页 page {source['page']}")
    if "box" in source:
        parts.append("box " + ", ".join(str(v) for v in source["box"]))
    for name, zh in (("table", "表"), ("row", "行"), ("column", "列"), ("line", "行号")):
        if name in source:
            number = source[name] + (1 if name in ("table", "row", "column") else 0)
            parts.append(f"{zh}{number} {name} {number}")
    if "confidence" in source:
        parts.append(f"OCR confidence {source['confidence']}")
    if "page" in source:
        href = f"#page={source['page']}"
    elif isinstance(source.get("element"), list | tuple) and len(source["element"]) == 3:
        href = "/cell?at=" + ",".join(str(int(v)) for v in source["element"])  # an HTML cell
    elif all(isinstance(source.get(k), int) for k in ("table", "row", "column")):
        href = f"/cell?grid={source['table']},{source['row']},{source['column']}"  # a DOCX cell
    else:
        href = "#"
    return href, "; ".join(parts)


def link_cells(tables: list[TableView], original: str | None) -> list[TableView]:
    """Make each value with a recorded source a link to its place in ``original``."""
    for table in tables:
        for row in table.rows:
            for cell in row:
                if cell.href is not None:
                    cell.href = (original + cell.href.rstrip("#")) if original else None
    return tables


def _extra(record: dict[str, Any], table: str, placed: set[Key]) -> list[tuple[str, str]]:
    out = []
    for row, columns in (record.get(table) or {}).items():
        for column, raw in (columns or {}).items():
            if (table, row, column) not in placed and raw is not None:
                out.append((f"{row}.{column}", str(raw)))
    return out


def _placed(rows: list[list[CellView]]) -> set[Key]:
    return {cell.key for row in rows for cell in row if cell.key is not None}


def _ad_template(record: dict[str, Any]) -> str:
    declared = (record.get("table_templates") or {}).get("active_disclosure")
    if declared in ("2019", "2021"):
        return str(declared)
    fields = {f for columns in (record.get("active_disclosure") or {}).values() for f in columns or {}}
    return "2019" if fields & {"made", "published", "previous_items", "items"} else "2021"


def _applications_template(record: dict[str, Any]) -> str:
    declared = (record.get("table_templates") or {}).get("applications")
    if declared in ("2019", "2021"):
        return str(declared)
    rows = set(record.get("applications") or {})
    return "2021" if rows & set(OTHER_ROWS_2021) else "2019" if rows & set(OTHER_ROWS_2019) else "2021"


def active_disclosure_table(record: dict[str, Any], failed: dict[Key, list[str]]) -> TableView:
    """Section 二: a heading row per 第二十条 item, a label column and up to three fields."""
    template = _ad_template(record)
    layout = active_disclosure_layout(template)
    rows: list[list[CellView]] = []
    for heading, field_labels, keys in AD_BLOCKS[template]:
        rows.append([CellView(heading, colspan=4, header=True)])
        rows.append(_spread([CellView(AD_LABEL_HEADER, header=True)],
                            [CellView(t, header=True) for t in field_labels]))
        for key in keys:
            values = [_value(record, ("active_disclosure", key, f), failed) for f in layout[key]]
            rows.append(_spread([CellView(AD_ROW_LABELS[template][key], header=True)], values))
    title = SECTION_TITLES["active_disclosure"]
    return TableView("active_disclosure", *title, template, 4, rows,
                     _extra(record, "active_disclosure", _placed(rows)))


def _spread(first: list[CellView], cells: list[CellView]) -> list[CellView]:
    """Fill the three columns after the label; the last cell stretches to the edge."""
    if cells:
        cells[-1].colspan = 3 - len(cells) + 1
    return [*first, *cells]


def applications_table(record: dict[str, Any], failed: dict[Key, list[str]]) -> TableView:
    """Section 三: three label columns and seven applicant columns, merged as in the form."""
    template = _applications_template(record)

    def values(row: str) -> list[CellView]:
        return [_value(record, ("applications", row, c), failed) for c in APPLICANT_COLUMNS]

    rows: list[list[CellView]] = [
        [CellView(APPLICATION_NOTE, rowspan=3, colspan=3, header=True),
         CellView(APPLICANTS_HEADER, colspan=7, header=True)],
        [CellView(NATURAL_PERSON, rowspan=2, header=True),
         CellView(ORGANISATIONS_HEADER, colspan=5, header=True),
         CellView(TOTAL, rowspan=2, header=True)],
        [CellView(label, header=True) for label in ORGANISATION_LABELS],
        [CellView(APPLICATION_ROW_LABELS["new_received"], colspan=3, header=True),
         *values("new_received")],
        [CellView(APPLICATION_ROW_LABELS["carried_over"], colspan=3, header=True),
         *values("carried_over")],
    ]
    groups = result_groups(template)
    first = True
    for group_label, items in groups:
        for i, (key, item_label) in enumerate(items):
            row: list[CellView] = []
            if first:
                n_rows = sum(len(its) for _, its in groups) + 1
                row.append(CellView(RESULTS_HEADER, rowspan=n_rows, header=True))
                first = False
            if not item_label:
                row.append(CellView(group_label, colspan=2, header=True))
            else:
                if i == 0:
                    row.append(CellView(group_label, rowspan=len(items), header=True))
                row.append(CellView(item_label, header=True))
            rows.append(row + values(key))
    rows.append([CellView(APPLICATION_ROW_LABELS["total"], colspan=2, header=True), *values("total")])
    rows.append([CellView(APPLICATION_ROW_LABELS["carried_forward"], colspan=3, header=True),
                 *values("carried_forward")])
    title = SECTION_TITLES["applications"]
    return TableView("applications", *title, template, 10, rows,
                     _extra(record, "applications", _placed(rows)))


def review_table(record: dict[str, Any], failed: dict[Key, list[str]]) -> TableView:
    """Section 四: 行政复议 (five columns) and 行政诉讼 (two groups of five), one value row."""
    rows: list[list[CellView]] = [
        [CellView(REVIEW_HEADER, colspan=5, header=True), CellView(LITIGATION_HEADER, colspan=10, header=True)],
        [*(CellView(label, rowspan=2, header=True) for label in REVIEW_LABELS),
         CellView(LITIGATION_GROUP_HEADERS[0], colspan=5, header=True),
         CellView(LITIGATION_GROUP_HEADERS[1], colspan=5, header=True)],
        [CellView(label, header=True) for _ in range(2) for label in REVIEW_LABELS],
        [_value(record, ("review_litigation", g, c), failed)
         for g in REVIEW_GROUPS for c in REVIEW_COLUMNS],
    ]
    title = SECTION_TITLES["review_litigation"]
    return TableView("review_litigation", *title, None, 15, rows,
                     _extra(record, "review_litigation", _placed(rows)))


def record_tables(record: dict[str, Any]) -> list[TableView]:
    """Sections 二, 三 and 四 of ``record``, failed checks marked on their cells."""
    failed = failed_by_cell(record)
    return [active_disclosure_table(record, failed), applications_table(record, failed),
            review_table(record, failed)]

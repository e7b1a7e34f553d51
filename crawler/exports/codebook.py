"""The codebook: every exported column with its official Chinese labels, unit and templates.

One row per column of every table (``reports``, ``values``, ``checks``, ``sections``, ``statistics``). For a
table cell (wide column ``table.row.column``, or a ``values`` row with that table, row and
column) it gives the section, row and column as the official forms print them, the unit,
and the templates (2019, 2021) that have the cell, so a figure can be cited by its place in
the form. Written beside each export (``STEM.codebook.EXT``, sheet ``codebook``) and in the
data package.
"""

from __future__ import annotations

from typing import Any

from crawler.exports.columns import CELLS, TABLES, Column
from crawler.exports.naming import STATA_NAMES
from crawler.reports.form import SECTION_TITLES, row_column_labels
from crawler.reports.schema import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
)

CODEBOOK_COLUMNS: tuple[Column, ...] = (
    Column("table", "string", "the export table: reports, values, checks, sections or statistics"),
    Column("name", "string", "column name (default style)"),
    Column("stata_name", "string", "column name with --names stata (≤ 32 characters, no dots)"),
    Column("type", "string", "Table Schema type: integer, number, string, boolean, date, datetime"),
    Column("section_zh", "string", "for a table cell: the form's section, e.g. 三、收到和处理政府信息公开申请情况"),
    Column("row_zh", "string", "for a table cell: the row as the form prints it"),
    Column("column_zh", "string", "for a table cell: the column as the form prints it"),
    Column("cell_key", "string", "for a table cell: table.row.column (the values table's table, row, column)"),
    Column("unit", "string", "unit of the number: 件 (documents, applications, cases), 项 (items), 万元"),
    Column("templates", "string", "official templates with this cell: 2019 (国办公开办函〔2019〕60号), "
           "2021 (国办公开办函〔2021〕30号), space-separated"),
    Column("description", "string", "what the column holds (English)"),
)

#: Section 二 fields counted in 项 (items), and the money fields.
_ITEM_FIELDS = {"previous_items", "change", "items"}
_MONEY_FIELDS = {"amount_10k_yuan": "万元 (10,000 yuan)",
                 "amount": "as printed (the 2019 form names no unit; usually 万元)"}


def cell_unit(table: str, column: str) -> str:
    """The unit of a table cell's number."""
    if table == "applications":
        return "件 (applications)"
    if table == "review_litigation":
        return "件 (cases)"
    if column in _MONEY_FIELDS:
        return _MONEY_FIELDS[column]
    return "项 (items)" if column in _ITEM_FIELDS else "件 (count)"


def cell_templates(table: str, row: str, column: str) -> str:
    """The official templates whose form has this cell."""
    found = []
    for template, active, applications in (("2019", ACTIVE_DISCLOSURE_2019, APPLICATION_ROWS_2019),
                                           ("2021", ACTIVE_DISCLOSURE_2021, APPLICATION_ROWS_2021)):
        if table == "active_disclosure":
            present = column in active.get(row, ())
        elif table == "applications":
            present = row in applications
        else:
            present = True
        if present:
            found.append(template)
    return " ".join(found)


def _cell_fields(table: str, row: str, column: str) -> dict[str, str]:
    row_zh, column_zh = row_column_labels(table, row, column)
    return {"section_zh": SECTION_TITLES[table][0], "row_zh": row_zh, "column_zh": column_zh,
            "cell_key": f"{table}.{row}.{column}", "unit": cell_unit(table, column),
            "templates": cell_templates(table, row, column)}


_BLANK_CELL = dict.fromkeys(("section_zh", "row_zh", "column_zh", "cell_key", "unit", "templates"), "")


def codebook_rows() -> list[tuple[Any, ...]]:
    """The codebook: one row per column of each table.

    ``values`` rows join on ``cell_key`` (``table || '.' || row || '.' || column``).
    """
    cells = {f"{t}.{r}.{c}": (t, r, c) for t, r, c, _ in CELLS}
    rows: list[tuple[Any, ...]] = []
    for table, columns in TABLES.items():
        for column in columns:
            place = cells.get(column.name) if table == "reports" else None
            extra = _cell_fields(*place) if place else _BLANK_CELL
            rows.append((table, column.name, STATA_NAMES[table][column.name], column.type,
                         *(extra[c.name] for c in CODEBOOK_COLUMNS[4:10]), column.description))
    return rows

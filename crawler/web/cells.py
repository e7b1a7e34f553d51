"""Table cells in the official template's order, with printed labels and units.

The order is the one the report page draws (:mod:`crawler.web.layout`): section 二, 三, 四,
row by row as the template prints them. Version diffs list changed numbers in that order and
the values endpoint returns tidy rows in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crawler.exports.codebook import cell_unit
from crawler.exports.columns import CELL_TABLES, CELLS
from crawler.reports.form import SECTION_TITLES, row_column_labels
from crawler.web.layout import Key, record_tables

Row = dict[str, Any]


def template_order(*records: dict[str, Any]) -> dict[Key, int]:
    """Each cell's position as the records' templates print it (the first record's first),
    then every other known cell in the export's order."""
    order: dict[Key, int] = {}
    for record in records:
        for table in record_tables(record):
            for row in table.rows:
                for cell in row:
                    if cell.key is not None:
                        order.setdefault(cell.key, len(order))
    for known in CELLS:
        order.setdefault((known[0], known[1], known[2]), len(order))
    return order


def sort_cells(items: Iterable[Row], order: dict[Key, int], table: str = "table") -> list[Row]:
    """``items`` (dicts with a ``table`` key, named ``table``, and ``row``, ``column``) in
    template order; unknown cells last, by key."""
    def key(item: Row) -> tuple[int, str, str, str]:
        cell = (str(item[table]), str(item["row"]), str(item["column"]))
        return (order.get(cell, len(order)), *cell)

    return sorted(items, key=key)


def value_rows(record: dict[str, Any]) -> list[Row]:
    """Every number of a parsed record as a tidy row, in template order: section, row, column,
    value and unit, with the labels the form prints."""
    rows = []
    for table in CELL_TABLES:
        section = record.get(table)
        if not isinstance(section, dict):
            continue
        for row, columns in section.items():
            if not isinstance(columns, dict):
                continue
            for column, value in columns.items():
                if value is None or isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                row_zh, column_zh = row_column_labels(table, str(row), str(column))
                rows.append({"section": table, "section_label": SECTION_TITLES[table][0],
                             "row": str(row), "row_label": row_zh,
                             "column": str(column),
                             "column_label": column_zh, "value": value,
                             "unit": cell_unit(table, str(column))})
    return sort_cells(rows, template_order(record), table="section")

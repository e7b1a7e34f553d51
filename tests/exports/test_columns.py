"""Column names are stable (pinned in columns.tsv) and documented in docs/exports.md."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.exports.columns import CELLS, TABLES

HERE = Path(__file__).parent
DOC = (HERE.parent.parent / "docs" / "exports.md").read_text(encoding="utf-8")
RECORD_DOC = (HERE.parent.parent / "docs" / "record.md").read_text(encoding="utf-8")


def test_columns_are_the_pinned_ones() -> None:
    pinned = [tuple(line.split("\t")) for line in (HERE / "columns.tsv").read_text("utf-8").splitlines()]
    current = [(table, c.name, c.type) for table, cols in TABLES.items() for c in cols]
    assert current == pinned, "export columns changed: a breaking change for researchers; " \
        "update docs/exports.md and tests/exports/columns.tsv only on purpose"


def test_every_named_column_is_documented_with_its_type() -> None:
    for table, columns in TABLES.items():
        for column in columns:
            if column.name.count(".") == 2:
                continue  # cell columns: documented by pattern, checked below
            assert re.search(rf"\| `{re.escape(column.name)}` \| {column.type} \|", DOC), (table, column.name)


def test_every_cell_row_and_column_is_documented() -> None:
    for table, row, column, _ in CELLS:  # exports.md names the pattern, record.md every row
        assert f"`{table}.ROW" in DOC or f"`{table}.GROUP" in DOC
        assert f"`{row}`" in DOC + RECORD_DOC, row
        assert f"`{column}`" in DOC, column
    widths = {t: sum(1 for c in CELLS if c[0] == t) for t in ("active_disclosure", "applications",
                                                               "review_litigation")}
    assert f"(number, {widths['active_disclosure']} columns)" in DOC
    assert widths["applications"] == 26 * 7 and widths["review_litigation"] == 3 * 5


def test_csv_and_wide_names_do_not_collide() -> None:
    for columns in TABLES.values():
        names = [c.name for c in columns]
        assert len(names) == len(set(names))

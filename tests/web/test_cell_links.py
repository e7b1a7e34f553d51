"""Each number on the report page links to its place in the original (its recorded source)."""

from __future__ import annotations

import random

from crawler.parsing import parse_bytes
from crawler.testbed.reportgen import random_report, render_html, render_pdf
from crawler.web.layout import link_cells, record_tables


def _cells(record: dict, original: str) -> list:
    tables = link_cells(record_tables(record), original)
    return [c for t in tables for row in t.rows for c in row if c.key and c.text]


def test_pdf_numbers_link_to_their_page() -> None:
    report = random_report(random.Random(5), template="2021")
    record = parse_bytes(render_pdf(report), filename="r.pdf", isolate=False).record
    assert record is not None
    cells = _cells(record, "/documents/abc")
    assert cells and all(c.href and c.href.startswith("/documents/abc#page=") for c in cells)
    table, row, column = next(c.key for c in cells if c.key[0] == "applications")
    page = record["sources"][table][row][column]["page"]
    cell = next(c for c in cells if c.key == (table, row, column))
    assert cell.href == f"/documents/abc#page={page}" and "box" in (cell.where or "")


def test_html_numbers_name_table_row_and_column() -> None:
    report = random_report(random.Random(6), template="2019")
    record = parse_bytes(render_html(report).encode(), filename="r.html", isolate=False).record
    assert record is not None
    cells = _cells(record, "/documents/def")
    assert cells and all(c.href == "/documents/def" and "row" in (c.where or "") for c in cells)

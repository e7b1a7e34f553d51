"""Fixtures in the layouts of published reports (tests/fixtures/real-shapes/README.md):
every cell, the identity and the units as printed come back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from crawler.parsing import parse_file
from tests.parsing.roundtrip import cell_accuracy

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "real-shapes"
FIXTURES = sorted(p for p in HERE.iterdir() if p.suffix in (".html", ".txt", ".md", ".pdf")
                  and p.name != "README.md" and not p.name.startswith("scanned"))


def _expected(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_real_shape(path: Path) -> None:
    expected = _expected(path)
    outcome = parse_file(path, timeout=120)
    assert outcome.status == "ok", outcome.message
    record = outcome.record
    assert record is not None
    right, total = cell_accuracy(record, expected)
    assert (right, total) == (total, total)
    for key in ("agency", "year", "title", "published_on", "template"):
        assert record[key] == expected[key], key
    assert record["units"] == expected.get("units", {})


def test_signed_changes_kept_as_printed() -> None:
    outcome = parse_file(HERE / "word-html-2019-ningxia.html")
    assert outcome.record is not None
    assert outcome.record["active_disclosure"]["licensing"]["change"] == 5174
    assert outcome.record["active_disclosure"]["other_services"]["change"] == -183
    assert outcome.record["active_disclosure"]["procurement"] == {"items": 37, "amount": 4672.6}
    sources = outcome.record["sources"]["active_disclosure"]
    assert sources["licensing"]["change"]["printed"] == "+5174"  # the sign as printed
    assert "printed" not in sources["other_services"]["change"]  # "-183" is the number itself
    assert "printed" not in sources["licensing"]["decisions"]


def _dom_rows(table: Any) -> list[Any]:
    """table.rows as the DOM orders them (thead, body, tfoot)."""
    return list(table.xpath("./thead/tr") + table.xpath("./tr|./tbody/tr") + table.xpath("./tfoot/tr"))


def test_html_cells_anchored_in_the_page() -> None:
    """Each HTML value names its <td> as a browser finds it: tables[t].rows[r].cells[c]."""
    path = HERE / "word-html-2019-ningxia.html"
    outcome = parse_file(path)
    assert outcome.record is not None
    root = lxml_html.document_fromstring(path.read_bytes())
    tables = list(root.iter("table"))
    checked = 0
    for table, rows in outcome.record["sources"].items():
        for row, columns in rows.items():
            for column, source in columns.items():
                t, r, c = source["element"]
                element = _dom_rows(tables[t])[r]
                cell = [td for td in element if td.tag in ("td", "th")][c]
                printed = source.get("printed") or str(outcome.record[table][row][column])
                assert " ".join(cell.text_content().split()) == printed, (table, row, column)
                checked += 1
    assert checked > 100


@pytest.mark.slow
def test_scanned_page() -> None:
    path = HERE / "scanned-2019-page.pdf"
    outcome = parse_file(path, timeout=600)
    assert outcome.status == "ok", outcome.message
    assert outcome.record is not None and outcome.record["ocr"] is True
    right, total = cell_accuracy(outcome.record, _expected(path), ("applications", "review_litigation"))
    assert right / total >= 0.98, (right, total)

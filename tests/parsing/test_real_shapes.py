"""Fixtures in the layouts of published reports (tests/fixtures/real-shapes/README.md):
every cell, the identity and the units as printed come back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_scanned_page() -> None:
    path = HERE / "scanned-2019-page.pdf"
    outcome = parse_file(path, timeout=600)
    assert outcome.status == "ok", outcome.message
    assert outcome.record is not None and outcome.record["ocr"] is True
    right, total = cell_accuracy(outcome.record, _expected(path), ("applications", "review_litigation"))
    assert right / total >= 0.98, (right, total)

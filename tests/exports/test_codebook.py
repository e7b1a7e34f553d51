"""The codebook (official labels, units, templates), the sections table, Stata names, XLSX layout."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from crawler.exports import TABLES, ExportFilters, export_to
from crawler.exports.codebook import CODEBOOK_COLUMNS, codebook_rows
from crawler.exports.columns import CELLS
from crawler.exports.naming import STATA_NAMES, stata_names
from crawler.exports.writers import codebook_path, table_paths
from crawler.testbed.synthetic_archive import SyntheticArchive
from storage.db import make_engine
from tests.exports.helpers import Truth


def _export(archive: SyntheticArchive, fmt: str, out: Path, names: str = "default", **filters: Any) -> None:
    engine = make_engine(archive.db_url)
    with Session(engine) as session:
        export_to(session, fmt, out, ExportFilters(**filters), names=names)
    engine.dispose()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_codebook_gives_the_official_words_of_every_cell() -> None:
    rows = {(r[0], r[1]): dict(zip([c.name for c in CODEBOOK_COLUMNS], r, strict=True))
            for r in codebook_rows()}
    assert len(rows) == sum(len(cols) for cols in TABLES.values())
    granted = rows[("reports", "applications.granted.natural_person")]
    assert granted["section_zh"] == "三、收到和处理政府信息公开申请情况"
    assert (granted["row_zh"], granted["column_zh"]) == ("（一）予以公开", "自然人")
    assert granted["unit"] == "件 (applications)" and granted["templates"] == "2019 2021"
    fees = rows[("reports", "active_disclosure.fees.amount_10k_yuan")]
    assert fees["row_zh"] == "行政事业性收费" and fees["column_zh"] == "本年收费金额（单位：万元）"
    assert fees["unit"].startswith("万元") and fees["templates"] == "2021"
    other = rows[("reports", "applications.other.total")]
    assert other["templates"] == "2019" and other["row_zh"].startswith("（六）其他处理")
    review = rows[("reports", "review_litigation.litigation_after_review.pending")]
    assert (review["row_zh"], review["column_zh"], review["unit"]) == ("行政诉讼·复议后起诉", "尚未审结", "件 (cases)")
    for table, row, column, _ in CELLS:  # every cell has words from the form, not its key
        entry = rows[("reports", f"{table}.{row}.{column}")]
        assert re.search(r"[\u4e00-\u9fff]", entry["row_zh"] + entry["column_zh"]), entry
        assert entry["templates"] and entry["unit"] and entry["cell_key"] == f"{table}.{row}.{column}"
    assert rows[("values", "value")]["cell_key"] == ""  # non-cell columns have no place in the form


def test_stata_names_are_short_dotless_and_unique() -> None:
    for table, names in STATA_NAMES.items():
        assert set(names) == {c.name for c in TABLES[table]}
        values = list(names.values())
        assert len(set(values)) == len(values), table
        assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", v) for v in values), table
    clash = stata_names(["a.long_name_" + "x" * 40 + ".one", "a.long_name_" + "x" * 40 + ".onf"])
    assert len(set(clash.values())) == 2 and all(len(v) <= 32 for v in clash.values())


def test_csv_with_stata_names_holds_the_same_data(small_archive: SyntheticArchive, tmp_path: Path) -> None:
    plain, stata = tmp_path / "plain" / "r.csv", tmp_path / "stata" / "r.csv"
    _export(small_archive, "csv", plain, year_from=2024)
    _export(small_archive, "csv", stata, "stata", year_from=2024)
    for table in TABLES:
        a = table_paths(plain)[table].read_text("utf-8-sig").splitlines()
        b = table_paths(stata)[table].read_text("utf-8-sig").splitlines()
        assert b[0].split(",") == [STATA_NAMES[table][c.name] for c in TABLES[table]]
        assert a[1:] == b[1:], table
        assert len(a) > 1 or table == "statistics", table  # no pre-2019 report in the archive
    codebook = _read_csv(codebook_path(stata))
    assert {r["stata_name"] for r in codebook if r["table"] == "reports"} == set(
        table_paths(stata)["reports"].read_text("utf-8-sig").splitlines()[0].split(","))


def test_sections_table_holds_each_reports_text(small_archive: SyntheticArchive,
                                                small_truth: dict[int, Truth], tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    _export(small_archive, "csv", out)
    rows = _read_csv(table_paths(out)["sections"])
    got = {(int(r["report_id"]), r["section"]): r["text"] for r in rows}
    expected = {(rid, section): text for rid, t in small_truth.items()
                for section, text in t.record["sections"].items() if text}
    assert got == expected and expected
    headings = {r["section"]: r["heading"] for r in rows}
    assert headings["overview"] == "一、总体情况" and headings["problems"].startswith("五、")


@pytest.mark.parametrize("names", ["default", "stata"])
def test_xlsx_sheets_have_frozen_header_filter_and_widths(small_archive: SyntheticArchive,
                                                          tmp_path: Path, names: str) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    _export(small_archive, "xlsx", out, names, year_from=2025)
    book = load_workbook(out)
    assert book.sheetnames == [*TABLES, "codebook"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert sheet.max_row > 1 or sheet.title == "statistics", sheet.title  # no pre-2019 report
        widths = [sheet.column_dimensions[sheet.cell(1, i).column_letter].width
                  for i in range(1, sheet.max_column + 1)]
        assert all(w and w >= 8 for w in widths), sheet.title
    reports = book["reports"]
    header = [c.value for c in reports[1]]
    assert header == [STATA_NAMES["reports"][c.name] if names == "stata" else c.name for c in TABLES["reports"]]
    assert reports.column_dimensions["G"].width == 48  # title: wide enough to read
    assert len(list(book["codebook"].rows)) == len(codebook_rows()) + 1

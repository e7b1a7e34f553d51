"""Each format reads back to the parse records, values and types alike."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from crawler.exports import TABLES, ExportFilters, export_to
from crawler.exports.writers import table_paths
from crawler.reports.cross_year import with_cross_year
from crawler.reports.regions import region_of
from crawler.testbed.synthetic_archive import SyntheticArchive
from storage.db import make_engine
from tests.exports.helpers import Truth, cells


def _export(archive: SyntheticArchive, fmt: str, out: Path, **filters: Any) -> int:
    engine = make_engine(archive.db_url)
    with Session(engine) as session:
        result = export_to(session, fmt, out, ExportFilters(**filters), batch_size=37)
    engine.dispose()
    return result.reports


@pytest.fixture(scope="module")
def truth(small_truth: dict[int, Truth]) -> dict[int, Truth]:
    found = dict(small_truth)
    assert any(t.failed_checks for t in found.values())  # so failed checks are exported too
    assert any(None in cells(t.record).values() for t in found.values())  # and blank cells
    return found


def _check_wide(rows: list[dict[str, Any]], truth: dict[int, Truth], *, typed: bool) -> None:
    assert sorted(int(r["report_id"]) for r in rows) == sorted(truth)
    order = [(int(r["year"]), r["agency"], int(r["report_id"])) for r in rows]
    assert order == sorted(order)
    for row in rows:
        t = truth[int(row["report_id"])]
        assert row["agency"] == t.agency and row["region"] == region_of(t.agency)
        assert row["host"] == t.host and row["sha256"] == t.sha256
        assert int(row["n_versions"]) == t.n_versions
        assert int(row["checks_failed"]) == t.failed_checks
        assert row["template"] == t.record["template"]
        for (table, r, c), value in cells(t.record).items():
            got = row[f"{table}.{r}.{c}"]
            if value is None:
                assert got in (None, ""), (table, r, c)
            elif typed:
                assert got == value
                assert isinstance(got, float if table == "active_disclosure" else int)
            else:
                assert got == str(value)
        if typed:
            assert isinstance(row["published_on"], date) and isinstance(row["late"], bool)


def _check_values(rows: list[tuple[Any, ...]], truth: dict[int, Truth], *, typed: bool) -> None:
    expected = {(rid, *cell): value for rid, t in truth.items() for cell, value in cells(t.record).items()}
    got = {(int(r[0]), r[3], r[4], r[5]): r[6] for r in rows}
    assert len(rows) == len(got) == len(expected)
    for key, value in expected.items():
        if value is None:
            assert got[key] in (None, "")
        elif typed:
            assert got[key] == value and isinstance(got[key], float)
        else:
            assert got[key] == str(value)
    assert all(r[1] == truth[int(r[0])].agency and int(r[2]) == truth[int(r[0])].year for r in rows)


def _check_checks(rows: list[tuple[Any, ...]], truth: dict[int, Truth], *, typed: bool) -> None:
    by_year = {(t.agency, t.year): t.record for t in truth.values()}
    expected = [(rid, c["rule"], c["where"], c["ok"], c["expected"], c["actual"])
                for rid, t in truth.items()  # in-year checks and those against last year's report
                for c in with_cross_year(t.record, by_year.get((t.agency, t.year - 1)))["checks"]]
    assert any(c[1].endswith("_prev") for c in expected), "no report has last year's in the archive"
    got = [(int(r[0]), r[3], r[4], r[5] if typed else r[5] == "true",
            r[6] if typed else int(r[6]), r[7] if typed else int(r[7])) for r in rows]
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_csv_round_trip(small_archive: SyntheticArchive, truth: dict[int, Truth], tmp_path: Path) -> None:
    out = tmp_path / "reports.csv"
    assert _export(small_archive, "csv", out) == len(truth)
    paths = table_paths(out)
    for name, path in paths.items():
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), name  # the BOM Excel needs
        header = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert header == ",".join(c.name for c in TABLES[name])
    with paths["reports"].open(encoding="utf-8-sig", newline="") as handle:
        _check_wide(list(csv.DictReader(handle)), truth, typed=False)
    with paths["values"].open(encoding="utf-8-sig", newline="") as handle:
        _check_values([tuple(r) for r in list(csv.reader(handle))[1:]], truth, typed=False)
    with paths["checks"].open(encoding="utf-8-sig", newline="") as handle:
        _check_checks([tuple(r) for r in list(csv.reader(handle))[1:]], truth, typed=False)


def test_parquet_round_trip(small_archive: SyntheticArchive, truth: dict[int, Truth],
                            tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "reports.parquet"
    _export(small_archive, "parquet", out)
    paths = table_paths(out)
    tables = {name: pq.read_table(path) for name, path in paths.items()}
    for name, table in tables.items():
        assert table.schema.names == [c.name for c in TABLES[name]]
    assert str(tables["reports"].schema.field("applications.granted.total").type) == "int64"
    assert str(tables["reports"].schema.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    _check_wide(tables["reports"].to_pylist(), truth, typed=True)
    _check_values([tuple(r.values()) for r in tables["values"].to_pylist()], truth, typed=True)
    _check_checks([tuple(r.values()) for r in tables["checks"].to_pylist()], truth, typed=True)


def test_jsonl_round_trip(small_archive: SyntheticArchive, truth: dict[int, Truth], tmp_path: Path) -> None:
    out = tmp_path / "reports.jsonl"
    _export(small_archive, "jsonl", out)
    objects = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(o["report_id"] for o in objects) == sorted(truth)
    by_year = {(t.agency, t.year): t.record for t in truth.values()}
    for obj in objects:
        t = truth[obj["report_id"]]
        # types too: JSON ints stay ints, decimals floats; checks include last year's
        assert obj["parse"] == with_cross_year(t.record, by_year.get((t.agency, t.year - 1)))
        assert {"report_id", "agency", "year", "title", "published_on", "source_urls", "documents",
                "captures", "parse", "versions"} <= set(obj)
        assert len(obj["versions"]) == t.n_versions and obj["sha256"] == t.sha256
        assert {c["sha256"] for c in obj["captures"]} == {d["sha256"] for d in obj["documents"]}
        datetime.fromisoformat(obj["fetched_at"])
    versioned = next(o for o in objects if o["report_id"] == small_archive.versioned_report_id)
    assert versioned["versions"][1]["changes"]["numbers"]


def test_xlsx_round_trip(small_archive: SyntheticArchive, truth: dict[int, Truth], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "reports.xlsx"
    _export(small_archive, "xlsx", out, year_to=2020)  # reading xlsx back is slow: a subset
    truth = {rid: t for rid, t in truth.items() if t.year <= 2020}
    assert 10 < len(truth) < 120
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["reports", "values", "checks", "sections", "statistics", "codebook"]
    sheets = {name: [row + (None,) * (len(TABLES[name]) - len(row))  # trailing blanks are not stored
                     for row in book[name].iter_rows(values_only=True)] for name in TABLES}
    for name, rows in sheets.items():
        assert list(rows[0]) == [c.name for c in TABLES[name]]
    header = sheets["reports"][0]
    wide = [dict(zip(header, row, strict=True)) for row in sheets["reports"][1:]]
    for row in wide:  # Excel stores every number as a double: compare values, ints come back int
        for key, value in row.items():
            if isinstance(value, float) and value.is_integer() and "active_disclosure" not in key:
                row[key] = int(value)
            if isinstance(value, int) and "active_disclosure" in str(key):
                row[key] = float(value)
            if isinstance(value, datetime) and key == "published_on":
                row[key] = value.date()
    _check_wide(wide, truth, typed=True)
    values = [(*r[:6], None if r[6] is None else float(r[6])) for r in sheets["values"][1:]]
    _check_values(values, truth, typed=True)
    _check_checks(sheets["checks"][1:], truth, typed=True)
    book.close()

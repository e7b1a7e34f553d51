"""The SQL views (current_reports, report_values, report_checks, agency_summary) hold what the
parse records hold, on SQLite (read with the plain sqlite3 module, as Datasette does) and
on PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crawler.testbed.synthetic_archive import build_synthetic_archive
from tests.exports.helpers import Truth, cells, truths


def _expected_values(truth: dict[int, Truth]) -> dict[tuple[int, str, str, str], Any]:
    return {(rid, *cell): value for rid, t in truth.items() for cell, value in cells(t.record).items()}


def _expected_checks(truth: dict[int, Truth]) -> list[tuple[Any, ...]]:
    return sorted(((rid, c["rule"], c["where"], bool(c["ok"]), c["expected"], c["actual"])
                   for rid, t in truth.items() for c in t.record["checks"]), key=repr)


def _check(rows: dict[str, list[tuple[Any, ...]]], truth: dict[int, Truth]) -> None:
    assert sorted(r[0] for r in rows["current_reports"]) == sorted(truth)
    values = {(int(r[0]), r[1], r[2], r[3]): r[4] for r in rows["report_values"]}
    expected = _expected_values(truth)
    assert len(values) == len(rows["report_values"]) == len(expected) > 0
    assert all((values[k] is None) if v is None else float(values[k]) == float(v) for k, v in expected.items())
    checks = sorted(((int(r[0]), r[1], r[2], bool(r[3]), float(r[4]), float(r[5]))
                     for r in rows["report_checks"]), key=repr)
    assert checks == [(a, b, c, d, float(e), float(f)) for a, b, c, d, e, f in _expected_checks(truth)]
    summary = {r[0]: r[1:] for r in rows["agency_summary"]}
    assert set(summary) == {t.agency for t in truth.values()}
    assert sum(int(r[0]) for r in summary.values()) == len(truth)


QUERIES = {
    "current_reports": "SELECT report_id FROM current_reports",
    "report_values": 'SELECT report_id, "table", "row", "column", value FROM report_values',
    "report_checks": 'SELECT report_id, rule, "where", ok, expected, actual FROM report_checks',
    "agency_summary": "SELECT agency, reports, first_year, last_year, registered FROM agency_summary",
}


def test_views_on_sqlite_read_with_sqlite3(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'a.db'}"
    build_synthetic_archive(db_url, tmp_path / "archive", reports=40, seed=11)
    truth = truths(db_url)
    with sqlite3.connect(tmp_path / "a.db") as connection:
        rows = {name: connection.execute(sql).fetchall() for name, sql in QUERIES.items()}
    _check(rows, truth)


@pytest.mark.postgres
def test_views_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    build_synthetic_archive(pg_url, tmp_path / "archive", reports=40, seed=11)
    truth = truths(pg_url)
    engine = create_engine(pg_url)
    with engine.connect() as connection:
        rows = {name: [tuple(r) for r in connection.execute(text(sql))] for name, sql in QUERIES.items()}
    engine.dispose()
    _check(rows, truth)

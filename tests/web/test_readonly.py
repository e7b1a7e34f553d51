"""The app opens the database read-only, refuses what holds no archive, and says why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from crawler.cli.main import main
from crawler.web.csvout import cell
from crawler.web.filters import FilterError, ReportFilters, parse_filters
from storage.read.readonly import DatabaseUnavailable, ReadOnlyDB
from tests.web.conftest import WebArchive


def test_the_connection_cannot_write(web_archive: WebArchive) -> None:
    db = ReadOnlyDB(web_archive.db_url)
    try:
        with db.engine.connect() as connection, pytest.raises(OperationalError, match="readonly"):
            connection.exec_driver_sql("DELETE FROM alert_events")
    finally:
        db.close()


def test_missing_or_empty_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="no database file"):
        ReadOnlyDB(f"sqlite:///{tmp_path / 'nothing.db'}")
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(DatabaseUnavailable, match="no archive tables"):
        ReadOnlyDB(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not (tmp_path / "nothing.db").exists()  # opening never creates a database


def test_serve_says_what_to_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code != 0
    assert "no database file" in result.output and "--db" in result.output


def test_filters_from_a_query_string() -> None:
    assert parse_filters({"agency": " 统计局 ", "year": "2022", "failed": "on", "sort": "",
                          "template": ""}) == ReportFilters(agency="统计局", year=2022, failed=True)
    for bad in ({"year": "x"}, {"year": "3000"}, {"template": "2020"}, {"failed": "perhaps"},
                {"year_from": "2022", "year_to": "2020"}, {"agency": "x" * 201}):
        with pytest.raises(FilterError):
            parse_filters(bad)
    assert ReportFilters(agency="a&b", failed=True).query(offset=50) == \
        "agency=a%26b&failed=true&offset=50"


def test_csv_cells_cannot_become_formulas() -> None:
    assert cell("=HYPERLINK(\"http://evil\")").startswith("'=")
    assert cell("+1") == "'+1" and cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(-5) == "-5" and cell(None) == "" and cell(True) == "true"
    assert cell("统计局") == "统计局"

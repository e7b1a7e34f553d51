"""Default locations and engine creation."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import default_archive_dir, default_db_url
from storage.db import make_engine


def test_defaults_follow_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVREPORTS_DB", raising=False)
    monkeypatch.delenv("GOVREPORTS_ARCHIVE", raising=False)
    assert default_db_url() == f"sqlite:///{tmp_path / 'govreports-data' / 'govreports.db'}"
    assert default_archive_dir() == tmp_path / "govreports-data" / "archive"
    monkeypatch.setenv("GOVREPORTS_DB", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("GOVREPORTS_ARCHIVE", str(tmp_path / "arc"))
    assert default_db_url() == "postgresql+psycopg://u@h/db"
    assert default_archive_dir() == tmp_path / "arc"


def test_make_engine_creates_sqlite_parent(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.db"
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    finally:
        engine.dispose()
    assert target.exists()

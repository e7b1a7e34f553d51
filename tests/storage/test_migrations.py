"""Migrations: from empty, idempotent, and matching the models."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.db import alembic_config, make_engine, migrate
from storage.models import Base

TABLES = {"sites", "crawl_runs", "captures", "documents", "reports", "report_documents",
          "report_versions", "url_states", "alert_events", "alert_deliveries", "schedules",
          "parse_results", "frontier", "run_locks", "agencies", "alert_channels"}
VIEWS = {"current_reports", "report_values", "report_checks", "agency_summary"}


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_migrate_from_empty_then_again(db_url: str) -> None:
    migrate(db_url)
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        assert TABLES | {"alembic_version"} == set(inspect(engine).get_table_names())
        assert set(inspect(engine).get_view_names()) == VIEWS
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        assert current is not None and current == _head(db_url)
    finally:
        engine.dispose()


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_head_matches_models(db_url: str) -> None:
    before = _diff(db_url)
    assert {d[1].name for d in before if isinstance(d, tuple) and d[0] == "add_table"} == TABLES
    migrate(db_url)
    assert _diff(db_url) == []


def test_sqlite_engine_settings(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0
    finally:
        engine.dispose()


def test_concurrent_migrations_do_not_collide(db_url: str) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(migrate, [db_url] * 3))
    assert _diff(db_url) == []

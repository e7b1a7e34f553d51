"""Engine creation (SQLite pragmas, PostgreSQL) and programmatic Alembic migrations."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crawler.errors import ArchiveUnavailable

if TYPE_CHECKING:  # alembic is imported only by the functions that migrate
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations (e.g. workers).
MIGRATION_LOCK_KEY = 0x676F7672  # "govr"


class DatabaseMissing(ArchiveUnavailable):
    """The database a read command was pointed at does not exist (nothing was created)."""

    hint = "Check --db or GOVREPORTS_DB, or crawl first to create it."


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def require_existing(url: str) -> None:
    """Raise :class:`DatabaseMissing` when ``url`` names a SQLite file that is not there.

    Other databases need no check: connecting to a PostgreSQL database that does not
    exist fails without creating it.
    """
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise DatabaseMissing(f"no archive database at {path.resolve()}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    _enable_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """Switch to WAL; SQLite does not wait on its busy handler for this, so retry a while."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and its folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _serialise_sqlite_transactions(engine: Engine) -> None:
    """Make each transaction ``BEGIN IMMEDIATE``: DDL included, one writer at a time."""

    def no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    def begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", no_implicit_begin)
    event.listen(engine, "begin", begin_immediate)


def begin_before_savepoint(session: Session) -> None:
    """Start the session's SQLite transaction before a ``SAVEPOINT`` (no-op elsewhere).

    pysqlite opens a transaction only before INSERT/UPDATE/DELETE. A ``SAVEPOINT`` issued
    outside one becomes the transaction itself, and its ``RELEASE`` commits: rows written "in
    the caller's transaction" (a report and its link, before the report's alert event) were
    committed on their own, and a crash in between kept them without the rest.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN")


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the latest schema (safe to run again, concurrently)."""
    from alembic import command

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        _serialise_sqlite_transactions(engine)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()

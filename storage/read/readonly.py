"""A read-only connection to the archive database (the web app's).

SQLite is opened with ``mode=ro`` (and ``query_only``); PostgreSQL sessions default to
read-only transactions. The web app never writes, so it never needs a migration either:
a database without the archive's tables is refused with a message saying what to run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crawler.errors import ArchiveUnavailable

REQUIRED_TABLES = ("reports", "report_documents", "report_versions", "parse_results",
                   "documents", "captures", "alert_events")


class DatabaseUnavailable(ArchiveUnavailable, RuntimeError):
    """The database cannot be opened, or holds no archive."""


def _sqlite_readonly(path: str) -> Engine:
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise DatabaseUnavailable(f"no database file at {file}; crawl first or pass --db")
    uri = f"file:{quote(str(file))}?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)

    engine = create_engine("sqlite://", creator=connect)

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    return engine


def readonly_engine(url: str) -> Engine:
    """An engine on ``url`` that cannot write; raises :class:`DatabaseUnavailable`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseUnavailable("an in-memory SQLite database holds no archive")
        engine = _sqlite_readonly(parsed.database)
    elif backend == "postgresql":
        engine = create_engine(url, pool_pre_ping=True, connect_args={
            "options": "-c default_transaction_read_only=on"})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    try:
        present = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any driver error means the same here
        engine.dispose()
        raise DatabaseUnavailable(f"cannot open the database {url!r}: {exc}") from exc
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        engine.dispose()
        raise DatabaseUnavailable(
            f"the database {url!r} has no archive tables ({', '.join(missing)}); "
            "run `govreports crawl` (or any command that migrates it) first")
    return engine


class ReadOnlyDB:
    """Sessions on a read-only engine; one short session per request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = readonly_engine(url)
        self.dialect = self.engine.dialect.name
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session closed (never committed) when the block ends; loaded rows stay usable."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    def close(self) -> None:
        """Release the pool's connections."""
        self.engine.dispose()

"""One pass at a time per database: an advisory lock on PostgreSQL, a file lock beside SQLite.

Both locks die with the process that holds them (the PostgreSQL one with its connection), so a
killed pass never blocks the next one. The alert delivery pass holds one
(:mod:`crawler.alerts.delivery`: key ``0x676F7661``, file ``<database>-alerts.lock``).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


@contextmanager
def pass_lock(engine: Engine, key: int, timeout: float, *, name: str) -> Iterator[bool]:
    """Hold the database's lock while the block runs; yield whether it was obtained within
    ``timeout`` seconds. ``key``: the PostgreSQL advisory lock's; ``name``: the SQLite lock
    file's, ``<database>-<name>.lock``."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, key, timeout) as acquired:
            yield acquired
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield True  # nothing is shared with another process
        return
    lock_path = Path(database).expanduser().with_name(Path(database).name + f"-{name}.lock")
    with open(lock_path, "a+b") as handle:
        acquired = _poll(lambda: _try_flock(handle.fileno()), timeout)
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _pg_lock(engine: Engine, key: int, timeout: float) -> Iterator[bool]:
    connection = engine.connect()
    try:
        def attempt() -> bool:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": key}).scalar()
            connection.commit()
            return bool(got)

        acquired = _poll(attempt, timeout)
        yield acquired
        if acquired:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()
    except BaseException:
        connection.invalidate()  # closing the connection releases a session-level lock
        raise
    finally:
        connection.close()


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _poll(attempt: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)

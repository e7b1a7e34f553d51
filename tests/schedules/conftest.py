"""Fixtures for schedule tests: the storage tests' databases (SQLite and a throwaway PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crawler.schedules.store import open_engine
from tests.storage.conftest import db_url, pg_url, sqlite_url  # noqa: F401 - fixtures, reused


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:  # noqa: F811 - the fixture above
    """A migrated engine on each backend."""
    engine = open_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeds_file(tmp_path: Path) -> Path:
    """A seeds file with two portals, a comment and a bare host."""
    path = tmp_path / "seeds.txt"
    path.write_text("# two portals\nhttp://www.gd.gov.cn/\nwww.beijing.gov.cn  # bare host\n",
                    encoding="utf-8")
    return path

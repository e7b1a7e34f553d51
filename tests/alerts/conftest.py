"""Fixtures for the alert tests: a fresh SQLite archive database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.repository import ArchiveDB
from tests.storage.conftest import pg_url  # noqa: F401  (the project's throwaway PG database)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[ArchiveDB]:
    archive = ArchiveDB(f"sqlite:///{tmp_path}/a.db")
    yield archive
    archive.close()

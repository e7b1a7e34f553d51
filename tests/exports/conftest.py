"""Fixtures for the export tests: synthetic archives built once per module."""

from __future__ import annotations

import pytest

from crawler.testbed.synthetic_archive import SyntheticArchive, build_synthetic_archive
from tests.exports.helpers import Truth, truths
from tests.storage.conftest import pg_url  # noqa: F401  (a throwaway PostgreSQL database)


@pytest.fixture(scope="package")
def small_archive(tmp_path_factory: pytest.TempPathFactory) -> SyntheticArchive:
    """120 generated reports (seed 7): enough for every kind of example, built in about a second."""
    root = tmp_path_factory.mktemp("synthetic")
    return build_synthetic_archive(f"sqlite:///{root / 'archive.db'}", root / "archive",
                                   reports=120, seed=7)


@pytest.fixture(scope="package")
def small_truth(small_archive: SyntheticArchive) -> dict[int, Truth]:
    """The small archive's reports as its tables have them (see tests.exports.helpers)."""
    return truths(small_archive.db_url)

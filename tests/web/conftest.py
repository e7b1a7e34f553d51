"""One synthetic archive (plus a hostile report) and one real ``govreports serve`` for the module set."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from crawler.testbed.synthetic_archive import SyntheticArchive, build_synthetic_archive
from tests.web.helpers import Hostile, ServeProcess, add_hostile_report, add_unlisted_report

REPORTS = 150


@dataclass(frozen=True)
class WebArchive:
    """The archive the server serves, and what is known to be in it."""

    db_url: str
    archive_dir: Path
    built: SyntheticArchive
    hostile: Hostile
    #: A live report the last crawl found linked from no list (its URL still answering).
    unlisted_report_id: int


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    root = tmp_path_factory.mktemp("web")
    db_url = f"sqlite:///{root / 'archive.db'}"
    built = build_synthetic_archive(db_url, root / "archive", reports=REPORTS, seed=7)
    hostile = add_hostile_report(db_url, root / "archive")
    examples = {built.failed_check_report_id, built.versioned_report_id, built.late_report_id,
                built.pdf_report_id, built.removed_report_id, hostile.report_id}
    unlisted = add_unlisted_report(db_url, examples)
    return WebArchive(db_url, root / "archive", built, hostile, unlisted)


@pytest.fixture(scope="session")
def server(web_archive: WebArchive) -> Iterator[str]:
    """Base URL of a real ``govreports serve`` child process on 127.0.0.1."""
    process = ServeProcess(web_archive.db_url, web_archive.archive_dir)
    process.wait_ready()
    try:
        yield process.base_url
    finally:
        process.stop()


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


@pytest.fixture
def db(web_archive: WebArchive) -> Iterator[Session]:
    """A plain session on the archive, for the ground truth the answers are checked against."""
    engine = create_engine(web_archive.db_url)
    with Session(engine) as session:
        yield session
    engine.dispose()

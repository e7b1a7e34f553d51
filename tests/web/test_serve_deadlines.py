"""``govreports serve --config`` judges reports against the settings file's ``[alerts.deadlines]``,
as overdue detection after a crawl does, not against the built-in defaults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy.orm import Session

from crawler.reports.versions import is_government
from tests.web.conftest import WebArchive
from tests.web.helpers import serving_with_settings
from tests.web.truth import reports

DEPARTMENT = (6, 30)
GOVERNMENT = (7, 31)


@pytest.fixture(scope="module")
def later_deadlines(web_archive: WebArchive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_with_settings(web_archive.db_url, web_archive.archive_dir,
                               tmp_path_factory.mktemp("deadline-config") / "govreports.toml",
                               '[alerts.deadlines]\ndepartment = "06-30"\ngovernment = "07-31"\n') as base_url:
        yield base_url


def test_serve_takes_the_deadlines_of_its_settings_file(later_deadlines: str, db: Session) -> None:
    truths = reports(db)
    department = next(t for t in truths if not is_government(t.agency))
    government = next(t for t in truths if is_government(t.agency))
    for truth, (month, day) in ((department, DEPARTMENT), (government, GOVERNMENT)):
        body = httpx.get(f"{later_deadlines}/api/v1/reports/{truth.id}", timeout=30).json()
        assert body["deadline"] == date(truth.year + 1, month, day).isoformat(), truth.agency

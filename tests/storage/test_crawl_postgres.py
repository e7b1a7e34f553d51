"""The crawl, an unchanged re-crawl and a change, on PostgreSQL (the multi-machine backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.reports.versions import normalize_agency
from crawler.testbed.sample_portal import SamplePortal
from crawler.testbed.sample_portal.changes import AddReport
from storage.models import AlertEvent, Capture, Report
from tests.crawl_helpers import GOVREPORTS, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _query(url: str, statement: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    with Session(engine) as session:
        rows = [tuple(row) for row in session.execute(statement)]
    engine.dispose()
    return rows


def test_crawl_recrawl_and_change_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    with SamplePortal() as portal:
        def crawl() -> None:
            result = run_cli([*GOVREPORTS, "crawl", *portal.seed_urls, "--db", pg_url,
                              "--archive", f"{tmp_path}/archive", "--local", "--timeout", "10",
                              "--ca-file", str(portal.certificate_path), "--today", "2025-01-10",
                              *portal.resolve_args()])
            assert result.returncode == 0, result.stdout + result.stderr

        crawl()
        expected = {(normalize_agency(r.agency), r.year) for r in portal.expected_reports()}
        assert {(a, y) for a, y in _query(pg_url, select(Report.agency, Report.year))} == expected
        crawl()
        assert _query(pg_url, select(AlertEvent.id).where(AlertEvent.run_id == 2)) == []
        assert len(_query(pg_url, select(Capture.id).where(Capture.run_id == 2,
                                                          Capture.status == 304))) > 20
        added = portal.apply(AddReport())[0]
        crawl()
    events = [(t, a, y) for t, a, y in _query(
        pg_url, select(AlertEvent.type, AlertEvent.agency, AlertEvent.year)
        .where(AlertEvent.run_id == 3))]
    assert events == [("new_report", normalize_agency(added.agency), added.year)]

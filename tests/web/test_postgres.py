"""The same app on PostgreSQL: the JSON functions, filters and pages work on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import InternalError
from sqlalchemy.orm import Session

from crawler.testbed.synthetic_archive import build_synthetic_archive
from storage.models import AlertEvent, Report, ReportVersion
from storage.read.readonly import ReadOnlyDB
from tests.storage.conftest import pg_url  # noqa: F401  (a throwaway PostgreSQL database)
from tests.web.helpers import HOSTILE_AGENCY, ServeProcess, add_hostile_report
from tests.web.truth import reports

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_url: str, tmp_path: Path) -> Iterator[tuple[httpx.Client, Session, dict[str, int]]]:  # noqa: F811
    built = build_synthetic_archive(pg_url, tmp_path / "archive", reports=60, seed=3)
    hostile = add_hostile_report(pg_url, tmp_path / "archive")
    server = ServeProcess(pg_url, tmp_path / "archive")
    server.wait_ready()
    engine = create_engine(pg_url)
    ids = {"failed": built.failed_check_report_id, "versioned": built.versioned_report_id,
           "hostile": hostile.report_id}
    try:
        with httpx.Client(base_url=server.base_url, timeout=30) as client, \
                Session(engine) as session:
            yield client, session, ids
    finally:
        server.stop()  # before the database is dropped
        engine.dispose()


def test_filters_detail_diff_and_pages_on_postgresql(
        pg_app: tuple[httpx.Client, Session, dict[str, int]]) -> None:
    client, session, ids = pg_app
    truth = reports(session)
    listed = client.get("/api/v1/reports", params={"failed": "true", "limit": 500}).json()
    assert {i["id"] for i in listed["items"]} == {t.id for t in truth if t.failed}
    assert {ids["failed"], ids["hostile"]} <= {i["id"] for i in listed["items"]}
    for item in listed["items"]:
        assert item["failed_checks"] == len(next(t for t in truth if t.id == item["id"]).failed)
    listed = client.get("/api/v1/reports", params={"template": "2019", "limit": 500}).json()
    assert {i["id"] for i in listed["items"]} == {t.id for t in truth if t.template == "2019"}
    listed = client.get("/api/v1/reports", params={"agency": "人民政府", "limit": 500}).json()
    assert {i["id"] for i in listed["items"]} == {t.id for t in truth if "人民政府" in t.agency}
    detail = client.get(f"/api/v1/reports/{ids['failed']}").json()
    assert [c for c in detail["checks_list"] if not c["ok"]]
    diff = client.get(f"/api/v1/reports/{ids['versioned']}/diff/1/2").json()
    assert diff["numbers"] or diff["text"]
    coverage = client.get("/api/v1/coverage", params={"year": 2022}).json()["summary"]
    assert coverage["with_report"] == len({t.agency for t in truth if t.year == 2022})
    assert client.get("/api/v1/alerts").json()["page"]["total"] > 0
    page = client.get(f"/reports/{ids['hostile']}", headers={"accept": "text/html"})
    assert page.status_code == 200 and HOSTILE_AGENCY not in page.text
    assert client.get("/reports/999999", headers={"accept": "text/html"}).status_code == 404


def test_updated_since_values_and_on_time_rates_on_postgresql(
        pg_app: tuple[httpx.Client, Session, dict[str, int]]) -> None:
    client, session, ids = pg_app
    firsts = sorted(session.scalars(select(Report.first_seen_at)))
    since = firsts[len(firsts) // 2]
    updated = client.get("/api/v1/reports", params={"updated_since": since.isoformat(),
                                                   "limit": 500}).json()["items"]
    versions = set(session.scalars(select(ReportVersion.report_id).where(
        ReportVersion.first_seen_at >= since)))
    events = set(session.scalars(select(AlertEvent.report_id).where(
        AlertEvent.created_at >= since)))
    expected = {r.id for r in session.scalars(select(Report))
                if r.first_seen_at >= since or (r.removed_at and r.removed_at >= since)
                or r.id in versions or r.id in events}
    assert {i["id"] for i in updated} == expected and 0 < len(expected) < len(firsts)
    agencies = client.get("/api/v1/agencies", params={"updated_since": since.isoformat(),
                                                     "limit": 500}).json()["items"]
    assert {a["agency"] for a in agencies} == {session.get(Report, i).agency  # type: ignore[union-attr]
                                               for i in expected}
    assert all(a["on_time"] + a["late"] + a["undated"] == a["reports"] for a in agencies)
    values = client.get(f"/api/v1/reports/{ids['versioned']}/values").json()["items"]
    assert values and values[0]["section"] == "active_disclosure"
    tag = client.get("/api/v1/agencies").headers["etag"]
    assert client.get("/api/v1/agencies", headers={"If-None-Match": tag}).status_code == 304


def test_postgresql_sessions_are_read_only(pg_url: str) -> None:  # noqa: F811
    from storage.db import migrate

    migrate(pg_url)
    db = ReadOnlyDB(pg_url)
    try:
        with db.engine.connect() as connection, pytest.raises(InternalError, match="read-only"):
            connection.exec_driver_sql("DELETE FROM alert_events")
    finally:
        db.close()

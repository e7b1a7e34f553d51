"""The API's contract with scripts (issue 13): absolute links, source URLs, tidy values,
``updated_since``, ETag/304, 400 for unknown parameters, and ``HEAD`` on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.reports.schema import APPLICATION_ROWS_2019, APPLICATION_ROWS_2021
from storage.models import AlertEvent, ParseResult, Report, ReportVersion
from tests.web.conftest import WebArchive

LINK_KEYS = ("url", "api_url", "content_url", "diff_url", "report_url", "captures_url",
             "next", "prev", "csv")


def _links(value: Any) -> list[str]:
    """Every value under a link key, at any depth, that is one of our links (not a
    government URL)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LINK_KEYS and isinstance(item, str) and ".gov.test" not in item \
                    and "evil.test" not in item:
                found.append(item)
            else:
                found += _links(item)
    elif isinstance(value, list):
        for item in value:
            found += _links(item)
    return found


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = path
    query: dict[str, Any] | None = dict(params, limit=500)
    while url:
        body = client.get(url, params=query).raise_for_status().json()
        items += body["items"]
        url, query = body["page"]["next"], None
    return items


@pytest.mark.parametrize("host", [None, "archive.example.org:8443"])
def test_links_are_absolute_for_the_host_asked(client: httpx.Client, server: str,
                                               web_archive: WebArchive, host: str | None) -> None:
    base = f"http://{host}" if host else server
    headers = {"Host": host} if host else {}
    rid = web_archive.built.versioned_report_id
    answers = [client.get(path, headers=headers).json() for path in (
        "/api/v1/reports?limit=3", f"/api/v1/reports/{rid}", f"/api/v1/reports/{rid}/versions",
        "/api/v1/agencies?limit=3", "/api/v1/alerts?limit=3", "/api/v1/coverage?limit=3",
        f"/api/v1/reports/{rid}/diff/1/2")]
    links = [link for answer in answers for link in _links(answer)]
    assert len(links) > 30
    assert all(link.startswith(base + "/") for link in links), \
        [link for link in links if not link.startswith(base + "/")][:5]
    if host is None:  # they lead somewhere real
        for link in {links[0], *(x for x in links if "/documents/" in x)}:
            assert httpx.get(link, timeout=30).status_code == 200, link


def test_each_report_names_its_government_source_url(client: httpx.Client, db: Session) -> None:
    expected = dict(db.execute(select(Report.id, ReportVersion.url).join(
        ReportVersion, ReportVersion.id == Report.current_version_id)).all())
    items = _all(client, "/api/v1/reports")
    assert {i["id"]: i["source_url"] for i in items if i["source_url"]} == expected
    assert all(i["source_url"].startswith("http") for i in items if i["source_url"])
    one = next(iter(expected))
    assert client.get(f"/api/v1/reports/{one}").json()["source_url"] == expected[one]


def test_values_are_tidy_rows_of_the_record_in_template_order(client: httpx.Client,
                                                              web_archive: WebArchive,
                                                              db: Session) -> None:
    rid = web_archive.built.versioned_report_id
    record = db.scalar(select(ParseResult.record).join(
        ReportVersion, (ReportVersion.sha256 == ParseResult.sha256)
        & (ReportVersion.parser_version == ParseResult.parser_version))
        .join(Report, Report.current_version_id == ReportVersion.id).where(Report.id == rid))
    assert isinstance(record, dict)
    body = client.get(f"/api/v1/reports/{rid}/values").json()
    rows = body["items"]
    expected = {(t, r, c, v) for t in ("active_disclosure", "applications", "review_litigation")
                for r, cols in (record.get(t) or {}).items() for c, v in (cols or {}).items()
                if isinstance(v, int | float) and not isinstance(v, bool)}
    assert {(x["section"], x["row"], x["column"], x["value"]) for x in rows} == expected
    assert len(rows) == len(expected)
    sections = [x["section"] for x in rows]
    assert sections == sorted(sections, key=["active_disclosure", "applications",
                                             "review_litigation"].index)
    template_rows = APPLICATION_ROWS_2019 if record["table_templates"].get("applications") == "2019" \
        else APPLICATION_ROWS_2021
    application_rows = [x["row"] for x in rows if x["section"] == "applications"]
    assert application_rows == sorted(application_rows, key=template_rows.index)
    assert all(x["unit"].startswith("件") for x in rows if x["section"] != "active_disclosure")
    assert all(x["row_label"] and x["column_label"] and x["section_label"] for x in rows)
    assert client.get("/api/v1/reports/999999/values").status_code == 404


def _updated_report_ids(db: Session, since: datetime) -> set[int]:
    ids = set()
    for report in db.scalars(select(Report)):
        moments = [report.first_seen_at, report.removed_at]
        moments += list(db.scalars(select(ReportVersion.first_seen_at).where(
            ReportVersion.report_id == report.id)))
        moments += list(db.scalars(select(AlertEvent.created_at).where(
            AlertEvent.report_id == report.id)))
        if any(m is not None and _utc(m) >= since for m in moments):  # type: ignore[operator]
            ids.add(report.id)
    return ids


def test_updated_since_on_the_lists(client: httpx.Client, db: Session) -> None:
    firsts = sorted(_utc(m) for m in db.scalars(select(Report.first_seen_at)))
    since = firsts[len(firsts) // 2]
    assert since is not None
    expected = _updated_report_ids(db, since)
    assert 0 < len(expected) < len(firsts)
    got = _all(client, "/api/v1/reports", updated_since=since.isoformat())
    assert {i["id"] for i in got} == expected
    # the same moment written with an offset (Beijing time) selects the same reports
    beijing = since.astimezone(UTC) + timedelta(hours=8)
    local = beijing.replace(tzinfo=None).isoformat() + "+08:00"
    assert {i["id"] for i in _all(client, "/api/v1/reports", updated_since=local)} == expected
    agencies = {a["agency"] for a in _all(client, "/api/v1/agencies", updated_since=since.isoformat())}
    assert agencies == {db.get(Report, i).agency for i in expected}  # type: ignore[union-attr]
    alerts = _all(client, "/api/v1/alerts", updated_since=since.isoformat())
    assert {a["id"] for a in alerts} == {e.id for e in db.scalars(select(AlertEvent))
                                         if _utc(e.created_at) >= since}  # type: ignore[operator]
    bad = client.get("/api/v1/reports", params={"updated_since": "last tuesday"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["detail"]


def test_etag_and_if_none_match(client: httpx.Client, web_archive: WebArchive) -> None:
    for path in ("/api/v1/reports?limit=5", f"/api/v1/reports/{web_archive.built.versioned_report_id}"):
        first = client.get(path)
        tag = first.headers["etag"]
        assert tag.startswith('"') and first.status_code == 200
        assert client.get(path).headers["etag"] == tag  # the same answer, the same tag
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag
        assert client.get(path, headers={"If-None-Match": f'W/{tag}, "other"'}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    other = client.get("/api/v1/reports?limit=6").headers["etag"]
    assert other != client.get("/api/v1/reports?limit=5").headers["etag"]


@pytest.mark.parametrize("path,wrong", [
    ("/api/v1/reports", "yaer"), ("/api/v1/agencies", "nmae"), ("/api/v1/alerts", "typ"),
    ("/api/v1/coverage", "has_reports"), ("/api/v1/reports/1", "format"),
    ("/api/v1/reports/1/values", "limit"),
])
def test_unknown_parameters_are_a_400_naming_them(client: httpx.Client, path: str,
                                                  wrong: str) -> None:
    answer = client.get(path, params={wrong: "2023"})
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert wrong in detail and "takes" in detail


def test_known_parameters_still_work(client: httpx.Client) -> None:
    assert client.get("/api/v1/reports", params={"year": 2023, "limit": 2}).status_code == 200
    assert client.get("/api/v1/reports/1/versions", params={"format": "csv"}).status_code == 200


def test_head_answers_like_get_on_every_page(client: httpx.Client, web_archive: WebArchive,
                                            db: Session) -> None:
    report = db.get(Report, web_archive.built.versioned_report_id)
    assert report is not None
    sha = db.scalar(select(ReportVersion.sha256).where(ReportVersion.report_id == report.id))
    paths = ["/", "/reports", "/agencies", "/coverage", "/alerts", "/api", "/healthz",
             f"/reports/{report.id}", f"/reports/{report.id}/diff/1/2",
             f"/agencies/{quote(report.agency, safe='')}", f"/documents/{sha}",
             "/api/v1/reports", f"/api/v1/reports/{report.id}/values", "/openapi.json",
             "/static/style.css"]
    for path in paths:
        head, get = client.head(path), client.get(path)
        assert (path, head.status_code) == (path, 200)
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]

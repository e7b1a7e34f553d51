"""The JSON API against a real ``govreports serve``: every endpoint, filters, pages, 404s, CSV."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from typing import Any, get_args
from urllib.parse import quote

import feedparser
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from crawler.reports.regions import region_of
from crawler.web.api import AlertType
from storage.models import (
    ALERT_TYPES,
    AlertEvent,
    Capture,
    Document,
    Report,
    ReportDocument,
    ReportVersion,
)
from tests.web.conftest import WebArchive
from tests.web.truth import all_items, deadline, reports

JSON_LISTS = ["/api/v1/reports", "/api/v1/agencies", "/api/v1/coverage", "/api/v1/alerts"]


def test_healthz(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_paging_through_reports_yields_every_report_once(client: httpx.Client, db: Session) -> None:
    total, items = all_items(client, "/api/v1/reports", limit=37)
    ids = [item["id"] for item in items]
    assert total == len(ids) == len(set(ids)) == db.scalar(select(func.count()).select_from(Report))
    assert set(ids) == set(db.scalars(select(Report.id)))
    years = [item["year"] for item in items]
    assert years == sorted(years, reverse=True)  # default order: newest year first


def test_limit_offset_and_links(client: httpx.Client) -> None:
    first = client.get("/api/v1/reports", params={"limit": 10}).json()
    second = client.get("/api/v1/reports", params={"limit": 10, "offset": 10}).json()
    assert first["page"]["prev"] is None and first["page"]["next"].endswith("limit=10&offset=10")
    assert client.get(first["page"]["next"]).json()["items"] == second["items"]
    assert client.get(second["page"]["prev"]).json()["items"] == first["items"]
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    past_end = client.get("/api/v1/reports", params={"offset": 10_000}).json()
    assert past_end["items"] == [] and past_end["page"]["next"] is None


def _expected(db: Session, keep: Any) -> set[int]:
    return {t.id for t in reports(db) if keep(t)}


FILTERS: list[tuple[dict[str, Any], Any]] = [
    ({"agency": "民政"}, lambda t: "民政" in t.agency),
    ({"year": 2022}, lambda t: t.year == 2022),
    ({"year_from": 2020, "year_to": 2021}, lambda t: 2020 <= t.year <= 2021),
    ({"status": "removed"}, lambda t: t.status == "removed"),
    ({"status": "live"}, lambda t: t.status == "live"),
    ({"template": "2019"}, lambda t: t.template == "2019"),
    ({"template": "2021"}, lambda t: t.template == "2021"),
    ({"failed": "true"}, lambda t: bool(t.failed)),
    ({"region": "西宁市"}, lambda t: region_of(t.agency).startswith("西宁市")),
    ({"year": 2023, "failed": "true"}, lambda t: t.year == 2023 and bool(t.failed)),
    ({"agency": "人民政府", "template": "2021", "year_from": 2021},
     lambda t: "人民政府" in t.agency and t.template == "2021" and t.year >= 2021),
]


@pytest.mark.parametrize(("params", "keep"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_report_filters_match_the_database(client: httpx.Client, db: Session,
                                           params: dict[str, Any], keep: Any) -> None:
    total, items = all_items(client, "/api/v1/reports", params)
    expected = _expected(db, keep)
    assert 0 < len(expected) < len(reports(db))  # the case selects something, not everything
    assert {i["id"] for i in items} == expected
    assert total == len(items)


def test_failed_filter_finds_the_broken_reports(client: httpx.Client, web_archive: WebArchive,
                                                db: Session) -> None:
    _, items = all_items(client, "/api/v1/reports", {"failed": "true"})
    ids = {i["id"] for i in items}
    assert {web_archive.built.failed_check_report_id, web_archive.hostile.report_id} <= ids
    truth = {t.id: t for t in reports(db)}
    for item in items:
        assert item["failed_checks"] == len(truth[item["id"]].failed) > 0
        assert item["checks"] == len(truth[item["id"]].checks)


def test_sorting(client: httpx.Client) -> None:
    _, items = all_items(client, "/api/v1/reports", {"sort": "agency"}, limit=200)
    assert [i["agency"] for i in items] == sorted(i["agency"] for i in items)
    _, items = all_items(client, "/api/v1/reports", {"sort": "year"}, limit=200)
    assert [i["year"] for i in items] == sorted(i["year"] for i in items)


@pytest.mark.parametrize("query", [
    {"year": "abc"}, {"template": "2020"}, {"limit": 0}, {"limit": 501}, {"offset": -1},
    {"status": "gone"}, {"failed": "maybe"}, {"sort": "title"}, {"format": "xml"},
])
def test_bad_parameters_are_rejected_with_a_reason(client: httpx.Client, query: dict[str, Any]) -> None:
    response = client.get("/api/v1/reports", params=query)
    assert response.status_code == 422
    name = next(iter(query))
    assert any(name in error["loc"] for error in response.json()["detail"])


def test_reports_csv_is_the_whole_filtered_list(client: httpx.Client, db: Session) -> None:
    response = client.get("/api/v1/reports", params={"year": 2022, "format": "csv", "limit": 1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {int(r["id"]) for r in rows} == _expected(db, lambda t: t.year == 2022)
    truth = {t.id: t for t in reports(db)}
    for row in rows:
        assert row["agency"] == truth[int(row["id"])].agency  # Chinese survives
        assert int(row["failed_checks"]) == len(truth[int(row["id"])].failed)


def test_every_list_has_a_csv_download(client: httpx.Client, web_archive: WebArchive) -> None:
    rid = web_archive.built.versioned_report_id
    for path in [*JSON_LISTS, f"/api/v1/reports/{rid}/versions",
                 f"/api/v1/reports/{rid}/captures", f"/api/v1/reports/{rid}/documents"]:
        body = client.get(path).json()
        count = body["page"]["total"] if "page" in body else len(body["items"])
        response = client.get(path, params={"format": "csv"})
        assert response.status_code == 200, path
        assert response.content.startswith(b"\xef\xbb\xbf"), path
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) - 1 == count, path


def test_report_detail_matches_the_record(client: httpx.Client, web_archive: WebArchive,
                                          db: Session) -> None:
    rid = web_archive.built.failed_check_report_id
    body = client.get(f"/api/v1/reports/{rid}").json()
    truth = next(t for t in reports(db) if t.id == rid)
    record = truth.record
    assert record is not None
    assert body["agency"] == truth.agency and body["year"] == truth.year
    for table in ("active_disclosure", "applications", "review_litigation"):
        assert body["record"][table] == record[table]
    assert body["record"]["sections"] == record["sections"]
    failed = [c for c in body["checks_list"] if not c["ok"]]
    assert [(c["rule"], c["where"], c["expected"], c["actual"]) for c in failed] == \
        [(c["rule"], c["where"], c["expected"], c["actual"]) for c in truth.failed]
    assert all(c["cells"] and c["rule_label"] for c in failed)
    assert body["failed_checks"] == len(truth.failed) > 0
    links = db.scalars(select(ReportDocument).where(ReportDocument.report_id == rid)).all()
    assert {d["sha256"] for d in body["documents"]} == {link.sha256 for link in links}
    assert body["deadline"] == deadline(truth.agency, truth.year).isoformat()
    assert body["region"] == region_of(truth.agency)


def test_timeliness_against_the_legal_deadline(client: httpx.Client, web_archive: WebArchive,
                                               db: Session) -> None:
    late = client.get(f"/api/v1/reports/{web_archive.built.late_report_id}").json()
    assert late["timeliness"] == "late"
    assert date.fromisoformat(late["published_on"]) > date.fromisoformat(late["deadline"])
    _, items = all_items(client, "/api/v1/reports", limit=200)
    for item in items:
        if item["published_on"] is None:
            assert item["timeliness"] == "unknown"
            continue
        on_time = date.fromisoformat(item["published_on"]) <= deadline(item["agency"], item["year"])
        assert item["timeliness"] == ("on_time" if on_time else "late"), item


@pytest.mark.parametrize("path", [
    "/api/v1/reports/999999", "/api/v1/reports/999999/versions",
    "/api/v1/reports/999999/captures", "/api/v1/reports/999999/documents",
    "/api/v1/reports/999999/diff/1/2", "/api/v1/documents/" + "0" * 64,
    "/api/v1/agencies/" + quote("没有这个机关"), "/documents/" + "0" * 64,
])
def test_unknown_ids_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_unknown_version_is_404(client: httpx.Client, web_archive: WebArchive) -> None:
    rid = web_archive.built.versioned_report_id
    response = client.get(f"/api/v1/reports/{rid}/diff/1/99")
    assert response.status_code == 404 and "no version 99" in response.json()["detail"]


def test_versions_and_their_diffs(client: httpx.Client, web_archive: WebArchive,
                                  db: Session) -> None:
    rid = web_archive.built.versioned_report_id
    stored = db.scalars(select(ReportVersion).where(ReportVersion.report_id == rid)
                        .order_by(ReportVersion.number)).all()
    assert len(stored) >= 2
    body = client.get(f"/api/v1/reports/{rid}/versions").json()
    assert [v["number"] for v in body["items"]] == [v.number for v in stored]
    assert [v["sha256"] for v in body["items"]] == [v.sha256 for v in stored]
    for previous, version in zip(stored, stored[1:], strict=False):
        item = body["items"][version.number - 1]
        assert item["changes"] == version.changes
        diff = client.get(item["diff_url"]).json()
        assert (diff["old"], diff["new"]) == (previous.number, version.number)
        changes = version.changes or {}
        assert sorted((n["table"], n["row"], n["column"], n["old"], n["new"]) for n in diff["numbers"]) \
            == sorted((n["table"], n["row"], n["column"], n["old"], n["new"]) for n in changes["numbers"])
        assert [t["section"] for t in diff["text"]] == [t["section"] for t in changes["text"]]
        assert all(n["label"] for n in diff["numbers"])


def test_captures_point_at_real_warc_records(client: httpx.Client, web_archive: WebArchive,
                                             db: Session) -> None:
    rid = web_archive.built.versioned_report_id
    body = client.get(f"/api/v1/reports/{rid}/captures").json()
    shas = set(db.scalars(select(ReportDocument.sha256).where(ReportDocument.report_id == rid)))
    assert body["items"] and {c["sha256"] for c in body["items"]} == shas
    for capture in body["items"]:
        path = web_archive.archive_dir / "warc" / capture["warc_file"]
        with open(path, "rb") as handle:
            handle.seek(capture["warc_offset"])
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == capture["url"]
            payload = record.content_stream().read()
        assert hashlib.sha256(payload).hexdigest() == capture["sha256"]


def test_report_documents(client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    rid = web_archive.built.pdf_report_id
    body = client.get(f"/api/v1/reports/{rid}/documents").json()
    links = db.scalars(select(ReportDocument).where(ReportDocument.report_id == rid)).all()
    assert sorted((d["url"], d["sha256"]) for d in body["items"]) == \
        sorted((link.url, link.sha256) for link in links)
    assert "application/pdf" in {d["content_type"] for d in body["items"]}


def test_document_metadata_and_original_bytes(client: httpx.Client, web_archive: WebArchive,
                                              db: Session) -> None:
    rid = web_archive.built.pdf_report_id
    for sha in db.scalars(select(ReportDocument.sha256).where(ReportDocument.report_id == rid)):
        doc = db.get(Document, sha)
        assert doc is not None
        meta = client.get(f"/api/v1/documents/{sha}").json()
        assert (meta["size"], meta["content_type"]) == (doc.size, doc.content_type)
        assert rid in {r["report_id"] for r in meta["reports"]}
        assert {c["id"] for c in meta["captures"]} == \
            set(db.scalars(select(Capture.id).where(Capture.sha256 == sha)))
        assert meta["parses"] and meta["parses"][0]["status"] == "ok"
        original = client.get(meta["content_url"])
        assert original.status_code == 200
        assert hashlib.sha256(original.content).hexdigest() == sha
        assert original.headers["content-type"].split(";")[0] == doc.content_type
        assert original.headers["content-disposition"].startswith("inline; filename=")
        assert "sandbox" in original.headers["content-security-policy"]
        assert original.headers["x-content-type-options"] == "nosniff"
        download = client.get(meta["content_url"], params={"download": "true"})
        assert download.headers["content-disposition"].startswith("attachment; filename=")


def test_hostile_html_original_is_sandboxed(client: httpx.Client, web_archive: WebArchive) -> None:
    response = client.get(f"/documents/{web_archive.hostile.sha256}")
    assert response.status_code == 200 and b"<script>" in response.content  # bytes as archived
    csp = response.headers["content-security-policy"]
    assert csp.startswith("sandbox") and "default-src 'none'" in csp
    assert "script-src" not in csp  # nothing re-enables scripts
    name = response.headers["content-disposition"].split("filename=", 1)[1]
    assert name == f'"{web_archive.hostile.sha256[:16]}.html"'


def test_bad_sha256_is_rejected(client: httpx.Client) -> None:
    assert client.get("/api/v1/documents/not-a-digest").status_code == 422
    assert client.get("/documents/../../etc/passwd").status_code == 404


def test_agencies_list_and_filters(client: httpx.Client, db: Session) -> None:
    names = set(db.scalars(select(Report.agency).distinct()))
    total, items = all_items(client, "/api/v1/agencies")
    assert total == len(names) and {a["agency"] for a in items} == names
    _, items = all_items(client, "/api/v1/agencies", {"name": "财政"})
    assert {a["agency"] for a in items} == {n for n in names if "财政" in n}
    _, items = all_items(client, "/api/v1/agencies", {"region": "宁夏回族自治区"})
    assert {a["agency"] for a in items} == {n for n in names
                                            if region_of(n).startswith("宁夏回族自治区")}
    for item in items:
        years = set(db.scalars(select(Report.year).where(Report.agency == item["agency"])))
        assert (item["first_year"], item["last_year"], item["reports"]) == \
            (min(years), max(years), len(years))


def test_agency_detail_years(client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    late = db.get(Report, web_archive.built.late_report_id)
    assert late is not None
    body = client.get(f"/api/v1/agencies/{quote(late.agency, safe='')}").json()
    assert body["agency"] == late.agency and body["region"] == region_of(late.agency)
    have = {r.year: r for r in db.scalars(select(Report).where(Report.agency == late.agency))}
    years = [y["year"] for y in body["years"]]
    assert years == list(range(max(years), min(have) - 1, -1))  # contiguous, newest first
    assert max(years) >= max(have)
    for entry in body["years"]:
        due = deadline(late.agency, entry["year"])
        assert entry["deadline"] == due.isoformat()
        report = have.get(entry["year"])
        if report is None:
            assert entry["report"] is None
            # no registry in this archive: a gap is only "not found in archive", never "missing"
            assert entry["timeliness"] == ("not_found" if date.today() > due else "not_due")
        elif report.published_on is not None:
            assert entry["report"]["id"] == report.id
            assert entry["timeliness"] == ("on_time" if report.published_on <= due else "late")
    assert next(y for y in body["years"] if y["year"] == late.year)["timeliness"] == "late"


def test_agency_with_markup_in_its_name(client: httpx.Client, web_archive: WebArchive) -> None:
    body = client.get("/api/v1/agencies/" + quote(web_archive.hostile.agency, safe="")).json()
    assert body["agency"] == web_archive.hostile.agency  # JSON carries the raw string


def test_coverage_of_a_year(client: httpx.Client, db: Session) -> None:
    known = set(db.scalars(select(Report.agency).distinct()))
    have = {r.agency: r.id for r in db.scalars(select(Report).where(Report.year == 2022))}
    body = client.get("/api/v1/coverage", params={"year": 2022}).json()
    _, items = all_items(client, "/api/v1/coverage", {"year": 2022, "has_report": "false"})
    not_found = sum(1 for i in items if i["timeliness"] == "not_found")
    assert body["summary"] == {"year": 2022, "known": len(known), "with_report": len(have),
                               "without_report": len(known) - len(have), "missing": 0,
                               "not_found": not_found, "registered": 0,
                               "years": sorted(set(db.scalars(select(Report.year))), reverse=True)}
    assert {i["agency"] for i in items} == known - set(have)
    assert all(i["report_id"] is None and i["timeliness"] in ("not_found", "not_due") for i in items)
    _, items = all_items(client, "/api/v1/coverage", {"year": 2022, "has_report": "true"})
    assert {i["agency"]: i["report_id"] for i in items} == have
    default = client.get("/api/v1/coverage").json()["summary"]
    assert default["year"] == max(db.scalars(select(Report.year)))


def test_alerts_list_and_filters(client: httpx.Client, db: Session) -> None:
    events = db.scalars(select(AlertEvent)).all()
    total, items = all_items(client, "/api/v1/alerts")
    assert total == len(events) and {i["id"] for i in items} == {e.id for e in events}
    created = [datetime.fromisoformat(i["created_at"]) for i in items]
    assert created == sorted(created, reverse=True)
    for kind in ALERT_TYPES:
        _, items = all_items(client, "/api/v1/alerts", {"type": kind})
        assert {i["id"] for i in items} == {e.id for e in events if e.type == kind}
        assert all(i["headline_zh"] and i["headline_en"] for i in items)
    since = sorted(e.created_at for e in events)[len(events) // 2].date()
    _, items = all_items(client, "/api/v1/alerts", {"since": since.isoformat()})
    assert {i["id"] for i in items} == {e.id for e in events if e.created_at.date() >= since}
    assert get_args(AlertType) == ALERT_TYPES


def test_atom_feed(client: httpx.Client, db: Session) -> None:
    response = client.get("/alerts.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    count = db.scalar(select(func.count()).select_from(AlertEvent)) or 0
    assert len(feed.entries) == min(100, count)
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert feed.feed.links[0].href.endswith("/alerts.atom")


def test_openapi_document_describes_every_endpoint(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert paths >= {
        "/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/reports/{report_id}/versions",
        "/api/v1/reports/{report_id}/diff/{old}/{new}", "/api/v1/reports/{report_id}/captures",
        "/api/v1/reports/{report_id}/documents", "/api/v1/documents/{sha256}",
        "/api/v1/agencies", "/api/v1/agencies/{agency}", "/api/v1/coverage", "/api/v1/alerts",
        "/documents/{sha256}", "/alerts.atom",
    }
    for path, item in spec["paths"].items():
        ok = item["get"]["responses"]["200"]["content"]
        if path.startswith("/api/v1/"):
            assert "$ref" in ok["application/json"]["schema"], path
    assert "/reports" not in paths  # HTML pages are not API


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_nothing_writes(client: httpx.Client, method: str) -> None:
    for path in ["/api/v1/reports", "/api/v1/reports/1", "/reports", "/api/v1/alerts"]:
        assert client.request(method, path).status_code == 405

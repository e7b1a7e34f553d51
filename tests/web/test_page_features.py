"""Pages of issue 13: the removed/unlisted banner, diffs with dates and both documents in
template order, agencies' on-time rates and year series, numbered pages, the API docs page."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.reports.changes import Deadlines
from crawler.reports.schema import APPLICATION_ROWS_2019, APPLICATION_ROWS_2021
from storage.models import AlertEvent, Report, ReportVersion
from tests.web.conftest import WebArchive

TABLE_ORDER = ["active_disclosure", "applications", "review_litigation"]


def _banner(html: str) -> str | None:
    found = re.search(r'<p class="banner[^"]*" id="status-banner".*?</p>', html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", found.group(0))) if found else None


def test_removed_report_says_since_when_it_is_gone(client: httpx.Client, web_archive: WebArchive,
                                                  db: Session) -> None:
    report = db.get(Report, web_archive.built.removed_report_id)
    assert report is not None and report.status == "removed" and report.removed_at is not None
    banner = _banner(client.get(f"/reports/{report.id}").text)
    assert banner is not None
    assert f"no longer on the portal since {report.removed_at.date()}" in banner


def test_unlisted_report_says_it_is_linked_from_no_list(client: httpx.Client,
                                                        web_archive: WebArchive,
                                                        db: Session) -> None:
    rid = web_archive.unlisted_report_id
    event = db.scalar(select(AlertEvent).where(AlertEvent.report_id == rid,
                                               AlertEvent.type == "report_unlisted"))
    assert event is not None
    banner = _banner(client.get(f"/reports/{rid}").text)
    assert banner is not None
    assert f"Not linked from any list on the portal since {event.created_at.date()}" in banner
    api = client.get(f"/api/v1/reports/{rid}").json()
    assert api["listed"] is False and api["unlisted_since"].startswith(str(event.created_at.date()))


def test_listed_live_report_has_no_banner(client: httpx.Client, web_archive: WebArchive) -> None:
    rid = web_archive.built.failed_check_report_id
    assert _banner(client.get(f"/reports/{rid}").text) is None
    assert client.get(f"/api/v1/reports/{rid}").json()["listed"] is True


def test_diff_lists_cells_in_template_order_with_dates_and_both_documents(
        client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    rid = web_archive.built.versioned_report_id
    versions = {v.number: v for v in db.scalars(select(ReportVersion).where(
        ReportVersion.report_id == rid))}
    diff = client.get(f"/api/v1/reports/{rid}/diff/1/2").json()
    keys = [(n["table"], n["row"], n["column"]) for n in diff["numbers"]]
    assert len(keys) >= 2

    def place(key: tuple[str, str, str]) -> tuple[int, int]:
        rows = APPLICATION_ROWS_2021 if key[1] in APPLICATION_ROWS_2021 else APPLICATION_ROWS_2019
        return TABLE_ORDER.index(key[0]), rows.index(key[1]) if key[0] == "applications" else 0

    assert [place(k) for k in keys] == sorted(place(k) for k in keys)
    page = client.get(f"/reports/{rid}/diff/1/2").text
    shown = re.findall(r"<code>([a-z_]+\.[a-z_0-9]+\.[a-z_0-9]+)</code>", page)
    assert shown == [".".join(k) for k in keys]  # the page in the same order
    for side, number in (("old_version", 1), ("new_version", 2)):
        version = versions[number]
        ref = diff[side]
        assert ref["number"] == number and ref["sha256"] == version.sha256
        assert ref["first_seen_at"].startswith(
            version.first_seen_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
        assert version.first_seen_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") in page
        assert f'href="/documents/{version.sha256}"' in page
        original = client.get(ref["content_url"])
        assert hashlib.sha256(original.content).hexdigest() == version.sha256


def _expected_on_time(db: Session) -> dict[str, tuple[int, int, int]]:
    deadlines = Deadlines()
    counts: dict[str, list[int]] = {}
    for report in db.scalars(select(Report)):
        tally = counts.setdefault(report.agency, [0, 0, 0])
        if report.published_on is None:
            tally[2] += 1
        elif report.published_on <= deadlines.for_agency(report.agency, report.year):
            tally[0] += 1
        else:
            tally[1] += 1
    return {agency: (a, b, c) for agency, (a, b, c) in counts.items()}


def test_agency_list_has_on_time_rates(client: httpx.Client, db: Session) -> None:
    expected = _expected_on_time(db)
    body = client.get("/api/v1/agencies", params={"limit": 500}).json()
    got = {a["agency"]: (a["on_time"], a["late"], a["undated"]) for a in body["items"]}
    assert got == expected
    assert any(late for _, late, _ in expected.values())  # the archive has late reports
    for item in body["items"]:
        on_time, late, _ = expected[item["agency"]]
        rate = round(on_time / (on_time + late), 4) if on_time + late else None
        assert item["on_time_rate"] == rate
    page = client.get("/agencies", params={"limit": 500}).text
    late_one = next(a for a in body["items"] if a["late"])
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S)
               if f">{late_one['agency']}<" in r)
    assert f"{late_one['on_time_rate'] * 100:.0f}%" in row
    csv = client.get("/agencies?format=csv").text
    assert "on_time_rate" in csv.splitlines()[0]


def test_agency_page_shows_its_year_series(client: httpx.Client, web_archive: WebArchive,
                                          db: Session) -> None:
    late = db.get(Report, web_archive.built.late_report_id)
    assert late is not None
    api = client.get(f"/api/v1/agencies/{quote(late.agency, safe='')}").json()
    states = [y["timeliness"] for y in api["years"]]
    assert api["counts"]["late"] == states.count("late") >= 1
    assert sum(api["counts"].values()) == len(states)
    page = client.get(f"/agencies/{quote(late.agency, safe='')}").text
    series = re.search(r'<ol class="series".*?</ol>', page, re.S)
    assert series is not None
    classes = re.findall(r'<li class="t-([a-z_]+)"', series.group(0))
    assert classes == list(reversed(states))  # oldest first, one per year


def test_numbered_pages(client: httpx.Client, db: Session) -> None:
    total = len(db.scalars(select(Report.id)).all())
    last = -(-total // 10)
    page = client.get("/reports", params={"limit": 10, "offset": 40}).text
    links = re.findall(r'<a class="page" href="([^"]+)" aria-label="page (\d+)">', page)
    numbers = [int(n) for _, n in links]
    assert re.search(r'aria-current="page">5<', page)
    assert {1, 3, 4, 6, 7, last} <= set(numbers) and 5 not in numbers
    for href, number in links:
        query = parse_qs(urlsplit(unescape(href)).query)
        assert query["offset"] == [str((int(number) - 1) * 10)] and query["limit"] == ["10"]
    # page 7 by its number is the same as page 7 in the API
    seventh = client.get(unescape(dict((n, h) for h, n in links)["7"])).text
    api = client.get("/api/v1/reports", params={"limit": 10, "offset": 60}).json()
    assert [f'href="/reports/{i["id"]}"' in seventh for i in api["items"]] == [True] * 10
    pages = client.get("/api/v1/reports", params={"limit": 10, "offset": 40}).json()["page"]["pages"]
    assert [p["number"] for p in pages if p["current"]] == [5]


def test_api_docs_page_lists_every_endpoint(client: httpx.Client) -> None:
    openapi = client.get("/openapi.json").json()
    page = client.get("/api")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = unescape(page.text)
    for path, item in openapi["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in html
    assert "updated_since" in html and "If-None-Match" in html
    assert 'href="/api"' in client.get("/reports").text  # linked from the nav

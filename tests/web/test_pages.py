"""The HTML pages over HTTP: tables laid out like the template, checks, provenance, escaping."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import httpx
import lxml.html
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.reports.schema import APPLICANT_COLUMNS, REVIEW_COLUMNS
from storage.models import AlertEvent, Capture, Report, ReportDocument
from tests.web.conftest import WebArchive
from tests.web.helpers import HOSTILE_AGENCY, HOSTILE_TITLE, HOSTILE_URL
from tests.web.truth import reports

HTML = {"accept": "text/html"}
RESULT_ROWS = ("new_received", "carried_over", "total", "carried_forward")


def page(client: httpx.Client, path: str, **params: Any) -> lxml.html.HtmlElement:
    response = client.get(path, params=params or None, headers=HTML)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def involved(check: dict[str, Any], record: dict[str, Any]) -> set[str]:
    """The cells a failed check adds up, straight from docs/record.md."""
    where = check["where"]
    if check["rule"] == "balance":
        return {f"applications.{r}.{where}" for r in RESULT_ROWS}
    if check["rule"] == "results_sum":
        rows = [r for r in record["applications"] if r not in RESULT_ROWS] + ["total"]
        return {f"applications.{r}.{where}" for r in rows}
    if check["rule"] == "row_total":
        return {f"applications.{where}.{c}" for c in APPLICANT_COLUMNS}
    assert check["rule"] == "review_total"
    return {f"review_litigation.{where}.{c}" for c in REVIEW_COLUMNS}


def test_report_page_lays_out_every_value_and_marks_failed_cells(
        client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    rid = web_archive.built.failed_check_report_id
    truth = next(t for t in reports(db) if t.id == rid)
    record = truth.record
    assert record is not None and truth.failed
    doc = page(client, f"/reports/{rid}")
    cells = {td.get("data-cell"): td for td in doc.cssselect("td[data-cell]")}
    expected = {f"{table}.{row}.{column}": value
                for table in ("active_disclosure", "applications", "review_litigation")
                for row, columns in record[table].items() for column, value in columns.items()}
    assert set(cells) == set(expected)  # every cell of the record has its place, nothing more
    for key, value in expected.items():
        assert cells[key].text_content().strip() == shown(value), key
    marked = {key for key, td in cells.items() if "failed" in td.get("class", "").split()}
    assert marked == set().union(*(involved(c, record) for c in truth.failed))
    listed = doc.cssselect("#failed-checks tr.failed-check")
    assert len(listed) == len(truth.failed)
    for row, check in zip(listed, truth.failed, strict=True):
        texts = [td.text_content() for td in row.cssselect("td")]
        assert check["where"] in texts[1]
        assert (texts[2], texts[3]) == (str(check["expected"]), str(check["actual"]))
    text = doc.text_content()
    for label in ("申请人情况", "（三）不予公开", "1.属于国家秘密", "（七）总计", "行政复议",
                  "未经复议直接起诉", "第二十条第（一）项", "四、结转下年度继续办理"):
        assert label in text


def test_report_page_links_originals_and_shows_provenance(
        client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    rid = web_archive.built.pdf_report_id
    doc = page(client, f"/reports/{rid}")
    shas = set(db.scalars(select(ReportDocument.sha256).where(ReportDocument.report_id == rid)))
    originals = {a.get("href") for a in doc.cssselect("a.original")}
    assert originals == {f"/documents/{sha}" for sha in shas}
    provenance = doc.cssselect("#provenance")[0].text_content()
    for capture in db.scalars(select(Capture).where(Capture.sha256.in_(shas))):
        assert capture.url in provenance
        assert capture.warc_record_id in provenance and capture.warc_file in provenance
        assert capture.fetched_at.strftime("%Y-%m-%d %H:%M:%S") in provenance


def test_version_diff_page(client: httpx.Client, web_archive: WebArchive) -> None:
    rid = web_archive.built.versioned_report_id
    doc = page(client, f"/reports/{rid}")
    links = [a.get("href") for a in doc.cssselect("#versions a.diff-link")]
    assert links and links[0] == f"/reports/{rid}/diff/1/2"
    diff = client.get(f"/api/v1/reports/{rid}/diff/1/2").json()
    view = page(client, links[0])
    rows = view.cssselect("table.diff-numbers tbody tr")
    assert len(rows) == len(diff["numbers"])
    for row, number in zip(rows, diff["numbers"], strict=True):
        assert row.cssselect("td.old")[0].text_content() == str(number["old"])
        assert row.cssselect("td.new")[0].text_content() == str(number["new"])
    assert len(view.cssselect("pre.diff")) == len(diff["text"])


def test_list_page_filters_and_pages(client: httpx.Client, db: Session) -> None:
    doc = page(client, "/reports", agency="统计局", year="2022")
    rows = doc.cssselect("#reports tbody tr")
    expected = {t.id for t in reports(db) if "统计局" in t.agency and t.year == 2022}
    assert {int(a.get("href").rsplit("/", 1)[1]) for r in rows for a in r.cssselect("a.report-link")} \
        == expected
    assert doc.cssselect("input[name=agency]")[0].get("value") == "统计局"  # the form keeps it
    first = page(client, "/reports")
    assert len(first.cssselect("#reports tbody tr")) == 50
    next_link = first.cssselect("a[rel=next]")[0].get("href")
    second = page(client, next_link)
    ids = {a.get("href") for a in first.cssselect("a.report-link")}
    assert ids.isdisjoint(a.get("href") for a in second.cssselect("a.report-link"))
    csv_link = first.cssselect("a.csv")[0].get("href")
    rows_csv = list(csv.reader(io.StringIO(client.get(csv_link).content.decode("utf-8-sig"))))
    assert len(rows_csv) - 1 == len(reports(db))


def test_failed_only_checkbox(client: httpx.Client, db: Session) -> None:
    doc = page(client, "/reports", failed="true", limit="500")
    shown_ids = {int(a.get("href").rsplit("/", 1)[1]) for a in doc.cssselect("a.report-link")}
    assert shown_ids == {t.id for t in reports(db) if t.failed}
    assert all(tr.get("class", "").startswith("has-failed") for tr in doc.cssselect("#reports tbody tr"))


def test_bad_filter_gives_a_400_page(client: httpx.Client) -> None:
    response = client.get("/reports", params={"year": "twenty"}, headers=HTML)
    assert response.status_code == 400
    assert "year" in response.text and "not a whole number" in response.text
    assert client.get("/reports/999999", headers=HTML).status_code == 404
    huge = client.get("/reports/99999999999999999999", headers=HTML)
    assert huge.status_code == 400 and "report_id" in huge.text
    assert client.get("/no/such/page", headers=HTML).status_code == 404


def test_agency_page(client: httpx.Client, web_archive: WebArchive, db: Session) -> None:
    late = db.get(Report, web_archive.built.late_report_id)
    assert late is not None
    doc = page(client, "/agencies/" + quote(late.agency, safe=""))
    assert late.agency in doc.cssselect("h1")[0].text_content()
    row = next(tr for tr in doc.cssselect("#years tbody tr")
               if tr.cssselect("td")[0].text_content() == str(late.year))
    assert "y-late" in row.get("class") and "逾期" in row.text_content()
    listing = page(client, "/agencies", name=late.agency)
    assert [a.text_content() for a in listing.cssselect("tbody a")] == [late.agency]


def test_coverage_page(client: httpx.Client, db: Session) -> None:
    known = set(db.scalars(select(Report.agency).distinct()))
    have = set(db.scalars(select(Report.agency).where(Report.year == 2021)))
    doc = page(client, "/coverage", year="2021", limit="500")
    covered = {tr.cssselect("td a")[0].text_content() for tr in doc.cssselect("tr.covered")}
    uncovered = {tr.cssselect("td a")[0].text_content() for tr in doc.cssselect("tr.uncovered")}
    assert covered == have and uncovered == known - have
    summary = " ".join(doc.cssselect("#coverage-summary")[0].text_content().split())
    share = f"{len(have)} ({round(100 * len(have) / len(known), 1)}%)"  # the share WITH a report
    gap = len(known) - len(have)
    assert f"known agencies {len(known)}" in summary and f"with a 2021 report {share}" in summary
    assert f"no 2021 report in the archive {gap} ({round(100 * gap / len(known), 1)}%)" in summary
    assert "缺报" not in " ".join(td.text_content() for td in doc.cssselect("tbody td"))  # no registry


def test_alerts_page(client: httpx.Client, db: Session) -> None:
    doc = page(client, "/alerts", type="report_changed", limit="500")
    items = doc.cssselect("ul.alerts li.alert-report_changed")
    assert len(items) == len(db.scalars(select(AlertEvent).where(
        AlertEvent.type == "report_changed")).all()) > 0
    assert doc.cssselect("link[type='application/atom+xml']")


HOSTILE_PAGES = [
    ("/reports", {"agency": "script"}), ("/reports", {"failed": "true", "limit": "500"}),
    ("/agencies", {"name": "script"}), ("/coverage", {"year": "2023", "limit": "500"}),
    ("/alerts", {"limit": "500"}), ("/agencies/" + quote(HOSTILE_AGENCY, safe=""), {}),
]


@pytest.mark.parametrize(("path", "params"), HOSTILE_PAGES, ids=[p for p, _ in HOSTILE_PAGES])
def test_markup_from_crawled_pages_is_escaped(client: httpx.Client, path: str,
                                              params: dict[str, str]) -> None:
    response = client.get(path, params=params, headers=HTML)
    assert response.status_code == 200
    assert HOSTILE_AGENCY not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_report_page_escapes_title_text_urls_and_warnings(client: httpx.Client,
                                                          web_archive: WebArchive) -> None:
    response = client.get(f"/reports/{web_archive.hostile.report_id}", headers=HTML)
    text = response.text
    for raw in (HOSTILE_AGENCY, HOSTILE_TITLE, "<script>alert(3)</script>", "<b>bold</b>",
                '"><script>alert(4)</script>'):
        assert raw not in text
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt; warning" in text
    doc = lxml.html.fromstring(text)
    assert not doc.cssselect("main script") and not doc.cssselect("img")
    assert doc.cssselect("h1")[0].text_content() == HOSTILE_TITLE  # shown as text, intact
    assert HOSTILE_URL in doc.cssselect("#provenance")[0].text_content()


def test_pages_forbid_scripts(client: httpx.Client, web_archive: WebArchive) -> None:
    for path in ["/reports", f"/reports/{web_archive.hostile.report_id}", "/coverage"]:
        csp = client.get(path, headers=HTML).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp
        assert "frame-ancestors 'none'" in csp


def test_static_css_and_home(client: httpx.Client) -> None:
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 200 and 'id="reports"' in home.text  # the report list


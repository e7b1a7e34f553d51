"""The pages in a real headless Chromium (Debian's package, driven by Playwright): search,
open a report, open its original, see a failed check, follow a version diff, on a phone too.

Screenshots go to ``test-artifacts/screenshots/``. Without Chromium the tests skip, except
under ``CI=true``, where they fail (``scripts/system-deps.sh`` installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy.orm import Session

from storage.models import Report
from tests.web.conftest import WebArchive
from tests.web.helpers import ARTIFACTS, HOSTILE_AGENCY

CHROMIUM = os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium")
BAD_BACKGROUND = "rgb(253, 231, 229)"  # --bad-bg in style.css


def _chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if not found:
        message = (f"Chromium not found at {CHROMIUM} nor on PATH: run scripts/system-deps.sh "
                   "(apt-get install chromium)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in the test extra
        pytest.fail(f"playwright is not installed: {exc}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900},
                                  java_script_enabled=True)
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.dialogs = dialogs
    yield tab
    context.close()


def shot(tab: Any, name: str) -> None:
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_open_report_see_failed_check_open_original(
        page: Any, web_archive: WebArchive, db: Session) -> None:
    report = db.get(Report, web_archive.built.failed_check_report_id)
    assert report is not None
    page.goto("/reports")
    page.fill("input[name=agency]", report.agency)
    page.select_option("select[name=year]", str(report.year))
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/reports?*")
    shot(page, "01-search")
    links = page.locator("a.report-link")
    assert links.count() == 1
    links.first.click()
    page.wait_for_url(f"**/reports/{report.id}")
    assert page.locator("h1").inner_text() == report.title
    failed = page.locator("td.failed")
    assert failed.count() > 0
    failed.first.scroll_into_view_if_needed()
    assert failed.first.evaluate("e => getComputedStyle(e).backgroundColor") == BAD_BACKGROUND
    assert page.locator("#failed-checks").is_visible()
    shot(page, "02-report-failed-check")
    page.locator("a.original").first.click()
    page.wait_for_url("**/documents/*")
    assert report.title in page.content()  # the archived page, as the agency published it
    shot(page, "03-original")


def test_crawled_scripts_never_run(page: Any, web_archive: WebArchive) -> None:
    page.goto(f"/reports/{web_archive.hostile.report_id}")
    assert page.locator("h1").inner_text().startswith("<img")  # markup shown as text
    shot(page, "04-hostile-report")
    page.locator("a.original").first.click()
    page.wait_for_url(f"**/documents/{web_archive.hostile.sha256}")
    assert page.locator("h1").inner_text() == "原件 original"  # the original renders…
    assert page.title() == "original"  # …but its script did not run
    page.goto("/reports?agency=" + HOSTILE_AGENCY)
    assert page.locator("a.report-link").count() == 1
    assert page.dialogs == []


def test_follow_a_version_diff(page: Any, web_archive: WebArchive) -> None:
    page.goto(f"/reports/{web_archive.built.versioned_report_id}")
    page.locator("#versions a.diff-link").first.click()
    page.wait_for_url("**/diff/1/2")
    assert page.locator("table.diff-numbers tbody tr").count() > 0 or \
        page.locator("pre.diff").count() > 0
    assert "v1 → v2" in page.locator("h1").inner_text()
    shot(page, "05-version-diff")


def test_agency_coverage_and_alerts_pages(page: Any, web_archive: WebArchive,
                                          db: Session) -> None:
    late = db.get(Report, web_archive.built.late_report_id)
    assert late is not None
    page.goto(f"/reports/{late.id}")
    page.locator("dl.facts a").first.click()
    assert page.locator("h1").inner_text() == late.agency
    assert page.locator("#years tr.y-late").count() >= 1
    shot(page, "06-agency")
    page.goto("/coverage")
    page.select_option("select[name=has_report]", "false")
    page.click("form.filters button[type=submit]")
    assert page.locator("tr.covered").count() == 0 and page.locator("tr.uncovered").count() > 0
    shot(page, "07-coverage")
    page.goto("/alerts")
    assert page.locator("ul.alerts li").count() > 0
    shot(page, "08-alerts")


def test_usable_on_a_phone(browser: Any, server: str, web_archive: WebArchive) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=False)  # reading needs no JavaScript
    tab = context.new_page()
    try:
        tab.goto("/reports")
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the list page scrolls sideways on a phone ({width}px)"
        tab.check("input[name=failed]")
        tab.click("form.filters button[type=submit]")
        assert tab.locator("a.report-link").count() > 0
        tab.screenshot(path=str(ARTIFACTS / "09-phone-list.png"))
        tab.locator("a.report-link").first.click()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        assert tab.locator("td.failed").count() > 0
        tab.screenshot(path=str(ARTIFACTS / "10-phone-report.png"))
    finally:
        context.close()


def test_banner_numbered_pages_rates_diff_documents_and_api_docs(
        page: Any, web_archive: WebArchive, db: Session) -> None:
    removed = db.get(Report, web_archive.built.removed_report_id)
    assert removed is not None and removed.removed_at is not None
    page.goto(f"/reports/{removed.id}")
    banner = page.locator("#status-banner")
    assert banner.is_visible()
    assert f"no longer on the portal since {removed.removed_at.date()}" in banner.inner_text()
    shot(page, "11-removed-banner")
    page.goto(f"/reports/{web_archive.unlisted_report_id}")
    assert "Not linked from any list" in page.locator("#status-banner").inner_text()

    page.goto("/reports")
    page.locator("nav.pager a.page", has_text="2").first.click()
    page.wait_for_url("**/reports?limit=50&offset=50")
    assert page.locator("nav.pager strong.page.current").first.inner_text() == "2"
    shot(page, "12-numbered-pages")

    page.goto("/agencies")
    rates = page.locator("table#agencies td.rate")
    assert rates.count() > 0 and "%" in rates.first.inner_text()
    page.locator("table#agencies tbody tr td:first-child a").first.click()
    assert page.locator("ol.series li").count() >= 1 and page.locator("ol.series").is_visible()
    shot(page, "13-agency-series")

    rid = web_archive.built.versioned_report_id
    page.goto(f"/reports/{rid}/diff/1/2")
    docs = page.locator("a.version-doc")
    assert docs.count() == 2
    docs.nth(1).click()
    page.wait_for_url("**/documents/*")

    page.goto("/reports")
    page.locator("header.top nav a", has_text="API").click()
    page.wait_for_url("**/api")
    assert page.locator("section.endpoint").count() >= 10
    shot(page, "14-api-docs")
    assert page.dialogs == []


def test_list_rows_readable_on_a_phone(browser: Any, server: str, web_archive: WebArchive,
                                       db: Session) -> None:
    late = db.get(Report, web_archive.built.late_report_id)
    assert late is not None
    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True,
                                  java_script_enabled=True)  # only to measure; the pages run none
    tab = context.new_page()
    try:
        for path in ("/agencies", "/reports", "/coverage", "/api",
                     f"/reports/{web_archive.built.removed_report_id}",
                     f"/reports/{web_archive.built.versioned_report_id}/diff/1/2",
                     f"/agencies/{quote(late.agency, safe='')}"):
            tab.goto(path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        tab.goto("/agencies")
        assert not tab.locator("table#agencies thead").is_visible()
        first = tab.locator("table#agencies tbody tr").first
        assert first.locator("td").first.evaluate("e => getComputedStyle(e).display") == "block"
        rate = first.locator("td.rate")
        assert rate.is_visible()
        # each value carries its label, and the whole row fits the screen
        assert "按时率" in rate.evaluate("e => getComputedStyle(e, '::before').content")
        box = first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        tab.screenshot(path=str(ARTIFACTS / "15-phone-agencies.png"))
        tab.goto("/reports")
        row = tab.locator("table#reports tbody tr").first
        assert row.locator("td.tl .badge").is_visible()  # on time or late, on the phone too
        # figures without their header (template, version number) are left out, the date labelled
        assert not row.locator("td.opt:not(.pub)").first.is_visible()
        assert "发布" in row.locator("td.pub").evaluate("e => getComputedStyle(e, '::before').content")
        box = row.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert tab.locator("nav.pager a.page").first.is_visible()
        tab.screenshot(path=str(ARTIFACTS / "16-phone-reports.png"))
    finally:
        context.close()

"""A crawl and a re-crawl replay in pywb: every report's newest capture gives the archived bytes,
both from the crawl's raw WARC files and from the WACZ ``govreports export --wacz`` makes of it.

pywb runs from its own virtualenv (see ``tests.pywb_helpers``); its wayback server runs on
127.0.0.1 over a collection, and is stopped by its PID when the module's tests are done.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.testbed.sample_portal import SamplePortal
from storage.models import Capture, ReportDocument
from tests.crawl_helpers import CrawlDirs, crawl_command, export_wacz, run_cli
from tests.pywb_helpers import make_collection, replayed, require_pywb, wayback

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled_twice(tmp_path_factory: pytest.TempPathFactory) -> CrawlDirs:
    require_pywb()
    dirs = CrawlDirs(tmp_path_factory.mktemp("replay"))
    with SamplePortal(seed=3, slow_seconds=0.5) as portal:
        for _ in range(2):  # a crawl, then a re-crawl (304s and identical payloads: revisits)
            result = run_cli(crawl_command(dirs, portal.seed_urls, "--ca-file",
                                           str(portal.certificate_path)))
            assert result.returncode == 0, result.stderr[-3000:]
    return dirs


@pytest.fixture(scope="module")
def warc_wayback(crawled_twice: CrawlDirs, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pywb-warc")
    make_collection(root, "govreports", sorted((crawled_twice.archive / "warc").glob("*.warc.gz")))
    with wayback(root, "govreports") as base:
        yield base


@pytest.fixture(scope="module")
def wacz_file(crawled_twice: CrawlDirs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wacz(crawled_twice, tmp_path_factory.mktemp("wacz") / "reports.wacz")


@pytest.fixture(scope="module")
def wacz_wayback(wacz_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # pywb 2.10's `wb-manager add` takes a .wacz only with --unpack-wacz: it copies the WACZ's
    # WARC files into the collection and merges the WACZ's own CDXJ index (not re-indexed).
    root = tmp_path_factory.mktemp("pywb-wacz")
    make_collection(root, "wacz", [wacz_file], "--unpack-wacz")
    with wayback(root, "wacz") as base:
        yield base


def _report_urls(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        urls = {d.url for d in session.scalars(select(ReportDocument))}
    engine.dispose()
    return urls


def _blob(dirs: CrawlDirs, sha: str) -> bytes:
    return (dirs.archive / "blobs" / sha[:2] / sha[2:4] / sha).read_bytes()


def _assert_every_reports_newest_capture_replays(dirs: CrawlDirs, base: str) -> None:
    engine = create_engine(dirs.db_url)
    with Session(engine) as session:
        newest: dict[str, Capture] = {}
        for capture in session.scalars(select(Capture).where(Capture.sha256.is_not(None))
                                       .order_by(Capture.fetched_at)):
            newest[capture.final_url or capture.url] = capture
        revisits = sum(1 for c in newest.values() if c.status == 304)
    engine.dispose()
    urls = sorted(_report_urls(dirs.db_url))
    assert len(urls) >= 10
    assert revisits > 0, "the re-crawl should have answered some report URLs with 304"
    for url in urls:
        capture = newest[url]
        assert replayed(base, url) == _blob(dirs, str(capture.sha256)), (url, capture.status)


def test_every_reports_newest_capture_replays_with_the_archived_bytes(
        crawled_twice: CrawlDirs, warc_wayback: str) -> None:
    _assert_every_reports_newest_capture_replays(crawled_twice, warc_wayback)


def test_every_reports_newest_capture_replays_from_the_wacz(
        crawled_twice: CrawlDirs, wacz_wayback: str) -> None:
    _assert_every_reports_newest_capture_replays(crawled_twice, wacz_wayback)


def _utc(moment: datetime) -> datetime:
    """The moment in UTC to the second (a page's ``ts`` has no fraction)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(microsecond=0)


def test_every_page_of_the_wacz_replays_in_pywb_with_the_archived_bytes(
        crawled_twice: CrawlDirs, wacz_file: Path, wacz_wayback: str) -> None:
    with zipfile.ZipFile(wacz_file) as archive:
        lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
    pages = [json.loads(line) for line in lines[1:]]
    engine = create_engine(crawled_twice.db_url)
    with Session(engine) as session:  # each page is one capture: its record's URL at its time
        digest = {(c.final_url or c.url, _utc(c.fetched_at)): str(c.sha256)
                  for c in session.scalars(select(Capture).where(Capture.sha256.is_not(None)))}
    engine.dispose()
    assert len(pages) >= 10
    for page in pages:
        moment = _utc(datetime.fromisoformat(page["ts"].replace("Z", "+00:00")))
        sha = digest[(page["url"], moment)]
        # a page reached through a redirect is listed under its final URL (its record's)
        got = replayed(wacz_wayback, page["url"], moment.strftime("%Y%m%d%H%M%S"))
        assert got == _blob(crawled_twice, sha), page

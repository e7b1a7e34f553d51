"""The sample portal's host-name site, crawled alone: a platform on another subdomain (domain
scope), agency-less titles (identity from the page's meaning), a pre-2019 report, decoys and
soft 404s; with ``--scope host`` the platform stays out of reach."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.discovery.urls import canonicalize
from crawler.testbed.sample_portal import SamplePortal
from crawler.testbed.sample_portal.subdomain import PARENT, XXGK
from storage.models import Capture, Report
from tests.crawl_helpers import CrawlDirs, crawl_command, found_report_urls, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(seed=0, slow_seconds=0.5) as running:
        yield running


def _crawl(portal: SamplePortal, root: Path, *extra: str) -> CrawlDirs:
    dirs = CrawlDirs(root)
    seed = portal.sites["subdomain"] + "/"
    result = run_cli(crawl_command(dirs, [seed], *portal.resolve_args(), *extra), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    return dirs


def _rows(db_url: str, model: type) -> list:  # type: ignore[type-arg]
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(select(model)))
        session.expunge_all()
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def domain_crawl(portal: SamplePortal, tmp_path_factory: pytest.TempPathFactory) -> CrawlDirs:
    portal.request_log.clear()
    return _crawl(portal, tmp_path_factory.mktemp("domain"))


def _expected(portal: SamplePortal) -> dict[tuple[str, int], object]:
    return {(r.agency, r.year): r for r in portal.expected_reports() if XXGK in r.urls[0]}


def test_domain_scope_finds_every_report_of_the_platform(portal: SamplePortal, domain_crawl: CrawlDirs) -> None:
    expected = _expected(portal)
    assert len(expected) == 6
    reports = {(r.agency, r.year): r for r in _rows(domain_crawl.db_url, Report)}
    assert set(reports) == set(expected)
    urls = {canonicalize(u) for r in portal.expected_reports() if XXGK in r.urls[0] for u in r.urls}
    assert found_report_urls(domain_crawl.db_url) == urls


def test_identity_and_template_are_recorded(portal: SamplePortal, domain_crawl: CrawlDirs) -> None:
    reports = {(r.agency, r.year): r for r in _rows(domain_crawl.db_url, Report)}
    for key, truth in _expected(portal).items():
        report = reports[key]
        assert report.template == ("pre2019" if key[1] < 2019 else None), key
        if truth.title.startswith(str(key[1])) or "年度政府信息公开" in report.title:  # type: ignore[attr-defined]
            assert report.identity_source not in (None, "title", "metadata", "host"), key  # the context named it
        else:
            assert report.identity_source in ("title", "metadata", "link"), key  # the title named it
    agencyless = [r for r in reports.values() if r.title.startswith(("2022年度", "2023年度"))]
    assert len(agencyless) == 4 and all(r.identity_source != "title" for r in agencyless)


def test_soft_404s_are_recorded_not_archived(portal: SamplePortal, domain_crawl: CrawlDirs) -> None:
    captures = _rows(domain_crawl.db_url, Capture)
    soft = {canonicalize(c.url) for c in captures if c.error_kind == "soft_404"}
    assert {u for u in soft if "/bm/" in u} == {
        canonicalize(f"http://{XXGK}:{portal.sites['subdomain'].rsplit(':', 1)[1]}{path}")
        for path in ("/bm/0/ndbg/t20220120_02021.html", "/bm/0/ndbg/t20210115_02020.html",
                     "/bm/1/ndbg/t20220120_12021.html", "/bm/1/ndbg/t20210115_12020.html")}
    assert not soft & found_report_urls(domain_crawl.db_url)
    probes = [c for c in captures if c.kind == "probe"]
    assert {c.url.split("/")[2].split(":")[0] for c in probes} == {XXGK, portal.sites["subdomain"].split("/")[2].split(":")[0]}


def test_out_of_scope_parent_is_never_fetched(portal: SamplePortal, domain_crawl: CrawlDirs) -> None:
    hosts = {url.split("/")[2].split(":")[0] for _, url, _ in portal.request_log.entries()}
    assert XXGK in hosts
    assert PARENT not in hosts


def test_host_scope_stays_on_the_seed_host(portal: SamplePortal, tmp_path: Path) -> None:
    portal.request_log.clear()
    dirs = _crawl(portal, tmp_path, "--scope", "host")
    hosts = {url.split("/")[2].split(":")[0] for _, url, _ in portal.request_log.entries()}
    assert XXGK not in hosts and PARENT not in hosts
    assert found_report_urls(dirs.db_url) == set()


def test_allow_host_adds_the_platform_back(portal: SamplePortal, tmp_path: Path) -> None:
    port = portal.sites["subdomain"].rsplit(":", 1)[1]
    dirs = _crawl(portal, tmp_path, "--scope", "host", "--allow-host", f"{XXGK}:{port}")
    assert len(found_report_urls(dirs.db_url)) == 6

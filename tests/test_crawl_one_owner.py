"""One owner of a crawl run: ``scrapy crawl portal`` and ``govreports crawl`` have the same
effects and events; two crawls of the same seeds never run at once."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.testbed.sample_portal import SamplePortal
from crawler.testbed.sample_portal.changes import RemoveReport
from tests.crawl_helpers import (
    CrawlDirs,
    archive_contents,
    assert_same_captured_urls,
    captures_so_far,
    crawl_command,
    run_cli,
    runs,
    site_names,
)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 4, 2)  # after the deadlines of the 2025 reports: overdue events too


def _scrapy_crawl(dirs: CrawlDirs, portal: SamplePortal, env: dict[str, str]) -> None:
    settings = {"GOVREPORTS_DB": dirs.db_url, "GOVREPORTS_ARCHIVE": str(dirs.archive),
                "GOVREPORTS_CA_FILE": str(portal.certificate_path), "GOVREPORTS_TODAY": TODAY.isoformat(),
                "GOVREPORTS_PROGRESS": "False", "DOWNLOAD_TIMEOUT": "10", "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                "RETRY_BACKOFF_BASE": "0.2",
                "GOVREPORTS_RESOLVE": json.dumps(dict(spec.split(":", 1) for spec in portal.resolve))}
    command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a",
               "seeds=" + ",".join(portal.seed_urls)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def _govreports_crawl(dirs: CrawlDirs, portal: SamplePortal, env: dict[str, str]) -> None:
    command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                            "--today", TODAY.isoformat(), *portal.resolve_args())
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.timeout(900)  # four crawls of the sample portal
def test_scrapy_crawl_and_govreports_crawl_have_the_same_effects(tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text("")
    env = dict(os.environ, GOVREPORTS_CONFIG=str(tmp_path / "empty.toml"), PYTHONUNBUFFERED="1")
    contents = []
    for name, crawl in (("scrapy", _scrapy_crawl), ("govreports", _govreports_crawl)):
        with SamplePortal(seed=0) as portal:
            dirs = CrawlDirs(tmp_path / name)
            crawl(dirs, portal, env)
            removed = next(r for r in portal.expected_reports())
            portal.apply(RemoveReport(agency=removed.agency, year=removed.year))
            crawl(dirs, portal, env)  # a re-crawl: conditional requests, removal, overdue
            contents.append(archive_contents(dirs.db_url, site_names(portal.seed_urls)))
            first, second = runs(dirs.db_url)
            assert (first.status, second.status) == ("completed", "completed"), name
            assert set(first.counts or {}) == set(second.counts or {}) and first.counts
    by_scrapy, by_govreports = contents
    assert any(kind == "report_removed" for kind, _, _ in by_scrapy["events"])
    assert any(kind == "report_overdue" for kind, _, _ in by_scrapy["events"])
    assert by_scrapy["events"] == by_govreports["events"]
    assert by_scrapy["reports"] == by_govreports["reports"]
    assert by_scrapy["documents"] == by_govreports["documents"]
    assert_same_captured_urls(by_govreports["captured"], by_scrapy["captured"])




@pytest.mark.timeout(600)  # three crawls of the sample portal
def test_a_second_crawl_of_the_same_seeds_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    with SamplePortal(seed=0, slow_seconds=1.0) as portal:
        dirs = CrawlDirs(tmp_path)
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                *portal.resolve_args())
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while captures_so_far(tmp_path / "archive.db") < 20:
                assert first.poll() is None and time.monotonic() < deadline, "the first crawl did not start"
                time.sleep(0.1)
            second = run_cli(command)
            assert second.returncode != 0
            assert "another crawl of the same seeds is running" in second.stderr, second.stderr[-2000:]
            assert first.poll() is None, "the refused crawl must not disturb the running one"
        finally:
            stdout, stderr = first.communicate(timeout=300)
        assert first.returncode == 0, stderr[-3000:]
        [run] = runs(dirs.db_url)
        assert run.status == "completed"
        # the lock is released: the same seeds can be crawled again (a new run, nothing to resume)
        again = run_cli(command)
        assert again.returncode == 0, again.stderr[-3000:]
        assert [r.status for r in runs(dirs.db_url)] == ["completed", "completed"]

"""A crawl stopped by SIGINT resumes with --resume and ends with the same archive contents."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.discovery.urls import canonicalize
from crawler.testbed.sample_portal import SamplePortal
from tests.crawl_helpers import (
    CrawlDirs,
    captures_so_far,
    crawl_command,
    found_report_urls,
    found_reports,
    run_cli,
    runs,
)

pytestmark = pytest.mark.slow




def test_interrupted_crawl_resumes_and_loses_nothing(tmp_path: Path) -> None:
    with SamplePortal(seed=0, slow_seconds=1.0) as portal:
        dirs = CrawlDirs(tmp_path)
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                *portal.resolve_args())
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=dict(os.environ, PYTHONUNBUFFERED="1"))
        deadline = time.monotonic() + 120
        while captures_so_far(tmp_path / "archive.db") < 120 and time.monotonic() < deadline:
            assert process.poll() is None, "the crawl ended before it could be interrupted"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 4, stderr[-3000:]  # interrupted: its own exit code
        assert "Interrupted" in stdout and "--resume" in stdout
        [first] = runs(dirs.db_url)
        assert first.status == "interrupted"
        partial = found_reports(dirs.db_url)
        expected = {(r.agency, r.year) for r in portal.expected_reports()}
        assert partial < expected, "the interruption should come before every report is found"

        result = run_cli([*command, "--resume"])
        assert result.returncode == 0, result.stderr[-3000:]
        [resumed] = runs(dirs.db_url)
        assert resumed.id == first.id and resumed.status == "completed"
        assert found_reports(dirs.db_url) == expected
        expected_urls = {canonicalize(u) for r in portal.expected_reports() for u in r.urls}
        assert found_report_urls(dirs.db_url) == expected_urls


def test_work_noted_before_a_stop_is_done_after_resume(tmp_path: Path) -> None:
    """A crawl stopped early, then resumed, finds every report, including the two that need
    work a page asked for before the stop: the jsoncms column that only a browser can read
    (its rendering request shares the page's fingerprint and was marked done with the page,
    the kill-9 test's seed 573192557) and the paged site's search-only report (the search form
    is read again from the archive)."""
    with SamplePortal(seed=0) as portal:
        dirs = CrawlDirs(tmp_path)
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01", *portal.resolve_args())
        stopped = run_cli([*command, "--max-pages", "60"])
        assert stopped.returncode == 0, stopped.stderr[-3000:]
        [first] = runs(dirs.db_url)
        assert first.status == "stopped"
        with sqlite3.connect(tmp_path / "archive.db") as connection:
            urls = [row[0] for row in connection.execute("select url from captures")]
        home = portal.sites["paged"].rstrip("/") + "/"
        assert home in urls, "the paged site's home page (its search form) was not read before the stop"
        assert not [u for u in urls if "/search/index.html?" in u], "the search was asked before the stop"

        resumed = run_cli([*command, "--resume"])
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        expected = {(r.agency, r.year) for r in portal.expected_reports()}
        assert found_reports(dirs.db_url) == expected

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
    crawl_command,
    found_report_urls,
    found_reports,
    run_cli,
    runs,
)

pytestmark = pytest.mark.slow


def _captures_so_far(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return int(connection.execute("select count(*) from captures").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def test_interrupted_crawl_resumes_and_loses_nothing(tmp_path: Path) -> None:
    with SamplePortal(seed=0, slow_seconds=1.0) as portal:
        dirs = CrawlDirs(tmp_path)
        command = crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                *portal.resolve_args())
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=dict(os.environ, PYTHONUNBUFFERED="1"))
        deadline = time.monotonic() + 120
        while _captures_so_far(tmp_path / "archive.db") < 120 and time.monotonic() < deadline:
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

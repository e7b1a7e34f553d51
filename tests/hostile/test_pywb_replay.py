"""A crawl and a re-crawl replay in pywb: every report's newest capture gives the archived bytes.

pywb pins libraries the crawler cannot share (redis<3, brotlipy shadowing brotli), so it
lives in its own virtualenv, ``.venv-pywb`` (made by ``scripts/setup.sh``); its wayback
server runs on 127.0.0.1 over a collection of the crawl's WARC files.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.testbed.sample_portal import SamplePortal
from storage.models import Capture, ReportDocument
from tests.crawl_helpers import CrawlDirs, crawl_command, run_cli

pytestmark = pytest.mark.slow
PYWB = Path(__file__).resolve().parents[2] / ".venv-pywb" / "bin"


def _pywb_missing() -> None:
    reason = f"pywb is not installed in {PYWB.parent} (run scripts/setup.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def crawled_twice(tmp_path_factory: pytest.TempPathFactory) -> CrawlDirs:
    if not (PYWB / "wayback").exists():
        _pywb_missing()
    dirs = CrawlDirs(tmp_path_factory.mktemp("replay"))
    with SamplePortal(seed=3, slow_seconds=0.5) as portal:
        for _ in range(2):  # a crawl, then a re-crawl (304s and identical payloads: revisits)
            result = run_cli(crawl_command(dirs, portal.seed_urls, "--no-parse", "--ca-file",
                                           str(portal.certificate_path)))
            assert result.returncode == 0, result.stderr[-3000:]
    return dirs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def wayback(crawled_twice: CrawlDirs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pywb")
    subprocess.run([str(PYWB / "wb-manager"), "init", "govreports"], cwd=root, check=True,
                   capture_output=True)
    warcs = sorted((crawled_twice.archive / "warc").glob("*.warc.gz"))
    subprocess.run([str(PYWB / "wb-manager"), "add", "govreports", *map(str, warcs)], cwd=root,
                   check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([str(PYWB / "wayback"), "--bind", "127.0.0.1", "-p", str(port)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/govreports/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base, timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "wayback did not start"
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def _replayed(base: str, url: str) -> bytes:
    request = urllib.request.Request(f"{base}29991231235959id_/{url}",
                                     headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        encoding = (response.headers.get("Content-Encoding") or "").lower()
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def test_every_reports_newest_capture_replays_with_the_archived_bytes(
        crawled_twice: CrawlDirs, wayback: str) -> None:
    engine = create_engine(crawled_twice.db_url)
    with Session(engine) as session:
        urls = sorted({d.url for d in session.scalars(select(ReportDocument))})
        newest: dict[str, Capture] = {}
        for capture in session.scalars(select(Capture).where(Capture.sha256.is_not(None))
                                       .order_by(Capture.fetched_at)):
            newest[capture.final_url or capture.url] = capture
        revisits = sum(1 for c in newest.values() if c.status == 304)
    engine.dispose()
    assert len(urls) >= 10
    assert revisits > 0, "the re-crawl should have answered some report URLs with 304"
    blobs = crawled_twice.archive / "blobs"
    for url in urls:
        capture = newest[url]
        sha = str(capture.sha256)
        archived = (blobs / sha[:2] / sha[2:4] / sha).read_bytes()
        assert _replayed(wayback, url) == archived, (url, capture.status)

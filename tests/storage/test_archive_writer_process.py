"""The archive's writer process (``GOVREPORTS_ARCHIVE_PROCESS``): a response's transaction and
WARC record are written by another process, in order, committed when the caller resumes; a
write handed over unawaited keeps its request busy; a failed write is logged and the writes go
on; the process leaves with the crawler, even when the crawler is killed."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy import Request
from sqlalchemy import select

from crawler.archive.policy import FullPolicy
from crawler.archive.session import ArchiveSession, FetchRecord
from crawler.archive.writer_process import ProcessWriter
from crawler.frontier.scheduler import META_FRONTIER_KEY
from storage.models import Capture
from storage.repository import ArchiveDB
from storage.warc import stream_payload_digest
from tests.crawl_helpers import process_running
from tests.storage.test_archive_writer import PAGE, _committed, _page

ROOT = Path(__file__).resolve().parents[2]


class Hook:
    """An ``on_capture`` hook that pickles: writes the pid of the process it runs in to
    ``folder/pid``, waits for ``folder/go`` to exist (when ``hold``) and fails for URLs with
    ``bad`` in them."""

    def __init__(self, folder: Path, *, hold: bool = False) -> None:
        self.folder, self.hold = folder, hold

    def __call__(self, request: object, capture_db: ArchiveDB) -> None:
        (self.folder / "pid").write_text(str(os.getpid()))
        deadline = time.monotonic() + 30
        while self.hold and not (self.folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        if "bad" in request.url:  # type: ignore[attr-defined]
            raise ValueError(f"refused by the test: {request.url}")  # type: ignore[attr-defined]


def _open(db: ArchiveDB, tmp_path: Path, *, hold: bool = False) -> ArchiveSession:
    run_id = db.start_run(seeds=["http://a.gov.cn/"], settings={}, software_version="t")
    return ArchiveSession.open(db=db, archive_dir=tmp_path / "archive", run_id=run_id,
                               insecure_hosts=set(), policy=FullPolicy(), alert_channels=[],
                               on_capture=Hook(tmp_path, hold=hold), writer="process")


def test_a_response_is_committed_by_the_writer_process_before_the_caller_resumes(
        db_url: str, tmp_path: Path) -> None:
    db = ArchiveDB(db_url, migrate=True)
    try:
        session = _open(db, tmp_path)
        assert isinstance(session.writer, ProcessWriter)
        request, response = _page("http://a.gov.cn/1.html")

        async def crawl() -> FetchRecord:
            return await session.record_response_async(request, response)

        fetched = asyncio.run(crawl())
        assert fetched.capture_id is not None and fetched.payload == PAGE
        committed = _committed(db_url, fetched.capture_id)  # before close: committed on resuming
        assert committed is not None and committed.url == request.url
        assert committed.sha256 == fetched.sha256 and committed.warc_file
        writer_pid = int((tmp_path / "pid").read_text())
        assert writer_pid != os.getpid() and writer_pid == session.writer.pid
        assert session.close() == []
        assert not process_running(writer_pid)  # the process exits with the session
        warc = tmp_path / "archive" / "warc" / committed.warc_file
        with warc.open("rb") as stream:  # the WARC file is closed and whole
            stream.seek(committed.warc_offset or 0)
            assert stream_payload_digest(stream)
    finally:
        db.close()


def test_writes_handed_over_stay_busy_until_committed_and_marks_follow_their_commit(
        db_url: str, tmp_path: Path) -> None:
    """A page handed on before its commit and a failure recorded from a synchronous hook keep
    their requests busy while the writer process is held; a soft-404 mark given the commit
    still on its way lands on that capture."""
    db = ArchiveDB(db_url, migrate=True)
    try:
        session = _open(db, tmp_path, hold=True)
        writer = session.writer
        assert writer is not None
        request, response = _page("http://a.gov.cn/2.html", {META_FRONTIER_KEY: "row-2"})

        async def crawl() -> FetchRecord:
            return await session.record_response_async(request, response, wait_for_commit=False)

        fetched = asyncio.run(crawl())
        assert fetched.capture_id is None and fetched.commit is not None
        assert fetched.payload == PAGE and session.blobs.exists(fetched.sha256 or "")
        session.mark_capture(request, fetched.commit, error_kind="soft_404", message="not found")
        gone = Request("http://a.gov.cn/gone.html", meta={META_FRONTIER_KEY: "row-3"})
        assert session.record_failure(gone, "timeout", "TimeoutError: slow") is None
        assert writer.busy("row-2") and writer.busy(id(request))
        assert writer.busy("row-3") and writer.busy(id(gone))
        assert writer.backlog == 3 and not fetched.commit.done()
        (tmp_path / "go").touch()
        committed = fetched.commit.result(timeout=60)
        session.close()
        assert not writer.busy("row-2") and not writer.busy("row-3") and writer.backlog == 0
        assert committed.capture_id is not None
        row = _committed(db_url, committed.capture_id)
        assert row is not None and row.url == request.url
        assert (row.error_kind, row.error_message) == ("soft_404", "not found")
        failed = db.session.scalars(select(Capture).where(Capture.url == gone.url)).all()
        assert [(r.kind, r.error_kind) for r in failed] == [("error", "timeout")]
    finally:
        db.close()


def test_a_write_that_fails_is_logged_with_its_reason_and_the_writes_go_on(
        db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = ArchiveDB(db_url, migrate=True)
    try:
        session = _open(db, tmp_path)
        bad = Request("http://a.gov.cn/bad.html")
        good_request, good_response = _page("http://a.gov.cn/good.html")

        async def crawl() -> FetchRecord:
            return await session.record_response_async(good_request, good_response)

        with caplog.at_level(logging.ERROR, logger="crawler.archive.writer"):
            session.record_failure(bad, "timeout", "TimeoutError: slow")
            fetched = asyncio.run(crawl())
            session.close()
        assert fetched.capture_id is not None and _committed(db_url, fetched.capture_id)
        failed = [r for r in caplog.records if r.getMessage() == "archive write failed"]
        assert len(failed) == 1 and failed[0].exc_info is not None
        assert "refused by the test: http://a.gov.cn/bad.html" in str(failed[0].exc_info[1])
        assert not db.session.scalars(select(Capture).where(Capture.url == bad.url)).all()
    finally:
        db.close()


_KILLED_CRAWLER = """
import asyncio, sys, time
from pathlib import Path
from scrapy import Request
from scrapy.http import HtmlResponse
from crawler.archive.policy import FullPolicy
from crawler.archive.session import ArchiveSession
from storage.repository import ArchiveDB

if __name__ == "__main__":
    folder = Path(sys.argv[1])
    db = ArchiveDB(f"sqlite:///{folder / 'a.db'}", migrate=True)
    run_id = db.start_run(seeds=["http://a.gov.cn/"], settings={}, software_version="t")
    session = ArchiveSession.open(db=db, archive_dir=folder / "archive", run_id=run_id,
                                  insecure_hosts=set(), policy=FullPolicy(), alert_channels=[],
                                  writer="process")
    request = Request("http://a.gov.cn/1.html")
    response = HtmlResponse(request.url, status=200, body=b"<html></html>", request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    asyncio.run(session.record_response_async(request, response))
    print(session.writer.pid, flush=True)
    time.sleep(300)
"""


def test_the_writer_process_exits_when_the_crawler_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "killed_crawl.py"
    script.write_text(_KILLED_CRAWLER)
    crawler = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert crawler.stdout is not None
        writer_pid = int(crawler.stdout.readline())
        assert process_running(writer_pid)
        crawler.send_signal(signal.SIGKILL)
        crawler.wait(30)
        deadline = time.monotonic() + 30  # it watches the crawler's pidfd: at once, unless loaded
        while process_running(writer_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_running(writer_pid), "the writer process outlived the killed crawler"
    finally:
        if crawler.poll() is None:
            crawler.kill()
            crawler.wait(30)


def test_a_dead_writer_process_is_logged_and_the_session_still_closes(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The writer process killed under a running crawl (out of memory, say): each write handed
    over after is logged as failed, and closing the session logs it instead of raising."""
    db = ArchiveDB(f"sqlite:///{tmp_path / 'a.db'}", migrate=True)
    try:
        session = _open(db, tmp_path)
        request, response = _page("http://a.gov.cn/1.html")

        async def crawl() -> FetchRecord:
            return await session.record_response_async(request, response)

        assert asyncio.run(crawl()).capture_id is not None
        writer = session.writer
        assert isinstance(writer, ProcessWriter) and writer.pid is not None
        pid = writer.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while process_running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        with caplog.at_level(logging.ERROR):
            session.record_failure(Request("http://a.gov.cn/gone.html"), "timeout", "slow")
            assert session.close() == []
        messages = [r.getMessage() for r in caplog.records]
        assert "archive write failed" in messages  # the failure handed over after its death
        assert "the archive's writer process failed at close" in messages
    finally:
        db.close()

"""The archive's writer thread: a response's transaction runs off the calling (reactor) thread,
is committed when the caller resumes, and a write handed over unawaited keeps its request busy."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from sqlalchemy import select

from crawler.archive.policy import FullPolicy
from crawler.archive.session import ArchiveSession
from crawler.frontier.scheduler import META_FRONTIER_KEY
from storage.models import Capture
from storage.repository import ArchiveDB

PAGE = "<html><head><meta charset='utf-8'><title>年报</title></head><body>正文</body></html>".encode()


def _open(db: ArchiveDB, tmp_path: Path, seen: list[str]) -> ArchiveSession:
    run_id = db.start_run(seeds=["http://a.gov.cn/"], settings={}, software_version="t")

    def on_capture(_request: Request, capture_db: ArchiveDB) -> None:
        seen.append(threading.current_thread().name)
        assert capture_db is not db  # the writer's own connection

    return ArchiveSession.open(db=db, archive_dir=tmp_path / "archive", run_id=run_id,
                               insecure_hosts=set(), policy=FullPolicy(), alert_channels=[],
                               on_capture=on_capture, threaded=True)


def _committed(db_url: str, capture_id: int) -> Capture | None:
    """The capture as another connection sees it (committed or not there)."""
    other = ArchiveDB(db_url, migrate=False)
    try:
        return other.session.scalar(select(Capture).where(Capture.id == capture_id))
    finally:
        other.close()


def test_a_response_is_committed_by_the_writer_thread_before_the_caller_resumes(
        db_url: str, tmp_path: Path) -> None:
    db = ArchiveDB(db_url, migrate=True)
    seen: list[str] = []
    try:
        session = _open(db, tmp_path, seen)
        request = Request("http://a.gov.cn/1.html")
        response = HtmlResponse(request.url, status=200, body=PAGE, request=request,
                                headers={"Content-Type": "text/html; charset=utf-8"})

        async def crawl() -> int:
            fetched = await session.record_response_async(request, response)
            return fetched.capture_id

        capture_id = asyncio.run(crawl())
        committed = _committed(db_url, capture_id)  # before close: committed on resuming
        assert committed is not None and committed.url == request.url and committed.sha256
        assert seen and all(name.startswith("govreports-archive") for name in seen)
        assert threading.current_thread().name not in seen
        session.close()
    finally:
        db.close()


def test_a_failure_handed_over_keeps_its_request_busy_until_committed(db_url: str, tmp_path: Path
                                                                      ) -> None:
    db = ArchiveDB(db_url, migrate=True)
    seen: list[str] = []
    try:
        session = _open(db, tmp_path, seen)
        writer = session.writer
        assert writer is not None
        gate = threading.Event()
        writer.submit((), gate.wait, 30)  # the writer is busy with an earlier write
        request = Request("http://a.gov.cn/gone.html", meta={META_FRONTIER_KEY: "row-1"})
        assert session.record_failure(request, "timeout", "TimeoutError: slow") is None
        assert writer.busy("row-1") and writer.busy(id(request))  # the frontier must not finish it
        assert not seen  # not written yet, and the caller did not wait
        gate.set()
        session.close()  # waits for the writes handed over
        assert not writer.busy("row-1") and not writer.busy(id(request))
        rows = db.session.scalars(select(Capture).where(Capture.url == request.url)).all()
        assert [(row.kind, row.error_kind) for row in rows] == [("error", "timeout")]
        assert seen and all(name.startswith("govreports-archive") for name in seen)
    finally:
        db.close()

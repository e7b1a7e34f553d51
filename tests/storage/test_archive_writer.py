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
from crawler.archive.session import ArchiveSession, FetchRecord
from crawler.archive.writer import ArchiveWriter
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


def _held_writer(session: ArchiveSession) -> tuple[ArchiveWriter, threading.Event]:
    """The session's writer, busy with an earlier write until the returned gate is set."""
    writer = session.writer
    assert writer is not None
    gate = threading.Event()
    writer.submit((), gate.wait, 30)
    return writer, gate


def _page(url: str, meta: dict[str, object] | None = None) -> tuple[Request, HtmlResponse]:
    """A request and its 200 answer: ``PAGE``, UTF-8 HTML."""
    request = Request(url, meta=meta or {})
    return request, HtmlResponse(url, status=200, body=PAGE, request=request,
                                 headers={"Content-Type": "text/html; charset=utf-8"})


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
        request, response = _page("http://a.gov.cn/1.html")

        async def crawl() -> int:
            fetched = await session.record_response_async(request, response)
            assert fetched.capture_id is not None  # waited for its commit
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
        writer, gate = _held_writer(session)  # busy with an earlier write
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


def test_a_page_handed_on_before_its_commit_stays_busy_until_committed(db_url: str,
                                                                       tmp_path: Path) -> None:
    """``wait_for_commit=False``: the caller resumes with the blob stored and the commit on its
    way; the request stays busy (the frontier must not finish it) until the commit, and a
    soft-404 mark handed over with the pending commit lands on that capture."""
    db = ArchiveDB(db_url, migrate=True)
    seen: list[str] = []
    try:
        session = _open(db, tmp_path, seen)
        writer, gate = _held_writer(session)  # busy with an earlier write
        request, response = _page("http://a.gov.cn/2.html", {META_FRONTIER_KEY: "row-2"})

        async def crawl() -> FetchRecord:
            return await session.record_response_async(request, response, wait_for_commit=False)

        fetched = asyncio.run(crawl())
        assert fetched.capture_id is None and fetched.commit is not None
        assert fetched.sha256 and fetched.charset == "utf-8" and fetched.payload == PAGE
        assert session.blobs.exists(fetched.sha256)  # the blob is in place before the commit
        assert writer.busy("row-2") and writer.busy(id(request))
        assert not fetched.commit.done() and not seen
        session.mark_capture(request, fetched.commit, error_kind="soft_404", message="not found")
        gate.set()
        committed = fetched.commit.result(timeout=30)
        session.close()
        assert not writer.busy("row-2") and not writer.busy(id(request))
        assert committed.capture_id is not None
        row = _committed(db_url, committed.capture_id)
        assert row is not None and row.url == request.url and row.sha256 == fetched.sha256
        assert (row.error_kind, row.error_message) == ("soft_404", "not found")
    finally:
        db.close()


def test_the_spider_reads_a_pending_capture_id_once_committed() -> None:
    """``committed_capture_id`` waits for the commit on its way and keeps the id in meta."""
    from concurrent.futures import Future

    from crawler.middlewares.archive import (
        META_CAPTURE_COMMIT,
        META_CAPTURE_ID,
        committed_capture_id,
    )

    commit: Future[FetchRecord] = Future()
    request = Request("http://a.gov.cn/3.html", meta={META_CAPTURE_COMMIT: commit})
    response = HtmlResponse(request.url, body=PAGE, request=request)

    async def read() -> int | None:
        waiting = asyncio.ensure_future(committed_capture_id(response))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # not committed yet
        commit.set_result(FetchRecord(41, "ab" * 32, 1, "text/html", "utf-8", None, None))
        return await waiting

    assert asyncio.run(read()) == 41 and request.meta[META_CAPTURE_ID] == 41


def test_a_page_waits_for_its_commit_once_the_writer_is_far_behind(db_url: str, tmp_path: Path
                                                                   ) -> None:
    """Past ``MAX_COMMIT_BACKLOG`` commits on their way, a page waits for its own: a writer
    slower than the downloads holds a bounded number of responses."""
    from crawler.archive.session import MAX_COMMIT_BACKLOG

    db = ArchiveDB(db_url, migrate=True)
    try:
        session = _open(db, tmp_path, [])
        writer = session.writer
        assert writer is not None
        gate = threading.Event()
        for _ in range(MAX_COMMIT_BACKLOG):
            writer.submit((), gate.wait, 30)
        assert writer.backlog == MAX_COMMIT_BACKLOG
        request, response = _page("http://a.gov.cn/4.html")

        async def crawl() -> FetchRecord:
            asyncio.get_running_loop().call_later(0.2, gate.set)
            return await session.record_response_async(request, response, wait_for_commit=False)

        fetched = asyncio.run(crawl())
        assert fetched.commit is None and fetched.capture_id is not None  # it waited
        assert _committed(db_url, fetched.capture_id) is not None
        session.close()
        assert writer.backlog == 0
    finally:
        db.close()

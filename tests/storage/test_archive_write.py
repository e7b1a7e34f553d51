"""The archive write path: one transaction per response, revisits found without per-page state."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from sqlalchemy import event, func, select
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.policy import FullPolicy
from crawler.archive.session import ArchiveSession
from storage.models import Capture, Document, Report, ReportDocument
from storage.repository import ArchiveDB

PAGE = "<html><head><meta charset='utf-8'><title>年报</title></head><body>正文</body></html>".encode()


def _response(url: str, body: bytes = PAGE) -> tuple[Request, HtmlResponse]:
    request = Request(url)
    return request, HtmlResponse(url, status=200, body=body, request=request,
                                 headers={"Content-Type": "text/html; charset=utf-8"})


def test_a_response_is_one_commit_and_a_repeated_payload_is_a_revisit(db_url: str, tmp_path: Path
                                                                      ) -> None:
    db = ArchiveDB(db_url, migrate=True)
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _connection: commits.append(1))  # real COMMITs only
    try:
        run_id = db.start_run(seeds=["http://a.gov.cn/"], settings={}, software_version="t")
        db.ensure_site("a.gov.cn", "http", True)
        session = ArchiveSession.open(db=db, archive_dir=tmp_path / "archive", run_id=run_id,
                                      insecure_hosts=set(), policy=FullPolicy(), alert_channels=[])
        commits.clear()
        first = session.record_response(*_response("http://a.gov.cn/1.html"))
        assert len(commits) == 1  # document, capture and URL state together
        second = session.record_response(*_response("http://a.gov.cn/2.html"))
        assert len(commits) == 2
        other = session.record_response(*_response("http://a.gov.cn/3.html", PAGE + b" "))
        session.close()

        assert first.sha256 == second.sha256 != other.sha256
        assert db.session.scalar(select(func.count()).select_from(Document)) == 2
        assert db.session.scalar(select(func.count()).select_from(Capture)) == 3
        assert session.blobs.get(first.sha256 or "") == PAGE
        kinds = []
        for path in sorted((tmp_path / "archive" / "warc").glob("*.warc.gz")):
            with path.open("rb") as handle:
                kinds += [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                          for r in ArchiveIterator(handle) if r.rec_type in ("response", "revisit")]
        assert kinds == [("response", "http://a.gov.cn/1.html"), ("revisit", "http://a.gov.cn/2.html"),
                         ("response", "http://a.gov.cn/3.html")]
    finally:
        db.close()


def test_rows_inserted_once_stay_in_the_callers_transaction(db_url: str) -> None:
    """A report linked but not committed is gone after a rollback (on SQLite a bare SAVEPOINT
    was the transaction, and releasing it committed the report on its own)."""
    db = ArchiveDB(db_url, migrate=True)
    try:
        db.link_document(agency="某某市统计局", year=2023, title="2023年政府信息公开工作年度报告",
                         published_on=None, sha256="a" * 64, url="http://a.gov.cn/nb.html",
                         capture_id=None, role="page")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0
        assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 0
    finally:
        db.close()

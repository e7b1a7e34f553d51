"""The repository API the crawler writes through, on both backends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.models import Capture, ParseResult, Report, ReportDocument, Site, UrlState
from storage.repository import ArchiveDB, CaptureRecord, UrlStateUpdate, url_key


@pytest.fixture
def db(db_url: str) -> Iterator[ArchiveDB]:
    archive = ArchiveDB(db_url)
    yield archive
    archive.close()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _run(db: ArchiveDB) -> int:
    return db.start_run(seeds=["http://127.0.0.1:8600/"], settings={"max_pages": 50},
                        software_version="govreports/test", jobdir="/tmp/job")


def test_run_lifecycle(db: ArchiveDB) -> None:
    run_id = _run(db)
    run = db.get_run(run_id)
    assert run is not None and run.status == "running" and run.finished_at is None
    assert run.seeds == ["http://127.0.0.1:8600/"] and run.settings == {"max_pages": 50}
    assert db.latest_run_for_jobdir("/tmp/job") == run_id
    assert db.latest_run_for_jobdir("/elsewhere") is None
    db.mark_run(run_id, "interrupted")
    db.mark_run(run_id, "running")
    db.finish_run(run_id, status="completed", counts={"pages": 3})
    run = db.get_run(run_id)
    assert run is not None
    assert (run.status, run.counts, run.software_version) == ("completed", {"pages": 3},
                                                               "govreports/test")
    assert run.finished_at is not None
    with pytest.raises(ValueError, match="run status"):
        db.mark_run(run_id, "paused")
    assert db.get_run(run_id + 100) is None


def test_captures_create_sites_once_and_count(db: ArchiveDB) -> None:
    run_id = _run(db)
    sha = _digest("page")
    first = db.add_capture(CaptureRecord(run_id=run_id, url="http://127.0.0.1:8600/a",
                                         status=200, kind="page", sha256=sha, size=4,
                                         headers={"Content-Type": "text/html"}))
    db.add_capture(CaptureRecord(run_id=run_id, url="http://127.0.0.1:8600/b", status=404))
    db.add_capture(CaptureRecord(run_id=run_id, url="https://127.0.0.1:8601/c",
                                 tls_verified=False, kind="error", error_kind="timeout"))
    hosts = {s.host: (s.scheme, s.tls_verify) for s in db.session.scalars(select(Site))}
    assert hosts == {"127.0.0.1:8600": ("http", True), "127.0.0.1:8601": ("https", False)}
    capture = db.session.get(Capture, first)
    assert capture is not None and capture.sha256 == sha and capture.fetched_at is not None
    assert capture.headers == {"Content-Type": "text/html"}
    assert db.capture_counts(run_id) == {
        "total": 3, "kind:page": 1, "kind:error": 1, "error:timeout": 1,
        "status:200": 1, "status:404": 1,
    }


def test_add_document_once(db: ArchiveDB) -> None:
    sha = _digest("pdf")
    assert db.add_document(sha256=sha, size=3, content_type="application/pdf", blob_path="/b/x")
    assert not db.add_document(sha256=sha, size=3, content_type="application/pdf",
                               blob_path="/b/x")


def _url_state(db: ArchiveDB, url: str) -> UrlState:
    db.session.expire_all()
    state = db.session.scalar(select(UrlState).where(UrlState.url_key == url_key(url)))
    assert state is not None
    return state


def test_url_state_upsert_keeps_history(db: ArchiveDB) -> None:
    """A URL's state: created by its first capture; later captures update validators and
    status, move ``last_changed_at`` only on a new payload or status, keep the first run."""
    first_run, url, sha = _run(db), "http://h/a.html", _digest("a")
    start = datetime(2025, 1, 1, tzinfo=UTC)

    def capture(run_id: int, at: datetime, update: UrlStateUpdate) -> int:
        return db.add_capture(CaptureRecord(run_id=run_id, url=url, status=update.status,
                                            sha256=update.sha256, fetched_at=at), url_state=update)

    first = capture(first_run, start, UrlStateUpdate(url, "detail", 200, etag='"1"', sha256=sha,
                                                     holds_payload=True))
    state = _url_state(db, url)
    assert (state.kind, state.status, state.etag, state.sha256, state.capture_id) == (
        "detail", 200, '"1"', sha, first)
    assert (state.first_seen_run_id, state.last_seen_run_id, state.last_changed_at) == (
        first_run, first_run, start)
    second_run = _run(db)  # same payload, new validators, a revisit of the first capture
    capture(second_run, start + timedelta(days=1),
            UrlStateUpdate(url, "list", 200, etag='"2"', sha256=sha, payload_capture_id=first))
    state = _url_state(db, url)
    assert (state.kind, state.etag, state.capture_id, state.last_changed_at) == (
        "list", '"2"', first, start)
    assert (state.first_seen_run_id, state.last_seen_run_id) == (first_run, second_run)
    gone = start + timedelta(days=2)  # a 404 with no payload: changed, the old payload kept
    capture(second_run, gone, UrlStateUpdate(url, "detail", 404))
    state = _url_state(db, url)
    assert (state.status, state.etag, state.sha256, state.capture_id, state.last_changed_at) == (
        404, None, sha, first, gone)
    back = start + timedelta(days=3)  # a new payload
    third = capture(second_run, back, UrlStateUpdate(url, "detail", 200, sha256=_digest("b"),
                                                     holds_payload=True))
    state = _url_state(db, url)
    assert (state.status, state.sha256, state.capture_id, state.last_changed_at) == (
        200, _digest("b"), third, back)


def test_url_state_refuses_unknown_kind(db: ArchiveDB) -> None:
    run_id = _run(db)
    with pytest.raises(ValueError, match="URL kind"):
        db.add_capture(CaptureRecord(run_id=run_id, url="http://h/x"),
                       url_state=UrlStateUpdate("http://h/x", "page", 200))
    assert db.add_capture(CaptureRecord(run_id=run_id, url="http://h/y")) > 0


def test_link_report_dedupes_same_report_two_urls(db: ArchiveDB) -> None:
    run_id = _run(db)
    sha = _digest("report")
    db.add_document(sha256=sha, size=6, content_type="text/html", blob_path="/b/r")
    c1 = db.add_capture(CaptureRecord(run_id=run_id, url="http://h/col1/t1.html", sha256=sha))
    c2 = db.add_capture(CaptureRecord(run_id=run_id, url="http://h/col2/t1.html", sha256=sha))
    common: dict[str, Any] = {"agency": "某市财政局", "year": 2021, "title": "某市财政局2021年政府信息公开工作年度报告",
              "sha256": sha, "role": "page"}
    id1, new1 = db.link_report(**common, published_on=None, url="http://h/col1/t1.html",
                               capture_id=c1)
    id2, new2 = db.link_report(**common, published_on=date(2022, 1, 20),
                               url="http://h/col2/t1.html", capture_id=c2)
    id3, new3 = db.link_report(**common, published_on=date(2022, 2, 1),
                               url="http://h/col2/t1.html", capture_id=c2)
    assert (id1, new1, id2, new2, id3, new3) == (id1, True, id1, False, id1, False)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    assert db.session.scalar(select(func.count()).select_from(ReportDocument)) == 2
    [summary] = db.reports()
    assert summary.published_on == date(2022, 1, 20)
    assert summary.n_documents == 1
    assert summary.urls == ["http://h/col1/t1.html", "http://h/col2/t1.html"]
    with pytest.raises(ValueError, match="role"):
        db.link_report(**{**common, "role": "sidebar"}, published_on=None, url="u", capture_id=c1)


def test_parse_result_upsert(db: ArchiveDB) -> None:
    sha = _digest("doc")
    db.add_parse_result(sha256=sha, parser_version="1", status="failed", message="bad",
                        record=None)
    db.add_parse_result(sha256=sha, parser_version="1", status="ok", message=None,
                        record={"template": "2021"})
    db.add_parse_result(sha256=sha, parser_version="2", status="ok", message=None,
                        record={"template": "2019"})
    results = {r.parser_version: (r.status, r.record) for r in db.session.scalars(
        select(ParseResult).where(ParseResult.sha256 == sha))}
    assert results == {"1": ("ok", {"template": "2021"}), "2": ("ok", {"template": "2019"})}


def test_export_shape(db: ArchiveDB) -> None:
    run_id = _run(db)
    page, pdf = _digest("page"), _digest("pdf")
    db.add_document(sha256=page, size=10, content_type="text/html", blob_path="/b/p")
    db.add_document(sha256=pdf, size=20, content_type="application/pdf", blob_path="/b/d")
    cp = db.add_capture(CaptureRecord(run_id=run_id, url="http://h/t1.html", status=200,
                                      sha256=page, warc_file="f.warc.gz", warc_offset=353))
    cd = db.add_capture(CaptureRecord(run_id=run_id, url="http://h/P1.pdf", status=200,
                                      sha256=pdf, warc_file="f.warc.gz", warc_offset=900))
    db.add_capture(CaptureRecord(run_id=run_id, url="http://h/other.html", status=200,
                                 sha256=_digest("other")))
    for sha, url, cap, role in ((page, "http://h/t1.html", cp, "page"),
                                (pdf, "http://h/P1.pdf", cd, "attachment")):
        db.link_report(agency="某县人民政府", year=2020, title="2020年年报", published_on=None,
                       sha256=sha, url=url, capture_id=cap, role=role)
    db.link_report(agency="另一局", year=2019, title="2019年年报", published_on=date(2020, 1, 1),
                   sha256=pdf, url="http://h2/P1.pdf", capture_id=cd, role="attachment")
    db.add_parse_result(sha256=page, parser_version="1", status="partial", message="m",
                        record={"from": "page"})
    db.add_parse_result(sha256=pdf, parser_version="1", status="ok", message=None,
                        record={"from": "pdf"})
    exported = list(db.iter_export())
    assert [(r["year"], r["agency"]) for r in exported] == [(2019, "另一局"), (2020, "某县人民政府")]
    record = exported[1]
    assert set(record) == {"report_id", "agency", "year", "title", "published_on", "source_urls",
                           "documents", "captures", "parse"}
    assert record["source_urls"] == ["http://h/t1.html", "http://h/P1.pdf"]
    assert record["documents"] == [
        {"sha256": page, "url": "http://h/t1.html", "content_type": "text/html", "size": 10},
        {"sha256": pdf, "url": "http://h/P1.pdf", "content_type": "application/pdf", "size": 20},
    ]
    assert [(c["url"], c["status"], c["sha256"], c["warc_file"], c["warc_offset"])
            for c in record["captures"]] == [("http://h/t1.html", 200, page, "f.warc.gz", 353),
                                              ("http://h/P1.pdf", 200, pdf, "f.warc.gz", 900)]
    assert all(c["fetched_at"] is not None for c in record["captures"])
    assert record["parse"] == {"from": "pdf"}
    assert exported[0]["published_on"] == date(2020, 1, 1)


def test_failed_write_leaves_session_usable(db: ArchiveDB) -> None:
    with pytest.raises(Exception, match="(?i)foreign key|violates"):
        db.add_capture(CaptureRecord(run_id=9999, url="http://h/x"))
    run_id = _run(db)
    assert db.add_capture(CaptureRecord(run_id=run_id, url="http://h/x")) > 0


def test_datetimes_are_utc_aware(db: ArchiveDB) -> None:
    run_id = _run(db)
    capture_id = db.add_capture(CaptureRecord(run_id=run_id, url="http://h/x"))
    db.session.expire_all()
    capture = db.session.get(Capture, capture_id)
    run = db.get_run(run_id)
    assert capture is not None and run is not None
    assert capture.fetched_at.utcoffset() is not None and run.started_at.utcoffset() is not None
    assert capture.fetched_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]

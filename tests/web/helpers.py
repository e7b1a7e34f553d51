"""Helpers for the web tests: a hostile report in the archive, a real server process."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from crawler.alerts.outbox import record_event
from crawler.discovery.urls import host_of
from crawler.reports.changes import ChangeRecorder
from storage.blobs import LocalBlobStore
from storage.models import ParseResult, Report, ReportDocument, ReportVersion
from storage.repository import ArchiveDB, CaptureRecord

HOSTILE_AGENCY = "<script>alert(1)</script>"
HOSTILE_TITLE = '<img src=x onerror="alert(2)">2023年政府信息公开工作年度报告'
HOSTILE_URL = 'http://evil.test/a?q="><script>alert(4)</script>'
#: A crawled HTML original whose script must never run on the app's origin.
HOSTILE_HTML = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>original</title></head>"
                b"<body><h1>\xe5\x8e\x9f\xe4\xbb\xb6 original</h1>"
                b"<script>document.title='pwned';alert(5)</script></body></html>")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class Hostile:
    """The hostile report added to a test archive."""

    report_id: int
    sha256: str
    agency: str = HOSTILE_AGENCY


def add_hostile_report(db_url: str, archive_dir: Path) -> Hostile:
    """A report whose agency, title, URL, text and checks carry markup, with an HTML original
    that runs a script, a parsed version with a failed check, and an alert event."""
    blob = LocalBlobStore(archive_dir / "blobs").put(HOSTILE_HTML)
    db = ArchiveDB(db_url, migrate=False)
    try:
        run = db.start_run(seeds=[HOSTILE_URL], settings={}, software_version="test")
        capture = db.add_capture(CaptureRecord(
            run_id=run, url=HOSTILE_URL, final_url=HOSTILE_URL, status=200,
            content_type="text/html", charset="utf-8", sha256=blob.sha256, size=blob.size,
            fetched_at=datetime(2024, 1, 20, tzinfo=UTC), warc_file="hostile.warc.gz",
            warc_offset=0, warc_record_id="<urn:uuid:00000000-0000-0000-0000-000000000000>",
            kind="document"))
        db.add_document(sha256=blob.sha256, size=blob.size, content_type="text/html",
                        blob_path=str(blob.path))
        report_id, _ = db.link_report(agency=HOSTILE_AGENCY, year=2023, title=HOSTILE_TITLE,
                                      published_on=date(2024, 1, 20), sha256=blob.sha256,
                                      url=HOSTILE_URL, capture_id=capture, role="page")
        record = {
            "agency": HOSTILE_AGENCY, "year": 2023, "title": HOSTILE_TITLE, "template": "2021",
            "table_templates": {"active_disclosure": "2021", "applications": "2021"},
            "active_disclosure": {"licensing": {"decisions": 3}},
            "applications": {},
            "review_litigation": {"review": {"upheld": 1, "corrected": 1, "other": 0,
                                             "pending": 0, "total": 5}},
            "sections": {"overview": "</p><script>alert(3)</script>", "problems": "", "other": ""},
            "checks": [{"rule": "review_total", "where": "review", "ok": False,
                        "expected": 2, "actual": 5}],
            "warnings": ["<b>bold</b> warning"], "parser_version": "test",
        }
        session = db.session
        session.add(ParseResult(sha256=blob.sha256, parser_version="test", status="ok",
                                message=None, record=record, parsed_at=datetime.now(UTC)))
        version = ReportVersion(report_id=report_id, number=1, fingerprint="0" * 64,
                                sha256=blob.sha256, url=HOSTILE_URL, parser_version="test",
                                run_id=run, first_seen_at=datetime.now(UTC),
                                last_seen_at=datetime.now(UTC), changes=None)
        session.add(version)
        session.flush()
        report = session.get(Report, report_id)
        assert report is not None
        report.current_version_id = version.id
        record_event(session, key=f"test-hostile-{report_id}", type="new_report",
                     agency=HOSTILE_AGENCY, year=2023, report_id=report_id, run_id=run,
                     details={"title": HOSTILE_TITLE, "url": HOSTILE_URL}, channels=[])
        session.commit()
        return Hostile(report_id, blob.sha256)
    finally:
        db.close()


def add_unlisted_report(db_url: str, avoid: set[int]) -> int:
    """Unlist a live report the way a crawl does: the crawl followed no link to it, but its URL
    answered 200 when fetched directly (``ChangeRecorder.detect_removals``). Returns its id."""
    db = ArchiveDB(db_url, migrate=False)
    try:
        session = db.session
        report_id, url = next(
            (rid, url) for rid, url in session.execute(
                select(Report.id, ReportDocument.url).join(
                    ReportDocument, ReportDocument.report_id == Report.id)
                .where(Report.status == "live").order_by(Report.id.desc()))
            if rid not in avoid)
        urls = set(session.scalars(select(ReportDocument.url).where(
            ReportDocument.report_id == report_id)))
        run = db.start_run(seeds=[url], settings={}, software_version="test")
        ChangeRecorder(db, run_id=run, channels=[]).detect_removals(
            hosts=[host_of(url)], listed_urls={}, revalidated=dict.fromkeys(urls, 200))
        return report_id
    finally:
        db.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """``govreports serve`` in a child process on a free port, until :meth:`stop`."""

    def __init__(self, db_url: str, archive_dir: Path, *extra: str,
                 env: dict[str, str] | None = None) -> None:
        """``extra``: more ``serve`` options; ``env``: more environment variables (the
        caller's ``GOVREPORTS_CONFIG`` and ``GOVREPORTS_BASE_URL`` are not passed on)."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = archive_dir.parent / f"serve-{self.port}.log"
        inherited = {k: v for k, v in os.environ.items()
                     if k not in ("GOVREPORTS_CONFIG", "GOVREPORTS_BASE_URL")}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli.main", "serve", "--db", db_url, "--archive",
                 str(archive_dir), "--port", str(self.port), "--log-level", "warning", *extra],
                stdout=log, stderr=subprocess.STDOUT,
                env=dict(inherited, PYTHONUNBUFFERED="1", **(env or {})))

    def wait_ready(self, timeout: float = 30) -> None:
        """Block until /healthz answers; raise with the server's log when it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"govreports serve did not start:\n{self.log.read_text()}")

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def serving_with_settings(db_url: str, archive_dir: Path, settings_file: Path, toml: str) -> Iterator[str]:
    """``govreports serve --config settings_file`` (written with ``toml``); yield its base URL."""
    settings_file.write_text(toml, encoding="utf-8")
    process = ServeProcess(db_url, archive_dir, "--config", str(settings_file))
    process.wait_ready()
    try:
        yield process.base_url
    finally:
        process.stop()


def sha256_of(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()

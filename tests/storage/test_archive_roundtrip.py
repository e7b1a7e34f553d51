"""Blob store, WARC writer and database together: a capture's bytes can be found and checked."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from storage.blobs import LocalBlobStore
from storage.models import Capture
from storage.repository import ArchiveDB, CaptureRecord
from storage.warc import WarcWriter, read_record_payload


def test_payload_at_recorded_offset_hashes_to_capture_sha256(db_url: str, tmp_path: Path) -> None:
    db = ArchiveDB(db_url)
    blobs = LocalBlobStore(tmp_path / "blobs")
    warc = WarcWriter(tmp_path / "warc", max_bytes=3000)
    run_id = db.start_run(seeds=["http://127.0.0.1:8600/"], settings={}, software_version="t")
    capture_ids = []
    for i in range(6):
        body = f"<html>第{i}页 政府信息公开</html>".encode() * (i + 20)
        url = f"http://127.0.0.1:8600/p{i}.html"
        stored = blobs.put(body)
        db.add_document(sha256=stored.sha256, size=stored.size, content_type="text/html",
                        blob_path=str(stored.path))
        fetched = datetime.now(UTC)
        loc = warc.write_exchange(url=url, method="GET", request_headers=[("Host", "127.0.0.1:8600")],
                                  request_body=b"", status=200, reason="OK", http_version="HTTP/1.1",
                                  response_headers=[("Content-Type", "text/html; charset=utf-8")],
                                  response_body=body, fetched_at=fetched)
        capture_ids.append(db.add_capture(CaptureRecord(
            run_id=run_id, url=url, status=200, sha256=stored.sha256, size=stored.size,
            fetched_at=fetched, warc_file=loc.filename, warc_offset=loc.offset, kind="page")))
    warc.close()
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) > 1
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *map(str, files)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    for capture_id in capture_ids:
        capture = db.session.get(Capture, capture_id)
        assert capture is not None and capture.warc_file and capture.warc_offset is not None
        payload = read_record_payload(tmp_path / "warc" / capture.warc_file, capture.warc_offset)
        assert hashlib.sha256(payload).hexdigest() == capture.sha256
        assert blobs.verify(capture.sha256 or "")
    db.close()

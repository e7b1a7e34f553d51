"""WARC files: valid for `warcio check`, payload at the recorded offset, rotation."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from storage.warc import WarcWriter, read_record_payload

WARCIO = Path(sys.executable).parent / "warcio"
URL = "http://127.0.0.1:8600/zwgk/zfxxgknb/index.html"


def _exchange(writer: WarcWriter, body: bytes, headers: list[tuple[str, str]], url: str = URL):  # type: ignore[no-untyped-def]
    return writer.write_exchange(
        url=url, method="GET", request_headers=[("Host", "127.0.0.1:8600"), ("Accept", "*/*")],
        request_body=b"", status=200, reason="", http_version="HTTP/1.1",
        response_headers=headers, response_body=body,
        fetched_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC), peer_ip="127.0.0.1",
    )


def _warcio_check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), "check", "-v", *map(str, paths)],
                          capture_output=True, text=True, timeout=60)


def test_exchange_passes_warcio_check_and_payload_hashes(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, info={"crawl-run": "7"})
    body = "<html><title>2021年政府信息公开工作年度报告</title></html>".encode("gbk")
    location = _exchange(writer, body, [("Content-Type", "text/html; charset=GBK"),
                                        ("Transfer-Encoding", "chunked")])
    writer.close()
    path = tmp_path / location.filename
    result = _warcio_check([path])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("digest pass") == 3
    payload = read_record_payload(path, location.offset)
    assert hashlib.sha256(payload).hexdigest() == hashlib.sha256(body).hexdigest()

    with path.open("rb") as handle:
        records = [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(handle)]
    assert [kind for kind, _, _ in records] == ["warcinfo", "response", "request"]
    _, response_headers, http = records[1]
    assert response_headers.get_header("WARC-Record-ID") == location.record_id
    assert response_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert response_headers.get_header("WARC-Date") == "2026-11-23T12:00:00.000000Z"
    assert http.get_header("Transfer-Encoding") is None
    assert http.statusline == "200 OK"
    assert records[2][1].get_header("WARC-Concurrent-To") == location.record_id
    assert records[2][2].protocol == "GET"


def test_gzip_encoded_body_round_trip(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    text = "本年新制作 本年新公开 对外公开总数量 ".encode() * 200
    wire = gzip.compress(text)
    location = _exchange(writer, wire, [("Content-Type", "text/html; charset=utf-8"),
                                        ("Content-Encoding", "gzip")])
    writer.close()
    path = tmp_path / location.filename
    assert _warcio_check([path]).returncode == 0
    stored = read_record_payload(path, location.offset)
    assert stored == wire
    assert gzip.decompress(stored) == text
    with path.open("rb") as handle:
        handle.seek(location.offset)
        record = next(iter(ArchiveIterator(handle)))
        assert record.content_stream().read() == text
    assert location.length > 0


def test_rotation_starts_new_files_each_with_warcinfo(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, prefix="rot", max_bytes=4000)
    bodies = [bytes(range(256)) * (i + 4) for i in range(12)]
    locations = [_exchange(writer, body, [("Content-Type", "application/pdf")],
                           url=f"http://127.0.0.1:8600/P{i}.pdf") for i, body in enumerate(bodies)]
    writer.close()
    files = sorted({loc.filename for loc in locations})
    assert len(files) > 1 and files == sorted(writer.filenames)
    assert all(name.startswith("rot-") and name.endswith(".warc.gz") for name in files)
    result = _warcio_check([tmp_path / name for name in files])
    assert result.returncode == 0, result.stdout + result.stderr
    for name in files:
        with (tmp_path / name).open("rb") as handle:
            assert next(iter(ArchiveIterator(handle))).rec_type == "warcinfo"
        assert (tmp_path / name).stat().st_size < 4000 + 2 * len(bodies[-1])
    for body, loc in zip(bodies, locations, strict=True):
        assert read_record_payload(tmp_path / loc.filename, loc.offset) == body


def test_revisit_points_at_original(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path)
    body = b"%PDF-1.4 same bytes"
    first = _exchange(writer, body, [("Content-Type", "application/pdf")])
    revisit = writer.write_revisit(
        url=URL + "?again", refers_to=first, refers_to_uri=URL,
        refers_to_date=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        payload_digest=first.payload_digest or "", status=200, reason="",
        http_version="HTTP/1.1", response_headers=[("Content-Type", "application/pdf")],
        fetched_at=datetime(2026, 11, 24, tzinfo=UTC),
    )
    writer.close()
    path = tmp_path / revisit.filename
    assert _warcio_check([path]).returncode == 0
    with path.open("rb") as handle:
        handle.seek(revisit.offset)
        record = next(iter(ArchiveIterator(handle)))
    assert record.rec_type == "revisit"
    assert record.rec_headers.get_header("WARC-Refers-To") == first.record_id
    assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == URL


def test_revisit_carries_the_digest_of_the_record_it_points_at(tmp_path: Path) -> None:
    from storage.warc import record_payload_digest, wire_digest

    writer = WarcWriter(tmp_path)
    body = b"%PDF-1.4 same bytes"
    first = _exchange(writer, body, [("Content-Type", "application/pdf")])
    assert first.payload_digest == wire_digest(body)
    assert record_payload_digest(tmp_path / first.filename, first.offset) == first.payload_digest
    revisit = writer.write_revisit(
        url=URL, refers_to=first, refers_to_uri=URL,
        refers_to_date=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        payload_digest=first.payload_digest or "", status=304, reason="",
        http_version="HTTP/1.1", response_headers=None,
        fetched_at=datetime(2026, 11, 24, tzinfo=UTC), not_modified=True,
    )
    writer.close()
    path = tmp_path / revisit.filename
    assert _warcio_check([path]).returncode == 0
    with path.open("rb") as handle:
        handle.seek(revisit.offset)
        record = next(iter(ArchiveIterator(handle)))
    assert record.rec_headers.get_header("WARC-Payload-Digest") == first.payload_digest
    assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert not record.http_headers  # replay takes the archived 200's status and headers

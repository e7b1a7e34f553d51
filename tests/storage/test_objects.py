"""Blobs and WARC files behind one interface: the folder backend keeps its layout, and the
S3 backend (against moto's real S3 HTTP server) stores the same keys with valid offsets."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.objects import ArchiveStorage, UploadFailure, UploadQueue, open_storage
from storage.s3 import ObjectStoreError, S3Location
from storage.warc import WarcLocation, WarcWriter, read_record_payload, stream_payload_digest
from tests.crawl_helpers import GOVREPORTS, run_cli
from tests.s3_server import S3Server, s3_server

URL = "http://127.0.0.1:8600/zwgk/report-{n}.pdf"


@pytest.fixture(scope="module")
def server() -> Iterator[S3Server]:
    with s3_server() as running:
        yield running


def _exchange(writer: WarcWriter, n: int, body: bytes) -> WarcLocation:
    return writer.write_exchange(
        url=URL.format(n=n), method="GET", request_headers=[("Host", "127.0.0.1:8600")],
        request_body=b"", status=200, reason="", http_version="HTTP/1.1",
        response_headers=[("Content-Type", "application/pdf")], response_body=body,
        fetched_at=datetime(2026, 12, 6, tzinfo=UTC))


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def _s3(server: S3Server, tmp_path: Path, prefix: str) -> ArchiveStorage:
    return open_storage(tmp_path / "work", f"s3://{server.bucket}/{prefix}",
                        endpoint_url=server.endpoint_url)


def test_folder_backend_keeps_the_layout(tmp_path: Path) -> None:
    storage = open_storage(tmp_path)
    data = b"%PDF-1.7 folder"
    digest = hashlib.sha256(data).hexdigest()
    stored = storage.blobs.put(data)
    assert stored.location == str(tmp_path / "blobs" / digest[:2] / digest[2:4] / digest)
    assert Path(stored.location).read_bytes() == data
    writer = storage.warc_writer(prefix="govreports-run1")
    location = _exchange(writer, 1, data)
    writer.close()
    assert (tmp_path / "warc" / location.filename).is_file()  # written in place, kept
    assert storage.warcs.local_path(location.filename) == tmp_path / "warc" / location.filename


def test_s3_blobs_are_content_addressed_under_the_prefix(server: S3Server, tmp_path: Path) -> None:
    storage = _s3(server, tmp_path, "arch/one")
    data = b"%PDF-1.7 \x00\xff s3"
    digest = hashlib.sha256(data).hexdigest()
    first, again = storage.blobs.put(data), storage.blobs.put(data)
    key = f"arch/one/blobs/{digest[:2]}/{digest[2:4]}/{digest}"
    assert first.new and not again.new and first.path is None
    assert first.location == f"s3://{server.bucket}/{key}"
    assert server.keys("arch/one/") == [key] and server.get(key) == data
    assert storage.blobs.get(digest) == data and storage.blobs.exists(digest)
    assert storage.blobs.verify(digest)
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not storage.blobs.exists(missing) and not storage.blobs.verify(missing)
    with pytest.raises(FileNotFoundError):
        storage.blobs.get(missing)
    server.client.put_object(Bucket=server.bucket, Key=key, Body=b"tampered")
    assert not storage.blobs.verify(digest)


def test_s3_warc_files_are_uploaded_whole_and_offsets_stay_valid(server: S3Server,
                                                                 tmp_path: Path) -> None:
    storage = _s3(server, tmp_path, "arch/two")
    writer = storage.warc_writer(prefix="govreports-run2", max_bytes=1500)
    bodies = {n: hashlib.sha256(str(n).encode()).digest() * (40 + n) for n in range(6)}
    locations = {n: _exchange(writer, n, body) for n, body in bodies.items()}
    # while a file is written, readers find its records in the staging folder
    current = locations[5].filename
    with storage.warcs.open(current, locations[5].offset) as stream:
        assert stream_payload_digest(stream) == locations[5].payload_digest
    writer.close()
    assert storage.warcs.finish() == []  # waits for the uploads running in the background
    names = sorted({loc.filename for loc in locations.values()})
    assert len(names) >= 2  # rolled over: every file uploaded, not only the last
    assert server.keys("arch/two/warc/") == [f"arch/two/warc/{name}" for name in names]
    assert list((tmp_path / "work" / "warc").iterdir()) == []  # local copies gone once uploaded
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    for n, loc in locations.items():
        if not (fetched / loc.filename).exists():
            storage.warcs.fetch(loc.filename, fetched / loc.filename)
        assert read_record_payload(fetched / loc.filename, loc.offset) == bodies[n]
        with storage.warcs.open(loc.filename, loc.offset) as stream:  # a ranged GET
            assert stream_payload_digest(stream) == loc.payload_digest
    with pytest.raises(FileNotFoundError):
        storage.warcs.fetch("govreports-run2-nope-1-00001.warc.gz", fetched / "x")


def test_files_of_killed_writers_are_uploaded_by_recover(server: S3Server, tmp_path: Path) -> None:
    storage = _s3(server, tmp_path, "arch/three")
    staging = tmp_path / "work" / "warc"
    staging.mkdir(parents=True)
    dead = staging / f"govreports-run3-20261206000000000000-{_dead_pid()}-00001.warc.gz"
    live = staging / f"govreports-run3-20261206000000000000-{os.getpid()}-00001.warc.gz"
    dead.write_bytes(b"a killed writer's records")
    live.write_bytes(b"still being written")
    assert storage.warcs.recover() == 1
    assert server.get(f"arch/three/warc/{dead.name}") == b"a killed writer's records"
    assert not dead.exists() and live.exists()
    assert server.keys("arch/three/warc/") == [f"arch/three/warc/{dead.name}"]


def test_a_failed_upload_keeps_the_file(server: S3Server, tmp_path: Path) -> None:
    storage = open_storage(tmp_path / "work", "s3://govreports-no-such-bucket/x",
                           endpoint_url=server.endpoint_url)
    writer = storage.warc_writer(prefix="govreports-run4")
    location = _exchange(writer, 1, b"kept")
    writer.close()  # the upload fails: logged with its key, the file stays for recover()
    failures = storage.warcs.finish()
    assert [(f.path.name, f.key) for f in failures] == [
        (location.filename, f"s3://govreports-no-such-bucket/x/warc/{location.filename}")]
    assert "NoSuchBucket" in failures[0].error
    assert (tmp_path / "work" / "warc" / location.filename).is_file()
    with pytest.raises(ObjectStoreError):
        storage.check()


def test_location_urls() -> None:
    location = S3Location.parse("s3://bucket-1/a/b/")
    assert (location.bucket, location.prefix) == ("bucket-1", "a/b")
    assert location.key("blobs", "ab") == "a/b/blobs/ab" and location.url() == "s3://bucket-1/a/b"
    assert S3Location.parse("s3://bucket-1").key("warc", "f") == "warc/f"
    with pytest.raises(ObjectStoreError):
        S3Location.parse("s3:///nobucket")


def test_crawl_refuses_a_bucket_it_cannot_use(server: S3Server, tmp_path: Path) -> None:
    result = run_cli([*GOVREPORTS, "crawl", "http://127.0.0.1:9/", "--db",
                      f"sqlite:///{tmp_path / 'a.db'}", "--archive", "s3://govreports-missing/x"],
                     env_extra=server.env(str(tmp_path / "work")), timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot use the bucket 'govreports-missing'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_upload_queue_is_bounded_and_waited_for(tmp_path: Path) -> None:
    """One file uploads, two wait; a fourth submit waits for room (the crawl is held back
    instead of finished files piling up); wait() returns once all are done, with the failures."""
    release = threading.Event()
    uploaded: list[str] = []

    def upload(path: Path) -> UploadFailure | None:
        release.wait(10)
        uploaded.append(path.name)
        return UploadFailure(path, f"s3://b/{path.name}", "refused") if path.name == "2" else None

    uploads = UploadQueue(upload, max_pending=2)
    started = time.monotonic()
    for name in ("1", "2", "3"):
        uploads.submit(tmp_path / name)
    assert time.monotonic() - started < 1.0  # no wait while there is room
    fourth = threading.Thread(target=uploads.submit, args=(tmp_path / "4",))
    fourth.start()
    fourth.join(0.5)
    assert fourth.is_alive()  # the queue is full: the fourth submit waits
    release.set()
    fourth.join(5)
    failures = uploads.wait()
    assert uploaded == ["1", "2", "3", "4"]
    assert [(f.path.name, f.key) for f in failures] == [("2", "s3://b/2")]
    assert uploads.wait() == []  # reported once

"""A crawl into an ``s3://`` archive (moto's real S3 HTTP server on 127.0.0.1): blobs and WARC
files land in the bucket, not on disk; the web app serves the originals and a bundle exports
them from the bucket, byte for byte (sha256) what the crawl received."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from crawler.parsing import PARSER_VERSION
from crawler.testbed.sample_portal import SamplePortal
from crawler.web.app import create_app
from storage.models import Document, ParseResult, ReportDocument
from storage.warc import read_record_payload
from tests.crawl_helpers import GOVREPORTS, CrawlDirs, captures, found_reports, run_cli
from tests.s3_server import S3Server, delaying_proxy, s3_server

pytestmark = pytest.mark.slow
PREFIX = "archives/province"


@dataclass
class S3Crawl:
    server: S3Server
    dirs: CrawlDirs
    url: str
    workdir: Path
    env: dict[str, str]
    expected: set[tuple[str, int]]
    stdout: str


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Crawl]:
    root = tmp_path_factory.mktemp("s3crawl")
    with s3_server() as server:
        dirs = CrawlDirs(root)
        url = f"s3://{server.bucket}/{PREFIX}"
        env = server.env(str(root / "work"))
        with SamplePortal(seed=0) as portal:
            result = run_cli([*GOVREPORTS, "crawl", *portal.seed_urls, "--db", dirs.db_url,
                              "--archive", url, "--local", "--timeout", "10",
                              "--ca-file", str(portal.certificate_path), *portal.resolve_args()],
                             env_extra=env)
            expected = {(r.agency, r.year) for r in portal.expected_reports()}
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        yield S3Crawl(server, dirs, url, root / "work", env, expected, result.stdout)


def _documents(db_url: str) -> list[Document]:
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(select(Document)))
        session.expunge_all()
    engine.dispose()
    return rows


def _report_digests(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        digests = set(session.scalars(select(ReportDocument.sha256)))
    engine.dispose()
    return digests


def _decoded(raw: bytes, headers: dict[str, str]) -> bytes:
    encoding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "").lower()
    if encoding in ("gzip", "x-gzip"):
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


def test_blobs_and_warcs_are_in_the_bucket_not_on_disk(crawl: S3Crawl) -> None:
    assert crawl.expected and found_reports(crawl.dirs.db_url) == crawl.expected
    assert f"archive:           {crawl.url} (local files: {crawl.workdir}" in crawl.stdout
    docs = _documents(crawl.dirs.db_url)
    blob_keys = crawl.server.keys(f"{PREFIX}/blobs/")
    assert len(docs) > 20 and len(blob_keys) == len(docs)
    for doc in docs:
        key = f"{PREFIX}/blobs/{doc.sha256[:2]}/{doc.sha256[2:4]}/{doc.sha256}"
        assert doc.blob_path == f"s3://{crawl.server.bucket}/{key}"
        assert hashlib.sha256(crawl.server.get(key)).hexdigest() == doc.sha256
    warc_keys = crawl.server.keys(f"{PREFIX}/warc/")
    recorded = {c.warc_file for c in captures(crawl.dirs.db_url) if c.warc_file}
    assert recorded and {k.rsplit("/", 1)[-1] for k in warc_keys} == recorded
    local = [p for p in crawl.workdir.rglob("*") if p.is_file()]
    assert not [p for p in local if p.suffix == ".gz" or "blobs" in p.parts], local
    assert any(p.parent.name == "logs" for p in local)  # logs and job state stay local


def test_every_capture_offset_points_at_its_payload_in_the_bucket(crawl: S3Crawl,
                                                                  tmp_path: Path) -> None:
    for key in crawl.server.keys(f"{PREFIX}/warc/"):
        (tmp_path / key.rsplit("/", 1)[-1]).write_bytes(crawl.server.get(key))
    checked = 0
    for capture in captures(crawl.dirs.db_url):
        if not capture.sha256 or capture.warc_file is None or capture.warc_offset is None:
            continue
        path = tmp_path / capture.warc_file
        with path.open("rb") as handle:
            handle.seek(capture.warc_offset)
            kind = next(iter(ArchiveIterator(handle))).rec_type
        if kind != "response":
            continue
        raw = read_record_payload(path, capture.warc_offset)
        assert hashlib.sha256(_decoded(raw, capture.headers or {})).hexdigest() == capture.sha256
        checked += 1
    assert checked > 50


def test_web_app_serves_the_originals_from_the_bucket(crawl: S3Crawl,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in crawl.env.items():
        monkeypatch.setenv(name, value)
    digests = _report_digests(crawl.dirs.db_url)
    assert digests
    with TestClient(create_app(crawl.dirs.db_url, crawl.url)) as client:
        for sha in sorted(digests):
            response = client.get(f"/documents/{sha}")
            assert response.status_code == 200, response.text
            assert hashlib.sha256(response.content).hexdigest() == sha
            assert response.headers["content-security-policy"].startswith("sandbox")
        missing = client.get(f"/documents/{'0' * 64}")
        assert missing.status_code == 404


def test_bundle_exports_documents_and_warcs_from_the_bucket(crawl: S3Crawl, tmp_path: Path) -> None:
    target = tmp_path / "bundle.zip"
    result = run_cli([*GOVREPORTS, "export", "--db", crawl.dirs.db_url, "--archive", crawl.url,
                      "--bundle", str(target)], env_extra=crawl.env)
    assert result.returncode == 0, result.stderr[-3000:]
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "out")
    data = tmp_path / "out" / "bundle" / "data"
    lines = (data / "reports.jsonl").read_text("utf-8").splitlines()
    exported = [json.loads(line) for line in lines]
    assert len(exported) == len(crawl.expected)
    shipped = {p.name.split(".")[0]: p for p in (data / "documents").iterdir()}
    assert set(shipped) == _report_digests(crawl.dirs.db_url)
    for sha, path in shipped.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    warcs = {c["warc_file"] for o in exported for c in o["captures"] if c["warc_file"]}
    assert warcs == {p.name for p in (data / "warc").iterdir()}
    for name in warcs:
        assert (data / "warc" / name).read_bytes() == crawl.server.get(f"{PREFIX}/warc/{name}")


def test_reparse_reads_blobs_from_the_bucket(crawl: S3Crawl) -> None:
    engine = create_engine(crawl.dirs.db_url)
    with Session(engine) as session:  # what the crawl's own parse made of each report document
        crawled = dict(session.execute(
            select(ParseResult.sha256, ParseResult.status)
            .where(ParseResult.parser_version == PARSER_VERSION,
                   ParseResult.sha256.in_(_report_digests(crawl.dirs.db_url)))).all())
    engine.dispose()
    statuses = Counter(crawled.values())
    assert statuses["ok"] > 10
    result = run_cli([*GOVREPORTS, "reparse", "--db", crawl.dirs.db_url], env_extra=crawl.env)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
    assert f"re-parsed with parser {PARSER_VERSION}: {summary}" in result.stdout, result.stdout


@pytest.fixture
def slow_site() -> Iterator[str]:
    """A site of 48 pages of 40 kB each (random, so they do not compress), each answered after
    0.5 s: a crawl of it lasts several seconds and fills a WARC file every few pages."""
    import base64
    import time

    from tests.http_helpers import QuietHandler, serving

    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/":
                body = "".join(f'<li><a href="/p/{i}.html">政府信息公开 {i}</a></li>' for i in range(48))
            elif self.path.startswith("/p/"):
                time.sleep(0.5)
                body = f"<p>{base64.b64encode(os.urandom(30_000)).decode()}</p>"
            else:
                self.send_error(404)
                return
            self.send_body(200, f"<html><body><ul>{body}</ul></body></html>")

    with serving(Handler) as base_url:
        yield f"{base_url}/"


UPLOAD_DELAY = 4.0


@pytest.mark.parametrize("writer_process", [False, True], ids=["writer-thread", "writer-process"])
def test_the_crawl_goes_on_while_a_warc_file_uploads(slow_site: str, tmp_path: Path,
                                                      writer_process: bool) -> None:
    """The first WARC upload is held UPLOAD_DELAY seconds by a proxy in front of the S3
    server: pages are still fetched and archived meanwhile (the upload runs in a thread), and
    the crawl's close waits for every upload; whether the archive's writer is a thread or a
    process of its own (``GOVREPORTS_ARCHIVE_PROCESS``: it writes and uploads the WARC files)."""
    with s3_server() as server, delaying_proxy(server.endpoint_url, match=b"/warc/",
                                               delay=UPLOAD_DELAY) as proxy:
        dirs = CrawlDirs(tmp_path)
        url = f"s3://{server.bucket}/{PREFIX}"
        env = server.env(str(tmp_path / "work")) | {"GOVREPORTS_S3_ENDPOINT_URL": proxy.url}
        settings = {"GOVREPORTS_DB": dirs.db_url, "GOVREPORTS_ARCHIVE": str(tmp_path / "work"),
                    "GOVREPORTS_ARCHIVE_STORE": url, "GOVREPORTS_WARC_MAX_BYTES": "300000",
                    "GOVREPORTS_PARSE": "False", "GOVREPORTS_PROGRESS": "False",
                    "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                    "GOVREPORTS_ARCHIVE_PROCESS": str(writer_process)}
        command = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"seeds={slow_site}"]
        for name, value in settings.items():  # scrapy crawl: GOVREPORTS_WARC_MAX_BYTES is a setting
            command += ["-s", f"{name}={value}"]
        result = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, timeout=300,
                                env=dict(os.environ, PYTHONUNBUFFERED="1", **env),
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        assert len(proxy.held) == 1
        held_from, held_until = proxy.held[0]
        fetched = sorted(c.fetched_at.replace(tzinfo=UTC).timestamp()
                         for c in captures(dirs.db_url) if c.fetched_at is not None)
        during = [t for t in fetched if held_from < t < held_until]
        print(f"{len(fetched)} captures; {len(during)} archived while the first WARC upload was "
              f"held {held_until - held_from:.1f} s")
        assert len(during) >= 8  # pages answer every 0.5 s, 8 at once: ~60 in 4 s
        recorded = {c.warc_file for c in captures(dirs.db_url) if c.warc_file}
        warc_keys = server.keys(f"{PREFIX}/warc/")
        assert len(recorded) >= 3 and {k.rsplit("/", 1)[-1] for k in warc_keys} == recorded
        assert not list((tmp_path / "work").rglob("*.warc.gz"))  # every upload done before exit

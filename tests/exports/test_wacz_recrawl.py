"""``export --wacz`` of a crawl and a re-crawl: the re-crawl's revisit records (its 304s) are in
the WACZ, and each page is listed under the URL its record carries (after redirects)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from crawler.testbed.sample_portal import SamplePortal
from storage.models import Capture, Report, ReportDocument
from tests.crawl_helpers import CrawlDirs, crawl_command, export_wacz, run_cli

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Record:
    """One WARC record of the WACZ."""

    type: str
    uri: str
    status: int | None


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory: pytest.TempPathFactory) -> CrawlDirs:
    dirs = CrawlDirs(tmp_path_factory.mktemp("recrawl"))
    with SamplePortal(seed=3) as portal:
        for _ in range(2):  # a crawl, then a re-crawl answered with 304s (revisit records)
            result = run_cli(crawl_command(dirs, portal.seed_urls, "--ca-file",
                                           str(portal.certificate_path), *portal.resolve_args()))
            assert result.returncode == 0, result.stderr[-3000:]
    return dirs


@pytest.fixture(scope="module")
def wacz_file(recrawled: CrawlDirs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wacz(recrawled, tmp_path_factory.mktemp("wacz") / "history.wacz")


def report_captures(dirs: CrawlDirs) -> list[Capture]:
    """Every capture of a report document that has a WARC record (what the export selects)."""
    engine = create_engine(dirs.db_url)
    with Session(engine, expire_on_commit=False) as session:
        digests = select(ReportDocument.sha256)
        rows = list(session.scalars(select(Capture).where(Capture.sha256.in_(digests),
                                                          Capture.warc_file.is_not(None))))
        session.expunge_all()
    engine.dispose()
    return rows


def only_revisited(dirs: CrawlDirs) -> tuple[str, int, list[Capture]]:
    """An agency and year whose reports' documents the re-crawl (the last run) answered with
    304s only, and those 304 captures: their export gets no other capture of that run."""
    engine = create_engine(dirs.db_url)
    with Session(engine, expire_on_commit=False) as session:
        last_run = max(c.run_id for c in session.scalars(select(Capture)))
        reports = list(session.scalars(select(Report)))
        docs: dict[int, set[str]] = {}
        for doc in session.scalars(select(ReportDocument)):
            docs.setdefault(doc.report_id, set()).add(doc.sha256)
        recrawled: dict[str, list[Capture]] = {}
        for capture in session.scalars(select(Capture).where(Capture.run_id == last_run,
                                                             Capture.warc_file.is_not(None))):
            recrawled.setdefault(str(capture.sha256), []).append(capture)
        session.expunge_all()
    engine.dispose()
    for report in sorted(reports, key=lambda r: r.id):
        selected = [r for r in reports if report.agency in r.agency and r.year == report.year]
        captures = [c for r in selected for sha in docs.get(r.id, ()) for c in recrawled.get(sha, [])]
        if captures and all(c.status == 304 for c in captures):
            return report.agency, report.year, captures
    raise AssertionError("no report whose documents the re-crawl answered with 304 only")


def test_a_report_only_revisited_by_the_recrawl_keeps_its_revisits(
        recrawled: CrawlDirs, tmp_path: Path) -> None:
    agency, year, not_modified = only_revisited(recrawled)
    target = export_wacz(recrawled, tmp_path / "one.wacz", "--agency", agency,
                         "--year-from", str(year), "--year-to", str(year))
    records = wacz_records(target)
    for capture in not_modified:  # the re-crawl's WARC file is in, with these revisits
        assert capture.warc_record_id in records, (capture.url, capture.warc_file)
        assert records[capture.warc_record_id].type == "revisit"
    pages = {(p["url"], second(p["ts"])) for p in wacz_pages(target)}
    for capture in not_modified:
        assert (capture.final_url or capture.url, ts(capture)) in pages


def wacz_records(wacz: Path) -> dict[str, Record]:
    """The WACZ's WARC records by WARC-Record-ID, read with warcio."""
    records: dict[str, Record] = {}
    with zipfile.ZipFile(wacz) as archive:
        for name in archive.namelist():
            if not name.startswith("archive/"):
                continue
            with archive.open(name) as stream:
                for record in ArchiveIterator(stream):
                    status = record.http_headers.get_statuscode() \
                        if record.rec_type == "response" and record.http_headers else None
                    records[record.rec_headers.get_header("WARC-Record-ID")] = Record(
                        record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                        int(status) if status else None)
    return records


def wacz_pages(wacz: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wacz) as archive:
        lines = archive.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "json-pages-1.0"
    return [json.loads(line) for line in lines[1:]]


def ts(capture: Capture) -> str:
    """The capture's time as a page's ``ts`` reads back (UTC, to the second)."""
    return second(capture.fetched_at.isoformat())


def second(stamp: str) -> str:
    """An ISO 8601 UTC time to the second (``wacz create`` drops the fraction of a page's ts)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_recrawls_revisit_records_are_in_the_wacz(recrawled: CrawlDirs, wacz_file: Path) -> None:
    captures = report_captures(recrawled)
    records = wacz_records(wacz_file)
    not_modified = [c for c in captures if c.status == 304]
    assert not_modified, "the re-crawl should have answered report documents with 304"
    for capture in not_modified:
        assert capture.warc_record_id in records, (capture.url, capture.warc_file)
        assert records[capture.warc_record_id].type == "revisit"
    missing = [c.url for c in captures if c.warc_record_id not in records]
    assert not missing, "every record of a selected capture is in the WACZ"
    # the history replays: each re-crawl capture is a page at its own time
    pages = {(p["url"], second(p["ts"])) for p in wacz_pages(wacz_file)}
    for capture in not_modified:
        assert (capture.final_url or capture.url, ts(capture)) in pages


def test_wacz_with_revisits_validates(wacz_file: Path) -> None:
    from wacz.main import main as wacz_main

    assert wacz_main(["validate", "-f", str(wacz_file)]) == 0
    pages = wacz_pages(wacz_file)
    assert len({p["id"] for p in pages}) == len(pages), "page ids are unique"


def test_pages_are_listed_under_the_final_url(recrawled: CrawlDirs, wacz_file: Path) -> None:
    captures = report_captures(recrawled)
    records = wacz_records(wacz_file)
    pages = wacz_pages(wacz_file)
    listed = {(p["url"], second(p["ts"])) for p in pages}
    redirected = [c for c in captures if c.final_url and c.final_url != c.url
                  and c.status in (200, 304)]
    assert redirected, "the sample portal serves attachments through a 302 (downfile.jsp)"
    for capture in redirected:
        assert (capture.final_url, ts(capture)) in listed
        assert (capture.url, ts(capture)) not in listed
    by_uri: dict[str, list[Record]] = {}
    for record in records.values():
        by_uri.setdefault(record.uri, []).append(record)
    for page in pages:  # what replay looks up: a response (not a redirect) or a revisit
        assert any(r.type == "revisit" or (r.type == "response" and r.status == 200)
                   for r in by_uri.get(page["url"], [])), page

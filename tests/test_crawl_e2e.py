"""End to end: `govreports crawl` over the sample portal finds exactly its reports, archived
with provenance that checks out (blobs, WARC records, capture rows), and records bad input."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.discovery.urls import canonicalize, host_of
from crawler.testbed.sample_portal import SamplePortal
from storage.warc import read_record_payload
from tests.crawl_helpers import (
    GOVREPORTS,
    CrawlDirs,
    captures,
    crawl_command,
    found_report_urls,
    found_reports,
    run_cli,
    runs,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def portal() -> SamplePortal:
    with SamplePortal(seed=0, slow_seconds=2.0) as running:
        yield running


@pytest.fixture(scope="module")
def crawled(portal: SamplePortal, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlDirs, str]:
    dirs = CrawlDirs(tmp_path_factory.mktemp("crawl"))
    result = run_cli(crawl_command(dirs, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                   *portal.resolve_args()))
    assert result.returncode == 0, result.stderr[-3000:]
    return dirs, result.stdout


def test_finds_exactly_the_reports_on_the_portal(portal: SamplePortal, crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    expected = {(r.agency, r.year) for r in portal.expected_reports()}
    assert len(expected) >= 15
    assert found_reports(dirs.db_url) == expected


def test_every_report_document_url_is_found_and_nothing_else(
    portal: SamplePortal, crawled: tuple[CrawlDirs, str]
) -> None:
    dirs, _ = crawled
    expected_urls = {canonicalize(u) for r in portal.expected_reports() for u in r.urls}
    assert found_report_urls(dirs.db_url) == expected_urls


def test_excluded_reports_are_not_found(portal: SamplePortal, crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    excluded = {(r.agency, r.year) for r, _reason in portal.excluded_reports()}
    assert excluded, "the portal should hold reports a polite crawl must not find"
    assert not excluded & found_reports(dirs.db_url)


def _warc_payload_digest(archive: Path, warc_file: str, offset: int, headers: dict[str, str]) -> str:
    raw = read_record_payload(archive / "warc" / warc_file, offset)
    encoding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "").lower()
    if encoding in ("gzip", "x-gzip"):
        raw = gzip.decompress(raw)
    elif encoding == "deflate":
        raw = zlib.decompress(raw)
    return hashlib.sha256(raw).hexdigest()


def _record_type(archive: Path, warc_file: str, offset: int) -> tuple[str, str | None, str | None]:
    with (archive / "warc" / warc_file).open("rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle)))
        return (record.rec_type, record.rec_headers.get_header("WARC-Refers-To"),
                record.rec_headers.get_header("WARC-Payload-Digest"))


def test_every_capture_matches_its_blob_and_warc_record(crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    stored = [c for c in captures(dirs.db_url) if c.sha256]
    by_record = {c.warc_record_id: c for c in stored if c.warc_record_id}
    assert len(stored) > 100
    encoded = revisits = conversions = 0
    for capture in stored:
        blob = dirs.archive / "blobs" / capture.sha256[:2] / capture.sha256[2:4] / capture.sha256
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == capture.sha256, capture.url
        assert capture.warc_file and capture.warc_offset is not None
        kind, refers_to, digest = _record_type(dirs.archive, capture.warc_file, capture.warc_offset)
        if kind == "revisit":  # the same bytes at another URL: stored once, pointed at
            revisits += 1
            capture = by_record[refers_to]
            # the digest of the record pointed at, in its scheme (pywb looks it up so)
            assert digest == _record_type(dirs.archive, str(capture.warc_file),
                                          int(capture.warc_offset or 0))[2]
            assert digest is not None and digest.startswith("sha1:")
        if kind == "conversion":  # a DOM rendered in Chromium, derived from the raw page
            conversions += 1
            assert capture.kind == "rendered" and by_record[refers_to].kind == "page"
            assert by_record[refers_to].url == capture.url
        assert kind in ("response", "revisit", "conversion")
        headers = capture.headers or {}
        encoded += any(k.lower() == "content-encoding" for k in headers)
        assert _warc_payload_digest(dirs.archive, str(capture.warc_file), int(capture.warc_offset or 0),
                                    headers) == capture.sha256
    assert encoded > 0, "the portal gzips some responses; their WARC payload stays encoded"
    assert revisits > 0, "the portal serves some identical bytes at two URLs"
    assert conversions == 1, "one list of the portal is drawn by script alone"


def test_warc_files_pass_warcio_check(crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    files = sorted((dirs.archive / "warc").glob("*.warc.gz"))
    assert files
    warcio = Path(GOVREPORTS[0]).with_name("warcio")
    result = subprocess.run([str(warcio), "check", "-v", *map(str, files)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_bad_input_is_recorded_with_a_reason(portal: SamplePortal, crawled: tuple[CrawlDirs, str]) -> None:
    dirs, stdout = crawled
    rows = captures(dirs.db_url)
    kinds = Counter(c.error_kind for c in rows if c.error_kind)
    statuses = Counter(c.status for c in rows if c.status)
    assert kinds["blocked"] == 2  # the 412 and the 521 challenge pages
    assert kinds["robots_disallowed"] >= 1
    assert kinds["redirect_loop"] >= 1
    assert statuses[404] >= 1 and statuses[500] >= 1
    for capture in rows:
        if capture.error_kind:
            assert capture.error_message, capture
        if capture.error_kind == "blocked":
            assert capture.sha256 is None and capture.warc_file is None  # never archived as content
    assert "errors by kind" in stdout and "blocked" in stdout
    [run] = runs(dirs.db_url)
    assert run.status == "completed" and run.finished_at is not None
    assert run.software_version.startswith("govreports/")
    assert run.counts and run.counts["reports_found"] == len(portal.expected_reports())


def test_tls_verified_is_recorded(portal: SamplePortal, crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    https_host = host_of(portal.sites["https"])
    https_rows = [c for c in captures(dirs.db_url) if host_of(c.final_url or c.url) == https_host and c.status]
    assert https_rows and all(c.tls_verified is True for c in https_rows)
    http_rows = [c for c in captures(dirs.db_url) if (c.final_url or c.url).startswith("http://") and c.status]
    assert all(c.tls_verified is None for c in http_rows)


def test_untrusted_certificate_is_an_error_unless_host_is_insecure(
    portal: SamplePortal, tmp_path: Path
) -> None:
    seed = portal.sites["https"] + "/"
    strict = CrawlDirs(tmp_path / "strict")
    result = run_cli(crawl_command(strict, [seed]))
    assert result.returncode == 3, result.stderr[-2000:]  # not one page fetched: its own exit code
    assert {c.error_kind for c in captures(strict.db_url)} >= {"tls"}
    assert found_reports(strict.db_url) == set()

    lax = CrawlDirs(tmp_path / "lax")
    result = run_cli(crawl_command(lax, [seed], "--insecure-host", "127.0.0.1"))
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = [c for c in captures(lax.db_url) if c.status]
    assert fetched and all(c.tls_verified is False for c in fetched)
    assert len(found_reports(lax.db_url)) == 1


def test_export_jsonl_and_csv(crawled: tuple[CrawlDirs, str], tmp_path: Path) -> None:
    dirs, _ = crawled
    out = tmp_path / "reports.jsonl"
    result = run_cli([*GOVREPORTS, "export", "--db", dirs.db_url, "--format", "jsonl", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(found_reports(dirs.db_url))
    for record in records:
        assert {"report_id", "agency", "year", "title", "published_on", "source_urls", "documents",
                "captures", "parse"} <= set(record)
        assert record["documents"] and all({"sha256", "url", "content_type", "size"} <= set(d)
                                           for d in record["documents"])
        assert all({"url", "fetched_at", "status", "sha256", "warc_file", "warc_offset"} <= set(c)
                   for c in record["captures"])
    # the parser reads the 2019 and 2021 templates; pre-2019 reports (统计表 era) are archived
    # and identified, not parsed into the four tables
    current = [r for r in records if r["year"] >= 2019]
    parsed = [r for r in current if r["parse"]]
    assert len(parsed) == len(current) < len(records), "every post-2019 report on the sample portal parses"
    csv_out = tmp_path / "reports.csv"
    result = run_cli([*GOVREPORTS, "export", "--db", dirs.db_url, "--format", "csv", "--out", str(csv_out)])
    assert result.returncode == 0, result.stderr
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    values = (tmp_path / "reports.values.csv").read_text(encoding="utf-8-sig").splitlines()
    assert values[0] == "report_id,agency,year,table,row,column,value" and len(values) > 100


def test_reports_command_lists_every_report(crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    result = run_cli([*GOVREPORTS, "reports", "--db", dirs.db_url])
    assert result.returncode == 0
    assert len(result.stdout.strip().splitlines()) == len(found_reports(dirs.db_url))


def test_crawl_that_cannot_run_fails_clearly(tmp_path: Path) -> None:
    result = run_cli([*GOVREPORTS, "crawl", "http://127.0.0.1:9/", "--db", "nosuchdriver://x",
                      "--archive", str(tmp_path / "a")])
    assert result.returncode != 0 and "cannot open the database" in result.stderr
    result = run_cli([*GOVREPORTS, "crawl", "--db", f"sqlite:///{tmp_path / 'x.db'}",
                      "--archive", str(tmp_path / "a")])
    assert result.returncode != 0 and "no seed URLs" in result.stderr
    result = run_cli([*GOVREPORTS, "crawl", "http://127.0.0.1:9/", "--resume",
                      "--db", f"sqlite:///{tmp_path / 'x.db'}", "--archive", str(tmp_path / "a")])
    assert result.returncode != 0 and "nothing to resume" in result.stderr


def test_reparse_keeps_results_per_parser_version(crawled: tuple[CrawlDirs, str]) -> None:
    import sqlite3

    from crawler.parsing import PARSER_VERSION

    dirs, _ = crawled
    db_file = dirs.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(db_file) as connection:
        before = connection.execute("select count(*) from parse_results").fetchone()[0]
        ok = connection.execute("select count(*) from parse_results where status = 'ok'").fetchone()[0]
        connection.execute("update parse_results set parser_version = '0.0.0-old'")
    result = run_cli([*GOVREPORTS, "reparse", "--db", dirs.db_url])
    assert result.returncode == 0, result.stderr[-2000:]
    # every report parses, the pre-2019 one (统计表 era) as template pre2019
    assert before == ok
    assert f"re-parsed with parser {PARSER_VERSION}: ok {ok}" in result.stdout
    with sqlite3.connect(db_file) as connection:
        versions = dict(connection.execute(
            "select parser_version, count(*) from parse_results group by parser_version").fetchall())
    assert versions == {"0.0.0-old": before, PARSER_VERSION: before}


def test_every_discovery_shape_is_found(portal: SamplePortal, crawled: tuple[CrawlDirs, str]) -> None:
    """Each paging spelling, data list, script-only list and the search-only report."""
    dirs, _ = crawled
    found = found_reports(dirs.db_url)
    shapes = {placed.form: (placed.report.agency, placed.report.year)
              for name in ("paged", "jsoncms") for placed in portal.model.site(name).reports}
    assert {form.split(":")[1] for form in shapes} == {
        "trs-shtml", "query-links", "text-only", "kkpager", "laypage", "search", "data-api", "jsonp",
        "rendered"}
    assert {form: key in found for form, key in shapes.items()} == dict.fromkeys(shapes, True)


def test_site_search_data_apis_and_throttling_were_met(portal: SamplePortal,
                                                       crawled: tuple[CrawlDirs, str]) -> None:
    log = portal.request_log.entries()
    paged, jsoncms = portal.sites["paged"], portal.sites["jsoncms"]
    searches = [url for _, url, status in log if url.startswith(paged + "/search/index.html?") and status == 200]
    assert len(searches) == 4  # two words, two result pages each
    api = [(url, status) for _, url, status in log if url.startswith(jsoncms + "/api/v1/articles?")]
    assert [status for _, status in api].count(429) == 2 and [status for _, status in api].count(200) == 2
    # paging stops at the first page that does not exist: one guess of index_N counted from 0
    columns = ("/xxgk/", "/bmgk/", "/gkml/", "/zfxxgk/", "/zwgk/")
    missing = [url for _, url, status in log if status == 404 and url.startswith(paged)
               and url[len(paged):].startswith(columns)]
    assert missing == [paged + "/gkml/nb/index_1.html"]


def test_rendering_is_recorded_in_provenance(crawled: tuple[CrawlDirs, str]) -> None:
    dirs, _ = crawled
    [rendered] = [c for c in captures(dirs.db_url) if c.kind == "rendered"]
    assert rendered.url.endswith("/zwgk/ztbg/index.html")
    headers = rendered.headers or {}
    assert headers["X-Govreports-Rendered"] == "true"
    assert headers["X-Govreports-Browser"].startswith("Chromium/")

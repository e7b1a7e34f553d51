"""The synthetic archive: realistic rows, real blobs and WARC records, checks from the parser."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.reports.changes import Deadlines
from crawler.reports.checks import run_checks
from crawler.reports.versions import diff_records
from crawler.testbed.synthetic_archive import YEARS, SyntheticArchive, build_synthetic_archive
from storage.models import (
    AlertEvent,
    Capture,
    Document,
    ParseResult,
    Report,
    ReportDocument,
    ReportVersion,
)
from storage.warc import read_record_payload


def _session(archive: SyntheticArchive) -> Session:
    return Session(create_engine(archive.db_url))


def test_counts_match_the_database(small_archive: SyntheticArchive) -> None:
    with _session(small_archive) as s:
        def count(model: type) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        assert count(Report) == small_archive.reports == 120
        assert count(Document) == small_archive.documents
        assert count(Capture) == small_archive.captures
        assert count(ReportVersion) == small_archive.versions > 120
        assert count(AlertEvent) == small_archive.alert_events
        years = {y for (y,) in s.execute(select(Report.year))}
        assert years <= set(YEARS) and len(years) == len(YEARS)
        hosts = {c.url.split("/")[2] for c in s.scalars(select(Capture))}
        assert hosts == set(small_archive.hosts) and len(hosts) >= 4
        assert sum(small_archive.reports_per_year.values()) == 120
        types = {t for (t,) in s.execute(select(AlertEvent.type))}
        assert {"new_report", "report_changed"} <= types


def test_documents_are_real_blobs_and_warc_records(small_archive: SyntheticArchive) -> None:
    warc_dir = small_archive.archive_dir / "warc"
    with _session(small_archive) as s:
        for doc in s.scalars(select(Document)):
            data = Path(doc.blob_path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size
        for capture in s.scalars(select(Capture).limit(40)):
            assert capture.warc_file in small_archive.warc_files
            payload = read_record_payload(warc_dir / capture.warc_file, capture.warc_offset or 0)
            assert hashlib.sha256(payload).hexdigest() == capture.sha256


def test_records_carry_the_parser_checks(small_archive: SyntheticArchive) -> None:
    with _session(small_archive) as s:
        failed = 0
        for result in s.scalars(select(ParseResult)):
            record = result.record or {}
            assert record["checks"] == run_checks(record["applications"], record["review_litigation"])
            failed += any(not c["ok"] for c in record["checks"])
        assert 0 < failed < 120
        report = s.get(Report, small_archive.failed_check_report_id)
        assert report is not None
        version = s.get(ReportVersion, report.current_version_id)
        assert version is not None
        record = s.scalar(select(ParseResult.record).where(ParseResult.sha256 == version.sha256))
        assert record is not None and any(not c["ok"] for c in record["checks"])


def test_versions_record_what_changed(small_archive: SyntheticArchive) -> None:
    with _session(small_archive) as s:
        versions = list(s.scalars(select(ReportVersion).where(
            ReportVersion.report_id == small_archive.versioned_report_id)
            .order_by(ReportVersion.number)))
        assert len(versions) >= 2 and versions[0].changes is None
        records = [s.scalar(select(ParseResult.record).where(ParseResult.sha256 == v.sha256))
                   for v in versions]
        for before, after, version in zip(records, records[1:], versions[1:], strict=False):
            assert before is not None and after is not None and version.changes is not None
            diff = diff_records(before, after, compare_text=True)
            assert diff.changed and version.changes["numbers"] == diff.numbers
        report = s.get(Report, small_archive.versioned_report_id)
        assert report is not None and report.current_version_id == versions[-1].id
        linked = {d.version_id for d in s.scalars(select(ReportDocument).where(
            ReportDocument.report_id == report.id))}
        assert linked == {v.id for v in versions}


def test_some_reports_are_late(small_archive: SyntheticArchive) -> None:
    with _session(small_archive) as s:
        reports = list(s.scalars(select(Report)))
    late = [r for r in reports if r.published_on and
            r.published_on > Deadlines().for_agency(r.agency, r.year)]
    assert 0 < len(late) < len(reports) / 3
    assert small_archive.late_report_id in {r.id for r in late}


def test_same_seed_same_reports(tmp_path: Path, small_archive: SyntheticArchive) -> None:
    again = build_synthetic_archive(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b",
                                    reports=120, seed=7)
    with _session(small_archive) as a, _session(again) as b:
        query = select(Report.agency, Report.year, Report.published_on).order_by(Report.id)
        assert list(a.execute(query)) == list(b.execute(query))
        digests = select(Document.sha256).order_by(Document.sha256)
        assert list(a.scalars(digests)) == list(b.scalars(digests))


def test_refuses_a_database_with_reports_and_impossible_numbers(
        small_archive: SyntheticArchive, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="already holds reports"):
        build_synthetic_archive(small_archive.db_url, tmp_path / "x", reports=5)
    with pytest.raises(ValueError, match="at most 70 reports"):
        build_synthetic_archive(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "c", reports=100,
                                agencies=10)
    with pytest.raises(ValueError, match="at least 1"):
        build_synthetic_archive(f"sqlite:///{tmp_path / 'd.db'}", tmp_path / "d", reports=0)


@pytest.mark.postgres
def test_postgresql_archive_exports_and_takes_more_rows(pg_url: str, tmp_path: Path) -> None:
    from crawler.exports import ExportFilters, select_reports
    from storage.repository import ArchiveDB

    built = build_synthetic_archive(pg_url, tmp_path / "archive", reports=40, seed=1)
    engine = create_engine(pg_url)
    with Session(engine) as session:
        exported = list(select_reports(session, ExportFilters(year_from=2020), batch_size=7))
        assert len(exported) == sum(n for y, n in built.reports_per_year.items() if y >= 2020)
        assert all(r.parse is not None for r in exported)
    engine.dispose()
    db = ArchiveDB(pg_url)  # the crawler's own inserts still get fresh ids
    report_id, new = db.link_report(agency="某某县统计局", year=2024, title="t", published_on=None,
                                    sha256="0" * 64, url="http://x.test/a", capture_id=None,
                                    role="page")
    db.close()
    assert new and report_id > built.reports

"""End to end: the sample portal changes between crawls; each change gives exactly its alerts.

One portal and one archive for the module; the crawls run in order (each a real
``govreports crawl`` child process), and each test checks the events of one crawl.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from crawler.reports.versions import diff_records, normalize_agency
from crawler.testbed.sample_portal import SamplePortal
from crawler.testbed.sample_portal.changes import (
    AddReport,
    AppliedChange,
    RemoveReport,
    ReplacePdf,
    RepostReport,
    UnlistReport,
)
from storage.models import AlertEvent, Capture, Report, ReportVersion
from tests.crawl_helpers import GOVREPORTS, CrawlDirs, run_cli

pytestmark = pytest.mark.slow

FIRST_DAY = datetime.date(2025, 1, 10)  # before any deadline for the 2024 reports
LATER_DAY = datetime.date(2026, 4, 2)  # after every deadline for the 2025 reports


@dataclass
class History:
    """The portal, the archive, and the changes applied so far."""

    portal: SamplePortal
    dirs: CrawlDirs
    applied: dict[str, AppliedChange] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)

    def crawl(self, today: datetime.date) -> int:
        """Run one crawl; the id of its run."""
        result = run_cli([
            *GOVREPORTS, "crawl", *self.portal.seed_urls, "--db", self.dirs.db_url,
            "--archive", str(self.dirs.archive), "--local", "--timeout", "10",
            "--ca-file", str(self.portal.certificate_path), "--today", today.isoformat(),
            *self.portal.resolve_args(),
        ])
        assert result.returncode == 0, result.stdout + result.stderr
        self.outputs.append(result.stdout)
        return len(self.outputs)

    def events(self, run_id: int) -> list[AlertEvent]:
        """The alert events recorded by one run."""
        engine = create_engine(self.dirs.db_url)
        with Session(engine, expire_on_commit=False) as session:
            rows = list(session.scalars(select(AlertEvent).where(AlertEvent.run_id == run_id)
                                        .order_by(AlertEvent.id)))
            session.expunge_all()
        engine.dispose()
        return rows

    def rows(self, model: Any) -> list[Any]:
        engine = create_engine(self.dirs.db_url)
        with Session(engine, expire_on_commit=False) as session:
            rows = list(session.scalars(select(model)))
            session.expunge_all()
        engine.dispose()
        return rows


def _kinds(events: list[AlertEvent]) -> set[tuple[str, str, int]]:
    return {(e.type, e.agency, e.year) for e in events}


def expected_overdue(portal: SamplePortal, today: datetime.date) -> set[tuple[str, str, int]]:
    """From the portal's ground truth: agencies with a report for Y-1 and none for Y, where Y
    is the newest year whose legal deadline (31 Jan; 31 Mar for a 人民政府) is past."""
    years: dict[str, set[int]] = {}
    for report in portal.expected_reports():
        years.setdefault(normalize_agency(report.agency), set()).add(report.year)
    out = set()
    for agency, have in years.items():
        month, day = (3, 31) if agency.endswith("人民政府") else (1, 31)
        due = today.year - 1 if today > datetime.date(today.year, month, day) else today.year - 2
        if due - 1 in have and due not in have:
            out.add(("report_overdue", agency, due))
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    with SamplePortal() as portal:
        yield History(portal, CrawlDirs(tmp_path_factory.mktemp("recrawl")))


def test_first_crawl_announces_every_report_once(history: History) -> None:
    run = history.crawl(FIRST_DAY)
    events = history.events(run)
    expected = {("new_report", normalize_agency(r.agency), r.year)
                for r in history.portal.expected_reports()}
    assert {k for k in _kinds(events) if k[0] == "new_report"} == expected
    assert {k for k in _kinds(events) if k[0] == "report_overdue"} == \
        expected_overdue(history.portal, FIRST_DAY)
    assert len(events) == len(_kinds(events))  # nothing twice


def test_unchanged_recrawl_asks_conditionally_and_alerts_nothing(history: History) -> None:
    log_start = len(history.portal.request_log)
    run = history.crawl(FIRST_DAY)
    assert history.events(run) == []
    answers = history.portal.request_log.records()[log_start:]
    not_modified = [r for r in answers if r.status == 304]
    assert len(not_modified) > 20
    # every 304 is archived as a server-not-modified revisit pointing at an archived response
    captures = [c for c in history.rows(Capture) if c.run_id == run]
    revisits = [c for c in captures if c.status == 304]
    assert len(revisits) == len(not_modified)
    by_id = {c.warc_record_id: c for c in history.rows(Capture) if c.warc_record_id}
    for capture in revisits:
        path = history.dirs.archive / "warc" / str(capture.warc_file)
        with path.open("rb") as handle:
            handle.seek(int(capture.warc_offset or 0))
            record = next(iter(ArchiveIterator(handle)))
        assert record.rec_type == "revisit"
        assert record.rec_headers.get_header("WARC-Profile").endswith("/server-not-modified")
        original = by_id[record.rec_headers.get_header("WARC-Refers-To")]
        assert original.sha256 == capture.sha256 and original.status == 200
        # the digest is the original record's, in its scheme, so replay tools can resolve it
        with (history.dirs.archive / "warc" / str(original.warc_file)).open("rb") as handle:
            handle.seek(int(original.warc_offset or 0))
            digest = next(iter(ArchiveIterator(handle))).rec_headers.get_header("WARC-Payload-Digest")
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
    # the report tally is unchanged: every report was seen again
    expected = len(history.portal.expected_reports())
    assert expected >= 17
    assert f"reports found:     {expected} (0 new)" in history.outputs[-1]


def test_changes_give_exactly_their_alerts(history: History) -> None:
    portal = history.portal
    applied = [portal.apply(AddReport())[0]]
    for change in (ReplacePdf, RemoveReport, RepostReport, UnlistReport):
        applied.append(_apply_to_another_report(portal, change, applied))
    history.applied = {type(a.change).__name__: a for a in applied}
    assert len({(a.agency, a.year) for a in applied}) == len(applied)  # five different reports
    run = history.crawl(FIRST_DAY)
    events = history.events(run)
    a = history.applied

    def key(kind: str, change: str) -> tuple[str, str, int]:
        return (kind, normalize_agency(a[change].agency), a[change].year)

    # a report taken off its list but still served is unlisted at once, never removed
    assert _kinds(events) == {key("new_report", "AddReport"), key("report_changed", "ReplacePdf"),
                              key("report_removed", "RemoveReport"),
                              key("report_unlisted", "UnlistReport")}
    assert len(events) == 4
    unlisted = next(e for e in events if e.type == "report_unlisted")
    assert set(unlisted.details["statuses"].values()) == {200}
    changed = next(e for e in events if e.type == "report_changed")
    replaced = a["ReplacePdf"]
    assert replaced.previous is not None
    truth = diff_records(replaced.previous.expected_record(), replaced.report.expected_record(),
                         compare_text=False)
    assert truth.numbers, "the portal's replacement changed no number"
    assert changed.details["numbers"] == truth.numbers
    assert changed.details["version"] == 2
    removed = next(e for e in events if e.type == "report_removed")
    assert removed.details["reason"] == "http_404"
    # the reposted report is the same report, now also at its new URLs
    reposted = a["RepostReport"]
    agency = normalize_agency(reposted.agency)
    reports = [r for r in history.rows(Report) if (r.agency, r.year) == (agency, reposted.year)]
    assert len(reports) == 1 and reports[0].status == "live"
    result = run_cli([*GOVREPORTS, "versions", str(reports[0].id), "--db", history.dirs.db_url])
    assert result.returncode == 0
    for url in reposted.new_documents:
        assert url in result.stdout


def _apply_to_another_report(portal: SamplePortal, change: Any,
                             taken: list[AppliedChange]) -> AppliedChange:
    """Apply ``change`` to the first report (in the portal's order) no earlier change took."""
    used = {(a.agency, a.year) for a in taken}
    for report in portal.expected_reports():
        if (report.agency, report.year) in used:
            continue
        try:
            return portal.apply(change(agency=report.agency, year=report.year))[0]
        except ValueError:  # this report does not qualify for the change (e.g. no PDF)
            continue
    raise AssertionError(f"no report left for {change.__name__}")


def test_a_report_still_served_is_not_removed_on_the_next_crawl(history: History) -> None:
    run = history.crawl(LATER_DAY)
    events = history.events(run)
    unlisted = history.applied["UnlistReport"]
    overdue = expected_overdue(history.portal, LATER_DAY)
    assert overdue, "the later day must make some agency overdue"
    assert _kinds(events) == overdue  # no second unlisted event, and no removal
    agency = normalize_agency(unlisted.agency)
    report = next(r for r in history.rows(Report) if (r.agency, r.year) == (agency, unlisted.year))
    assert report.status == "live"
    versions = [v for v in history.rows(ReportVersion) if v.changes]
    assert len(versions) == 1  # only the replaced PDF made a second version


def test_nothing_more_happens_on_the_next_crawl(history: History) -> None:
    run = history.crawl(LATER_DAY)
    assert history.events(run) == []


def test_diff_command_shows_the_changed_numbers(history: History) -> None:
    replaced = history.applied["ReplacePdf"]
    agency = normalize_agency(replaced.agency)
    report = next(r for r in history.rows(Report) if (r.agency, r.year) == (agency, replaced.year))
    result = subprocess.run([sys.executable, "-m", "crawler.cli.main", "diff", str(report.id),
                             "--db", history.dirs.db_url], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "v1 → v2" in result.stdout
    for cell in diff_records(replaced.previous.expected_record(),  # type: ignore[union-attr]
                             replaced.report.expected_record(), compare_text=False).numbers:
        assert f"{cell['table']}.{cell['row']}.{cell['column']}: {cell['old']} → {cell['new']}" \
            in result.stdout


def test_warc_files_stay_valid(history: History) -> None:
    for path in sorted((history.dirs.archive / "warc").glob("*.warc.gz")):
        result = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(path)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

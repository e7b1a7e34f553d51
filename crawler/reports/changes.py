"""Record what a crawl found as changes to the archive, each with its alert in one transaction.

:class:`ChangeRecorder` turns a report document seen by the crawler into report rows,
versions and events (``new_report``, ``report_changed``); after a completed crawl it finds
reports that disappeared (``report_removed``: every URL gone), reports that left their lists
but are still served (``report_unlisted``) and agencies that are late (``report_overdue``).
Every method commits once, so a change and its outbox event are durable together or not at
all; event keys are deterministic, so repeating a detection records nothing new.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from crawler.alerts.outbox import record_event
from crawler.discovery.urls import host_of
from crawler.reports.versions import diff_records, fingerprint, is_government, normalize_agency
from storage.changes import (
    add_version,
    content_types,
    report_years,
    version_by_id,
    version_of_document,
)
from storage.models import AlertEvent, Report, ReportDocument, ReportVersion
from storage.repository import ArchiveDB

logger = logging.getLogger(__name__)

#: What a URL answered: an HTTP status, ``soft_404``, ``redirect_home``, or None (fetch failed).
Status = int | str | None
#: A known report URL redirected to a site's home or a list page: the report is gone.
REDIRECT_HOME = "redirect_home"
#: What a revalidated URL answered when it is a 200 page meaning "not found".
SOFT_404 = "soft_404"
GONE_STATUSES: tuple[int | str, ...] = (404, 410, SOFT_404, REDIRECT_HOME)


@dataclass(frozen=True)
class Deadlines:
    """Legal deadlines (month, day) in the year after the report year."""

    department: tuple[int, int] = (1, 31)
    government: tuple[int, int] = (3, 31)

    def for_agency(self, agency: str, report_year: int) -> date:
        """The day by which ``agency`` must publish its report for ``report_year``."""
        return self.for_kind("government" if is_government(agency) else "department", report_year)

    def for_kind(self, kind: str, report_year: int) -> date:
        """The day by which a ``department`` or a ``government`` must publish its report for
        ``report_year``: (month, day) of ``kind`` in the year after."""
        month, day = self.government if kind == "government" else self.department
        return date(report_year + 1, month, day)


@dataclass(frozen=True)
class SeenDocument:
    """A document the crawler found carrying a report, with its parse when it parsed."""

    agency: str
    year: int
    title: str
    published_on: date | None
    sha256: str
    url: str
    capture_id: int | None
    role: str
    record: dict[str, Any] | None
    parser_version: str | None
    #: Which source named the agency (``crawler.reports.identity``).
    identity_source: str | None = None
    #: ``pre2019`` for old-format reports; None when the parse decides.
    template: str | None = None


@dataclass(frozen=True)
class DocumentOutcome:
    """What recording one document did."""

    report_id: int
    new_report: bool
    new_version: int | None
    events: tuple[str, ...]


class ChangeRecorder:
    """Writes report versions and their alert events for one crawl run."""

    def __init__(self, db: ArchiveDB, *, run_id: int, channels: Sequence[str],
                 baseline: bool = False) -> None:
        self.db = db
        self.run_id = run_id
        self.channels = list(channels)
        #: A baseline crawl: events are recorded (marked baseline) and never delivered.
        self.baseline = baseline
        run = db.get_run(run_id)
        self.run_started_at = run.started_at if run is not None else datetime.now(UTC)

    # -- documents -----------------------------------------------------------------------
    def record_document(self, seen: SeenDocument) -> DocumentOutcome:
        """Link ``seen`` to its report; a new content becomes a version; commit with events."""
        now = datetime.now(UTC)
        agency = normalize_agency(seen.agency) or seen.agency
        linked = self.db.link_document(
            agency=agency, year=seen.year, title=seen.title, published_on=seen.published_on,
            sha256=seen.sha256, url=seen.url, capture_id=seen.capture_id, role=seen.role, now=now,
            identity_source=seen.identity_source, template=seen.template,
        )
        report, link = linked.report, linked.link
        events: list[str] = []
        reappeared = report.status == "removed"
        if reappeared:  # found again by following links (removed reports are not revalidated)
            report.status, report.removed_at, report.missing_runs = "live", None, 0
        version_number = None
        if seen.record is not None and link.version_id is None:
            version_number = self._version_for(report, link, seen, now, events)
        elif link.version_id is not None:
            version = version_by_id(self.db.session, link.version_id)
            if version is not None:
                version.last_seen_at = now
        if linked.new_report or reappeared:
            key = (f"new_report:{report.id}" if linked.new_report
                   else f"new_report:{report.id}:back:{self.run_id}")
            self._event(key, "new_report", report, events, {
                "title": report.title, "url": seen.url, "sha256": seen.sha256,
                "published_on": report.published_on.isoformat() if report.published_on else None,
                "reappeared": reappeared,
            })
        self.db.commit()
        return DocumentOutcome(report.id, linked.new_report, version_number, tuple(events))

    def _version_for(self, report: Report, link: ReportDocument, seen: SeenDocument,
                     now: datetime, events: list[str]) -> int | None:
        """Attach the document to the current version, or start a new one; its number if new."""
        assert seen.record is not None
        session = self.db.session
        current = version_by_id(session, report.current_version_id) \
            if report.current_version_id else None
        known = version_of_document(session, report.id, seen.sha256)
        if known is not None:  # an old document seen again (elsewhere): not a new version
            link.version_id = known
            return None
        changes: dict[str, Any] | None = None
        if current is not None:
            previous = self._record_of(current)
            diff = diff_records(previous, seen.record,
                                compare_text=self._comparable(current, seen)) if previous else None
            if diff is None or not diff.changed:
                link.version_id = current.id
                current.last_seen_at = now
                return None
            changes = diff.as_dict() | {"summary": diff.summary(), "previous_url": current.url,
                                        "previous_sha256": current.sha256}
        number = (current.number + 1) if current is not None else 1
        version = add_version(
            session, report_id=report.id, number=number, fingerprint=fingerprint(seen.record),
            sha256=seen.sha256, url=seen.url, parser_version=seen.parser_version,
            run_id=self.run_id, now=now, changes=changes,
        )
        report.current_version_id = version.id
        link.version_id = version.id
        if changes is not None and report.first_seen_at < self.run_started_at:
            self._event(f"report_changed:{report.id}:v{number}", "report_changed", report, events,
                        changes | {"version": number, "url": seen.url, "sha256": seen.sha256})
        return number

    def _record_of(self, version: ReportVersion) -> dict[str, Any] | None:
        result = self.db.parse_result(version.sha256, version.parser_version or "")
        return result.record if result is not None else None

    def _comparable(self, current: ReportVersion, seen: SeenDocument) -> bool:
        """Texts compare when both documents are the same URL or the same content type."""
        if current.url == seen.url:
            return True
        docs = content_types(self.db.session, [current.sha256, seen.sha256])
        return docs.get(current.sha256) is not None and docs.get(current.sha256) == docs.get(seen.sha256)

    # -- removals ------------------------------------------------------------------------
    def detect_removals(self, *, hosts: Collection[str],
                        listed_urls: Mapping[str, Status] | Collection[str],
                        revalidated: Mapping[str, Status],
                        unfinished_hosts: Collection[str] = ()) -> list[str]:
        """After a completed crawl of ``hosts``: removals and unlistings, only on evidence.

        ``listed_urls``: URLs the crawl reached by following links, with what they answered
        (a plain collection counts as answered 200). ``revalidated``: what known report URLs
        that no link led to answered when fetched directly (an HTTP status, ``soft_404``,
        ``redirect_home`` or None when the fetch failed). ``unfinished_hosts``: hosts the crawl
        did not finish (budget exhausted, host failing): their reports are left alone.

        * ``report_removed`` when every URL of a report answered 404/410/soft 404 or redirected
          to a home or list page;
        * ``report_unlisted`` (once per unlisting) when no link led to it but its URL still
          answers 200;
        * nothing when the evidence is missing (a fetch failed, a host unfinished).
        """
        statuses_listed: Mapping[str, Status] = (
            listed_urls if isinstance(listed_urls, Mapping) else dict.fromkeys(listed_urls, 200))
        unfinished = {h.lower() for h in unfinished_hosts}
        events: list[str] = []
        now = datetime.now(UTC)
        for report, urls in self._live_reports_on(hosts):
            if any(host_of(url) in unfinished for url in urls):
                continue
            statuses = [statuses_listed[url] if url in statuses_listed else revalidated.get(url)
                        for url in urls]
            if statuses and all(status in GONE_STATUSES for status in statuses):
                reason = statuses[0] if isinstance(statuses[0], str) else f"http_{statuses[0]}"
                report.status, report.removed_at = "removed", now
                self._event(f"report_removed:{report.id}:{self.run_id}", "report_removed", report,
                            events, {"reason": reason, "urls": urls,
                                     "statuses": dict(zip(urls, statuses, strict=True))})
                continue
            if any(statuses_listed.get(url) == 200 for url in urls if url in statuses_listed):
                report.missing_runs = 0
                continue
            answering = [url for url, status in zip(urls, statuses, strict=True) if status == 200]
            if not answering:
                continue  # no evidence either way (fetches failed): nothing is claimed
            report.missing_runs += 1
            if report.missing_runs == 1:
                self._event(f"report_unlisted:{report.id}:{self.run_id}", "report_unlisted", report,
                            events, {"reason": "unlisted", "urls": urls,
                                     "statuses": dict(zip(urls, statuses, strict=True))})
        self.db.commit()
        return events

    def _live_reports_on(self, hosts: Collection[str]) -> list[tuple[Report, list[str]]]:
        """Live reports with documents on ``hosts``, each with its distinct URLs there."""
        found: dict[int, tuple[Report, list[str]]] = {}
        for link, report in self.db.live_report_documents(hosts):
            urls = found.setdefault(report.id, (report, []))[1]
            if link.url not in urls:
                urls.append(link.url)
        return [found[report_id] for report_id in sorted(found)]

    # -- overdue -------------------------------------------------------------------------
    def detect_overdue(self, *, hosts: Collection[str], today: date,
                       deadlines: Deadlines = Deadlines()) -> list[str]:
        """Agencies on ``hosts`` with a report for year Y-1 and none for Y after Y's deadline."""
        years: dict[str, set[int]] = {}
        for report, _ in self._live_reports_on(hosts):
            years.setdefault(report.agency, set()).add(report.year)
        for agency, year in report_years(self.db.session, years):  # any status counts as published
            years[agency].add(year)
        events: list[str] = []
        for agency in sorted(years):
            due_year = today.year - 1
            if today <= deadlines.for_agency(agency, due_year):
                due_year -= 1
            if due_year - 1 not in years[agency] or due_year in years[agency]:
                continue
            deadline = deadlines.for_agency(agency, due_year)
            self._event(f"report_overdue:{agency}:{due_year}", "report_overdue", None, events,
                        {"deadline": deadline.isoformat(), "last_year": due_year - 1,
                         "checked_on": today.isoformat()}, agency=agency, year=due_year)
        self.db.commit()
        return events

    # -- events --------------------------------------------------------------------------
    def _event(self, key: str, kind: str, report: Report | None, events: list[str],
               details: dict[str, Any], *, agency: str | None = None,
               year: int | None = None) -> None:
        event: AlertEvent | None = record_event(
            self.db.session, key=key, type=kind,
            agency=agency if agency is not None else report.agency if report else "",
            year=year if year is not None else report.year if report else 0,
            report_id=report.id if report else None, run_id=self.run_id, details=details,
            channels=self.channels, baseline=self.baseline,
        )
        if event is not None:
            events.append(key)
            logger.info("alert recorded", extra={"key": key, "type": kind})

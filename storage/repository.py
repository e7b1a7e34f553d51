"""The archive database's API for the crawler: runs, sites, captures, documents, reports.

One :class:`ArchiveDB` per process; it holds a single session and commits after every call,
so each call is durable when it returns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.discovery.urls import host_of
from storage.capture_sql import document_insert, url_state_upsert
from storage.db import begin_before_savepoint, make_engine, migrate
from storage.models import (
    DOCUMENT_ROLES,
    RUN_STATUSES,
    URL_KINDS,
    Capture,
    CrawlRun,
    Document,
    ParseResult,
    Report,
    ReportDocument,
    Site,
    UrlState,
)
from storage.read import current_parses

T = TypeVar("T")
_CAPTURES: Table = Capture.__table__  # type: ignore[assignment]
_CAPTURE_INSERT = insert(_CAPTURES)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CaptureRecord:
    """One fetch as the crawler saw it; becomes a ``captures`` row."""

    run_id: int
    url: str
    final_url: str | None = None
    referrer: str | None = None
    method: str = "GET"
    status: int | None = None
    headers: dict[str, Any] | None = None
    content_type: str | None = None
    charset: str | None = None
    sha256: str | None = None
    size: int | None = None
    fetched_at: datetime | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_record_id: str | None = None
    tls_verified: bool | None = None
    error_kind: str | None = None
    error_message: str | None = None
    kind: str | None = None
    depth: int | None = None


@dataclass(frozen=True)
class UrlStateUpdate:
    """What a fetch tells about its URL, stored with the capture (see :class:`UrlState`)."""

    url: str
    kind: str
    status: int | None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    #: True when the capture holds the payload itself (not a revisit of an earlier one).
    holds_payload: bool = False
    #: Else, the earlier capture that holds it (a revisit's original), when known.
    payload_capture_id: int | None = None


@dataclass(frozen=True)
class KnownUrl:
    """A URL's last known state and the capture holding its payload (for revisits)."""

    url: str
    kind: str
    status: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    capture_id: int | None
    capture_url: str | None
    size: int | None
    content_type: str | None
    charset: str | None
    capture_kind: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_record_id: str | None
    fetched_at: datetime | None
    #: When the URL was last asked for (start of the run that last fetched it).
    last_checked_at: datetime | None = None
    #: The run that last fetched it.
    last_run_id: int | None = None


@dataclass(frozen=True)
class LinkedDocument:
    """A report and its document link, and which of them were created just now."""

    report: Report
    link: ReportDocument
    new_report: bool
    new_link: bool


@dataclass(frozen=True)
class ReportSummary:
    """A report with how many distinct documents carry it and where they were found."""

    id: int
    agency: str
    year: int
    title: str
    published_on: date | None
    n_documents: int
    urls: list[str] = field(default_factory=list)


class ArchiveDB:
    """Reads and writes the archive database at ``url`` (SQLite or PostgreSQL)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        if migrate:
            _migrate(url)
        self.engine = make_engine(url)
        self.session = Session(self.engine, expire_on_commit=False)
        self._sites: dict[str, int] = {}

    # -- helpers -------------------------------------------------------------------------
    def commit(self) -> None:
        """Commit what callers added to :attr:`session` (see :meth:`link_document`)."""
        self._commit()

    def _commit(self) -> None:
        """Commit; on failure roll back so the session stays usable, then re-raise."""
        try:
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise

    @contextmanager
    def _rolled_back_on_error(self) -> Iterator[None]:
        """Roll the session back when a Core statement fails (PostgreSQL refuses every later
        statement of an aborted transaction), then re-raise."""
        try:
            yield
        except BaseException:
            self.session.rollback()
            raise

    def _insert_once(self, make: Callable[[], T], find: Callable[[], T | None]) -> tuple[T, bool]:
        """Insert ``make()`` unless ``find()`` has it; survives a concurrent insert of the same."""
        existing = find()
        if existing is not None:
            return existing, False
        row = make()
        begin_before_savepoint(self.session)
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            found = find()
            if found is None:
                raise
            return found, False
        return row, True

    # -- crawl runs ----------------------------------------------------------------------
    def start_run(self, *, seeds: list[str], settings: dict[str, Any], software_version: str,
                  jobdir: str | None = None, schedule_id: int | None = None,
                  seed_key: str | None = None) -> int:
        """Record a new running crawl (started by schedule ``schedule_id``, if any); return its id."""
        run = CrawlRun(started_at=_now(), status="running", seeds=list(seeds),
                       settings=_jsonable(settings), software_version=software_version,
                       counts=None, jobdir=jobdir, schedule_id=schedule_id, seed_key=seed_key)
        self.session.add(run)
        self._commit()
        return run.id

    def get_run(self, run_id: int) -> CrawlRun | None:
        """The crawl run with this id, or None."""
        return self.session.get(CrawlRun, run_id)

    def latest_run_for_jobdir(self, jobdir: str) -> int | None:
        """The id of the newest run that used ``jobdir``, or None."""
        return self.session.scalar(
            select(CrawlRun.id).where(CrawlRun.jobdir == jobdir).order_by(CrawlRun.id.desc()).limit(1)
        )

    def mark_run(self, run_id: int, status: str) -> None:
        """Set a run's status (e.g. 'running' again when it resumes)."""
        run = self._run(run_id)
        run.status = _check(status, RUN_STATUSES, "run status")
        if status == "running":
            run.finished_at = None
        self._commit()

    def finish_run(self, run_id: int, *, status: str, counts: dict[str, Any]) -> None:
        """Record a run's end: status, time and counts."""
        run = self._run(run_id)
        run.status = _check(status, RUN_STATUSES, "run status")
        run.finished_at = _now()
        run.counts = _jsonable(counts)
        self._commit()

    def _run(self, run_id: int) -> CrawlRun:
        run = self.session.get(CrawlRun, run_id)
        if run is None:
            raise KeyError(f"no crawl run {run_id}")
        return run

    # -- sites, captures, documents ------------------------------------------------------
    def ensure_site(self, host: str, scheme: str, tls_verify: bool) -> int:
        """The id of the site ``host`` (netloc, port included), created on first sight."""
        key = host.lower()
        cached = self._sites.get(key)
        if cached is not None:
            return cached
        site, _ = self._insert_once(
            lambda: Site(host=key, scheme=scheme, tls_verify=tls_verify, first_seen_at=_now()),
            lambda: self.session.scalar(select(Site).where(Site.host == key)),
        )
        self._commit()
        self._sites[key] = site.id
        return site.id

    def add_capture(self, rec: CaptureRecord, *, url_state: UrlStateUpdate | None = None) -> int:
        """Store one capture (linking its site, created from the URL); return its id.

        With ``url_state``, the URL's state (validators, payload) is updated in the same commit.
        Core statements (one ``INSERT`` and one upsert), not the ORM's unit of work: this runs
        once per response.
        """
        parts = urlsplit(rec.final_url or rec.url)
        site_id = None
        if parts.netloc:
            site_id = self.ensure_site(parts.netloc, parts.scheme, rec.tls_verified is not False)
        values = dict(vars(rec))  # shallow: dataclasses.asdict deep-copies the headers
        values["fetched_at"] = rec.fetched_at or _now()
        values["site_id"] = site_id
        with self._rolled_back_on_error():
            result = self.session.connection().execute(_CAPTURE_INSERT, values)
            capture_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            if url_state is not None:
                self._save_url_state(url_state, capture_id, values["fetched_at"], rec.run_id)
        self._commit()
        return capture_id

    def capture_record(self, capture_id: int) -> Capture | None:
        """The capture ``capture_id`` (None when there is no such capture)."""
        return self.session.get(Capture, capture_id)

    def mark_capture(self, capture_id: int, *, kind: str | None = None,
                     error_kind: str | None = None, message: str | None = None) -> None:
        """Re-label a stored capture: an error in disguise (``soft_404``: a 200 page saying the
        item does not exist; the payload stays archived as evidence), or its kind (``probe``)."""
        capture = self.session.get(Capture, capture_id)
        if capture is None:
            return
        if kind is not None:
            capture.kind = kind
        if error_kind is not None:
            capture.error_kind, capture.error_message = error_kind, (message or "")[:2000]
        self._commit()

    def _save_url_state(self, update: UrlStateUpdate, capture_id: int, now: datetime,
                        run_id: int) -> None:
        """Upsert the URL's state: one ``INSERT … ON CONFLICT (url_key) DO UPDATE``.

        On a URL known before: ``last_changed_at`` moves only when the payload or status
        changed, the first-seen run stays, a missing sha256 or payload capture keeps the old one.
        """
        _check(update.kind, URL_KINDS, "URL kind")
        payload_capture = capture_id if update.holds_payload else update.payload_capture_id
        self.session.connection().execute(url_state_upsert(self._dialect), {
            "url_key": url_key(update.url), "url": update.url, "host": host_of(update.url),
            "kind": update.kind, "status": update.status, "etag": update.etag,
            "last_modified": update.last_modified, "sha256": update.sha256,
            "capture_id": payload_capture, "first_seen_run_id": run_id,
            "last_seen_run_id": run_id, "last_changed_at": now})

    @property
    def _dialect(self) -> str:
        """The database's dialect name (``sqlite``, ``postgresql``)."""
        return self.engine.dialect.name

    def known_urls(self, hosts: Collection[str]) -> dict[str, KnownUrl]:
        """The last known state of every URL on ``hosts``, with its payload's capture."""
        rows = self.session.execute(
            select(UrlState, Capture, CrawlRun.started_at)
            .outerjoin(Capture, Capture.id == UrlState.capture_id)
            .outerjoin(CrawlRun, CrawlRun.id == UrlState.last_seen_run_id)
            .where(UrlState.host.in_([h.lower() for h in hosts]))
        )
        known: dict[str, KnownUrl] = {}
        for state, capture, checked_at in rows:
            known[state.url] = KnownUrl(
                url=state.url, kind=state.kind, status=state.status, etag=state.etag,
                last_modified=state.last_modified, sha256=state.sha256,
                capture_id=state.capture_id,
                capture_url=capture.final_url or capture.url if capture else None,
                size=capture.size if capture else None,
                content_type=capture.content_type if capture else None,
                charset=capture.charset if capture else None,
                capture_kind=capture.kind if capture else None,
                warc_file=capture.warc_file if capture else None,
                warc_offset=capture.warc_offset if capture else None,
                warc_record_id=capture.warc_record_id if capture else None,
                fetched_at=capture.fetched_at if capture else None,
                last_checked_at=checked_at,
                last_run_id=state.last_seen_run_id,
            )
        return known

    def completed_run_ids(self) -> set[int]:
        """Ids of the crawl runs that completed (their frontier drained)."""
        return set(self.session.scalars(select(CrawlRun.id).where(CrawlRun.status == "completed")))

    def archived_payload(self, sha256: str) -> KnownUrl | None:
        """The earliest full response record holding ``sha256`` (to point revisits at)."""
        capture = self.session.scalar(
            select(Capture).where(Capture.sha256 == sha256, Capture.status == 200,
                                  Capture.warc_record_id.is_not(None))
            .order_by(Capture.id).limit(1)
        )
        return _payload_of(capture, sha256) if capture is not None else None

    def payload_capture(self, capture_id: int) -> KnownUrl | None:
        """The capture ``capture_id`` as the full response record of its payload (for revisits)."""
        capture = self.session.get(Capture, capture_id)
        if capture is None or capture.sha256 is None or capture.warc_record_id is None:
            return None
        return _payload_of(capture, capture.sha256)

    def report_paths(self, hosts: Collection[str]) -> set[str]:
        """URLs of report documents on ``hosts`` and of every page on a link path to one."""
        wanted = {h.lower() for h in hosts}
        found = {url for url in self.session.scalars(select(ReportDocument.url).distinct())
                 if host_of(url) in wanted}
        referrers: dict[str, set[str]] = {}
        for url, final_url, referrer in self.session.execute(
            select(Capture.url, Capture.final_url, Capture.referrer).distinct()
            .join(Site, Site.id == Capture.site_id)
            .where(Capture.referrer.is_not(None), Site.host.in_(wanted))
        ):
            for target in (url, final_url):
                if target is not None and referrer is not None:
                    referrers.setdefault(target, set()).add(referrer)
        frontier = list(found)
        while frontier:
            for referrer in referrers.get(frontier.pop(), ()):
                if referrer not in found and host_of(referrer) in wanted:
                    found.add(referrer)
                    frontier.append(referrer)
        return found

    def add_document(self, *, sha256: str, size: int, content_type: str | None,
                     blob_path: str) -> bool:
        """Record a distinct content; True if it was not known before."""
        new = self.stage_document(sha256=sha256, size=size, content_type=content_type,
                                  blob_path=blob_path)
        self._commit()
        return new

    def stage_document(self, *, sha256: str, size: int, content_type: str | None,
                       blob_path: str) -> bool:
        """Like :meth:`add_document` without committing (the capture's commit carries it):
        one ``INSERT … ON CONFLICT (sha256) DO NOTHING``."""
        with self._rolled_back_on_error():
            inserted = self.session.connection().execute(document_insert(self._dialect), {
                "sha256": sha256, "size": size, "content_type": content_type,
                "blob_path": blob_path, "first_seen_at": _now()})
            return inserted.first() is not None

    # -- reports -------------------------------------------------------------------------
    def link_report(self, *, agency: str, year: int, title: str, published_on: date | None,
                    sha256: str, url: str, capture_id: int | None, role: str) -> tuple[int, bool]:
        """Link a document (at a URL) to the report of ``agency`` for ``year``, and commit.

        Returns (report id, whether the report is new). A known report gets its
        ``last_seen_at`` updated and a missing ``published_on`` filled in.
        """
        linked = self.link_document(agency=agency, year=year, title=title,
                                    published_on=published_on, sha256=sha256, url=url,
                                    capture_id=capture_id, role=role)
        self._commit()
        return linked.report.id, linked.new_report

    def link_document(self, *, agency: str, year: int, title: str, published_on: date | None,
                      sha256: str, url: str, capture_id: int | None, role: str,
                      now: datetime | None = None, identity_source: str | None = None,
                      template: str | None = None) -> LinkedDocument:
        """Like :meth:`link_report` but without committing, returning the rows themselves."""
        _check(role, DOCUMENT_ROLES, "document role")
        now = now or _now()
        report, new = self._insert_once(
            lambda: Report(agency=agency, year=year, title=title, published_on=published_on,
                           first_seen_at=now, last_seen_at=now, status="live", missing_runs=0,
                           identity_source=identity_source, template=template),
            lambda: self.session.scalar(
                select(Report).where(Report.agency == agency, Report.year == year)
            ),
        )
        if not new:
            report.last_seen_at = now
            if report.published_on is None and published_on is not None:
                report.published_on = published_on
            report.identity_source = report.identity_source or identity_source
            report.template = report.template or template
        link, new_link = self._insert_once(
            lambda: ReportDocument(report_id=report.id, sha256=sha256, url=url,
                                   capture_id=capture_id, role=role, first_seen_at=now,
                                   last_seen_at=now),
            lambda: self.session.scalar(
                select(ReportDocument).where(
                    ReportDocument.report_id == report.id,
                    ReportDocument.sha256 == sha256,
                    ReportDocument.url == url,
                )
            ),
        )
        if not new_link:
            link.last_seen_at = now
        return LinkedDocument(report, link, new, new_link)

    def add_parse_result(self, *, sha256: str, parser_version: str, status: str,
                         message: str | None, record: dict[str, Any] | None) -> None:
        """Store (or replace) the parse of ``sha256`` by ``parser_version``."""
        result, new = self._insert_once(
            lambda: ParseResult(sha256=sha256, parser_version=parser_version, status=status,
                                message=message, record=_jsonable(record), parsed_at=_now()),
            lambda: self.session.scalar(
                select(ParseResult).where(ParseResult.sha256 == sha256,
                                          ParseResult.parser_version == parser_version)
            ),
        )
        if not new:
            result.status, result.message = status, message
            result.record, result.parsed_at = _jsonable(record), _now()
        self._commit()

    def live_report_documents(self, hosts: Collection[str]) -> list[tuple[ReportDocument, Report]]:
        """Documents of live reports whose URLs are on ``hosts``, oldest link first."""
        wanted = {h.lower() for h in hosts}
        rows = self.session.execute(
            select(ReportDocument, Report).join(Report, Report.id == ReportDocument.report_id)
            .where(Report.status == "live").order_by(ReportDocument.id)
        )
        return [(link, report) for link, report in rows if host_of(link.url) in wanted]

    def parse_result(self, sha256: str, parser_version: str) -> ParseResult | None:
        """The stored parse of ``sha256`` by ``parser_version``, if any."""
        return self.session.scalar(
            select(ParseResult).where(ParseResult.sha256 == sha256,
                                      ParseResult.parser_version == parser_version)
        )

    def reports(self) -> list[ReportSummary]:
        """Every report, by year then agency, with its document count and URLs."""
        links: dict[int, list[ReportDocument]] = {}
        for link in self.session.scalars(select(ReportDocument).order_by(ReportDocument.id)):
            links.setdefault(link.report_id, []).append(link)
        rows = self.session.scalars(select(Report).order_by(Report.year, Report.agency, Report.id))
        return [
            ReportSummary(
                id=r.id, agency=r.agency, year=r.year, title=r.title, published_on=r.published_on,
                n_documents=len({link.sha256 for link in links.get(r.id, [])}),
                urls=_unique(link.url for link in links.get(r.id, [])),
            )
            for r in rows
        ]

    def iter_export(self) -> Iterator[dict[str, Any]]:
        """One nested record per report: documents, captures and the best parse."""
        report_ids = list(self.session.scalars(
            select(Report.id).order_by(Report.year, Report.agency, Report.id)
        ))
        for report_id in report_ids:
            yield self._export_one(report_id)

    def _export_one(self, report_id: int) -> dict[str, Any]:
        report = self._report(report_id)
        links = list(self.session.scalars(
            select(ReportDocument).where(ReportDocument.report_id == report_id)
            .order_by(ReportDocument.id)
        ))
        digests = _unique(link.sha256 for link in links)
        docs = {d.sha256: d for d in self.session.scalars(
            select(Document).where(Document.sha256.in_(digests)))}
        captures = self.session.scalars(
            select(Capture).where(Capture.sha256.in_(digests))
            .order_by(Capture.fetched_at, Capture.id)
        )
        best = current_parses(self.session, [report_id]).get(report_id)
        return {
            "report_id": report.id,
            "agency": report.agency,
            "year": report.year,
            "title": report.title,
            "published_on": report.published_on,
            "source_urls": _unique(link.url for link in links),
            "documents": [
                {"sha256": link.sha256, "url": link.url,
                 "content_type": docs[link.sha256].content_type if link.sha256 in docs else None,
                 "size": docs[link.sha256].size if link.sha256 in docs else None}
                for link in links
            ],
            "captures": [
                {"url": c.url, "fetched_at": c.fetched_at, "status": c.status, "sha256": c.sha256,
                 "warc_file": c.warc_file, "warc_offset": c.warc_offset}
                for c in captures
            ],
            "parse": best.record if best is not None else None,
        }

    def _report(self, report_id: int) -> Report:
        report = self.session.get(Report, report_id)
        if report is None:
            raise KeyError(f"no report {report_id}")
        return report

    def run_fetches(self, run_id: int) -> list[tuple[str, str | None, int | None]]:
        """(url, final url, status) of every capture of a run, oldest first."""
        return [(url, final_url, status) for url, final_url, status in self.session.execute(
            select(Capture.url, Capture.final_url, Capture.status)
            .where(Capture.run_id == run_id).order_by(Capture.id))]

    def run_first_pages(self, run_id: int) -> list[tuple[str, str, str | None]]:
        """(url, sha256, charset) of the first HTML page each site answered with 200 in a run
        (one row per site, chosen in SQL)."""
        first = (select(func.min(Capture.id))
                 .where(Capture.run_id == run_id, Capture.status == 200, Capture.sha256.is_not(None),
                        Capture.kind == "page", Capture.site_id.is_not(None),
                        func.coalesce(Capture.content_type, "text/html").like("text/html%"))
                 .group_by(Capture.site_id))
        return [(url, str(sha256), charset) for url, sha256, charset in self.session.execute(
            select(Capture.url, Capture.sha256, Capture.charset).where(Capture.id.in_(first)))]

    def capture_counts(self, run_id: int) -> dict[str, int]:
        """A run's captures counted: ``total``, ``kind:<k>``, ``error:<e>``, ``status:<n>``."""
        counts: dict[str, int] = {}
        in_run = Capture.run_id == run_id
        counts["total"] = int(self.session.scalar(select(func.count()).where(in_run)) or 0)
        for prefix, column in (("kind", Capture.kind), ("error", Capture.error_kind),
                               ("status", Capture.status)):
            for value, count in self.session.execute(
                select(column, func.count()).where(in_run, column.is_not(None)).group_by(column)
            ):
                counts[f"{prefix}:{value}"] = int(count)
        return counts

    def close(self) -> None:
        """Close the session and release the engine's connections."""
        self.session.close()
        self.engine.dispose()


def _payload_of(capture: Capture, sha256: str) -> KnownUrl:
    """``capture`` as the full response record holding the payload ``sha256``."""
    return KnownUrl(
        url=capture.final_url or capture.url, kind="other", status=capture.status,
        etag=None, last_modified=None, sha256=sha256, capture_id=capture.id,
        capture_url=capture.final_url or capture.url, size=capture.size,
        content_type=capture.content_type, charset=capture.charset,
        capture_kind=capture.kind, warc_file=capture.warc_file,
        warc_offset=capture.warc_offset, warc_record_id=capture.warc_record_id,
        fetched_at=capture.fetched_at,
    )


def url_key(url: str) -> str:
    """The key of a URL in ``url_states``: sha1 hex (URLs can exceed index limits)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()  # noqa: S324 - a key, not security


def _migrate(url: str) -> None:
    migrate(url)


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
    return value


def _unique(values: Iterator[str] | Any) -> list[str]:
    return list(dict.fromkeys(values))


def _jsonable(value: Any) -> Any:
    """Plain JSON values: dates become ISO strings, paths and other objects strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)

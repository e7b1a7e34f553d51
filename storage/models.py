"""The archive's tables as SQLAlchemy 2 typed declarative models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: ``completed``: its frontier drained; ``interrupted``: stopped by Ctrl-C/SIGTERM with work left;
#: ``crashed``: its process died (found at the next start); both are continued by the next crawl
#: of the same seeds. ``stopped``: a budget (``--max-pages``) ended it with work left; only
#: ``--resume`` continues it. Only completed runs feed removal detection.
RUN_STATUSES = ("running", "completed", "interrupted", "crashed", "stopped", "failed")
#: A frontier entry: waiting, handed to the downloader, answered (capture committed), finished.
FRONTIER_STATES = ("queued", "in_flight", "answered", "done")
DOCUMENT_ROLES = ("page", "attachment")
REPORT_STATUSES = ("live", "removed")
#: What a URL was, the last time it was fetched: a list (re-read every crawl), a detail page
#: or a document (revalidated with conditional requests), or something else.
URL_KINDS = ("list", "detail", "document", "other")
ALERT_TYPES = ("new_report", "report_changed", "report_removed", "report_unlisted", "report_overdue")
DELIVERY_STATES = ("pending", "delivered", "failed")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base; its metadata is what the migrations must match."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: UTCDateTime()}


class Site(Base):
    """A host (netloc, port included) seen in a crawl."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255), unique=True)
    scheme: Mapped[str] = mapped_column(String(16))
    tls_verify: Mapped[bool] = mapped_column(Boolean)
    first_seen_at: Mapped[datetime]


class CrawlRun(Base):
    """One crawl: when, with what seeds and settings, by which software, with what results."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    seeds: Mapped[list[str]]
    settings: Mapped[dict[str, Any]]
    software_version: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any] | None]
    jobdir: Mapped[str | None] = mapped_column(Text)
    #: The schedule that started this run (None for a crawl started by hand).
    schedule_id: Mapped[int | None]
    #: Which seed set it crawls (``crawler.run.opening.seed_key``): one active run per key.
    seed_key: Mapped[str | None] = mapped_column(String(40), index=True)


class Capture(Base):
    """One fetch (or failed fetch) of a URL, with its provenance."""

    __tablename__ = "captures"
    __table_args__ = (
        Index("ix_captures_url", "url", postgresql_using="hash"),  # URLs can exceed btree limits
        Index("ix_captures_sha256", "sha256"),
        Index("ix_captures_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None]
    headers: Mapped[dict[str, Any] | None]
    content_type: Mapped[str | None] = mapped_column(String(255))
    charset: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    fetched_at: Mapped[datetime]
    warc_file: Mapped[str | None] = mapped_column(String(255))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    #: WARC-Record-ID of the response (or revisit) record.
    warc_record_id: Mapped[str | None] = mapped_column(String(64))
    tls_verified: Mapped[bool | None]
    error_kind: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(32))
    depth: Mapped[int | None]


class Document(Base):
    """One distinct content (by sha256) and where its blob is."""

    __tablename__ = "documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(255))
    blob_path: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime]


class Report(Base):
    """An annual report of one agency for one year."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("agency", "year", name="uq_reports_agency_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency: Mapped[str] = mapped_column(String(255))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: ``live`` or ``removed`` (every URL gone: 404/410/soft 404, or redirected home).
    status: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    removed_at: Mapped[datetime | None]
    #: Consecutive completed crawls that found its URLs still served but linked from no list.
    missing_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    current_version_id: Mapped[int | None]
    #: Which source named the agency: title, opening, signature, column, site, link or host.
    identity_source: Mapped[str | None] = mapped_column(String(16))
    #: ``pre2019`` for reports in the old 统计表 format; None when the parse decides.
    template: Mapped[str | None] = mapped_column(String(16))


class ReportDocument(Base):
    """A document that carries a report, at a URL, as seen in a capture."""

    __tablename__ = "report_documents"
    __table_args__ = (
        UniqueConstraint("report_id", "sha256", "url", name="uq_report_documents_report_sha256_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    role: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    #: The report version this document's content belongs to.
    version_id: Mapped[int | None]


class ParseResult(Base):
    """The parser's output for one document, per parser version."""

    __tablename__ = "parse_results"
    __table_args__ = (
        UniqueConstraint("sha256", "parser_version", name="uq_parse_results_sha256_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    parser_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    record: Mapped[dict[str, Any] | None]
    parsed_at: Mapped[datetime]


class ReportVersion(Base):
    """One distinct content of a report, numbered from 1, with what changed from the one before."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_report_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    number: Mapped[int]
    #: sha256 over the report's numbers (and, for same-format documents, its text).
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: The document that introduced this version, and where it was.
    sha256: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    parser_version: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: The difference from the previous version (None for version 1); see ``crawler.reports.versions``.
    changes: Mapped[dict[str, Any] | None]


class UrlState(Base):
    """What the last fetch of a URL returned: validators for conditional re-crawls, its kind."""

    __tablename__ = "url_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: sha1 hex of the URL (URLs can exceed index limits).
    url_key: Mapped[str] = mapped_column(String(40), unique=True)
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None]
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: The capture holding the payload (its WARC record is what a revisit refers to).
    capture_id: Mapped[int | None]
    first_seen_run_id: Mapped[int]
    last_seen_run_id: Mapped[int]
    last_changed_at: Mapped[datetime]


class AlertEvent(Base):
    """A change worth telling researchers about; the outbox row written with the change itself."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Idempotency key: the same change always gets the same key, so it is recorded once.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    agency: Mapped[str] = mapped_column(String(255))
    year: Mapped[int]
    run_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    details: Mapped[dict[str, Any]]
    #: Recorded by a baseline crawl (``crawl --baseline``): kept, never announced.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class AlertDelivery(Base):
    """One event's delivery on one channel (webhook, email): its state and attempts."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", name="uq_alert_deliveries_event_channel"),
        Index("ix_alert_deliveries_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]


class AlertChannel(Base):
    """A delivery channel as the outbox knows it: when it was first configured, its last digest."""

    __tablename__ = "alert_channels"

    #: ``webhook`` or ``email``.
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: First seen configured by a delivery pass: events before it are its backlog (opt-in).
    added_at: Mapped[datetime]
    #: When its last daily/weekly digest period was closed (sent, or found empty).
    last_digest_at: Mapped[datetime | None]


class Schedule(Base):
    """A recurring crawl: seeds, cron expressions, and a lease so only one instance runs."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    seeds: Mapped[list[str]]
    #: One or more cron expressions separated by ``;`` (due when any is due).
    cron: Mapped[str] = mapped_column(String(255))
    options: Mapped[dict[str, Any]]
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_run_id: Mapped[int | None]
    last_status: Mapped[str | None] = mapped_column(String(16))
    #: Who runs it now (host:pid) and until when the claim holds without a heartbeat.
    lease_owner: Mapped[str | None] = mapped_column(String(255))
    lease_until: Mapped[datetime | None]


class FrontierEntry(Base):
    """One request of a run's frontier: unique per (run, fingerprint), in priority order."""

    __tablename__ = "frontier"
    __table_args__ = (
        UniqueConstraint("run_id", "fingerprint", name="uq_frontier_run_fingerprint"),
        Index("ix_frontier_run_state", "run_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    fingerprint: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    #: The request as ``Request.to_dict`` gives it, pickled (as Scrapy's disk queues do).
    request: Mapped[bytes] = mapped_column(LargeBinary)


class RunLock(Base):
    """The one active run of a seed set: who holds it and when it last said so."""

    __tablename__ = "run_locks"

    seed_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    #: ``host:pid`` of the crawling process.
    holder: Mapped[str] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime]
class Agency(Base):
    """A registered agency: one that should publish an annual report (``govreports agencies import``)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    #: Other names the agency's reports are published under.
    aliases: Mapped[list[str]]
    #: Official six-digit administrative division code (行政区划代码) of the agency's area.
    division_code: Mapped[str] = mapped_column(String(6), index=True)
    #: Administrative level, as given: e.g. province, prefecture, county, township, department.
    level: Mapped[str] = mapped_column(String(32))
    #: The agency it reports to (a registered name, or empty).
    parent: Mapped[str | None] = mapped_column(String(255))
    #: Where its disclosure portal is; a completed crawl of it is what makes a gap ``missing``.
    portal_url: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime]

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

RUN_STATUSES = ("running", "completed", "interrupted", "failed")
DOCUMENT_ROLES = ("page", "attachment")


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

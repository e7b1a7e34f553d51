"""Helpers for end-to-end crawl tests: run the real CLI against the sample portal."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.discovery.urls import canonicalize
from storage.models import Capture, CrawlRun, Report, ReportDocument

GOVREPORTS = [sys.executable, "-m", "crawler.cli.main"]


@dataclass
class CrawlDirs:
    """Where one test crawl keeps its database and archive."""

    root: Path

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'archive.db'}"

    @property
    def archive(self) -> Path:
        return self.root / "archive"


def crawl_command(dirs: CrawlDirs, seeds: list[str], *extra: str) -> list[str]:
    """The `govreports crawl` command line for a local test crawl."""
    return [*GOVREPORTS, "crawl", *seeds, "--db", dirs.db_url, "--archive", str(dirs.archive),
            "--local", "--timeout", "10", *extra]


def run_cli(args: list[str], *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a govreports command to completion, capturing its output."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)


def found_reports(db_url: str) -> set[tuple[str, int]]:
    """(agency, year) of every report in the archive."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        rows = {(r.agency, r.year) for r in session.scalars(select(Report))}
    engine.dispose()
    return rows


def found_report_urls(db_url: str) -> set[str]:
    """Every URL recorded as carrying a report."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        urls = {canonicalize(d.url) for d in session.scalars(select(ReportDocument))}
    engine.dispose()
    return urls


def captures(db_url: str) -> list[Capture]:
    """All capture rows, detached from their session."""
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(select(Capture)))
        session.expunge_all()
    engine.dispose()
    return rows


def runs(db_url: str) -> list[CrawlRun]:
    """All crawl runs, oldest first."""
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        session.expunge_all()
    engine.dispose()
    return rows

"""Helpers for end-to-end crawl tests: run the real CLI against the sample portal."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.discovery.urls import canonicalize, trap_key
from crawler.settings import GOVREPORTS_MAX_PER_TRAP_KEY as MAX_PER_TRAP_KEY
from storage.models import AlertEvent, Capture, CrawlRun, Report, ReportDocument

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


def export_wacz(dirs: CrawlDirs, target: Path, *extra: str) -> Path:
    """Export ``dirs``' archive as a WACZ file at ``target`` (``extra``: selection options)."""
    result = run_cli([*GOVREPORTS, "export", "--db", dirs.db_url, "--archive", str(dirs.archive),
                      "--wacz", str(target), *extra])
    assert result.returncode == 0, result.stderr[-3000:]
    return target


def run_cli(args: list[str], *, timeout: float = 300,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a govreports command to completion, capturing its output."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(env_extra or {}))
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


def captures_so_far(db: Path) -> int:
    """Captures committed so far in a SQLite archive a crawl is writing (0 before its tables exist)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return int(connection.execute("select count(*) from captures").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def runs(db_url: str) -> list[CrawlRun]:
    """All crawl runs, oldest first."""
    engine = create_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        rows = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        session.expunge_all()
    engine.dispose()
    return rows


def site_names(seed_urls: list[str]) -> dict[str, str]:
    """netloc → ``site<i>``: two instances of the same portal listen on different ports."""
    return {urlsplit(url).netloc: f"site{i}" for i, url in enumerate(seed_urls)}


def _portable(url: str, sites: dict[str, str]) -> str:
    parts = urlsplit(canonicalize(url))
    netloc = sites.get(parts.netloc)
    if netloc is None:  # another host name of a site (a virtual host): its name without the port
        netloc = parts.hostname or parts.netloc if parts.hostname != "127.0.0.1" else parts.netloc
    return parts._replace(scheme="", netloc=netloc).geturl()


def archive_contents(db_url: str, sites: dict[str, str]) -> dict[str, set[Any]]:
    """What is compared: reports, report documents, captured URLs, events (ports taken out)."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        documents = {(_portable(d.url, sites), d.sha256) for d in session.scalars(select(ReportDocument))}
        captured = {_portable(c.final_url or c.url, sites) for c in session.scalars(select(Capture))
                    if c.status is not None}
        events = {(e.type, e.agency, e.year) for e in session.scalars(select(AlertEvent))}
    engine.dispose()
    return {"reports": found_reports(db_url), "documents": documents, "captured": captured,
            "events": events}


def _trap(portable_url: str) -> str | None:
    return trap_key("http:" + portable_url)


def capped_trap_keys(urls: set[str]) -> set[str]:
    """Trap patterns whose budget (``GOVREPORTS_MAX_PER_TRAP_KEY``) was used up."""
    counts = Counter(k for k in map(_trap, urls) if k)
    return {k for k, n in counts.items() if n >= MAX_PER_TRAP_KEY}


def trap_counts(urls: set[str], keys: set[str]) -> dict[str, int]:
    """URLs per capped trap pattern."""
    return dict(Counter(k for k in map(_trap, urls) if k in keys))


def assert_same_captured_urls(expected: set[str], got: set[str], context: str = "") -> None:
    """The same captured URLs; for a capped trap pattern (a calendar), the same number of them:
    which URLs fill its budget depends on the order pages were discovered in, in any crawl."""
    capped = capped_trap_keys(expected)
    assert trap_counts(got, capped) == trap_counts(expected, capped), context
    missing = {u for u in expected - got if _trap(u) not in capped}
    extra = {u for u in got - expected if _trap(u) not in capped}
    assert not missing and not extra, f"{context}: missing {sorted(missing)[:10]}, extra {sorted(extra)[:10]}"


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children…), from /proc."""
    parents: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:"):
                parents.setdefault(int(line.split()[1]), []).append(int(status.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def still_running_after(pids: Iterable[int], seconds: float = 30) -> list[int]:
    """Those of ``pids`` still running after waiting up to ``seconds`` for them all to end
    (children of a killed crawl see it gone at once or at their pipe's EOF: seconds on a quiet
    machine, more at load 30+)."""
    pids = list(pids)
    deadline = time.monotonic() + seconds
    while any(process_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if process_running(p)]


def process_running(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie (from /proc)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"

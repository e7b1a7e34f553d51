"""A crawl killed with SIGKILL at random moments, then run again, ends with the same archive as
an uninterrupted crawl of the same portal: same reports, documents and captured URLs, no
removal or other false events, and no parse worker left running."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.discovery.urls import canonicalize, trap_key
from crawler.settings import GOVREPORTS_MAX_PER_TRAP_KEY as MAX_PER_TRAP_KEY
from crawler.testbed.sample_portal import SamplePortal
from storage.models import AlertEvent, Capture, ReportDocument
from tests.crawl_helpers import CrawlDirs, crawl_command, found_reports, run_cli, runs

pytestmark = pytest.mark.slow
KILLS = 6


def _captures(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return int(connection.execute("select count(*) from captures").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("PPid:") and int(line.split()[1]) == pid:
                found.add(int(status.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def site_names(seed_urls: list[str]) -> dict[str, str]:
    """netloc → ``site<i>``: two instances of the same portal listen on different ports."""
    return {urlsplit(url).netloc: f"site{i}" for i, url in enumerate(seed_urls)}


def _portable(url: str, sites: dict[str, str]) -> str:
    parts = urlsplit(canonicalize(url))
    return parts._replace(scheme="", netloc=sites.get(parts.netloc, parts.netloc)).geturl()


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


def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_crawl(tmp_path: Path) -> None:
    seed = int(os.environ.get("GOVREPORTS_KILL_SEED", random.randrange(1 << 30)))  # noqa: S311
    rng = random.Random(seed)
    figures: dict[str, object] = {"seed": seed}
    with SamplePortal(seed=0) as portal:
        whole = CrawlDirs(tmp_path / "whole")
        command = crawl_command(whole, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01")
        result = run_cli(command)
        assert result.returncode == 0, result.stderr[-3000:]
        expected = archive_contents(whole.db_url, site_names(portal.seed_urls))
        total = _captures(tmp_path / "whole" / "archive.db")
    figures["uninterrupted_captures"] = total

    with SamplePortal(seed=0) as portal:
        killed = CrawlDirs(tmp_path / "killed")
        command = crawl_command(killed, portal.seed_urls, "--ca-file", str(portal.certificate_path),
                                "--today", "2025-06-01")
        sites = site_names(portal.seed_urls)
        moments = sorted(rng.sample(range(1, int(total * 0.9)), KILLS))
        per_run: list[int] = []
        before = 0
        for moment in moments:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       env=dict(os.environ, PYTHONUNBUFFERED="1"))
            deadline = time.monotonic() + 180
            while _captures(tmp_path / "killed" / "archive.db") < moment and process.poll() is None:
                assert time.monotonic() < deadline, f"no progress towards {moment} captures (seed {seed})"
                time.sleep(0.05)
            assert process.poll() is None, f"the crawl ended before {moment} captures (seed {seed})"
            children = _children(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            deadline = time.monotonic() + 10
            while any(_running(c) for c in children) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = [c for c in children if _running(c)]
            assert not left, f"child processes left running after the kill: {left} (seed {seed})"
            now = _captures(tmp_path / "killed" / "archive.db")
            per_run.append(now - before)
            before = now

        result = run_cli(command)  # the same command again continues the crashed run
        assert result.returncode == 0, result.stderr[-3000:]
        per_run.append(_captures(tmp_path / "killed" / "archive.db") - before)
    figures |= {"kill_at_captures": moments, "captures_per_process": per_run}

    [run] = runs(killed.db_url)
    assert run.status == "completed", f"seed {seed}"
    got = archive_contents(killed.db_url, sites)
    figures |= {key: (len(expected[key]), len(got[key]))
                for key in ("reports", "documents", "captured", "events")}
    print("kill9 figures:", json.dumps(figures))  # noqa: T201 - the figures the report quotes
    assert not {e for e in got["events"] if e[0] == "report_removed"}, f"seed {seed}"
    assert got["reports"] == expected["reports"], f"seed {seed}"
    assert got["documents"] == expected["documents"], f"seed {seed}"
    assert got["events"] == expected["events"], f"seed {seed}"
    # A capped trap pattern (a calendar): which of its URLs fill the budget depends on the order
    # pages were discovered in, in any two crawls; its count must match, the rest exactly.
    capped = capped_trap_keys(expected["captured"])
    assert trap_counts(got["captured"], capped) == trap_counts(expected["captured"], capped)
    missing = {u for u in expected["captured"] - got["captured"] if _trap(u) not in capped}
    extra = {u for u in got["captured"] - expected["captured"] if _trap(u) not in capped}
    assert not missing and not extra, f"seed {seed}: missing {sorted(missing)[:10]}, extra {sorted(extra)[:10]}"


def _trap(portable_url: str) -> str | None:
    return trap_key("http:" + portable_url)


def capped_trap_keys(urls: set[str]) -> set[str]:
    """Trap patterns whose budget (``GOVREPORTS_MAX_PER_TRAP_KEY``) was used up."""
    counts = Counter(k for k in map(_trap, urls) if k)
    return {k for k, n in counts.items() if n >= MAX_PER_TRAP_KEY}


def trap_counts(urls: set[str], keys: set[str]) -> dict[str, int]:
    """URLs per capped trap pattern."""
    return dict(Counter(k for k in map(_trap, urls) if k in keys))

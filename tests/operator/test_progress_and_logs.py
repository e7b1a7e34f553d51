"""Progress (rate, ETA) on a terminal and as log lines elsewhere; logs keep structured fields."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from rich.console import Console

from crawler.extensions.progress import TerminalProgress, progress_line, snapshot
from crawler.run.logformat import JsonLinesFormatter, KeyValueFormatter
from tests.crawl_helpers import CrawlDirs, crawl_command, run_cli
from tests.operator.test_crawl_outcomes import refused_url

STATS = {"govreports/fetches": 120, "govreports/reports_found": 7, "govreports/errors/timeout": 2,
         "govreports/errors/dns": 1, "scheduler/enqueued": 200, "scheduler/dequeued": 140}


def test_snapshot_rate_and_eta() -> None:
    now = snapshot(STATS, elapsed=60.0)
    assert (now.fetched, now.reports, now.errors, now.queued) == (120, 7, 3, 60)
    assert now.rate == 2.0 and now.eta_seconds == 30.0
    assert "(2.0/s)" in progress_line(now) and "eta 30s" in progress_line(now)
    assert snapshot({}, elapsed=0.0).eta_seconds is None


def test_terminal_progress_shows_counts_rate_and_eta() -> None:
    out = io.StringIO()
    bar = TerminalProgress(Console(file=out, force_terminal=True, width=200))
    bar.update(snapshot(STATS, elapsed=60.0))
    bar.close()
    text = out.getvalue()
    assert "120/180" in text and "2.0 pages/s" in text and "eta" in text
    assert "reports 7 · errors 3" in text


def _record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "portal", "levelname": "INFO", "levelno": 20,
                                    "msg": "fetch failed %s", "args": ("now",)})
    record.__dict__.update(extra)
    return record


def test_formatters_keep_structured_fields() -> None:
    record = _record(url="http://x.test/a b", kind="timeout", spider=object())
    line = KeyValueFormatter().format(record)
    assert 'url="http://x.test/a b"' in line and "kind=timeout" in line and "spider=" not in line
    entry = json.loads(JsonLinesFormatter().format(record))
    assert entry["message"] == "fetch failed now" and entry["url"] == "http://x.test/a b"
    assert entry["kind"] == "timeout" and entry["level"] == "INFO" and "spider" not in entry


def test_json_logs_and_progress_lines_off_a_terminal(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path)
    seed = refused_url()
    result = run_cli(crawl_command(dirs, [seed], "--log-format", "json", "--progress-every", "0.3"),
                     timeout=120)
    progress = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert progress, result.stderr[-2000:]
    assert all(p["logger"] == "govreports.progress" and {"rate", "eta_s", "fetched", "queued"} <= set(p)
               for p in progress)
    [log_file] = (dirs.archive / "logs").glob("run-*.log")
    entries = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]  # all JSON
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    failed = [e for e in entries if e["message"] == "fetch failed"]
    assert failed and {e["url"] for e in failed} >= {seed} and all(e["kind"] for e in failed)

"""A distributed crawl of the sample portal survives SIGKILL: one worker killed mid-run (its
requests are reclaimed by the live one), then every worker killed and started again; the run
ends once, with the reports and documents of the portal, each new report announced once."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.frontier.redis_keys import RunKeys
from crawler.reports.versions import normalize_agency
from crawler.testbed.sample_portal import SamplePortal
from storage.models import AlertEvent, Capture, CrawlRun
from tests.crawl_helpers import GOVREPORTS, found_reports

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
TIMEOUT = 300  # seconds any one process of this test may take


def _count(db_url: str, statement: object) -> int:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return len(list(session.execute(statement)))  # type: ignore[call-overload]
    finally:
        engine.dispose()


def _wait(condition: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"))


def _finish(process: subprocess.Popen[bytes], log: Path) -> None:
    try:
        process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"a worker did not finish in {TIMEOUT} s: {log.read_text()[-3000:]}")
    assert process.returncode == 0, log.read_text()[-3000:]


@pytest.mark.timeout(900)
def test_sigkill_one_worker_then_all_workers_and_the_run_still_ends_once_with_every_report(
        tmp_path: Path, pg_url: str, redis_url: str, run_key: str) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = RunKeys(run_key)
    archive = str(tmp_path / "archive")
    figures: dict[str, object] = {}
    with SamplePortal() as portal:
        crawl = [*GOVREPORTS, "crawl", *portal.seed_urls, "--redis", redis_url, "--run-key", run_key,
                 "--db", pg_url, "--archive", archive, "--local", "--timeout", "10",
                 "--ca-file", str(portal.certificate_path), "--today", "2025-06-01",
                 *portal.resolve_args()]
        worker = [*GOVREPORTS, "worker", "--redis", redis_url, "--run-key", run_key,
                  "--db", pg_url, "--archive", archive]
        logs = [tmp_path / f"process-{i}.log" for i in range(4)]
        owner = _start(crawl, logs[0])
        _wait(lambda: server.exists(keys.meta), "the run to be recorded")
        first = _start(worker, logs[1])
        try:
            def joined() -> list[bytes]:
                return [w for w in server.zrange(keys.workers, 0, -1)
                        if w.decode().split(":")[1] == str(first.pid)]

            # the crawl command alone can pass 120 captures before the worker has started
            _wait(lambda: bool(joined()), "the second worker to join")
            captures = select(Capture.id)
            _wait(lambda: _count(pg_url, captures) > 120, "120 captures")
            held = joined()
            assert held, "the second worker never joined"
            killed = keys.processing(held[0].decode())
            _wait(lambda: server.hlen(killed) > 0, "the worker to hold requests", 30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            figures["held_when_killed"] = server.hlen(killed)
            _wait(lambda: not server.exists(killed), "the live worker to reclaim them", 30)

            done_before = _count(pg_url, captures)
            _wait(lambda: _count(pg_url, captures) > done_before + 150, "150 more captures")
            owner.send_signal(signal.SIGKILL)  # now every worker is dead
            owner.wait(timeout=30)
            figures["captures_when_all_killed"] = _count(pg_url, captures)
            assert server.get(keys.phase) != b"done", "the crawl ended before the kill"

            owner = _start(crawl, logs[2])
            second = _start(worker, logs[3])
            _finish(owner, logs[2])
            _finish(second, logs[3])
        finally:
            for process in (owner, first):
                if process.poll() is None:
                    process.kill()
                    process.wait()
        expected = {(normalize_agency(r.agency), r.year) for r in portal.expected_reports()}

    assert found_reports(pg_url) == expected
    runs = _count(pg_url, select(CrawlRun.id))
    completed = _count(pg_url, select(CrawlRun.id).where(CrawlRun.status == "completed"))
    assert (runs, completed) == (1, 1)
    engine = create_engine(pg_url)
    with Session(engine) as session:
        events = Counter((e.type, e.agency, e.year) for e in session.scalars(select(AlertEvent)))
    engine.dispose()
    new = {(a, y) for (kind, a, y) in events if kind == "new_report"}
    assert new == expected and all(n == 1 for n in events.values()), events
    assert not [e for e in events if e[0] == "report_removed"]
    worker_logs = list((tmp_path / "archive" / "logs").glob("worker-*.log"))
    assert len(worker_logs) == 4
    ends = [line for log in worker_logs for line in log.read_text().splitlines()
            if "this worker finishes the distributed run" in line]
    assert len(ends) == 1, ends
    print(figures)

"""`govreports schedule run` against the sample portal: real crawls, leases, signals, restarts."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from crawler.schedules.store import add_schedule, open_engine
from crawler.testbed.sample_portal import SamplePortal
from storage.models import Schedule
from storage.schedules import get_schedule
from tests.crawl_helpers import GOVREPORTS, runs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal(seed=0, slow_seconds=0.5) as running:
        yield running


class Setup:
    """A database with one schedule of the sample portal, and how to run runners on it."""

    def __init__(self, root: Path, portal: SamplePortal, *, max_pages: int, created_ago: timedelta,
                 parse: bool = True, cron: str = "*/5 * * * *") -> None:
        self.root = root
        self.db_url = f"sqlite:///{root / 'g.db'}"
        self.archive = root / "archive"
        seeds = root / "seeds.txt"
        seeds.write_text("\n".join(portal.seed_urls) + "\n", encoding="utf-8")
        self.engine: Engine = open_engine(self.db_url)
        self.id = add_schedule(
            self.engine, "portal", seeds_file=seeds, cron=cron,
            options={"local": True, "max_pages": max_pages, "timeout": 10, "no_parse": not parse,
                     "ca_file": str(portal.certificate_path), "resolve": portal.resolve},
            now=datetime.now(UTC) - created_ago,
        ).id

    def runner(self, *extra: str, log: str) -> subprocess.Popen[str]:
        command = [*GOVREPORTS, "schedule", "run", "--db", self.db_url, "--archive", str(self.archive),
                   *extra]
        stderr = (self.root / log).open("w")
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, text=True,
                                env=dict(os.environ, PYTHONUNBUFFERED="1"))

    def log(self, name: str) -> str:
        return (self.root / name).read_text()

    def schedule(self) -> Schedule:
        row = get_schedule(self.engine, self.id)
        assert row is not None
        return row

    def captures(self) -> int:
        with sqlite3.connect(self.root / "g.db", timeout=5) as connection:
            return int(connection.execute("select count(*) from captures").fetchone()[0])


def started_pid(text: str) -> int | None:
    found = re.search(r"event=started .*?pid=(\d+)", text)
    return int(found.group(1)) if found else None


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


def test_two_runners_start_one_crawl_and_missed_times_run_once(tmp_path: Path, portal: SamplePortal) -> None:
    # Created three hours ago with an hourly cron half an hour away from now: three missed
    # times, due once, and no new cron time while the test runs (however slow the machine).
    minute = (datetime.now(UTC).minute + 30) % 60
    setup = Setup(tmp_path, portal, max_pages=40, created_ago=timedelta(hours=3),
                  cron=f"{minute} * * * *")
    first = setup.runner("--once", "--poll", "1", log="a.log")
    second = setup.runner("--once", "--poll", "1", log="b.log")
    assert first.wait(timeout=120) == 0, setup.log("a.log")
    assert second.wait(timeout=120) == 0, setup.log("b.log")
    logs = setup.log("a.log") + setup.log("b.log")
    assert logs.count("event=started ") == 1, logs
    # --max-pages ends the crawl with pages left: "stopped", not "completed" (not drained)
    assert logs.count("event=finished ") == 1 and "status=stopped" in logs, logs

    [run] = runs(setup.db_url)
    assert run.schedule_id == setup.id and run.status == "stopped"
    assert setup.captures() >= 10  # it really crawled the portal
    row = setup.schedule()
    assert (row.last_status, row.last_run_id, row.lease_owner, row.lease_until) == ("stopped", run.id, None, None)
    assert row.last_started_at is not None and row.last_finished_at is not None
    assert row.last_started_at <= run.started_at <= row.last_finished_at

    # The missed times were caught up by that one start: a new runner finds nothing due.
    again = setup.runner("--once", "--poll", "1", log="c.log")
    assert again.wait(timeout=60) == 0, setup.log("c.log")
    assert "event=started" not in setup.log("c.log")
    assert len(runs(setup.db_url)) == 1


def test_held_lease_blocks_another_runner_and_sigterm_pauses(tmp_path: Path, portal: SamplePortal) -> None:
    setup = Setup(tmp_path, portal, max_pages=400, created_ago=timedelta(hours=1), parse=False)
    runner = setup.runner("--poll", "1", "--lease", "10", log="run.log")
    wait_for(lambda: started_pid(setup.log("run.log")) is not None, 60, "the crawl to start")
    wait_for(lambda: setup.captures() >= 10, 60, "the crawl to fetch pages")
    owner = setup.schedule().lease_owner
    assert owner is not None and owner.endswith(f":{runner.pid}")

    # The crawl runs past its next cron time: another runner finds it due, but the lease holds.
    with setup.engine.begin() as connection:
        connection.execute(update(Schedule).where(Schedule.id == setup.id)
                           .values(last_started_at=datetime.now(UTC) - timedelta(hours=1)))
    other = setup.runner("--once", "--poll", "1", log="other.log")
    assert other.wait(timeout=60) == 0, setup.log("other.log")
    assert f"event=skipped schedule=portal id={setup.id} reason=lease_held holder={owner}" in setup.log("other.log")
    assert "event=started" not in setup.log("other.log")
    assert runner.poll() is None and len(runs(setup.db_url)) == 1

    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=60) == 0, setup.log("run.log")
    crawl = started_pid(setup.log("run.log"))
    assert crawl is not None and gone(crawl)
    [run] = runs(setup.db_url)
    assert run.status == "interrupted"
    row = setup.schedule()
    assert (row.last_status, row.last_run_id, row.lease_owner) == ("interrupted", run.id, None)
    assert "event=stopping" in setup.log("run.log")


def test_killed_runner_lease_expires_and_restart_resumes(tmp_path: Path, portal: SamplePortal) -> None:
    setup = Setup(tmp_path, portal, max_pages=60, created_ago=timedelta(hours=1),
                  parse=False)
    runner = setup.runner("--poll", "1", "--lease", "2", log="run.log")
    wait_for(lambda: started_pid(setup.log("run.log")) is not None, 60, "the crawl to start")
    crawl = started_pid(setup.log("run.log"))
    assert crawl is not None
    wait_for(lambda: setup.captures() >= 10, 60, "the crawl to fetch pages")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)

    # The orphaned crawl is told (SIGINT) and pauses; nobody released the lease.
    wait_for(lambda: gone(crawl), 60, "the orphaned crawl to stop")
    [paused] = runs(setup.db_url)
    assert paused.status == "interrupted" and paused.schedule_id == setup.id
    row = setup.schedule()
    assert row.lease_owner is not None and row.last_finished_at is None
    assert row.lease_until is not None
    wait_for(lambda: datetime.now(UTC) > row.lease_until, 10, "the lease to expire")  # type: ignore[operator]

    restarted = setup.runner("--once", "--poll", "1", log="again.log")
    assert restarted.wait(timeout=120) == 0, setup.log("again.log")
    assert f"resume_run={paused.id}" in setup.log("again.log")
    [resumed] = runs(setup.db_url)
    assert resumed.id == paused.id and resumed.status == "stopped"  # its --max-pages again
    row = setup.schedule()
    assert (row.last_status, row.last_run_id, row.lease_owner) == ("stopped", paused.id, None)

"""The frontier table and the run lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from crawler.run.opening import RunLockedError, RunOpenError, open_run, seed_key
from storage.frontier import FrontierRow, FrontierStore
from storage.models import RunLock
from storage.repository import ArchiveDB
from storage.runlock import RunLocks, holder_alive, this_holder


def _db(db_url: str) -> ArchiveDB:
    return ArchiveDB(db_url, migrate=True)


def _run(db: ArchiveDB, key: str = "k") -> int:
    return db.start_run(seeds=["http://a.gov.cn/"], settings={}, software_version="t", seed_key=key)


def _row(fingerprint: str, priority: int = 0) -> FrontierRow:
    return FrontierRow(fingerprint, priority, f"http://a.gov.cn/{fingerprint}", b"request")


def test_frontier_rows_are_unique_per_run_and_unfinished_ones_are_requeued(db_url: str) -> None:
    db = _db(db_url)
    try:
        run, other = _run(db), _run(db, "other")
        store = FrontierStore(db.session, run)
        store.write(added=[_row("a", 5), _row("b"), _row("c")], replaced=[], in_flight=["a"], done=[])
        store.write(added=[_row("a")], replaced=[], in_flight=["b"], done=["c"])  # "a" again: ignored
        FrontierStore(db.session, other).write(added=[_row("a")], replaced=[], in_flight=[], done=[])
        store.stage_answered("b")
        db.commit()
        assert store.counts() == {"in_flight": 1, "answered": 1, "done": 1}
        assert [r.fingerprint for r in store.rows()] == ["a", "b", "c"]
        assert store.unfinished() == 2
        assert store.requeue_unfinished() == 2
        assert store.counts() == {"queued": 2, "done": 1}
        store.write(added=[], replaced=[FrontierRow("a", 1, "http://a.gov.cn/moved", b"r2")],
                    in_flight=[], done=["a", "b"])
        assert store.unfinished() == 0
        assert [r.url for r in store.rows()][0] == "http://a.gov.cn/moved"
        # a replaced row not written yet (its first flush was lost) is inserted; bulk writes
        store.write(added=[_row(f"n{i}") for i in range(2500)],
                    replaced=[FrontierRow("z", 2, "http://a.gov.cn/z", b"r3", "in_flight")],
                    in_flight=[], done=[])
        assert store.counts() == {"done": 3, "queued": 2500, "in_flight": 1}
        assert FrontierStore(db.session, other).counts() == {"queued": 1}
    finally:
        db.close()


def test_a_live_lock_refuses_and_a_dead_one_is_taken_over(db_url: str) -> None:
    db = _db(db_url)
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    try:
        locks = RunLocks(db.session, stale_after=timedelta(seconds=60), now=lambda: clock[0])
        assert locks.acquire("seeds", 1, "elsewhere:1") is None
        held = locks.acquire("seeds", 2, "elsewhere:2")
        assert held is not None and held.holder == "elsewhere:1"  # another host, fresh heartbeat
        clock[0] += timedelta(seconds=30)
        assert locks.heartbeat("seeds", "elsewhere:1")
        clock[0] += timedelta(seconds=61)  # no heartbeat for 61 s: dead
        assert locks.acquire("seeds", 2, "elsewhere:2") is None
        assert not locks.heartbeat("seeds", "elsewhere:1")  # the old holder lost it
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
        host = this_holder().rsplit(":", 1)[0]
        gone = f"{host}:{dead.stdout.strip()}"
        assert holder_alive(gone) is False and holder_alive(this_holder()) is True
        locks.release("seeds", "elsewhere:2")
        assert locks.acquire("seeds", 3, gone) is None
        assert locks.acquire("seeds", 4, this_holder()) is None  # same host, process gone: at once
    finally:
        db.close()


def test_open_run_marks_a_dead_run_crashed_and_continues_it(db_url: str) -> None:
    db = _db(db_url)
    seeds = ["http://a.gov.cn/"]
    key = seed_key(seeds)
    try:
        with pytest.raises(RunOpenError, match="nothing to resume"):
            open_run(db, seeds=seeds, resume=True, wait_seconds=0, stale_after=timedelta(seconds=60),
                     start=lambda k: _run(db, k))
        first = open_run(db, seeds=seeds, resume=False, wait_seconds=0,
                         stale_after=timedelta(seconds=60), start=lambda k: _run(db, k))
        assert not first.resumed and first.seed_key == key
        with pytest.raises(RunLockedError, match="another crawl of the same seeds is running"):
            open_run(db, seeds=seeds, resume=False, wait_seconds=0.3, poll_seconds=0.1,
                     stale_after=timedelta(seconds=60), start=lambda k: _run(db, k),
                     holder="another-host:2")
        # the holder dies (its lock row names a process that is gone)
        RunLocks(db.session, stale_after=timedelta(seconds=60)).release(key, first.holder)
        locks = RunLocks(db.session, stale_after=timedelta(seconds=60))
        assert locks.acquire(key, first.run_id, "nohost-anywhere:1") is None
        db.session.execute(  # its heartbeat stopped two minutes ago
            update(RunLock).values(heartbeat_at=datetime.now(UTC) - timedelta(minutes=2)))
        db.commit()
        again = open_run(db, seeds=list(reversed(seeds)), resume=False, wait_seconds=0,
                         stale_after=timedelta(seconds=60), start=lambda k: _run(db, k))
        assert again.resumed and again.run_id == first.run_id and again.crashed == (first.run_id,)
        run = db.get_run(first.run_id)
        assert run is not None and run.status == "running"
    finally:
        db.close()


@pytest.mark.skipif(not os.path.exists("/proc"), reason="needs /proc")
def test_holder_of_another_host_is_judged_by_heartbeat_only() -> None:
    assert holder_alive("some-other-host:1") is None

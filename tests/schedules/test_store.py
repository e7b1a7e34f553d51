"""Schedules in the database and their lease, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crawler.schedules.cron import REPORT_SEASON
from crawler.schedules.store import (
    ScheduleError,
    add_schedule,
    open_engine,
    remove_schedule,
    set_enabled,
)
from storage.schedules import claim, get_schedule, heartbeat, list_schedules, release

T0 = datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_add_keeps_seeds_and_file(engine: Engine, seeds_file: Path) -> None:
    row = add_schedule(engine, "provinces", seeds_file=seeds_file, options={"local": True, "tz": "UTC"})
    assert row.seeds == ["http://www.gd.gov.cn/", "http://www.beijing.gov.cn/"]
    assert row.cron == REPORT_SEASON
    [listed] = list_schedules(engine)
    assert listed.options["seeds_file"] == str(seeds_file.resolve())
    assert listed.options["preset"] == "report-season" and listed.options["local"] is True
    assert listed.enabled and listed.last_started_at is None


def test_add_refuses_bad_input(engine: Engine, seeds_file: Path, tmp_path: Path) -> None:
    add_schedule(engine, "a", seeds_file=seeds_file)
    with pytest.raises(ScheduleError, match="'a' exists already"):
        add_schedule(engine, "a", seeds_file=seeds_file)
    with pytest.raises(ScheduleError, match="crawls the same seeds"):
        add_schedule(engine, "b", seeds_file=seeds_file)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="no seed URLs"):
        add_schedule(engine, "c", seeds_file=empty)
    ftp = tmp_path / "ftp.txt"
    ftp.write_text("ftp://files.gov.cn/\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match="not an http"):
        add_schedule(engine, "c", seeds_file=ftp)
    with pytest.raises(ScheduleError, match="cannot read seeds file"):
        add_schedule(engine, "c", seeds_file=tmp_path / "missing.txt")
    with pytest.raises(ScheduleError, match="bad schedule name"):
        add_schedule(engine, "two words", seeds_file=empty)
    with pytest.raises(ScheduleError, match="invalid cron"):
        add_schedule(engine, "c", seeds_file=seeds_file, cron="0 2 *")
    with pytest.raises(ScheduleError, match="unknown schedule option"):
        add_schedule(engine, "c", seeds_file=seeds_file, options={"max_pagez": 3})
    assert [s.name for s in list_schedules(engine)] == ["a"]


def test_remove_and_enable(engine: Engine, seeds_file: Path) -> None:
    row = add_schedule(engine, "a", seeds_file=seeds_file)
    set_enabled(engine, "a", False)
    assert get_schedule(engine, "a").enabled is False  # type: ignore[union-attr]
    assert not claim(engine, row.id, "me", lease_seconds=60, start=True)  # disabled: no start
    assert claim(engine, row.id, "me", lease_seconds=60)
    with pytest.raises(ScheduleError, match="is running"):
        remove_schedule(engine, "a")
    remove_schedule(engine, "a", force=True)
    assert list_schedules(engine) == []
    with pytest.raises(ScheduleError, match="no schedule named 'a'"):
        remove_schedule(engine, "a")
    with pytest.raises(ScheduleError, match="no schedule named 'a'"):
        set_enabled(engine, "a", True)


def test_claim_is_exclusive_until_the_lease_expires(engine: Engine, seeds_file: Path) -> None:
    sid = add_schedule(engine, "a", seeds_file=seeds_file).id
    assert claim(engine, sid, "runner-1", lease_seconds=60, now=T0)
    assert not claim(engine, sid, "runner-2", lease_seconds=60, now=T0 + timedelta(seconds=30))
    assert not heartbeat(engine, sid, "runner-2", lease_seconds=60, now=T0)
    # A heartbeat pushes the expiry: still held at T0 + 90 s.
    assert heartbeat(engine, sid, "runner-1", lease_seconds=60, now=T0 + timedelta(seconds=45))
    assert not claim(engine, sid, "runner-2", lease_seconds=60, now=T0 + timedelta(seconds=90))
    # runner-1 went silent: after its lease ends anyone may claim, and runner-1 has lost it.
    assert claim(engine, sid, "runner-2", lease_seconds=60, now=T0 + timedelta(seconds=106))
    assert get_schedule(engine, sid).lease_owner == "runner-2"  # type: ignore[union-attr]
    assert not heartbeat(engine, sid, "runner-1", lease_seconds=60)
    assert not release(engine, sid, "runner-1", status="completed", run_id=None)
    assert release(engine, sid, "runner-2")
    assert claim(engine, sid, "runner-1", lease_seconds=60)


def test_start_claim_compares_last_start(engine: Engine, seeds_file: Path) -> None:
    sid = add_schedule(engine, "a", seeds_file=seeds_file).id
    seen = get_schedule(engine, sid).last_started_at  # type: ignore[union-attr]
    assert claim(engine, sid, "r1", lease_seconds=60, now=T0, start=True, seen_started_at=seen)
    assert release(engine, sid, "r1", status="completed", run_id=None, now=T0 + timedelta(seconds=5))
    # r2 had found it due before r1 started: the lease is free again, but r1's start counts.
    assert not claim(engine, sid, "r2", lease_seconds=60, now=T0 + timedelta(seconds=6),
                     start=True, seen_started_at=seen)
    row = get_schedule(engine, sid)
    assert row is not None and row.last_started_at == T0
    assert claim(engine, sid, "r2", lease_seconds=60, now=T0 + timedelta(seconds=7),
                 start=True, seen_started_at=row.last_started_at)


def test_release_records_the_outcome(engine: Engine, seeds_file: Path) -> None:
    sid = add_schedule(engine, "a", seeds_file=seeds_file).id
    assert claim(engine, sid, "r1", lease_seconds=60, now=T0, start=True, seen_started_at=None)
    assert release(engine, sid, "r1", status="interrupted", run_id=42, now=T0 + timedelta(minutes=3))
    row = get_schedule(engine, sid)
    assert row is not None
    assert (row.lease_owner, row.lease_until, row.last_status, row.last_run_id) == (None, None, "interrupted", 42)
    assert (row.last_started_at, row.last_finished_at) == (T0, T0 + timedelta(minutes=3))
    with pytest.raises(ValueError, match="bad schedule status"):
        release(engine, sid, "r1", status="running")


def test_concurrent_claims_one_wins(db_url: str, seeds_file: Path) -> None:
    setup = open_engine(db_url)
    sid = add_schedule(setup, "a", seeds_file=seeds_file).id
    engines = [open_engine(db_url) for _ in range(6)]  # one connection pool per contender
    barrier = threading.Barrier(len(engines))
    results: dict[int, bool] = {}

    def contend(i: int) -> None:
        barrier.wait()
        results[i] = claim(engines[i], sid, f"runner-{i}", lease_seconds=60, start=True,
                           seen_started_at=None)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    [winner] = [i for i, won in results.items() if won]
    assert len(results) == len(engines)
    assert get_schedule(setup, sid).lease_owner == f"runner-{winner}"  # type: ignore[union-attr]
    for engine in [setup, *engines]:
        engine.dispose()

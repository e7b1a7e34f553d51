"""``govreports schedule run``: start due crawls, hold their leases, record how they ended.

One loop in the main thread. Every ``poll`` seconds it starts each enabled, due schedule it
can claim as a ``govreports crawl`` subprocess; every tick it heartbeats the leases of its
running crawls (every ``lease / 3`` seconds) and releases those that ended. SIGTERM or SIGINT:
no new starts, each crawl gets one SIGINT (it pauses resumably), leases are released, and
the loop exits; a second signal interrupts the crawls again (Scrapy then stops at once).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.schedules.command import crawl_command, paused_run
from crawler.schedules.due import is_due, unfinished
from crawler.schedules.events import log_event
from crawler.schedules.process import spawn
from crawler.schedules.store import runner_id
from storage.models import Schedule
from storage.schedules import (
    FINAL_STATUSES,
    claim,
    get_schedule,
    heartbeat,
    latest_run_id,
    list_schedules,
    release,
    run_status,
)

TICK_SECONDS = 0.25
#: Shortest lease: it is renewed every third of it, and the loop wakes every tick.
MIN_LEASE_SECONDS = 1.0


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Start:
    """One crawl this runner started and still holds the lease of."""

    schedule_id: int
    name: str
    process: subprocess.Popen[bytes]
    started: float
    baseline_run_id: int | None
    resumed_run_id: int | None
    log_path: Path
    #: monotonic time until which the last successful heartbeat keeps the lease.
    lease_ok_until: float
    interrupted: bool = False


class ScheduleRunner:
    """Runs the schedules in one database; any number of runners may share it."""

    def __init__(self, engine: Engine, *, db_url: str, archive_dir: Path, poll: float,
                 lease: float | None = None, owner: str | None = None) -> None:
        if poll <= 0:
            raise ValueError("the poll interval must be positive")
        self.engine = engine
        self.db_url = db_url
        self.archive_dir = archive_dir
        self.poll_seconds = poll
        self.lease_seconds = lease if lease is not None else max(2 * poll, 2.0)
        if self.lease_seconds < MIN_LEASE_SECONDS:
            raise ValueError(f"the lease must last at least {MIN_LEASE_SECONDS:g} s")
        self.owner = owner or runner_id()
        self.running: dict[int, Start] = {}
        self.failures = 0
        self._signals = 0
        self._handled_signals = 0
        self._skipped: dict[int, str | None] = {}
        self._next_heartbeat = 0.0

    # -- starting ----------------------------------------------------------------------
    def poll(self) -> None:
        """Start every due schedule this runner can claim."""
        now = _now()
        for schedule in list_schedules(self.engine):
            if schedule.id in self.running or not is_due(schedule, now):
                continue
            if claim(self.engine, schedule.id, self.owner, lease_seconds=self.lease_seconds,
                     now=now, start=True, seen_started_at=schedule.last_started_at):
                self._skipped.pop(schedule.id, None)
                self._start(schedule)
            else:
                self._log_skip(schedule)

    def _log_skip(self, schedule: Schedule) -> None:
        current = get_schedule(self.engine, schedule.id)
        holder = current.lease_owner if current else None
        if self._skipped.get(schedule.id, "") == holder:
            return  # said already for this holder
        self._skipped[schedule.id] = holder
        reason = "lease_held" if holder else "started_elsewhere"
        log_event("skipped", schedule=schedule.name, id=schedule.id, reason=reason, holder=holder)

    def _start(self, schedule: Schedule) -> None:
        resumed = paused_run(self.archive_dir, schedule.seeds) if unfinished(schedule) else None
        baseline = latest_run_id(self.engine, schedule.id)
        argv = crawl_command(schedule_id=schedule.id, seeds=schedule.seeds, options=schedule.options,
                             db_url=self.db_url, archive_dir=self.archive_dir, resume=resumed is not None)
        stamp = _now().strftime("%Y%m%dT%H%M%SZ")
        log_path = self.archive_dir / "logs" / f"schedule-{schedule.id}-{stamp}.log"
        try:
            process = spawn(argv, log_path)
        except OSError as exc:
            release(self.engine, schedule.id, self.owner, status="failed", run_id=None)
            self.failures += 1
            log_event("failed_to_start", logging.ERROR, schedule=schedule.name, id=schedule.id, error=exc)
            return
        started = time.monotonic()
        self.running[schedule.id] = Start(schedule.id, schedule.name, process, started, baseline,
                                          resumed, log_path, started + self.lease_seconds)
        log_event("started", schedule=schedule.name, id=schedule.id, pid=process.pid,
                  resume_run=resumed, seeds=len(schedule.seeds), log=log_path)

    # -- while crawls run ----------------------------------------------------------------
    def service(self) -> None:
        """Heartbeat the leases when it is time, and release the crawls that ended."""
        if self.running and time.monotonic() >= self._next_heartbeat:
            self._heartbeat_all()
        for start in list(self.running.values()):
            if start.process.poll() is not None:
                self._finish(start)

    def _heartbeat_all(self) -> None:
        self._next_heartbeat = time.monotonic() + self.lease_seconds / 3
        for start in self.running.values():
            try:
                held = heartbeat(self.engine, start.schedule_id, self.owner, lease_seconds=self.lease_seconds)
            except SQLAlchemyError as exc:
                log_event("db_error", logging.WARNING, action="heartbeat", schedule=start.name, error=exc)
                if time.monotonic() > start.lease_ok_until:
                    self._interrupt(start, "lease_expired")  # another runner may take it now
                continue
            if held:
                start.lease_ok_until = time.monotonic() + self.lease_seconds
            else:
                self._interrupt(start, "lease_lost")

    def _interrupt(self, start: Start, reason: str) -> None:
        if start.process.poll() is None:
            start.process.send_signal(signal.SIGINT)
            start.interrupted = True
            log_event("interrupting", schedule=start.name, id=start.schedule_id, pid=start.process.pid,
                      reason=reason)

    def _finish(self, start: Start) -> None:
        run_id = start.resumed_run_id
        if run_id is None:
            newest = latest_run_id(self.engine, start.schedule_id)
            if newest is not None and (start.baseline_run_id is None or newest > start.baseline_run_id):
                run_id = newest
        status = run_status(self.engine, run_id) if run_id is not None else None
        if status not in FINAL_STATUSES:
            status = "failed"  # no run recorded, or the crawl died with its run still "running"
        assert status is not None
        released = release(self.engine, start.schedule_id, self.owner, status=status, run_id=run_id)
        del self.running[start.schedule_id]
        if status == "failed":
            self.failures += 1
        log_event("finished", logging.INFO if status != "failed" else logging.WARNING,
                  schedule=start.name, id=start.schedule_id, status=status, run=run_id,
                  exit=start.process.returncode, seconds=round(time.monotonic() - start.started, 1),
                  released=released, log=start.log_path)

    # -- the loop ----------------------------------------------------------------------
    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1

    @property
    def stopping(self) -> bool:
        """Whether a stop was asked for (SIGTERM or SIGINT)."""
        return self._signals > 0

    def _handle_signals(self) -> None:
        if self._signals == self._handled_signals:
            return
        self._handled_signals = self._signals
        log_event("stopping", running=len(self.running), signals=self._signals)
        for start in self.running.values():
            self._interrupt(start, "runner_stopping")

    def _guarded(self, action: str, step: Any) -> None:
        try:
            step()
        except SQLAlchemyError as exc:  # the database may come back; keep the loop alive
            log_event("db_error", logging.WARNING, action=action, error=exc)

    def run(self, *, once: bool = False) -> int:
        """Loop until stopped (``once``: one poll, then wait for its crawls); 1 if a crawl failed."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        log_event("runner_started", owner=self.owner, poll=self.poll_seconds, lease=self.lease_seconds,
                  once=once)
        polled = False
        next_poll = time.monotonic()
        try:
            while True:
                self._handle_signals()
                if not self.stopping and not (once and polled) and time.monotonic() >= next_poll:
                    self._guarded("poll", self.poll)
                    polled = True
                    next_poll = time.monotonic() + self.poll_seconds
                self._guarded("service", self.service)
                if (self.stopping or (once and polled)) and not self.running:
                    break
                time.sleep(min(TICK_SECONDS, self.poll_seconds))
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log_event("runner_stopped", owner=self.owner, failures=self.failures)
        return 1 if once and self.failures else 0

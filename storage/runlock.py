"""One active run per seed set: a lock row with a heartbeat, taken over from a dead holder."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import CrawlRun, RunLock


def this_holder() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_alive(holder: str) -> bool | None:
    """Whether the process named by ``holder`` runs: True/False on this host, None elsewhere."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return _not_zombie(int(pid))


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


@dataclass(frozen=True)
class LockHolder:
    """Who holds a seed set's lock."""

    run_id: int
    holder: str
    heartbeat_at: datetime


class RunLocks:
    """Take, refresh and release the lock of a seed set (SQL in one place).

    A lock is dead when its holder's process is gone (same host) or its heartbeat is older
    than ``stale_after``; a dead lock is taken over.
    """

    def __init__(self, session: Session, *, stale_after: timedelta,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.session = session
        self.stale_after = stale_after
        self.now = now

    def holder(self, seed_key: str) -> LockHolder | None:
        """The current holder, dead or alive, or None."""
        lock = self.session.get(RunLock, seed_key, populate_existing=True)
        return LockHolder(lock.run_id, lock.holder, lock.heartbeat_at) if lock else None

    def is_dead(self, lock: LockHolder) -> bool:
        """True when the holder's process is gone or its heartbeat stopped."""
        alive = holder_alive(lock.holder)
        if alive is False:
            return True
        return self.now() - lock.heartbeat_at > self.stale_after

    def acquire(self, seed_key: str, run_id: int, holder: str) -> LockHolder | None:
        """Take the lock for ``run_id``; return None on success, else the live holder."""
        self.session.commit()  # see other processes' writes
        current = self.holder(seed_key)
        if current is None:
            try:
                with self.session.begin_nested():
                    self.session.add(RunLock(seed_key=seed_key, run_id=run_id, holder=holder,
                                             heartbeat_at=self.now()))
                self.session.commit()
                return None
            except IntegrityError:
                self.session.rollback()
                current = self.holder(seed_key)
                if current is None:
                    return self.acquire(seed_key, run_id, holder)
        if current.holder == holder or self.is_dead(current):
            taken = self.session.execute(  # only if nobody took it over meanwhile
                update(RunLock).where(RunLock.seed_key == seed_key, RunLock.holder == current.holder,
                                      RunLock.heartbeat_at == current.heartbeat_at)
                .values(run_id=run_id, holder=holder, heartbeat_at=self.now()))
            self.session.commit()
            if getattr(taken, "rowcount", 0):
                return None
            return self.holder(seed_key)
        return current

    def move(self, seed_key: str, holder: str, run_id: int) -> None:
        """Point a held lock at another run (after choosing which run to continue)."""
        self.session.execute(update(RunLock).where(RunLock.seed_key == seed_key, RunLock.holder == holder)
                             .values(run_id=run_id))
        self.session.commit()

    def heartbeat(self, seed_key: str, holder: str) -> bool:
        """Refresh the heartbeat; False when the lock was lost (taken over)."""
        result = self.session.execute(
            update(RunLock).where(RunLock.seed_key == seed_key, RunLock.holder == holder)
            .values(heartbeat_at=self.now()))
        self.session.commit()
        return bool(getattr(result, "rowcount", 0))

    def release(self, seed_key: str, holder: str) -> None:
        """Give the lock up (only if still held by ``holder``)."""
        self.session.execute(delete(RunLock).where(RunLock.seed_key == seed_key,
                                                   RunLock.holder == holder))
        self.session.commit()

    # -- runs of a seed set ---------------------------------------------------------------
    def mark_crashed(self, seed_key: str) -> list[int]:
        """Runs of the seed set still ``running`` although nobody holds the lock: ``crashed``."""
        ids = list(self.session.scalars(select(CrawlRun.id).where(
            CrawlRun.seed_key == seed_key, CrawlRun.status == "running")))
        if ids:
            self.session.execute(update(CrawlRun).where(CrawlRun.id.in_(ids))
                                 .values(status="crashed", finished_at=self.now()))
            self.session.commit()
        return ids

    def resumable_run(self, seed_key: str, *, stopped_too: bool = False) -> int | None:
        """The newest run of the seed set when it did not complete (interrupted or crashed;
        with ``stopped_too`` also stopped by a budget)."""
        newest = self.session.execute(
            select(CrawlRun.id, CrawlRun.status).where(CrawlRun.seed_key == seed_key)
            .order_by(CrawlRun.id.desc()).limit(1)).first()
        wanted = ("interrupted", "crashed", "stopped") if stopped_too else ("interrupted", "crashed")
        if newest is None or newest.status not in wanted:
            return None
        return int(newest.id)

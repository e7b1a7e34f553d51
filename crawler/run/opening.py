"""Opening a crawl run: one active run per seed set, crashed runs found, unfinished ones continued."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from crawler.errors import GovreportsError
from storage.repository import ArchiveDB
from storage.runlock import RunLocks, this_holder

logger = logging.getLogger(__name__)

#: A marker ``ARCHIVE/jobs/<key>/govreports-run.json`` names a run of the seeds that has not
#: completed (read by the scheduler to say it resumes); the frontier itself is in the database.
RUN_FILE = "govreports-run.json"


def job_dir(archive_dir: Path, seeds: list[str]) -> Path:
    """The folder holding the marker of a seed set's unfinished run."""
    key = hashlib.sha1("\n".join(sorted(seeds)).encode()).hexdigest()[:12]  # noqa: S324 - a name
    return archive_dir / "jobs" / key


def write_marker(archive_dir: Path, seeds: list[str], run_id: int) -> None:
    """Say that run ``run_id`` of these seeds has not completed yet."""
    folder = job_dir(archive_dir, seeds)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUN_FILE).write_text(json.dumps({"run_id": run_id, "seeds": seeds}))


def clear_marker(archive_dir: Path, seeds: list[str]) -> None:
    """The run of these seeds completed: nothing to resume."""
    (job_dir(archive_dir, seeds) / RUN_FILE).unlink(missing_ok=True)


class RunOpenError(GovreportsError):
    """The run could not be opened; the message says what to do about it."""


class RunLockedError(RunOpenError):
    """Another live crawl of the same seeds holds the lock."""


def seed_key(seeds: list[str]) -> str:
    """The name of a seed set (order and repeats do not matter)."""
    return hashlib.sha1("\n".join(sorted(set(seeds))).encode()).hexdigest()  # noqa: S324 - a name


@dataclass(frozen=True)
class OpenedRun:
    """The run a crawl works on, and whether it continues an earlier one."""

    run_id: int
    seed_key: str
    holder: str
    resumed: bool
    #: Runs found ``running`` without a live process, now marked ``crashed``.
    crashed: tuple[int, ...] = ()


def open_run(db: ArchiveDB, *, seeds: list[str], resume: bool, wait_seconds: float,
             stale_after: timedelta, start: Callable[[str], int],
             poll_seconds: float = 1.0, holder: str | None = None) -> OpenedRun:
    """Take the seed set's lock (waiting up to ``wait_seconds`` for a live holder), mark
    runs of dead processes ``crashed``, then continue the newest run when it did not complete
    (or ``resume`` insists), else ``start(seed_key)`` a new one. ``holder``: this process
    (``host:pid``) unless given."""
    key = seed_key(seeds)
    holder = holder or this_holder()
    locks = RunLocks(db.session, stale_after=stale_after)
    deadline = time.monotonic() + wait_seconds
    while True:
        current = locks.acquire(key, 0, holder)
        if current is None:
            break
        if time.monotonic() >= deadline:
            raise RunLockedError(
                f"another crawl of the same seeds is running (run {current.run_id}, process "
                f"{current.holder}, last heartbeat {current.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC). "
                "Wait for it to finish, or stop it; a dead crawl's lock is taken over after "
                f"{int(stale_after.total_seconds())} s without a heartbeat."
            )
        time.sleep(poll_seconds)
    try:
        crashed = tuple(locks.mark_crashed(key))
        for run_id in crashed:
            logger.warning("crawl run crashed (its process died); it will be continued",
                           extra={"run_id": run_id})
        resumable = locks.resumable_run(key, stopped_too=resume)
        if resume and resumable is None:
            raise RunOpenError("nothing to resume: no interrupted, crashed or stopped crawl of these seeds. "
                               "Run the same command without --resume to start a new crawl.")
        if resumable is not None:
            db.mark_run(resumable, "running")
            run_id, resumed = resumable, True
        else:
            run_id, resumed = start(key), False
        locks.move(key, holder, run_id)
    except BaseException:
        locks.release(key, holder)
        raise
    return OpenedRun(run_id=run_id, seed_key=key, holder=holder, resumed=resumed, crashed=crashed)


def run_settings(values: dict[str, Any]) -> dict[str, Any]:
    """What is recorded of a run's settings (plain values only)."""
    return {k: v for k, v in values.items() if isinstance(v, str | int | float | bool | list | dict)
            or v is None}

"""Schedules in the database: add, list, remove, and the lease that lets one runner run each.

The lease is a compare-and-set on the ``schedules`` row: a runner owns a schedule while
``lease_owner`` is its id and ``lease_until`` is in the future, and extends it with
:func:`heartbeat`. A runner that dies stops heartbeating, so its lease expires by itself.
Every function is one short transaction; the lease updates are single ``UPDATE`` statements,
atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.errors import GovreportsError
from crawler.schedules.command import check_options
from crawler.schedules.cron import preset_name, resolve_cron, zone
from storage.db import make_engine, migrate
from storage.models import RUN_STATUSES, CrawlRun, Schedule

NAME_MAX = 100
#: What a finished schedule start can end as (a run's statuses, less ``running``).
FINAL_STATUSES = tuple(s for s in RUN_STATUSES if s != "running")


class ScheduleError(GovreportsError, ValueError):
    """A schedule request that cannot be done; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def runner_id() -> str:
    """This process as a lease owner: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def open_engine(db_url: str) -> Engine:
    """Migrate the database at ``db_url`` and return an engine for it."""
    migrate(db_url)
    return make_engine(db_url)


# -- add, list, remove ---------------------------------------------------------------------
def read_seed_file(path: str | Path) -> list[str]:
    """The seed URLs in ``path`` (one a line, ``#`` comments); at least one, all http(s)."""
    from spiders.portal import read_seeds

    try:
        seeds = read_seeds(None, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"cannot read seeds file {path}: {exc}") from exc
    bad = [s for s in seeds if urlsplit(s).scheme not in ("http", "https") or not urlsplit(s).hostname]
    if bad:
        raise ScheduleError(f"not an http(s) URL in {path}: {', '.join(bad[:5])}")
    if not seeds:
        raise ScheduleError(f"no seed URLs in {path}: write one URL a line")
    return list(dict.fromkeys(seeds))


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(c.isspace() or not c.isprintable() for c in name):
        raise ScheduleError(
            f"bad schedule name {name!r}: 1 to {NAME_MAX} printable characters, no spaces"
        )
    return name


def add_schedule(engine: Engine, name: str, *, seeds_file: str | Path, cron: str | None = None,
                 options: dict[str, Any] | None = None, enabled: bool = True,
                 now: datetime | None = None) -> Schedule:
    """Create the schedule ``name`` crawling the seeds read now from ``seeds_file``.

    ``cron``: expressions or a preset (default ``report-season``); ``options``: crawl options
    (see :data:`crawler.schedules.command.CRAWL_FLAGS`) plus ``tz``. The seeds file's absolute
    path is kept in the options. Raises :class:`ScheduleError` for bad input or a taken name.
    """
    name = _check_name(name)
    try:
        expressions = resolve_cron(cron)
        opts = dict(options or {})
        zone(opts.get("tz"))
        check_options(opts)
    except ValueError as exc:
        raise ScheduleError(str(exc)) from exc
    seeds = read_seed_file(seeds_file)
    opts["seeds_file"] = str(Path(seeds_file).resolve())
    opts["preset"] = preset_name(expressions)
    with Session(engine, expire_on_commit=False) as session:
        if session.scalar(select(Schedule.id).where(Schedule.name == name)) is not None:
            raise ScheduleError(f"a schedule named {name!r} exists already (remove it first)")
        for other in session.scalars(select(Schedule)):
            if sorted(other.seeds) == sorted(seeds):
                raise ScheduleError(
                    f"schedule {other.name!r} crawls the same seeds; two schedules of one seed set "
                    "would share its resumable job folder"
                )
        row = Schedule(name=name, seeds=seeds, cron=expressions, options=opts, enabled=enabled,
                       created_at=now or _now())
        session.add(row)
        try:
            session.commit()
        except IntegrityError as exc:
            raise ScheduleError(f"a schedule named {name!r} exists already (remove it first)") from exc
        return row


def list_schedules(engine: Engine) -> list[Schedule]:
    """Every schedule, by name (detached rows)."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(Schedule).order_by(Schedule.name)))


def get_schedule(engine: Engine, name_or_id: str | int) -> Schedule | None:
    """The schedule with this name (str) or id (int), or None."""
    column = Schedule.id if isinstance(name_or_id, int) else Schedule.name
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(Schedule).where(column == name_or_id))


def lease_active(schedule: Schedule, now: datetime | None = None) -> bool:
    """Whether some runner holds the schedule's lease now."""
    return (schedule.lease_owner is not None and schedule.lease_until is not None
            and schedule.lease_until >= (now or _now()))


def remove_schedule(engine: Engine, name: str, *, force: bool = False) -> None:
    """Delete the schedule ``name`` (its past runs stay); refused while it runs unless ``force``."""
    schedule = get_schedule(engine, name)
    if schedule is None:
        raise ScheduleError(f"no schedule named {name!r}")
    if lease_active(schedule) and not force:
        raise ScheduleError(
            f"schedule {name!r} is running (held by {schedule.lease_owner}); "
            "stop its runner first, or pass --force"
        )
    with engine.begin() as connection:
        connection.execute(delete(Schedule).where(Schedule.id == schedule.id))


def set_enabled(engine: Engine, name: str, enabled: bool) -> None:
    """Enable or disable the schedule ``name`` (a disabled one is never started)."""
    with engine.begin() as connection:
        result = connection.execute(update(Schedule).where(Schedule.name == name).values(enabled=enabled))
    if result.rowcount != 1:
        raise ScheduleError(f"no schedule named {name!r}")


def latest_run_id(engine: Engine, schedule_id: int) -> int | None:
    """The id of the newest crawl run a schedule started, or None."""
    with Session(engine) as session:
        return session.scalar(select(CrawlRun.id).where(CrawlRun.schedule_id == schedule_id)
                              .order_by(CrawlRun.id.desc()).limit(1))


def run_status(engine: Engine, run_id: int) -> str | None:
    """The status of crawl run ``run_id``, or None if there is no such run."""
    with Session(engine) as session:
        return session.scalar(select(CrawlRun.status).where(CrawlRun.id == run_id))


# -- the lease -----------------------------------------------------------------------------
_UNSET: Any = object()


def claim(engine: Engine, schedule_id: int, owner: str, *, lease_seconds: float,
          now: datetime | None = None, start: bool = False,
          seen_started_at: datetime | None = _UNSET) -> bool:
    """Take the schedule's lease for ``lease_seconds`` if it is free or expired; True if taken.

    With ``start``, also record ``last_started_at = now``, and only if ``last_started_at`` is
    still ``seen_started_at`` (what the caller saw when it found the schedule due): a start
    that another runner made and finished meanwhile is not repeated.
    """
    now = now or _now()
    conditions = [Schedule.id == schedule_id,
                  or_(Schedule.lease_owner.is_(None), Schedule.lease_until.is_(None),
                      Schedule.lease_until < now)]
    values: dict[str, Any] = {"lease_owner": owner, "lease_until": now + timedelta(seconds=lease_seconds)}
    if start:
        conditions.append(Schedule.enabled.is_(True))
        if seen_started_at is not _UNSET:
            conditions.append(Schedule.last_started_at.is_(None) if seen_started_at is None
                              else Schedule.last_started_at == seen_started_at)
        values["last_started_at"] = now
    with engine.begin() as connection:
        result = connection.execute(update(Schedule).where(*conditions).values(**values))
    return result.rowcount == 1


def heartbeat(engine: Engine, schedule_id: int, owner: str, *, lease_seconds: float,
              now: datetime | None = None) -> bool:
    """Extend ``owner``'s lease to ``now + lease_seconds``; False if it no longer holds it."""
    now = now or _now()
    with engine.begin() as connection:
        result = connection.execute(
            update(Schedule).where(Schedule.id == schedule_id, Schedule.lease_owner == owner)
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        )
    return result.rowcount == 1


def release(engine: Engine, schedule_id: int, owner: str, *, status: str | None = None,
            run_id: int | None = None, now: datetime | None = None) -> bool:
    """End ``owner``'s lease, recording the start's outcome when ``status`` is given.

    ``status``: completed, interrupted or failed; ``run_id``: the crawl run it made (or
    resumed). False if ``owner`` no longer held the lease (nothing is written then).
    """
    values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
    if status is not None:
        if status not in FINAL_STATUSES:
            raise ValueError(f"bad schedule status {status!r}: one of {', '.join(FINAL_STATUSES)}")
        values |= {"last_finished_at": now or _now(), "last_status": status, "last_run_id": run_id}
    with engine.begin() as connection:
        result = connection.execute(
            update(Schedule).where(Schedule.id == schedule_id, Schedule.lease_owner == owner)
            .values(**values)
        )
    return result.rowcount == 1

"""The ``schedules`` table: rows added, read, removed, and the lease that lets one runner run each.

The lease is a compare-and-set on the ``schedules`` row: a runner owns a schedule while
``lease_owner`` is its id and ``lease_until`` is in the future, and extends it with
:func:`heartbeat`. A runner that dies stops heartbeating, so its lease expires by itself.
Every function is one short transaction; the lease updates are single ``UPDATE`` statements,
atomic on SQLite and PostgreSQL alike. What a schedule may be (names, seeds, cron, options) is
checked by :mod:`crawler.schedules.store` before a row is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import RUN_STATUSES, CrawlRun, Schedule

#: What a finished schedule start can end as (a run's statuses, less ``running``).
FINAL_STATUSES = tuple(s for s in RUN_STATUSES if s != "running")


def _now() -> datetime:
    return datetime.now(UTC)


# -- rows ----------------------------------------------------------------------------------
def name_taken(engine: Engine, name: str) -> bool:
    """Whether a schedule is named ``name``."""
    with Session(engine) as session:
        return session.scalar(select(Schedule.id).where(Schedule.name == name)) is not None


def schedule_with_seeds(engine: Engine, seeds: Sequence[str]) -> str | None:
    """The name of a schedule crawling the same seed set (in any order), or None."""
    with Session(engine) as session:
        for other in session.scalars(select(Schedule)):
            if sorted(other.seeds) == sorted(seeds):
                return other.name
    return None


def insert_schedule(engine: Engine, *, name: str, seeds: list[str], cron: str,
                    options: dict[str, Any], enabled: bool, created_at: datetime) -> Schedule | None:
    """Add a schedule row and return it (detached); None when the name was taken meanwhile."""
    with Session(engine, expire_on_commit=False) as session:
        row = Schedule(name=name, seeds=seeds, cron=cron, options=options, enabled=enabled,
                       created_at=created_at)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            return None
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


def delete_schedule(engine: Engine, schedule_id: int) -> None:
    """Delete a schedule row (its past runs stay)."""
    with engine.begin() as connection:
        connection.execute(delete(Schedule).where(Schedule.id == schedule_id))


def update_enabled(engine: Engine, name: str, enabled: bool) -> bool:
    """Enable or disable the schedule ``name``; False when there is none."""
    with engine.begin() as connection:
        result = connection.execute(update(Schedule).where(Schedule.name == name).values(enabled=enabled))
    return result.rowcount == 1


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


def lease_active(schedule: Schedule, now: datetime | None = None) -> bool:
    """Whether some runner holds the schedule's lease now."""
    return (schedule.lease_owner is not None and schedule.lease_until is not None
            and schedule.lease_until >= (now or _now()))


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

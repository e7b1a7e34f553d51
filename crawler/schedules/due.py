"""When a schedule is due next.

A schedule is due at the first cron time after its last start (or after its creation when it
never ran). A start whose crawl did not end (the runner was killed, or stopped and the crawl
paused) is owed at once, to resume it. Missed times are not queued: however many slots
passed while nothing ran, the schedule is due once, and its next due time is computed from
that start.
"""

from __future__ import annotations

from datetime import datetime

from crawler.schedules.cron import next_due
from storage.models import Schedule
from storage.schedules import lease_active


def unfinished(schedule: Schedule) -> bool:
    """Whether the last start did not finish: killed (never released) or paused (interrupted)."""
    if schedule.last_started_at is None:
        return False
    if schedule.last_status == "interrupted":
        return True
    return schedule.last_finished_at is None or schedule.last_finished_at < schedule.last_started_at


def due_at(schedule: Schedule, now: datetime) -> datetime | None:
    """When the schedule is next due (may be in the past: due now); None if disabled.

    While a runner holds the lease, only the cron times count (the start is in progress).
    """
    if not schedule.enabled:
        return None
    if unfinished(schedule) and not lease_active(schedule, now):
        assert schedule.last_started_at is not None
        return schedule.last_started_at
    base = schedule.last_started_at or schedule.created_at
    return next_due(schedule.cron, base, schedule.options.get("tz"))


def is_due(schedule: Schedule, now: datetime) -> bool:
    """Whether the schedule should start now (lease permitting)."""
    when = due_at(schedule, now)
    return when is not None and when <= now

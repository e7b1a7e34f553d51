"""Scheduled crawls: schedules kept in the database, and the runner that starts them when due.

``cron``: expressions, the ``report-season`` preset, next due times. ``store``: add, list,
remove, and the lease (claim, heartbeat, release). ``due``: when a schedule is due.
``command``: the crawl command a schedule runs. ``process``: starting it. ``runner``: the
``govreports schedule run`` loop. ``cli``: the ``govreports schedule`` commands.
See docs/schedules.md.
"""

from __future__ import annotations

from crawler.schedules.cron import REPORT_SEASON, CronError, next_due, resolve_cron
from crawler.schedules.due import due_at, is_due
from crawler.schedules.store import (
    ScheduleError,
    add_schedule,
    claim,
    heartbeat,
    list_schedules,
    open_engine,
    release,
    remove_schedule,
)

__all__ = [
    "REPORT_SEASON",
    "CronError",
    "ScheduleError",
    "add_schedule",
    "claim",
    "due_at",
    "heartbeat",
    "is_due",
    "list_schedules",
    "next_due",
    "open_engine",
    "release",
    "remove_schedule",
    "resolve_cron",
]

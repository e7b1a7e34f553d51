"""Scheduled crawls: schedules kept in the database, and the runner that starts them when due.

See docs/schedules.md.

Modules:

* ``command``: The ``govreports crawl`` command line a schedule runs, and whether it resumes a
  paused crawl.
* ``cron``: Cron expressions for schedules: presets, validation, and the next due time.
* ``due``: When a schedule is due next.
* ``events``: Structured log lines of the schedule runner: ``event=NAME key=value ...``.
* ``process``: Start a crawl subprocess that cannot outlive its runner unnoticed.
* ``runner``: ``govreports schedule run``: start due crawls, hold their leases, record how they
  ended.
* ``store``: Schedules added, enabled and removed by their rules: names, seed files, cron, crawl
  options (the rows and the lease are in ``storage.schedules``).
"""

from __future__ import annotations

from crawler.schedules.cron import REPORT_SEASON, CronError, next_due, resolve_cron
from crawler.schedules.due import due_at, is_due
from crawler.schedules.store import ScheduleError, add_schedule, open_engine, remove_schedule
from storage.schedules import claim, heartbeat, list_schedules, release

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

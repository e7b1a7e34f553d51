"""Schedules added, enabled and removed by their rules: names, seed files, cron, crawl options.

The rows and the lease that lets one runner run each schedule are in :mod:`storage.schedules`;
this module checks a request and says why one cannot be done (:class:`ScheduleError`).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from crawler.errors import GovreportsError
from crawler.schedules.command import check_options
from crawler.schedules.cron import preset_name, resolve_cron, zone
from storage.db import make_engine, migrate
from storage.models import Schedule
from storage.schedules import (
    delete_schedule,
    get_schedule,
    insert_schedule,
    lease_active,
    name_taken,
    schedule_with_seeds,
    update_enabled,
)

NAME_MAX = 100


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
    taken = f"a schedule named {name!r} exists already (remove it first)"
    if name_taken(engine, name):
        raise ScheduleError(taken)
    other = schedule_with_seeds(engine, seeds)
    if other is not None:
        raise ScheduleError(
            f"schedule {other!r} crawls the same seeds; two schedules of one seed set "
            "would share its resumable job folder"
        )
    row = insert_schedule(engine, name=name, seeds=seeds, cron=expressions, options=opts,
                          enabled=enabled, created_at=now or _now())
    if row is None:  # added by another process since the check
        raise ScheduleError(taken)
    return row


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
    delete_schedule(engine, schedule.id)


def set_enabled(engine: Engine, name: str, enabled: bool) -> None:
    """Enable or disable the schedule ``name`` (a disabled one is never started)."""
    if not update_enabled(engine, name, enabled):
        raise ScheduleError(f"no schedule named {name!r}")

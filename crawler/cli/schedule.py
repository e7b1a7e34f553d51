"""``govreports schedule``: add, list, remove, enable, disable and run recurring crawls."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine

from crawler.cli.common import DB_HELP
from crawler.config import archive_target, default_db_url
from crawler.errors import ArchiveUnavailable, ConfigError
from crawler.schedules.command import META_OPTIONS
from crawler.schedules.cron import DEFAULT_PRESET, DEFAULT_TZ, PRESETS
from crawler.schedules.due import due_at
from crawler.schedules.store import add_schedule, open_engine, remove_schedule, set_enabled
from storage.models import Schedule
from storage.schedules import lease_active, list_schedules

CRON_HELP = (f"Cron expression(s), five fields, several separated by ';', or a preset "
             f"({', '.join(PRESETS)}; default {DEFAULT_PRESET}: daily at 02:00 from 1 January "
             "to 31 March, Mondays at 02:00 otherwise).")


def _engine(db_url: str | None) -> Engine:
    url = db_url or default_db_url()
    try:
        return open_engine(url)
    except Exception as exc:  # noqa: BLE001 - any driver error means the same to the user
        raise ArchiveUnavailable(f"cannot open the database {url!r}: {exc}") from exc


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


@click.group("schedule")
def schedule_group() -> None:
    """Recurring crawls kept in the database, started by `govreports schedule run`."""


@schedule_group.command("add")
@click.argument("name")
@click.option("--seeds", "seeds_file", required=True, type=click.Path(dir_okay=False),
              help="File of seed URLs, one a line (# comments); read now, its path kept.")
@click.option("--cron", default=None, help=CRON_HELP)
@click.option("--tz", default=None,
              help=f"Time zone the cron times are read in (IANA name, e.g. Asia/Shanghai; default {DEFAULT_TZ}).")
@click.option("--local", is_flag=True, help="Crawl without politeness delays (servers on this machine).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop each crawl after this many responses.")
@click.option("--max-pages-per-host", type=click.IntRange(min=1), default=None, help="Page budget per host.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, help="Download timeout (s).")
@click.option("--insecure-host", "insecure_hosts", multiple=True, help="Do not verify TLS of this host. Repeatable.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), default=None, help="Extra PEM certificates to trust.")
@click.option("--no-parse", is_flag=True, help="Archive only; do not parse reports.")
@click.option("--disabled", is_flag=True, help="Add it disabled (enable with `schedule enable`).")
@click.option("--db", "db_url", default=None, help=DB_HELP)
def add_command(name: str, seeds_file: str, cron: str | None, tz: str | None, local: bool,
                max_pages: int | None, max_pages_per_host: int | None, timeout: float | None,
                insecure_hosts: tuple[str, ...], ca_file: str | None, no_parse: bool, disabled: bool,
                db_url: str | None) -> None:
    """Add the schedule NAME crawling the seeds in --seeds FILE."""
    options: dict[str, Any] = {
        "tz": tz or DEFAULT_TZ, "local": local, "no_parse": no_parse, "max_pages": max_pages,
        "max_pages_per_host": max_pages_per_host, "timeout": timeout,
        "insecure_hosts": list(insecure_hosts), "ca_file": str(Path(ca_file).resolve()) if ca_file else None,
    }
    engine = _engine(db_url)
    try:
        row = add_schedule(engine, name, seeds_file=seeds_file, cron=cron,
                           options={k: v for k, v in options.items() if v not in (None, False, [])},
                           enabled=not disabled)
    finally:
        engine.dispose()
    when = due_at(row, datetime.now(UTC))
    click.echo(f"added schedule {row.name!r} (id {row.id}): {len(row.seeds)} seed(s), cron {row.cron} "
               f"({row.options['tz']}), next due {_when(when)}")


def _describe(row: Schedule, now: datetime) -> dict[str, Any]:
    running = lease_active(row, now)
    return {
        "id": row.id, "name": row.name, "enabled": row.enabled, "cron": row.cron,
        "preset": row.options.get("preset"), "tz": row.options.get("tz", DEFAULT_TZ),
        "seeds": row.seeds, "seeds_file": row.options.get("seeds_file"),
        "options": {k: v for k, v in row.options.items() if k not in META_OPTIONS},
        "next_due": _iso(due_at(row, now)), "last_started_at": _iso(row.last_started_at),
        "last_finished_at": _iso(row.last_finished_at), "last_status": row.last_status,
        "last_run_id": row.last_run_id, "running_by": row.lease_owner if running else None,
        "lease_until": _iso(row.lease_until) if running else None,
    }


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


@schedule_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per schedule, a line each.")
@click.option("--db", "db_url", default=None, help=DB_HELP)
def list_command(as_json: bool, db_url: str | None) -> None:
    """The schedules: cron, seeds, next due time, last run and status, who runs it now."""
    engine = _engine(db_url)
    rows = list_schedules(engine)
    engine.dispose()
    now = datetime.now(UTC)
    for row in rows:
        info = _describe(row, now)
        if as_json:
            click.echo(json.dumps(info, ensure_ascii=False))
            continue
        cron = f"{row.cron} ({info['preset'] + ', ' if info['preset'] else ''}{info['tz']})"
        last = (f"run {row.last_run_id or '—'} {row.last_status or '?'}, started {_when(row.last_started_at)}, "
                f"finished {_when(row.last_finished_at)}") if row.last_started_at else "never"
        when = due_at(row, now)
        due = "— (disabled)" if when is None else _when(when) + (" (due now)" if when <= now else "")
        running = f"{info['running_by']} (lease until {_when(row.lease_until)})" if info["running_by"] else "no"
        click.echo(f"{row.name}  [id {row.id}, {'enabled' if row.enabled else 'disabled'}]\n"
                   f"  cron:     {cron}\n"
                   f"  seeds:    {len(row.seeds)} from {info['seeds_file'] or '—'}\n"
                   f"  options:  {' '.join(f'{k}={v}' for k, v in info['options'].items()) or '—'}\n"
                   f"  next due: {due}\n"
                   f"  last run: {last}\n"
                   f"  running:  {running}")
    click.echo(f"{len(rows)} schedule(s)", err=True)


@schedule_group.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove it even while a runner holds it.")
@click.option("--db", "db_url", default=None, help=DB_HELP)
def remove_command(name: str, force: bool, db_url: str | None) -> None:
    """Remove the schedule NAME (its past crawl runs stay in the archive)."""
    _change(db_url, lambda engine: remove_schedule(engine, name, force=force), f"removed schedule {name!r}")


@schedule_group.command("enable")
@click.argument("name")
@click.option("--db", "db_url", default=None, help=DB_HELP)
def enable_command(name: str, db_url: str | None) -> None:
    """Enable the schedule NAME."""
    _change(db_url, lambda engine: set_enabled(engine, name, True), f"enabled schedule {name!r}")


@schedule_group.command("disable")
@click.argument("name")
@click.option("--db", "db_url", default=None, help=DB_HELP)
def disable_command(name: str, db_url: str | None) -> None:
    """Disable the schedule NAME (a crawl already running goes on)."""
    _change(db_url, lambda engine: set_enabled(engine, name, False), f"disabled schedule {name!r}")


def _change(db_url: str | None, change: Callable[[Engine], None], message: str) -> None:
    engine = _engine(db_url)
    try:
        change(engine)
    finally:
        engine.dispose()
    click.echo(message)


@schedule_group.command("run")
@click.option("--poll", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds between looks for due schedules.")
@click.option("--lease", type=click.FloatRange(min=1), default=None,
              help="Seconds a claim holds without a heartbeat (default: 2 x --poll, at least 2).")
@click.option("--once", is_flag=True, help="Look once, wait for the crawls started, exit (1 if one failed).")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--archive", "archive_dir", type=click.Path(file_okay=False), default=None,
              help="Archive folder the crawls write to (default: $GOVREPORTS_ARCHIVE or ./govreports-data/archive).")
def run_command(poll: float, lease: float | None, once: bool, db_url: str | None,
                archive_dir: str | None) -> None:
    """Start due crawls, one at a time per schedule, until SIGTERM/SIGINT (or once)."""
    from crawler.schedules.events import configure_logging
    from crawler.schedules.runner import ScheduleRunner

    configure_logging()
    url = db_url or default_db_url()
    target = archive_target(archive_dir)
    if target.store_url:
        raise ConfigError(f"schedule run writes to an archive folder, not {target.store_url}; "
                          "run `govreports crawl --archive s3://…` from cron or a timer instead")
    archive = target.local_dir.resolve()
    engine = _engine(url)
    runner = ScheduleRunner(engine, db_url=url, archive_dir=archive, poll=poll, lease=lease)
    try:
        code = runner.run(once=once)
    finally:
        engine.dispose()
    sys.exit(code)

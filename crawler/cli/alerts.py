"""``govreports alerts``: list change alerts with their delivery states; ``deliver`` sends them."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import click

from crawler.cli.common import DB_HELP, open_archive_db
from crawler.logs import stderr_handler
from storage.models import ALERT_TYPES

CONFIG_HELP = ("Settings file (default: $GOVREPORTS_CONFIG, else ./govreports.toml if it exists); "
               "GOVREPORTS_* environment variables override it.")


class SinceType(click.ParamType):
    """A date (midnight UTC) or an ISO datetime (UTC unless it carries an offset)."""

    name = "DATE|DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date or datetime; use e.g. 2026-01-31 or "
                      "2026-01-31T08:00 (UTC) or 2026-01-31T16:00+08:00", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _list_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--since", type=SinceType(), default=None,
                     help="Only events at or after this date/time (UTC unless an offset is given)."),
        click.option("--type", "type_", type=click.Choice(ALERT_TYPES), default=None,
                     help="Only events of this type."),
        click.option("--json", "as_json", is_flag=True, help="One JSON object per line, all fields."),
        click.option("--db", "db_url", default=None, help=DB_HELP),
    ]):
        command = option(command)
    return command


@click.group("alerts", invoke_without_command=True)
@_list_options
@click.pass_context
def alerts_group(ctx: click.Context, since: datetime | None, type_: str | None, as_json: bool,
                 db_url: str | None) -> None:
    """Change alerts (new, changed, removed, overdue reports): list them, newest first.

    Without a subcommand this lists events (like `alerts list`).
    """
    if ctx.invoked_subcommand is None:
        _list(since, type_, as_json, db_url)


@alerts_group.command("list")
@_list_options
def list_command(since: datetime | None, type_: str | None, as_json: bool, db_url: str | None) -> None:
    """List alert events newest first, with what changed and the delivery state per channel."""
    _list(since, type_, as_json, db_url)


@alerts_group.command("deliver")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--config", "config_file", default=None, help=CONFIG_HELP)
@click.option("--lock-timeout", type=float, default=60.0, show_default=True,
              help="Seconds to wait for a delivery pass already running on this database.")
@click.option("--now", "now", type=SinceType(), default=None,
              help="Act as if it were this date/time (UTC unless an offset is given): due times, "
                   "digest periods, delivered-at. For tests and replays; default: the clock.")
@click.option("-v", "--verbose", is_flag=True, help="Also print the structured log lines (key=value).")
def deliver_command(db_url: str | None, config_file: str | None, lock_timeout: float,
                    now: datetime | None, verbose: bool) -> None:
    """Run one delivery pass: send every due alert, retry failed ones whose time has come.

    Daily and weekly channels send their digest on the first pass of a new day or week: run
    this from cron (e.g. every 15 minutes) so digests go out even when no crawl runs.
    """
    from crawler.alerts.config import load_settings
    from crawler.alerts.delivery import deliver_pending
    from crawler.alerts.listing import short_time

    settings = load_settings(config_file)
    if not settings.channels() and settings.atom_path is None:
        click.echo("no alert channels configured: set GOVREPORTS_WEBHOOK_URL, or GOVREPORTS_SMTP_HOST "
                   "with GOVREPORTS_SMTP_FROM and GOVREPORTS_SMTP_TO, or GOVREPORTS_ATOM_PATH "
                   "(or a settings file; see docs/alerts.md)", err=True)
    _configure_logging(verbose)
    db = open_archive_db(db_url)
    try:
        summary = deliver_pending(db.engine, settings, lock_timeout=lock_timeout, now=now)
    finally:
        db.close()
    if summary.busy:
        click.echo(f"another delivery pass is running on this database (waited {lock_timeout:g} s); "
                   "it delivers the due alerts. Run this again later.", err=True)
        return
    clock = now or datetime.now(UTC)
    for channel, count in sorted(summary.queued.items()):
        click.echo(f"queued     {channel:<7} {count} alert(s) recorded without this channel "
                   f"({'its backlog included' if settings.backlog(channel) else 'since it was added'})")
    printed: set[str] = set()
    for o in summary.outcomes:
        name = f"{o.type} {o.agency} {o.year}"
        if o.digest is not None:
            if o.digest not in printed:
                printed.add(o.digest)
                _echo_digest(o, [x for x in summary.outcomes if x.digest == o.digest],
                             settings.digest(o.channel), clock)
            continue
        if o.delivered:
            click.echo(f"delivered  {o.channel:<7} {name}" + (f" ({o.error})" if o.error else ""))
        else:
            when = short_time(o.next_attempt_at, clock) if o.next_attempt_at else "?"
            click.echo(f"FAILED     {o.channel:<7} {name}: {o.error} "
                       f"(attempt {o.attempts}; next try {when})")
    for channel, since in sorted(summary.waiting.items()):
        click.echo(f"waiting    {channel:<7} {settings.digest(channel)} digest: the period that began "
                   f"{since:%Y-%m-%d %H:%M}Z is not over")
    feed = ""
    if summary.atom_path is not None and summary.atom_error is None:
        feed = (f"; Atom feed {summary.atom_path} ({summary.atom_entries} entries"
                f"{'' if summary.atom_written else ', unchanged'})")
    click.echo(f"{summary.delivered} delivered, {summary.failed} failed{feed}")
    for channel, count in sorted(summary.deferred.items()):
        click.echo(f"{count} more alert(s) on the {channel} channel were left for the next pass "
                   f"after {channel} failed several times in a row", err=True)
    for channel, count in sorted(summary.unconfigured.items()):
        click.echo(f"{count} alert(s) wait for the {channel} channel, which is not configured; "
                   "they stay queued until it is (see docs/alerts.md)", err=True)
    if summary.atom_error:
        click.echo(f"error: {summary.atom_error}; check GOVREPORTS_ATOM_PATH", err=True)
    if summary.failed:
        click.echo(f"error: {summary.failed} deliver{'y' if summary.failed == 1 else 'ies'} failed. "
                   "They stay queued and are retried by the next `govreports alerts deliver` after "
                   "their next-try time; fix the cause shown above (receiver down, wrong URL or SMTP "
                   "settings), and see `govreports alerts` for the state of each.", err=True)
    if not summary.ok:
        sys.exit(1)


@alerts_group.command("channels")
@click.option("--db", "db_url", default=None, help=DB_HELP)
@click.option("--config", "config_file", default=None, help=CONFIG_HELP)
def channels_command(db_url: str | None, config_file: str | None) -> None:
    """Each delivery channel: how it sends (digest, backlog), when it was added, what waits."""
    from crawler.alerts.config import load_settings
    from crawler.alerts.digest import next_period
    from storage.outbox import channel_rows

    settings = load_settings(config_file)
    db = open_archive_db(db_url)
    try:
        known = {row.name: (row, waiting) for row, waiting in channel_rows(db.session)}
    finally:
        db.close()
    names = list(dict.fromkeys([*settings.channels(), *known]))
    if not names:
        click.echo("no alert channels configured or known (see docs/alerts.md)", err=True)
    for name in names:
        configured = name in settings.channels()
        period = settings.digest(name)
        how = (f"{period:<9} backlog {'yes' if settings.backlog(name) else 'no '}" if configured
               else "not configured     ")
        if name not in known:
            click.echo(f"{name:<8} {how}  added by the next delivery pass")
            continue
        row, waiting = known[name]
        line = f"{name:<8} {how}  added {row.added_at:%Y-%m-%d %H:%M}Z  {waiting} waiting"
        if configured and period != "immediate":
            anchor = row.last_digest_at or row.added_at
            last = f"{row.last_digest_at:%Y-%m-%d %H:%M}Z" if row.last_digest_at else "none yet"
            line += (f"  last digest {last}; next from "
                     f"{next_period(period, anchor, settings.digest_timezone):%Y-%m-%d %H:%M}Z")
        click.echo(line)


def _echo_digest(first: Any, parts: list[Any], period: str, clock: datetime) -> None:
    """One line for a digest message: delivered or failed, with how many alerts it listed."""
    from crawler.alerts.listing import short_time

    if first.delivered:
        click.echo(f"delivered  {first.channel:<7} {period} digest of {len(parts)} alert(s)"
                   + (f" ({first.error})" if first.error else ""))
    else:
        when = short_time(first.next_attempt_at, clock) if first.next_attempt_at else "?"
        click.echo(f"FAILED     {first.channel:<7} {period} digest of {len(parts)} alert(s): {first.error} "
                   f"(attempt {first.attempts}; next try {when})")


def _list(since: datetime | None, type_: str | None, as_json: bool, db_url: str | None) -> None:
    from crawler.alerts.listing import delivery_state, list_events
    from crawler.alerts.render import short_change

    db = open_archive_db(db_url)
    try:
        views = list_events(db.session, since=since, type_=type_)
        now = datetime.now(UTC)
        for view in views:
            if as_json:
                click.echo(json.dumps(view.to_json(), ensure_ascii=False, sort_keys=True))
                continue
            e = view.event
            change = short_change(e)
            click.echo(f"{e.created_at:%Y-%m-%d %H:%M}Z  {e.type:<14} {' '.join(e.agency.split())} {e.year}"
                       + (f"  {change}" if change else ""))
            states = "; ".join(delivery_state(d, now) for d in view.deliveries)
            quiet = "baseline crawl: not announced" if e.baseline else "no delivery channels"
            click.echo(f"    {states or quiet}")
        if not views and not as_json:
            click.echo("no alerts" + (" matching the filters" if since or type_ else ""), err=True)
    finally:
        db.close()


def _configure_logging(verbose: bool) -> None:
    """The CLI prints outcomes itself; its log lines go to stderr only with --verbose."""
    target = logging.getLogger("crawler.alerts")
    handler: logging.Handler = logging.NullHandler()
    if verbose:
        handler = stderr_handler()
        target.setLevel(logging.INFO)
    target.addHandler(handler)

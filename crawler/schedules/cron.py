"""Cron expressions for schedules: presets, validation, and the next due time.

A schedule's ``cron`` holds one or more five-field cron expressions separated by ``;``; it is
due when any of them is. Expressions are read in the schedule's time zone (``UTC`` unless
``--tz`` names another, e.g. ``Asia/Shanghai``); due times are returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from crawler.errors import ConfigError

#: Report season: every day at 02:00 from 1 January to 31 March (agencies publish by the
#: 31 January / 31 March deadlines), every Monday at 02:00 the rest of the year.
REPORT_SEASON = "0 2 * 1-3 *;0 2 * 4-12 1"
PRESETS: dict[str, str] = {"report-season": REPORT_SEASON}
DEFAULT_PRESET = "report-season"
DEFAULT_TZ = "UTC"
FIELDS = "minute hour day-of-month month day-of-week"


class CronError(ConfigError, ValueError):
    """A cron expression, preset or time zone that cannot be used; the message says why."""


def resolve_cron(text: str | None) -> str:
    """The validated expression(s) for ``text``: a preset name, or ``;``-separated expressions."""
    if text is None or not text.strip():
        text = DEFAULT_PRESET
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    parts = [" ".join(part.split()) for part in text.split(";")]
    if any(not part for part in parts):
        raise CronError(f"empty cron expression in {text!r} (separate expressions with ';')")
    for part in parts:
        _check_expression(part)
    return ";".join(parts)


def _check_expression(expression: str) -> None:
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(
            f"invalid cron expression {expression!r}: it has {len(fields)} field(s), "
            f"expected 5 ({FIELDS}); presets: {', '.join(PRESETS)}"
        )
    try:
        croniter(expression)
    except (CroniterError, ValueError, KeyError) as exc:
        raise CronError(f"invalid cron expression {expression!r}: {exc}") from exc


def zone(name: str | None) -> ZoneInfo:
    """The time zone called ``name`` (IANA name, e.g. ``Asia/Shanghai``); UTC when None."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CronError(f"unknown time zone {name!r}: use an IANA name such as UTC or Asia/Shanghai") from exc


def next_due(cron: str, after: datetime, tz: str | None = None) -> datetime:
    """The first time strictly after ``after`` at which any expression in ``cron`` fires (UTC)."""
    local = (after if after.tzinfo else after.replace(tzinfo=UTC)).astimezone(zone(tz))
    times = [croniter(part, local).get_next(datetime) for part in resolve_cron(cron).split(";")]
    return min(times).astimezone(UTC)


def preset_name(cron: str) -> str | None:
    """The preset whose expressions are ``cron``, if any."""
    return next((name for name, value in PRESETS.items() if value == cron), None)

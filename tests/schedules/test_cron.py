"""Cron expressions, the report-season preset and time zones, on real calendar dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.schedules.cron import REPORT_SEASON, CronError, next_due, resolve_cron, zone


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_report_season_is_the_default() -> None:
    assert resolve_cron(None) == resolve_cron("") == resolve_cron("report-season") == REPORT_SEASON


@pytest.mark.parametrize(("after", "expected"), [
    (utc(2025, 1, 15, 10), utc(2025, 1, 16, 2)),   # season: the next day
    (utc(2025, 1, 15, 1), utc(2025, 1, 15, 2)),    # season: later the same day
    (utc(2024, 2, 28, 3), utc(2024, 2, 29, 2)),    # leap day is a day too
    (utc(2025, 3, 30, 3), utc(2025, 3, 31, 2)),    # last day of the season
    (utc(2025, 3, 31, 3), utc(2025, 4, 7, 2)),     # then the first Monday of April
    (utc(2025, 5, 5, 10), utc(2025, 5, 12, 2)),    # Monday 5 May after 02:00: next Monday
    (utc(2025, 5, 6, 10), utc(2025, 5, 12, 2)),    # a Tuesday: the coming Monday
    (utc(2025, 12, 30, 3), utc(2026, 1, 1, 2)),    # 1 January comes before Monday 5 January
])
def test_report_season_dates(after: datetime, expected: datetime) -> None:
    due = next_due(REPORT_SEASON, after)
    assert due == expected
    if due.month > 3:
        assert due.weekday() == 0  # outside the season only Mondays


def test_time_zone_reads_cron_in_local_time() -> None:
    # 02:00 in Shanghai (UTC+8) is 18:00 UTC the day before.
    assert next_due(REPORT_SEASON, utc(2025, 1, 15, 10), "Asia/Shanghai") == utc(2025, 1, 15, 18)
    assert next_due(REPORT_SEASON, utc(2025, 1, 15, 19), "Asia/Shanghai") == utc(2025, 1, 16, 18)
    # Berlin switches to summer time on 30 March 2025: 01:30 local is 00:30 UTC, then 23:30 UTC.
    assert next_due("30 1 * * *", utc(2025, 3, 29, 12), "Europe/Berlin") == utc(2025, 3, 30, 0, 30)
    assert next_due("30 1 * * *", utc(2025, 3, 30, 12), "Europe/Berlin") == utc(2025, 3, 30, 23, 30)


def test_several_expressions_take_the_earliest() -> None:
    assert next_due("0 9 * * 1;30 6 15 * *", utc(2025, 6, 10)) == utc(2025, 6, 15, 6, 30)
    assert next_due("0 9 * * 1;30 6 15 * *", utc(2025, 6, 15, 7)) == utc(2025, 6, 16, 9)


def test_naive_datetimes_are_utc() -> None:
    assert next_due("0 * * * *", datetime(2025, 6, 1, 10, 15)) == utc(2025, 6, 1, 11)


def test_expressions_are_normalised() -> None:
    assert resolve_cron("  0  2 * * 1 ;  */5 * * * * ") == "0 2 * * 1;*/5 * * * *"


@pytest.mark.parametrize(("text", "message"), [
    ("0 2 * *", "expected 5"),
    ("0 2 * * * *", "expected 5"),
    ("61 2 * * *", "61 2 * * *"),
    ("0 2 * 13 *", "0 2 * 13 *"),
    ("a b c d e", "a b c d e"),
    ("0 2 * * 1;", "empty cron expression"),
    ("weekly-ish", "presets: report-season"),
])
def test_bad_expressions_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(CronError, match="cron expression") as info:
        resolve_cron(text)
    assert message in str(info.value)


def test_unknown_time_zone() -> None:
    assert str(zone("Asia/Shanghai")) == "Asia/Shanghai"
    with pytest.raises(CronError, match="unknown time zone 'Mars/Olympus'"):
        next_due(REPORT_SEASON, utc(2025, 1, 1), "Mars/Olympus")

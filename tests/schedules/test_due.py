"""When a schedule is due: cron times after the last start, missed times caught up once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.schedules.due import due_at, is_due, unfinished
from storage.models import Schedule


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def schedule(**fields: Any) -> Schedule:
    values: dict[str, Any] = {"name": "s", "seeds": ["http://a.gov.cn/"], "cron": "0 2 * * *",
                              "options": {"tz": "UTC"}, "enabled": True, "created_at": utc(2025, 1, 1)}
    return Schedule(**(values | fields))


def test_never_run_is_due_from_its_creation() -> None:
    s = schedule(created_at=utc(2025, 6, 1, 12))
    assert due_at(s, utc(2025, 6, 1, 13)) == utc(2025, 6, 2, 2)
    assert not is_due(s, utc(2025, 6, 2, 1, 59))
    assert is_due(s, utc(2025, 6, 2, 2))


def test_missed_times_are_caught_up_once() -> None:
    now = utc(2025, 6, 10, 12)  # nine 02:00 slots passed since creation with nothing running
    s = schedule(created_at=utc(2025, 6, 1, 12))
    assert is_due(s, now)
    # Started (and finished) now: the next due time is tomorrow, not the other missed slots.
    s.last_started_at, s.last_finished_at, s.last_status = now, now + timedelta(hours=1), "completed"
    assert due_at(s, now + timedelta(hours=2)) == utc(2025, 6, 11, 2)
    assert not is_due(s, now + timedelta(hours=2))


def test_failed_start_waits_for_the_next_time() -> None:
    s = schedule(last_started_at=utc(2025, 6, 10, 2), last_finished_at=utc(2025, 6, 10, 2, 5),
                 last_status="failed")
    assert not unfinished(s)
    assert due_at(s, utc(2025, 6, 10, 3)) == utc(2025, 6, 11, 2)


def test_start_that_did_not_finish_is_owed_at_once() -> None:
    started = utc(2025, 6, 10, 2)
    killed = schedule(last_started_at=started, last_finished_at=utc(2025, 6, 9, 3), last_status="completed",
                      lease_owner="host:1", lease_until=started + timedelta(minutes=2))
    assert unfinished(killed)
    assert due_at(killed, started + timedelta(minutes=5)) == started  # lease expired: resume now
    assert not is_due(killed, started + timedelta(minutes=1))  # lease still held: it is running
    paused = schedule(last_started_at=started, last_finished_at=started + timedelta(hours=1),
                      last_status="interrupted")
    assert unfinished(paused)
    assert is_due(paused, started + timedelta(hours=2))


def test_disabled_is_never_due() -> None:
    s = schedule(enabled=False)
    assert due_at(s, utc(2030, 1, 1)) is None
    assert not is_due(s, utc(2030, 1, 1))


def test_time_zone_option_is_used() -> None:
    s = schedule(options={"tz": "Asia/Shanghai"}, created_at=utc(2025, 6, 1, 12))
    assert due_at(s, utc(2025, 6, 1, 13)) == utc(2025, 6, 1, 18)

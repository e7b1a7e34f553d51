"""HostClock: Crawl-delay spacing, Retry-After pauses, backing off a failing host."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.fetch.throttle import HostClock, retry_after_seconds


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_retry_after_forms() -> None:
    now = datetime(2026, 12, 6, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b" 5 ") == 5.0
    assert retry_after_seconds("Sun, 06 Dec 2026 08:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Sun, 06 Dec 2026 07:59:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("") is None


def test_crawl_delay_spaces_requests_to_one_host_only() -> None:
    t = FakeTime()
    clock = HostClock(clock=t)
    clock.set_crawl_delay("a.gov.cn", 2.0)
    assert [clock.reserve("a.gov.cn") for _ in range(3)] == [0.0, 2.0, 4.0]
    assert clock.reserve("b.gov.cn") == 0.0
    t.now += 10
    assert clock.reserve("a.gov.cn") == 0.0
    assert clock.throttled()["a.gov.cn"]["waited_s"] == 6.0
    assert "b.gov.cn" not in clock.throttled()


def test_retry_after_pauses_the_host_capped() -> None:
    t = FakeTime()
    clock = HostClock(clock=t, max_wait=30.0)
    assert clock.answered("a.gov.cn", 429, retry_after=5.0) == 5.0
    assert clock.reserve("a.gov.cn") == pytest.approx(5.0)
    assert clock.answered("a.gov.cn", 503, retry_after=3600.0) == 30.0
    assert clock.answered("a.gov.cn", 200, retry_after=99.0) == 0.0  # only 429/503
    figures = clock.throttled()["a.gov.cn"]
    assert (figures["retry_after"], figures["retry_after_s"]) == (2, 35.0)


def test_a_failing_host_backs_off_and_recovers() -> None:
    t = FakeTime()
    clock = HostClock(clock=t, backoff_after=3, backoff_base=1.0, backoff_max=4.0)
    assert [clock.answered("a.gov.cn", s) for s in (500, None)] == [0.0, 0.0]
    assert clock.answered("a.gov.cn", 502) == 1.0
    assert clock.answered("a.gov.cn", 504) == 2.0
    assert clock.answered("a.gov.cn", None) == 4.0
    assert clock.answered("a.gov.cn", 503) == 4.0  # capped
    assert clock.answered("a.gov.cn", 200) == 0.0
    assert clock.answered("a.gov.cn", 500) == 0.0  # the count starts again
    assert clock.throttled()["a.gov.cn"]["backoffs"] == 4


def test_a_request_woken_late_still_keeps_the_crawl_delay() -> None:
    """Slots are booked ahead; a timer that fires late (a busy event loop fires every timer
    due meanwhile at once) must not let two requests go closer than the Crawl-delay."""
    t = FakeTime()
    clock = HostClock(clock=t)
    clock.set_crawl_delay("a.gov.cn", 0.4)
    assert [clock.reserve("a.gov.cn") for _ in range(2)] == [0.0, pytest.approx(0.4)]
    t.now += 0.35  # the first request's timer fired 0.35 s late
    assert clock.release("a.gov.cn") == 0.0
    t.now += 0.05  # the second one's on time, 0.05 s after the first went
    assert clock.release("a.gov.cn") == pytest.approx(0.35)
    t.now += 0.35
    assert clock.release("a.gov.cn") == 0.0


def test_a_pause_holds_requests_booked_before_it() -> None:
    t = FakeTime()
    clock = HostClock(clock=t)
    assert clock.reserve("a.gov.cn") == 0.0  # booked, not gone yet
    clock.answered("a.gov.cn", 429, retry_after=2.0)
    assert clock.release("a.gov.cn") == pytest.approx(2.0)
    t.now += 2.0
    assert clock.release("a.gov.cn") == 0.0
